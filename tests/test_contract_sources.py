"""The sources' documented shape (docs/data-sources.md), including what varies or was left out before.

Each test varies one thing the document allows (or marks [check]) and shows the package still reads
the source by its own metadata: 85766NED's ``MateVanEenzaamheid`` dimension, finer national age groups
in ``Leeftijd``, ``Position`` left empty, attribute columns typed ``GeoDetail``, a WFS that answers an
unknown type name with an exception report and HTTP 200, a WFS that ignores ``startIndex``, relative
``next`` links, and answers that are not OData JSON.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pandas as pd
import pytest

from eenzaamheid_data import geo, national, rivm
from eenzaamheid_data.cli.map_command import resolve_area
from eenzaamheid_data.config import Settings
from eenzaamheid_data.errors import InvalidDataError, SourceChangedError, UnknownTableError
from eenzaamheid_data.population import load_population
from eenzaamheid_data.regions import GemeenteLookup, load_gemeenten
from eenzaamheid_data.testing.cbs_tables import (
    cbs_eenzaamheid_table,
    gebieden_table,
    kerncijfers_table,
    rivm_health_table,
)
from eenzaamheid_data.testing.geometry import (
    NETHERLANDS_BBOX,
    invented_codes,
    layers_from_polygons,
    tessellate,
)
from eenzaamheid_data.testing.odata_replica import ODataReplica
from eenzaamheid_data.testing.pdok_replica import PDOKReplica

from .conftest import GEMEENTEN, REGIONS


def settings(server_url: str, tmp_path: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "rivm_url": server_url, "cbs_url": server_url, "pdok_url": server_url, "data_dir": tmp_path / "data",
        "timeout": 5.0, "retries": 1, "backoff": 0.0,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


# -- 85766NED: Kenmerken × MateVanEenzaamheid × Perioden -------------------------------------------------------


def test_national_age_bands_collapse_the_degree_dimension(tmp_path: Path) -> None:
    with ODataReplica([cbs_eenzaamheid_table()]) as server:
        bands = national.load_age_bands(settings(server.url, tmp_path))
        data_requests = [r for r in server.requests if r["path"].endswith("/TypedDataSet")]
    assert not bands.duplicated(["leeftijdsband", "indicator", "jaar"]).any()
    assert set(bands["indicator"]) == {"eenzaam", "sterk_eenzaam", "emotioneel_eenzaam", "sociaal_eenzaam"}
    assert set(bands["leeftijdsband"]) == {"15–25", "25–35", "35–45", "45–55", "55–65", "65–75", "75+", "totaal"}
    assert list(bands.columns) == national.COLUMNS
    # sterk eenzaam is Eenzaamheid_1 in the category "Ernstig tot zeer ernstig eenzaam", about a third of eenzaam
    row = bands.set_index(["leeftijdsband", "indicator", "jaar"])["waarde"]
    assert row[("totaal", "sterk_eenzaam", 2023)] == pytest.approx(row[("totaal", "eenzaam", 2023)] * 0.33, abs=0.1)
    # only the categories that are used are asked for
    assert len(data_requests) == 1 and "MateVanEenzaamheid eq 'A052503'" in data_requests[0]["query"]["$filter"]
    assert "A052500" not in data_requests[0]["query"]["$filter"]  # not "niet eenzaam"
    assert bands.attrs["bron"]["categories"]["MateVanEenzaamheid"]["eenzaam"] == "Totaal eenzaam"


def test_national_band_and_degree_titles_are_read_leniently(tmp_path: Path) -> None:
    table = cbs_eenzaamheid_table()
    for row in table.dimensions["Kenmerken"]:
        if row["CategoryGroupID"] == 3:
            row["Title"] = "Leeftijd: " + row["Title"]
    titles = {"A052503": "Eenzaam", "A052509": "Sterk eenzaam"}
    for row in table.dimensions["MateVanEenzaamheid"]:
        row["Title"] = titles.get(row["Key"], row["Title"])
    with ODataReplica([table]) as server:
        bands = national.load_age_bands(settings(server.url, tmp_path))
    assert {"15–25", "75+", "totaal"} <= set(bands["leeftijdsband"])
    assert "sterk_eenzaam" in set(bands["indicator"])


def test_national_without_an_eenzaam_category_says_so(tmp_path: Path) -> None:
    table = cbs_eenzaamheid_table()
    for row in table.dimensions["MateVanEenzaamheid"]:
        row["Title"] = f"Categorie {row['Key']}"
    with ODataReplica([table]) as server, pytest.raises(SourceChangedError, match="no category for 'eenzaam'"):
        national.load_age_bands(settings(server.url, tmp_path))


# -- RIVM: finer age groups for Nederland only; age titles -----------------------------------------------------


def test_finer_national_age_groups_are_left_out_on_the_server(tmp_path: Path) -> None:
    table = rivm_health_table("50150NED", REGIONS, key_style="50150NED", periods=(2022, 2024))
    table.dimensions["Leeftijd"].append({"Key": "21700", "Title": "75 jaar of ouder", "Description": None, "CategoryGroupID": None})
    extra = [dict(r, Leeftijd="21700") for r in table.rows if r["WijkenEnBuurten"].startswith("NL01") and r["Leeftijd"] == "80200"]
    table.rows.extend(extra)
    for number, row in enumerate(table.rows):
        row["ID"] = number
    with ODataReplica([table]) as server:
        tidy = rivm.load_figures(settings(server.url, tmp_path), table="50150NED")
        data_filters = [r["query"]["$filter"] for r in server.requests if r["path"].endswith("/TypedDataSet")]
    assert extra and set(tidy["leeftijd"]) == {"18+", "18-64", "65+"}
    assert tidy.attrs["rijen"]["rows_set_aside"] == 0
    assert all("Leeftijd eq '20300'" in f and "21700" not in f for f in data_filters)


@pytest.mark.parametrize("young", ["18 tot 65 jaar", "18 tot en met 64 jaar", "18-64 jaar", "18 t/m 64 jaar"])
def test_age_titles_in_their_usual_spellings(young: str) -> None:
    rows = [{"Key": "A", "Title": "18 jaar of ouder"}, {"Key": "B", "Title": young}, {"Key": "C", "Title": "65 jaar en ouder"}]
    assert rivm._resolve_ages("T", rows) == {"A": "18+", "B": "18-64", "C": "65+"}


# -- Gebieden in Nederland and Kerncijfers: layout varies, provenance kept ----------------------------------------


def test_gebieden_read_without_positions_with_geodetail_columns_and_blanks(tmp_path: Path) -> None:
    table = gebieden_table("85755NED", 2024, GEMEENTEN, shift_columns=1)
    topics = [p for p in table.data_properties if p.get("Type") == "Topic"]
    for p in topics:
        p["Position"] = None  # the order is the order of DataProperties, not Position
    for p in topics[:3]:
        p["Type"] = "GeoDetail"  # Code_1, Naam_2, SorteringNaam_3
        p["odata.type"] = "Cbs.OData.GeoDetail"
    first_shifted_code = topics[3]["Key"]
    table.rows[0][first_shifted_code] = "          "  # a classification that leaves a gemeente out
    table.dimensions["RegioS"][0]["Title"] = f"{GEMEENTEN[0][1]} (gemeente)"
    with ODataReplica([table]) as server:
        frame = load_gemeenten(settings(server.url, tmp_path), year=2024)
    expected = pd.DataFrame(GEMEENTEN, columns=["gemeentecode", "gemeentenaam", "provinciecode", "provincienaam", "ggdregiocode", "ggdregionaam"])
    pd.testing.assert_frame_equal(frame, expected.sort_values("gemeentecode", ignore_index=True), check_dtype=False)
    assert frame.attrs["bron"]["fetched_at"] and frame.attrs["bron"]["table"] == "85755NED"


def test_population_keeps_its_fetch_time_and_reads_string_codes(tmp_path: Path) -> None:
    table = kerncijfers_table("85984NED", 2024, REGIONS)
    key = next(p["Key"] for p in table.data_properties if p["Key"].startswith("MateVanStedelijkheid_"))
    for row in table.rows:
        row[key] = None if row[key] is None else f"{row[key]}".rjust(4)  # a code typed as text
    with ODataReplica([table]) as server:
        frame = load_population(settings(server.url, tmp_path), year=2024)
    bron = frame.attrs["bron"]
    assert bron["fetched_at"] and bron["table"] == "85984NED"
    assert frame["stedelijkheid"].notna().all() and set(frame["stedelijkheid"]) <= {1, 2, 3, 4, 5}


def test_a_table_id_the_package_chose_that_is_gone_is_a_changed_source_not_bad_input(tmp_path: Path) -> None:
    # Found against an unseen CBS-shaped server: a 404 for the Gebieden table of 2022 said "bad input" (exit 2).
    with ODataReplica([gebieden_table("85755NED", 2024, GEMEENTEN)]) as server:
        with pytest.raises(SourceChangedError, match="no table '85067NED', the id this package knows for 'Gebieden in Nederland 2022'") as info:
            load_gemeenten(settings(server.url, tmp_path), year=2022)
        assert info.value.exit_code == 1 and "check-sources" in str(info.value)
        with pytest.raises(SourceChangedError, match="'Kerncijfers wijken en buurten 2024'"):
            load_population(settings(server.url, tmp_path), year=2024)
        with pytest.raises(SourceChangedError, match="'50150NED', the id this package knows for 'Gezondheidsmonitor 2024'"):
            rivm.resolve_schema(rivm.catalog(settings(server.url, tmp_path)), "50150NED")
        with pytest.raises(UnknownTableError):  # an id the user made up stays their mistake
            load_gemeenten(settings(server.url, tmp_path), year=2022, table="99999NED")


def test_search_understands_aliases_and_old_names() -> None:
    frame = pd.DataFrame(GEMEENTEN, columns=["gemeentecode", "gemeentenaam", "provinciecode", "provincienaam", "ggdregiocode", "ggdregionaam"])
    lookup = GemeenteLookup(frame, classification_year=2024)
    assert list(lookup.search("den haag")["gemeentecode"]) == ["GM0518"]
    assert list(lookup.search("Heerhugowaard")["gemeentecode"]) == ["GM1980"]


def test_a_wijk_map_area_is_the_gemeente_even_when_a_provincie_shares_its_name(caplog: pytest.LogCaptureFixture) -> None:
    frame = pd.DataFrame(
        [("GM0014", "Groningen", "PV20", "Groningen", "GG0111", "GGD Groningen"),
         ("GM0037", "Stadskanaal", "PV20", "Groningen", "GG0111", "GGD Groningen")],
        columns=["gemeentecode", "gemeentenaam", "provinciecode", "provincienaam", "ggdregiocode", "ggdregionaam"],
    )
    with caplog.at_level(logging.WARNING):
        assert resolve_area("Groningen", frame).kind == "provincie"
    assert "'Groningen' is a provincie and a gemeente: this map shows the provincie; for the gemeente give its code (GM0014)" in caplog.text
    assert resolve_area("Groningen", frame, prefer_gemeente=True).gemeentecodes == ("GM0014",)


# -- PDOK: the WFS's ways of saying no, and paging ---------------------------------------------------------------


@pytest.fixture(scope="module")
def layers() -> dict:
    tree, names = invented_codes(6, 18, 40)
    return layers_from_polygons(tessellate(tree, NETHERLANDS_BBOX), names, 2024)


def test_wfs_exception_report_with_http_200_moves_on_to_the_prefixed_name(layers: dict, tmp_path: Path) -> None:
    slept: list[float] = []
    with PDOKReplica(layers, require_prefix=True, exception_status=200) as server:
        gdf = geo.load_boundaries(settings(server.url, tmp_path, retries=3), level="gemeente", year=2024, sleep=slept.append)
        statuses = [(r.query.get("typeName"), r.status) for r in server.requests]
    assert len(gdf) == 6 and gdf.attrs["bron"]["service"] == "wfs"
    assert statuses == [("gemeente_gegeneraliseerd", 200), ("gebiedsindelingen:gemeente_gegeneraliseerd", 200)]
    assert slept == []  # a refusal is not retried


def test_check_sources_probe_finds_the_prefixed_layer(layers: dict, tmp_path: Path) -> None:
    with PDOKReplica(layers, require_prefix=True, exception_status=200) as server:
        text = geo.probe_layer(settings(server.url, tmp_path), level="wijk", year=2024)
    assert text.startswith("WFS typeName=gebiedsindelingen:wijk_gegeneraliseerd answers; first feature WK")


def _send_json(handler: BaseHTTPRequestHandler, status: int, body: object) -> None:
    data = json.dumps(body).encode()
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)


class _StubbornWFS(BaseHTTPRequestHandler):
    """A WFS that caps every answer at 4 features and ignores startIndex; and OGC pages with relative links."""

    features: tuple[dict, ...] = ()

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        if "/wfs/" in self.path:
            body = {"type": "FeatureCollection", "features": list(self.features[:4])}
        else:
            body = {"type": "FeatureCollection", "features": []}
        _send_json(self, 200, body)


@pytest.fixture()
def stubborn(layers: dict) -> Iterator[str]:
    _StubbornWFS.features = tuple(layers[("gemeente", 2024)]["features"])
    server = ThreadingHTTPServer(("127.0.0.1", 0), _StubbornWFS)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_wfs_that_ignores_start_index_does_not_loop(stubborn: str, tmp_path: Path) -> None:
    gdf = geo.load_boundaries(settings(stubborn, tmp_path), level="gemeente", year=2024)
    assert len(gdf) == 4  # what it gave, once each; the loop ended on a page with nothing new


class _ShortWFS(BaseHTTPRequestHandler):
    """A WFS that announces every feature (numberMatched) but ignores startIndex; the OGC API up or down."""

    features: tuple[dict, ...] = ()
    ogc_up = True

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        status = 200
        if "/wfs/" in self.path:
            body: dict = {"type": "FeatureCollection", "numberMatched": len(self.features), "features": list(self.features[:4])}
        elif self.ogc_up:
            body = {"type": "FeatureCollection", "features": list(self.features), "links": []}
        else:
            status, body = 503, {"code": "Unavailable"}
        _send_json(self, status, body)


@pytest.mark.parametrize("ogc_up", [True, False])
def test_a_wfs_layer_shorter_than_announced_is_never_cached(layers: dict, tmp_path: Path, ogc_up: bool) -> None:
    # Found against an unseen PDOK-shaped server: a WFS that ignored startIndex left a short layer in the cache for good.
    _ShortWFS.features, _ShortWFS.ogc_up = tuple(layers[("gemeente", 2024)]["features"]), ogc_up
    server = ThreadingHTTPServer(("127.0.0.1", 0), _ShortWFS)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        s = settings(f"http://127.0.0.1:{server.server_address[1]}", tmp_path)
        if ogc_up:  # the OGC API has the whole layer
            assert len(geo.load_boundaries(s, level="gemeente", year=2024)) == len(_ShortWFS.features) > 4
        else:
            with pytest.raises(InvalidDataError, match="announced .* features but gave 4") as info:
                geo.load_boundaries(s, level="gemeente", year=2024)
            assert info.value.exit_code == 1 and "nothing was cached" in str(info.value)
            assert not list((tmp_path / "data").rglob("*.geojson")) and not list((tmp_path / "data").rglob("*.parquet"))
    finally:
        server.shutdown()
        server.server_close()


def test_ogc_next_links_may_be_relative(layers: dict, tmp_path: Path) -> None:
    class Relative(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            feats = layers[("wijk", 2024)]["features"]
            if "/wfs/" in self.path:
                status, body = 404, {"code": "NotFound"}
            elif "page=2" in self.path:
                status, body = 200, {"type": "FeatureCollection", "features": feats[10:], "links": []}
            else:
                status, body = 200, {"type": "FeatureCollection", "features": feats[:10],
                                     "links": [{"rel": "next", "href": "items?f=json&page=2"}]}
            _send_json(self, status, body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Relative)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        gdf = geo.load_boundaries(settings(f"http://127.0.0.1:{server.server_address[1]}", tmp_path), level="wijk", year=2024)
    finally:
        server.shutdown()
        server.server_close()
    assert len(gdf) == 18 and gdf.attrs["bron"]["service"] == "ogc"


# -- OData: an answer the client cannot read is a clear error, not a traceback ------------------------------------


def test_a_relative_next_link_is_a_clear_error(tmp_path: Path) -> None:
    class Relative(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            data = json.dumps({"value": [{"ID": 0, "Title": "x"}], "odata.nextLink": "TableInfos?$skip=1"}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Relative)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with pytest.raises(SourceChangedError, match="cannot read"):
            rivm.load_figures(settings(f"http://127.0.0.1:{server.server_address[1]}", tmp_path))
    finally:
        server.shutdown()
        server.server_close()


class _NoDimensionFilters(ODataReplica):
    """A server that filters its data sets but refuses ``$filter`` on anything else (HTTP 400)."""

    def answer(self, path, query, base_url=None):
        if "$filter" in query and not path.rstrip("/").endswith(("TypedDataSet", "UntypedDataSet")):
            return 400, b'{"odata.error":{"code":"","message":{"lang":"en-US","value":"$filter is not supported here."}}}'
        return super().answer(path, query, base_url)


def test_a_server_that_filters_only_data_sets_still_works(tmp_path: Path) -> None:
    tables = [
        rivm_health_table("50150NED", REGIONS, key_style="50150NED", periods=(2022, 2024)),
        gebieden_table("85755NED", 2024, GEMEENTEN),
        kerncijfers_table("85984NED", 2024, REGIONS),
    ]
    with _NoDimensionFilters(tables) as server:
        s = settings(server.url, tmp_path)
        tidy = rivm.load_figures(s, level="wijk", gemeente="Den Haag")
        frame = load_gemeenten(s, year=2024)
        population = load_population(s, year=2024)
    assert set(tidy["niveau"]) == {"wijk"} and (tidy["gemeentecode"] == "GM0518").all()
    assert tidy["regionaam"].str.startswith("Wijk").all()
    assert len(frame) == len(GEMEENTEN) and frame["gemeentenaam"].notna().all()
    assert population.loc[population["regiocode"] == "GM0518", "regionaam"].iloc[0] == "'s-Gravenhage"
