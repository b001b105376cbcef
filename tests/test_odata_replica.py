"""The local CBS OData v3 replica, exercised over real HTTP with the real ``cbsodata`` client and ``requests``."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any

import cbsodata
import pytest
import requests

from eenzaamheid_data.testing.cbs_tables import (
    Region,
    cbs_eenzaamheid_table,
    gebieden_table,
    kerncijfers_table,
    realistic_regions,
    rivm_health_table,
)
from eenzaamheid_data.testing.odata_replica import (
    ODataError,
    ODataReplica,
    ReplicaTable,
    compile_filter,
)

LONELINESS = {
    "50150NED": ["Eenzaam_25", "SterkEenzaam_26", "EmotioneelEenzaam_27", "SociaalEenzaam_28"],
    "50120NED": ["Eenzaam_27", "ErnstigZeerErnstigEenzaam_28", "EmotioneelEenzaam_29", "SociaalEenzaam_30"],
}
FEED = "/ODataFeed/odata"


def _regions() -> list[Region]:
    regions = [Region("NL01", "Nederland")]
    for code, name in (("GM0363", "Amsterdam"), ("GM0518", "'s-Gravenhage")):
        regions.append(Region(code, name, code, name))
        for w in range(2):
            wijk = f"WK{code[2:]}{w:02d}"
            regions.append(Region(wijk, f"Wijk {w} {name}", code, name))
            regions += [Region(f"BU{code[2:]}{w:02d}{b:02d}", f"Buurt {b} {name}", code, name) for b in range(2)]
    return regions


REGIONS = _regions()
GEMEENTEN = [
    ("GM0363", "Amsterdam", "PV27", "Noord-Holland", "GG3406", "GGD Amsterdam"),
    ("GM0518", "'s-Gravenhage", "PV28", "Zuid-Holland", "GG3511", "GGD Haaglanden"),
]


@lru_cache(maxsize=1)
def _tables() -> tuple[ReplicaTable, ...]:
    """Built once: the tests only read them."""
    return (
        rivm_health_table("50150NED", REGIONS, key_style="50150NED"),
        rivm_health_table("50120NED", REGIONS, key_style="50120NED", periods=(2012, 2016, 2020, 2022), classification_year=2022),
        gebieden_table("85755NED", 2024, GEMEENTEN, shift_columns=2),
        kerncijfers_table("85984NED", 2024, REGIONS),
        cbs_eenzaamheid_table(),
    )


@pytest.fixture()
def server() -> Iterator[ODataReplica]:
    with ODataReplica(_tables(), page_size=100) as replica:
        yield replica


@pytest.fixture()
def client() -> Iterator[Any]:
    """The real cbsodata module, switched to http for the replica and switched back afterwards."""
    previous = cbsodata.options.use_https
    cbsodata.options.use_https = False
    try:
        yield cbsodata
    finally:
        cbsodata.options.use_https = previous


def get(server: ODataReplica, path: str, **params: str) -> requests.Response:
    return requests.get(server.url + path, params={"$format": "json", **params}, timeout=5)


# -- documents and metadata ----------------------------------------------------------------------------


def test_service_document_lists_every_entity_set(server: ODataReplica, client: Any) -> None:
    names = [row["name"] for row in client.get_meta("50150NED", "", catalog_url=server.catalog_url)]
    assert names == ["TableInfos", "UntypedDataSet", "TypedDataSet", "DataProperties", "CategoryGroups",
                     "Leeftijd", "Marges", "WijkenEnBuurten", "Perioden"]
    for path in ("/ODataFeed/odata/50150NED", "/ODataApi/odata/50150NED/", "/ODataFeed/OData/50150ned/"):
        answer = get(server, path)
        assert answer.status_code == 200 and answer.headers["Content-Type"] == "application/json; charset=utf-8"
        body = answer.json()
        assert body["odata.metadata"].endswith("/50150NED/$metadata")
        assert [v["name"] for v in body["value"]] == names
        assert all(v["url"].endswith(f"/50150NED/{v['name']}") for v in body["value"])


def test_table_infos_and_the_catalog_list(server: ODataReplica, client: Any) -> None:
    info = client.get_info("50150NED", catalog_url=server.catalog_url)
    assert info["Identifier"] == "50150NED" and info["Modified"] == "2025-06-30T02:00:00"
    assert info["Title"] == "Gezondheid per wijk en buurt; 2012/2016/2020/2022/2024 (indeling 2024)"
    assert client.get_info("50120NED", catalog_url=server.catalog_url)["Title"].endswith("(indeling 2022)")
    listed = client.get_table_list(catalog_url=server.catalog_url)
    assert {t["Identifier"] for t in listed} == {"50150NED", "50120NED", "85755NED", "85984NED", "85766NED"}
    only = client.get_table_list(catalog_url=server.catalog_url, filters="Catalog eq 'CBS'", select=["Identifier", "Title"])
    assert {t["Identifier"] for t in only} == {"85755NED", "85984NED", "85766NED"} and set(only[0]) == {"Identifier", "Title"}


@pytest.mark.parametrize("key_style", ["50150NED", "50120NED"])
def test_data_properties_hold_the_loneliness_group_for_both_key_styles(server: ODataReplica, client: Any, key_style: str) -> None:
    props = client.get_meta(key_style, "DataProperties", catalog_url=server.catalog_url)
    assert [p["ID"] for p in props] == list(range(len(props)))
    assert [p["Position"] for p in props] == sorted(p["Position"] for p in props)
    dims = {p["Key"]: p["Type"] for p in props if p["Type"] in ("Dimension", "GeoDimension", "TimeDimension")}
    assert dims == {"Leeftijd": "Dimension", "Marges": "Dimension", "WijkenEnBuurten": "GeoDimension", "Perioden": "TimeDimension"}
    topics = [p for p in props if p["Type"] == "Topic"]
    assert [t["Key"] for t in topics[:3]] == ["Gemeentenaam_1", "SoortRegio_2", "Codering_3"]
    assert [int(t["Key"].rsplit("_", 1)[1]) for t in topics] == list(range(1, len(topics) + 1))
    group = next(p for p in props if p["Type"] == "TopicGroup" and p["Title"] == "Eenzaamheid")
    in_group = [t for t in topics if t["ParentID"] == group["ID"]]
    assert [t["Key"] for t in in_group] == LONELINESS[key_style]
    assert all(t["Unit"] == "%" and t["Decimals"] in (0, 1) for t in in_group)
    strong = "Sterk eenzaam" if key_style == "50150NED" else "(Zeer) ernstig eenzaam"
    assert [t["Title"] for t in in_group] == ["Eenzaam", strong, "Emotioneel eenzaam", "Sociaal eenzaam"]


def test_extra_topics_make_a_realistically_wide_table() -> None:
    table = rivm_health_table("50150NED", REGIONS[:3], key_style="50150NED", extra_topics=32, periods=(2022,))
    keys = [t["Key"] for t in table.topics]
    assert len(keys) == 60 and keys[24:28] == LONELINESS["50150NED"] and keys[28] == "KrijgtSteunVanAnderen_29"
    assert all(set(table.columns) <= set(row) for row in table.rows)


def test_dimension_tables(server: ODataReplica, client: Any) -> None:
    ages = client.get_meta("50150NED", "Leeftijd", catalog_url=server.catalog_url)
    assert [(a["Key"], a["Title"]) for a in ages] == [("20300", "18 jaar of ouder"), ("53115", "18 tot 65 jaar"), ("80200", "65 jaar of ouder")]
    margins = client.get_meta("50150NED", "Marges", catalog_url=server.catalog_url)
    assert [m["Key"] for m in margins] == ["MW00000", "MOG0095", "MBG0095"]
    periods = client.get_meta("50150NED", "Perioden", catalog_url=server.catalog_url)
    assert periods[0] == {"Key": "2012JJ00", "Title": "2012", "Description": None, "Status": "Definitief"}
    regions = client.get_meta("50150NED", "WijkenEnBuurten", catalog_url=server.catalog_url)
    assert len(regions) == len(REGIONS) and all(len(r["Key"]) == 10 for r in regions)
    assert regions[0]["Key"] == "NL01      " and regions[0]["Title"] == "Nederland"
    gemeenten = client.get_meta("50150NED", "WijkenEnBuurten", catalog_url=server.catalog_url, filters="startswith(Key,'GM')")
    assert [(g["Key"].strip(), g["Title"]) for g in gemeenten] == [("GM0363", "Amsterdam"), ("GM0518", "'s-Gravenhage")]
    topics = client.get_meta("50150NED", "DataProperties", catalog_url=server.catalog_url,
                             filters="Type eq 'Topic' and substringof('Eenzaam',Key)", select=["Key"])
    assert [t["Key"] for t in topics] == LONELINESS["50150NED"]


# -- data sets -------------------------------------------------------------------------------------------


def test_typed_and_untyped_data_sets_agree(server: ODataReplica, client: Any) -> None:
    query = {"catalog_url": server.catalog_url, "filters": "startswith(WijkenEnBuurten,'GM0518')"}
    typed = client.get_meta("50150NED", "TypedDataSet", **query)
    untyped = client.get_meta("50150NED", "UntypedDataSet", **query)
    assert len(typed) == len(untyped) == 3 * 3 * 5
    assert list(typed[0]) == server.tables["50150NED"].columns
    for t, u in zip(typed, untyped):
        assert t["ID"] == u["ID"] and t["WijkenEnBuurten"] == u["WijkenEnBuurten"] == "GM0518    "
        for key in LONELINESS["50150NED"]:
            assert isinstance(u[key], str) and len(u[key]) == 10 and u[key] == u[key].rjust(10)
            assert (t[key] is None and u[key].strip() == ".") or float(u[key]) == t[key]
    missing = [u for u in untyped if u["Perioden"] == "2012JJ00"]
    assert missing and all(u["SociaalEenzaam_28"] == "         ." for u in missing)


def test_get_data_replaces_keys_by_titles_and_swaps_the_typed_flag(server: ODataReplica, client: Any) -> None:
    rows = client.get_data("85766NED", catalog_url=server.catalog_url, filters="Kenmerken eq '53105  '")
    assert {r["Kenmerken"] for r in rows} == {"15 tot 25 jaar"} and {r["Marges"] for r in rows} == {"Waarde", "Ondergrens 95%-interval", "Bovengrens 95%-interval"}
    assert isinstance(rows[0]["Eenzaamheid_1"], float)  # typed=False gives the TypedDataSet in cbsodata 1.3.5
    assert any(r["path"].endswith("/85766NED/TypedDataSet") for r in server.requests)


def _python_filter(server: ODataReplica, table: str, keep: Callable[[dict], bool]) -> set[int]:
    return {row["ID"] for row in server.tables[table].rows if keep(row)}


def _s(row: dict, key: str) -> str:
    return row[key].strip()


FILTERS: list[tuple[str, Callable[[dict], bool]]] = [
    ("WijkenEnBuurten eq 'GM0363'", lambda r: False),  # exact comparison: the key is padded
    ("WijkenEnBuurten eq 'GM0363    '", lambda r: r["WijkenEnBuurten"] == "GM0363    "),
    ("trim(WijkenEnBuurten) eq 'GM0363'", lambda r: _s(r, "WijkenEnBuurten") == "GM0363"),
    ("startswith(WijkenEnBuurten,'GM0363')", lambda r: r["WijkenEnBuurten"].startswith("GM0363")),
    ("substringof('0518',WijkenEnBuurten)", lambda r: "0518" in r["WijkenEnBuurten"]),
    ("endswith(WijkenEnBuurten,'01')", lambda r: r["WijkenEnBuurten"].endswith("01")),  # only unpadded (buurt) keys match
    ("endswith(trim(WijkenEnBuurten),'01')", lambda r: _s(r, "WijkenEnBuurten").endswith("01")),
    ("Marges ne 'MW00000'", lambda r: r["Marges"] != "MW00000"),
    ("not (Marges eq 'MW00000')", lambda r: r["Marges"] != "MW00000"),
    ("not startswith(WijkenEnBuurten,'BU') and Marges eq 'MW00000'",
     lambda r: not r["WijkenEnBuurten"].startswith("BU") and r["Marges"] == "MW00000"),
    ("(Leeftijd eq '20300' or Leeftijd eq '80200') and Perioden eq '2024JJ00'",
     lambda r: r["Leeftijd"] in ("20300", "80200") and r["Perioden"] == "2024JJ00"),
    ("Leeftijd eq '20300' or Leeftijd eq '80200' and Perioden eq '2024JJ00'",  # and binds tighter than or
     lambda r: r["Leeftijd"] == "20300" or (r["Leeftijd"] == "80200" and r["Perioden"] == "2024JJ00")),
    ("Eenzaam_25 gt 50 and Eenzaam_25 le 55.5", lambda r: r["Eenzaam_25"] is not None and 50 < r["Eenzaam_25"] <= 55.5),
    ("SociaalEenzaam_28 eq null", lambda r: r["SociaalEenzaam_28"] is None),
    ("startswith(Gemeentenaam_1,'''s-Gravenhage') and ID lt 400", lambda r: r["Gemeentenaam_1"].startswith("'s-Gravenhage") and r["ID"] < 400),
    ("length(trim(Codering_3)) eq 10 and tolower(Marges) eq 'mw00000'", lambda r: len(r["Codering_3"]) == 10 and r["Marges"] == "MW00000"),
]


@pytest.mark.parametrize("text, keep", FILTERS, ids=[f for f, _ in FILTERS])
def test_filters_select_exactly_the_rows_they_describe(server: ODataReplica, client: Any, text: str, keep: Callable[[dict], bool]) -> None:
    rows = client.get_meta("50150NED", "TypedDataSet", catalog_url=server.catalog_url, filters=text, select=["ID"])
    ids = [r["ID"] for r in rows]
    assert len(ids) == len(set(ids))
    assert set(ids) == _python_filter(server, "50150NED", keep)


def test_select_returns_only_the_columns_asked_for_in_that_order(server: ODataReplica, client: Any) -> None:
    rows = client.get_meta("50150NED", "TypedDataSet", catalog_url=server.catalog_url,
                           select=["SterkEenzaam_26", "WijkenEnBuurten", "ID"], filters="ID lt 3")
    assert [list(r) for r in rows] == [["SterkEenzaam_26", "WijkenEnBuurten", "ID"]] * 3
    everything = get(server, f"{FEED}/50150NED/TypedDataSet", **{"$select": "*", "$top": "1"}).json()["value"][0]
    assert list(everything) == server.tables["50150NED"].columns


# -- paging -----------------------------------------------------------------------------------------------


def test_cbsodata_follows_next_links_and_gets_every_row_once(client: Any) -> None:
    with ODataReplica(_tables(), page_size=7) as small:
        wanted = "startswith(WijkenEnBuurten,'WK') and Marges eq 'MW00000'"
        rows = client.get_meta("50150NED", "TypedDataSet", catalog_url=small.catalog_url, filters=wanted,
                               select=["ID", "WijkenEnBuurten", "Eenzaam_25"])
        expected = _python_filter(small, "50150NED", lambda r: r["WijkenEnBuurten"].startswith("WK") and r["Marges"] == "MW00000")
        assert sorted(r["ID"] for r in rows) == sorted(expected) and len(rows) == len(expected) == 60
        pages = [r for r in small.requests if r["path"].endswith("/TypedDataSet")]
        assert len(pages) == math.ceil(60 / 7)
        assert [int(p["query"].get("$skip", 0)) for p in pages] == list(range(0, 60, 7))
        assert all(p["query"]["$filter"] == wanted and p["query"]["$select"] == "ID,WijkenEnBuurten,Eenzaam_25" for p in pages)


def test_next_link_carries_the_whole_query_url_encoded(server: ODataReplica) -> None:
    body = get(server, f"{FEED}/50150NED/TypedDataSet", **{"$filter": "Marges eq 'MW00000'", "$select": "ID,Marges"}).json()
    link = body["odata.nextLink"]
    assert link.startswith(f"{server.url}{FEED}/50150NED/TypedDataSet?$format=json&$filter=")
    assert " " not in link and "Marges%20eq%20'MW00000'" in link and "$select=ID,Marges" in link and link.endswith("$skip=100")
    assert len(body["value"]) == 100


def test_top_and_skip(server: ODataReplica) -> None:
    with ODataReplica(_tables(), page_size=7) as small:
        first = get(small, f"{FEED}/50150NED/TypedDataSet", **{"$top": "10", "$skip": "5", "$select": "ID"}).json()
        assert [r["ID"] for r in first["value"]] == list(range(5, 12))
        second = requests.get(first["odata.nextLink"], timeout=5).json()
        assert [r["ID"] for r in second["value"]] == [12, 13, 14] and "odata.nextLink" not in second
    counted = get(server, f"{FEED}/50150NED/Marges", **{"$inlinecount": "allpages", "$top": "1"}).json()
    assert counted["odata.count"] == "3" and len(counted["value"]) == 1
    assert get(server, f"{FEED}/50150NED/Marges", **{"$skip": "10"}).json()["value"] == []


# -- errors --------------------------------------------------------------------------------------------------


def test_unknown_table_and_entity_set_answer_404(server: ODataReplica, client: Any) -> None:
    for path in (f"{FEED}/99999NED", f"{FEED}/99999NED/TypedDataSet", f"{FEED}/50150NED/Bestaatniet", "/elders"):
        answer = get(server, path)
        assert answer.status_code == 404 and answer.json()["odata.error"]["message"]["value"]
    with pytest.raises(requests.HTTPError, match="404"):
        client.get_info("99999NED", catalog_url=server.catalog_url)


@pytest.mark.parametrize(
    "params, message",
    [
        ({"$filter": "WijkenEnBuurten eq"}, "Syntax error"),
        ({"$filter": "Onbekend eq 'x'"}, "No property 'Onbekend'"),
        ({"$filter": "startswith(WijkenEnBuurten)"}, "No function signature"),
        ({"$filter": "WijkenEnBuurten eq 'GM0363"}, "unterminated string"),
        ({"$filter": "Eenzaam_25 eq 'veel'"}, "incompatible"),
        ({"$filter": "WijkenEnBuurten eq 'a' AND Marges eq 'b'"}, "Syntax error"),
        ({"$filter": "Eenzaam_25"}, "expected to be 'Edm.Boolean'"),
        ({"$filter": "__import__('os')"}, "Unknown function"),
        ({"$filter": "not Marges"}, "Operator 'not' incompatible"),
        ({"$select": "ID,Onbekend"}, "No property 'Onbekend'"),
        ({"$top": "veel"}, "Invalid integer"),
        ({"$orderby": "ID"}, "not recognized"),
    ],
)
def test_bad_queries_answer_400_with_a_message(server: ODataReplica, params: dict[str, str], message: str) -> None:
    answer = get(server, f"{FEED}/50150NED/TypedDataSet", **params)
    assert answer.status_code == 400
    assert message in answer.json()["odata.error"]["message"]["value"]


def test_cbsodata_sees_a_bad_filter_as_an_http_error(server: ODataReplica, client: Any) -> None:
    with pytest.raises(requests.HTTPError, match="400"):
        client.get_meta("50150NED", "TypedDataSet", catalog_url=server.catalog_url, filters="Onbekend eq 1")


def test_compile_filter_reports_the_fields_it_reads() -> None:
    predicate, fields = compile_filter("startswith(A,'x') or (B gt 2 and A eq 'y''z')", {"A": "string", "B": "number"})
    assert fields == ("A", "B")
    assert predicate({"A": "xa", "B": 1}) is True and predicate({"A": "y'z", "B": 3}) is True
    assert predicate({"A": "y'z", "B": None}) is False
    with pytest.raises(ODataError) as info:
        compile_filter("A eq 1", {"A": "string"})
    assert info.value.status == 400


# -- faults and accounting ------------------------------------------------------------------------------------


def test_each_fault_kind_is_seen_by_the_client(server: ODataReplica) -> None:
    url = f"{server.url}{FEED}/50150NED/TableInfos?$format=json"
    server.inject_fault("drop", path_contains="TableInfos")
    with pytest.raises(requests.ConnectionError):
        requests.get(url, timeout=2)
    server.inject_fault("truncate", path_contains="TableInfos")
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        requests.get(url, timeout=2)
    server.inject_fault("500", path_contains="TableInfos")
    assert requests.get(url, timeout=2).status_code == 500
    server.inject_fault("503", path_contains="TableInfos")
    unavailable = requests.get(url, timeout=2)
    assert unavailable.status_code == 503 and unavailable.headers["Retry-After"] == "1"
    server.inject_fault("slow", path_contains="TableInfos", delay=0.6)
    with pytest.raises(requests.Timeout):
        requests.get(url, timeout=0.2)
    assert requests.get(url, timeout=2).status_code == 200  # every fault used up
    assert [r["fault"] for r in server.requests][:5] == ["drop", "truncate", "500", "503", "slow"]
    assert server.requests[0]["status"] is None and server.requests[1]["status"] == 200


def test_faults_match_on_path_and_query_and_are_used_in_order(server: ODataReplica, client: Any) -> None:
    server.inject_fault("500", path_contains="startswith(WijkenEnBuurten,'GM')", times=2)
    server.inject_fault("drop", path_contains="TypedDataSet")
    get(server, f"{FEED}/50150NED/TableInfos")  # does not match the first fault, uses nothing
    assert get(server, f"{FEED}/50150NED/TypedDataSet", **{"$filter": "startswith(WijkenEnBuurten,'GM')"}).status_code == 500
    assert get(server, f"{FEED}/50150NED/TypedDataSet", **{"$filter": "startswith(WijkenEnBuurten,'GM')"}).status_code == 500
    with pytest.raises(requests.ConnectionError):
        client.get_meta("50150NED", "TypedDataSet", catalog_url=server.catalog_url, timeout=2)
    server.inject_fault("drop", times=5)
    server.clear_faults()
    assert get(server, f"{FEED}/50150NED/Marges").status_code == 200
    assert [r["fault"] for r in server.requests] == [None, "500", "500", "drop", None]


def test_bytes_and_requests_are_accounted(server: ODataReplica, client: Any) -> None:
    answers = [get(server, f"{FEED}/50150NED/{name}") for name in ("TableInfos", "Perioden", "DataProperties")]
    records = server.requests
    assert [r["path"] for r in records] == [f"{FEED}/50150NED/{n}" for n in ("TableInfos", "Perioden", "DataProperties")]
    assert [r["bytes_sent"] for r in records] == [len(a.content) for a in answers]
    assert server.bytes_sent == sum(len(a.content) for a in answers)
    assert all(r["method"] == "GET" and r["status"] == 200 and r["query"] == {"$format": "json"} for r in records)
    server.inject_fault("truncate", path_contains="Marges")
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        get(server, f"{FEED}/50150NED/Marges")
    full = len(get(server, f"{FEED}/50150NED/Marges").content)
    assert server.requests[-2]["bytes_sent"] == full // 2
    server.reset_stats()
    assert server.requests == [] and server.bytes_sent == 0


# -- the builders --------------------------------------------------------------------------------------------


def test_health_values_are_deterministic_ordered_and_missing_stays_missing() -> None:
    first, second = (rivm_health_table("50150NED", REGIONS, key_style="50150NED") for _ in range(2))
    assert first.rows == second.rows
    by_key = {(r["WijkenEnBuurten"], r["Leeftijd"], r["Perioden"], r["Marges"]): r for r in first.rows}
    for (region, age, period, margin), row in by_key.items():
        if margin != "MW00000":
            continue
        low, high = by_key[(region, age, period, "MOG0095")], by_key[(region, age, period, "MBG0095")]
        for key in LONELINESS["50150NED"]:
            if row[key] is None:
                assert low[key] is None and high[key] is None
            else:
                assert 0 <= low[key] <= row[key] <= high[key] <= 100
    nl = by_key[("NL01      ", "20300", "2022JJ00", "MW00000")]
    assert [nl[k] for k in LONELINESS["50150NED"]] == [49.0, 14.0, 30.0, 35.0]


def test_kerncijfers_add_up() -> None:
    table = kerncijfers_table("85984NED", 2024, REGIONS)
    rows = {r["WijkenEnBuurten"].strip(): r for r in table.rows}
    bands = ["k_0Tot15Jaar_8", "k_15Tot25Jaar_9", "k_25Tot45Jaar_10", "k_45Tot65Jaar_11", "k_65JaarOfOuder_12"]
    for row in rows.values():
        assert sum(row[b] for b in bands) == row["AantalInwoners_5"] == row["Mannen_6"] + row["Vrouwen_7"]
        assert 1 <= next(v for k, v in row.items() if k.startswith("MateVanStedelijkheid_")) <= 5
    assert rows["GM0363"]["AantalInwoners_5"] == rows["WK036300"]["AantalInwoners_5"] + rows["WK036301"]["AantalInwoners_5"]
    assert rows["NL01"]["AantalInwoners_5"] == rows["GM0363"]["AantalInwoners_5"] + rows["GM0518"]["AantalInwoners_5"]


def test_gebieden_shift_moves_the_pairs_but_keeps_the_prefixes() -> None:
    plain, shifted = gebieden_table("85755NED", 2024, GEMEENTEN), gebieden_table("85755NED", 2024, GEMEENTEN, shift_columns=2)

    def pv_column(table: ReplicaTable) -> str:
        return next(k for k, v in table.rows[0].items() if isinstance(v, str) and v.strip() == "PV27")

    assert pv_column(plain) != pv_column(shifted)
    assert int(pv_column(shifted).split("_")[1]) == int(pv_column(plain).split("_")[1]) + 4
    assert shifted.rows[1]["SorteringNaam_3"].strip() == "Gravenhage ('s-)"


def test_realistic_regions_have_real_looking_codes() -> None:
    regions = realistic_regions(n_gemeenten=3, wijken_per_gemeente=2, buurten_per_wijk=2, prefix_start=14)
    assert [r.code for r in regions[:4]] == ["NL01", "GM0014", "WK001400", "BU00140000"]
    assert len(regions) == 1 + 3 * (1 + 2 * (1 + 2)) and regions[3].gemeentecode == "GM0014"
    assert len(realistic_regions()) == 1 + 342 * (1 + 10 * (1 + 4))
