"""The data layer against the local CBS OData v3 replica, through the real cbsodata client over HTTP."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from eenzaamheid_data import rivm
from eenzaamheid_data.errors import (
    AmbiguousRegionError,
    BadInputError,
    InvalidDataError,
    NotCachedError,
    SourceUnreachableError,
    UnknownRegionError,
    UnknownTableError,
)
from eenzaamheid_data.testing.odata_replica import ODataReplica

from .conftest import world_tables

TOPICS = {
    "50150NED": {"Eenzaam_25": "eenzaam", "SterkEenzaam_26": "sterk_eenzaam", "EmotioneelEenzaam_27": "emotioneel_eenzaam", "SociaalEenzaam_28": "sociaal_eenzaam"},
    "50120NED": {"Eenzaam_27": "eenzaam", "ErnstigZeerErnstigEenzaam_28": "sterk_eenzaam", "EmotioneelEenzaam_29": "emotioneel_eenzaam", "SociaalEenzaam_30": "sociaal_eenzaam"},
}
AGES = {"20300": "18+", "53115": "18-64", "80200": "65+"}
MARGINS = {"MW00000": "waarde", "MOG0095": "ondergrens", "MBG0095": "bovengrens"}


def held_by_server(server: ODataReplica, table: str, prefixes: tuple[str, ...]) -> dict[tuple, float | None]:
    """What the server holds, read straight from its rows: (code, year, age, indicator, margin) → value."""
    rows = server.tables[table].rows
    out = {}
    for row in rows:
        code = row["WijkenEnBuurten"].strip()
        if not code.startswith(prefixes):
            continue
        for key, indicator in TOPICS[table].items():
            out[(code, int(row["Perioden"][:4]), AGES[row["Leeftijd"].strip()], indicator, MARGINS[row["Marges"].strip()])] = row[key]
    return out


def as_held(tidy: pd.DataFrame) -> dict[tuple, float | None]:
    out = {}
    for row in tidy.itertuples(index=False):
        for margin in ("waarde", "ondergrens", "bovengrens"):
            value = getattr(row, margin)
            out[(row.regiocode, row.jaar, row.leeftijd, row.indicator, margin)] = None if math.isnan(value) else value
    return out


@pytest.mark.parametrize("key_style", ["50150NED", "50120NED"])
def test_gemeente_figures_equal_what_the_server_holds(key_style: str, settings_for, tmp_path) -> None:  # noqa: ANN001
    year = 2024 if key_style == "50150NED" else 2022
    with ODataReplica(world_tables(key_style=key_style, year=year), page_size=300) as server:
        tidy = rivm.load_figures(settings_for(server), table=key_style)
        held = held_by_server(server, key_style, ("NL", "GM"))
    assert list(tidy.columns) == rivm.COLUMNS
    assert as_held(tidy) == held
    assert set(tidy["niveau"]) == {"nederland", "gemeente"}
    assert tidy["regiocode"].str.len().max() <= 6  # padded keys stripped
    assert tidy.loc[tidy["regiocode"] == "GM0518", "regionaam"].iloc[0] == "'s-Gravenhage"
    assert tidy.loc[tidy["regiocode"] == "NL01", "gemeentecode"].isna().all()
    assert tidy["jaar"].dtype == "int64"
    assert tidy.attrs["bron"]["classification_year"] == year
    assert tidy.attrs["bron"]["table"] == key_style
    # sociaal eenzaam was not measured in 2012: missing stays missing, never 0
    soc2012 = tidy[(tidy["indicator"] == "sociaal_eenzaam") & (tidy["jaar"] == 2012)]
    assert len(soc2012) and soc2012["waarde"].isna().all()
    assert tidy.attrs["rijen"]["rows_received"] == tidy.attrs["rijen"]["rows_used"]


def test_only_what_is_needed_is_asked_for(replica: ODataReplica, settings_for) -> None:  # noqa: ANN001
    rivm.load_figures(settings_for(replica))
    data_requests = [r for r in replica.requests if r["path"].endswith("/TypedDataSet")]
    assert data_requests, "the data set was fetched"
    first = data_requests[0]["query"]
    assert "startswith(WijkenEnBuurten,'GM')" in first["$filter"]
    selected = first["$select"].split(",")
    assert "Eenzaam_25" in selected and "SterkEenzaam_26" in selected
    assert len(selected) == 8  # four dimensions and four loneliness topics, nothing else
    assert not any(r["path"].endswith("/UntypedDataSet") for r in replica.requests)


def test_wijken_of_one_gemeente_by_name(replica: ODataReplica, settings_for) -> None:  # noqa: ANN001
    tidy = rivm.load_figures(settings_for(replica), level="wijk", gemeente="Den Haag")
    assert set(tidy["regiocode"]) == {"WK051800", "WK051801", "WK051802"}
    assert set(tidy["gemeentecode"]) == {"GM0518"}
    assert as_held(tidy) == held_by_server(replica, "50150NED", ("WK0518",))
    buurten = rivm.load_figures(settings_for(replica), level="buurt", gemeente="GM0518")
    assert buurten["regiocode"].nunique() == 6 and set(buurten["niveau"]) == {"buurt"}


def test_all_wijken_are_fetched_per_year_so_a_drop_resumes(replica: ODataReplica, settings_for) -> None:  # noqa: ANN001
    settings = settings_for(replica)
    replica.inject_fault("drop", path_contains="2024JJ00", times=10)
    with pytest.raises(SourceUnreachableError):
        rivm.load_figures(settings, level="wijk")
    done_before = sum(1 for r in replica.requests if r["path"].endswith("TypedDataSet") and r["status"] == 200)
    replica.clear_faults()
    replica.reset_stats()
    tidy = rivm.load_figures(settings, level="wijk")
    again = [r for r in replica.requests if r["path"].endswith("TypedDataSet")]
    assert done_before >= 1 and len(again) < 5  # the years cached before the failure are not fetched again
    assert tidy["regiocode"].nunique() == 15


def test_second_run_works_offline_with_the_server_gone(settings_for) -> None:  # noqa: ANN001
    with ODataReplica(world_tables()) as server:
        settings = settings_for(server)
        first = rivm.load_figures(settings)
    offline = rivm.load_figures(settings.replace(offline=True))
    pd.testing.assert_frame_equal(first, offline)


def test_offline_one_gemeente_or_one_year_comes_from_the_whole_level_in_the_cache(settings_for) -> None:  # noqa: ANN001
    with ODataReplica(world_tables()) as server:
        settings = settings_for(server)
        wijken = rivm.load_figures(settings, level="wijk")  # as a run for every gemeente leaves it
        gemeenten = rivm.load_figures(settings)
    offline = settings.replace(offline=True)
    code = str(wijken["gemeentecode"].iloc[0])
    one = rivm.load_figures(offline, level="wijk", gemeente=code)
    pd.testing.assert_frame_equal(one, wijken[wijken["gemeentecode"] == code].reset_index(drop=True))
    year = int(gemeenten["jaar"].min())
    some = rivm.load_figures(offline, years=[year])
    assert set(some["jaar"]) == {year} and len(some) == (gemeenten["jaar"] == year).sum() and some.attrs["bron"]["years"] == [year]
    with pytest.raises(NotCachedError):  # what is not there at all is still said
        rivm.load_figures(offline, level="buurt", gemeente=code)


def test_offline_without_cache_says_what_is_lacking(replica: ODataReplica, settings_for) -> None:  # noqa: ANN001
    with pytest.raises(NotCachedError, match="offline: 50150NED TableInfos is needed"):
        rivm.load_figures(settings_for(replica, offline=True))


def test_refresh_fetches_again(replica: ODataReplica, settings_for) -> None:  # noqa: ANN001
    settings = settings_for(replica)
    rivm.load_figures(settings)
    replica.reset_stats()
    rivm.load_figures(settings)
    assert replica.requests == []
    rivm.load_figures(settings.replace(refresh=True))
    assert any(r["path"].endswith("TypedDataSet") for r in replica.requests)


def test_corrupt_cache_file_is_fetched_again(replica: ODataReplica, settings_for) -> None:  # noqa: ANN001
    settings = settings_for(replica)
    first = rivm.load_figures(settings)
    data_file = next(p for p in settings.raw_dir.rglob("TypedDataSet-*.json"))
    data_file.write_bytes(data_file.read_bytes()[:100])
    again = rivm.load_figures(settings)
    pd.testing.assert_frame_equal(first, again)
    assert len(data_file.read_bytes()) > 100


def test_dropped_connections_and_5xx_are_retried(replica: ODataReplica, settings_for) -> None:  # noqa: ANN001
    replica.inject_fault("drop", path_contains="TypedDataSet", times=1)
    replica.inject_fault("500", path_contains="DataProperties", times=1)
    tidy = rivm.load_figures(settings_for(replica, retries=2))
    assert tidy["regiocode"].nunique() == 6


def test_slow_answer_times_out_and_is_retried(replica: ODataReplica, settings_for) -> None:  # noqa: ANN001
    replica.inject_fault("slow", path_contains="TableInfos", times=1, delay=1.5)
    tidy = rivm.load_figures(settings_for(replica, timeout=0.5, retries=1))
    assert len(tidy)


def test_unreachable_source_gives_a_clear_error(settings_for) -> None:  # noqa: ANN001
    with ODataReplica(world_tables()) as server:
        settings = settings_for(server, retries=1)
    with pytest.raises(SourceUnreachableError, match="did not answer .* after 2 attempts") as info:
        rivm.load_figures(settings)
    assert info.value.exit_code == 1


def test_a_host_that_does_not_resolve_is_not_tried_again(settings_for, tmp_path: Path) -> None:  # noqa: ANN001
    from eenzaamheid_data import geo
    from eenzaamheid_data.config import Settings

    # .invalid never resolves (RFC 2606): no network, or a typo in the URL; waiting and trying again does not help
    with ODataReplica(world_tables()) as server:
        settings = settings_for(server, retries=3, rivm_url="http://eenzaamheid-test.invalid", cbs_url="http://eenzaamheid-test.invalid")
    with pytest.raises(SourceUnreachableError, match=r"did not answer .* after 1 attempt \("):
        rivm.load_figures(settings)
    slept: list[float] = []
    pdok = Settings(pdok_url="http://eenzaamheid-test.invalid", data_dir=tmp_path / "pdok", retries=3, backoff=1.0)
    with pytest.raises(SourceUnreachableError, match=r"after 1 attempt \("):
        geo.load_boundaries(pdok, level="gemeente", year=2024, sleep=slept.append)
    assert slept == []


def test_a_refresh_of_unchanged_data_dates_the_figures_from_the_new_download(replica: ODataReplica, settings_for) -> None:  # noqa: ANN001
    import time

    first = rivm.load_figures(settings_for(replica)).attrs["bron"]["fetched_at"]
    time.sleep(1.1)  # fetch times are kept to the second
    again = rivm.load_figures(settings_for(replica, refresh=True)).attrs["bron"]["fetched_at"]
    assert again > first  # the cleaned copy is reused (same data), but "opgehaald" is the new fetch's date


def test_unknown_table_is_bad_input(replica: ODataReplica, settings_for) -> None:  # noqa: ANN001
    with pytest.raises(UnknownTableError, match="no table '99999NED'") as info:
        rivm.load_figures(settings_for(replica), table="99999NED")
    assert info.value.exit_code == 2 and "50150NED" in str(info.value)


def test_unknown_gemeente_and_year_and_level(replica: ODataReplica, settings_for) -> None:  # noqa: ANN001
    settings = settings_for(replica)
    with pytest.raises(UnknownRegionError, match="Amsterdam"):
        rivm.load_figures(settings, level="wijk", gemeente="Amsterdm")
    with pytest.raises(AmbiguousRegionError):
        rivm.load_figures(settings, level="wijk", gemeente="Bergen")
    with pytest.raises(BadInputError, match="no survey year 2019"):
        rivm.load_figures(settings, years=[2019])
    with pytest.raises(BadInputError, match="not whole years"):
        rivm.load_figures(settings, years=["twintig"])
    for years in (2024, "2024", ["2024"]):  # a notebook parameter may arrive as text or a single year
        assert set(rivm.load_figures(settings, years=years)["jaar"]) == {2024}  # type: ignore[arg-type]
    with pytest.raises(BadInputError, match="unknown level"):
        rivm.load_figures(settings, level="provincie")  # type: ignore[arg-type]


def _tamper(table, code: str, topic: str, margin: str, value: float) -> None:  # noqa: ANN001
    for row in table.rows:
        if row["WijkenEnBuurten"].strip() == code and row["Marges"].strip() == margin and row["Perioden"] == "2024JJ00" and row["Leeftijd"].strip() == "20300":
            row[topic] = value


@pytest.mark.parametrize(
    "margin, value, message",
    [("MW00000", 130.0, "outside 0–100%"), ("MOG0095", 99.0, "ondergrens ≤ waarde ≤ bovengrens")],
)
def test_invalid_values_name_the_offending_rows(settings_for, margin: str, value: float, message: str) -> None:  # noqa: ANN001
    tables = world_tables()
    _tamper(tables[0], "GM0363", "Eenzaam_25", margin, value)
    with ODataReplica(tables) as server, pytest.raises(InvalidDataError, match=message) as info:
        rivm.load_figures(settings_for(server))
    assert "GM0363" in str(info.value)
    assert set(info.value.rows["regiocode"]) == {"GM0363"}


def test_missing_gemeente_in_the_data_is_an_error(settings_for) -> None:  # noqa: ANN001
    tables = world_tables()
    tables[0].rows[:] = [r for r in tables[0].rows if r["WijkenEnBuurten"].strip() != "GM0893"]
    with ODataReplica(tables) as server, pytest.raises(InvalidDataError, match="missing \\['GM0893'\\]"):
        rivm.load_figures(settings_for(server))


def test_untyped_strings_clean_to_the_same_numbers(replica: ODataReplica, settings_for) -> None:  # noqa: ANN001
    settings = settings_for(replica)
    source = rivm.catalog(settings)
    schema = rivm.resolve_schema(source, "50150NED")
    query = rivm.plan_queries(schema, "gemeente")[0]
    names = {r["Key"]: r["Title"] for r in rivm.region_names(source, schema, "gemeente").json()}
    typed = source.records("50150NED", "TypedDataSet", filters=query.filters, select=query.select)
    untyped = source.records("50150NED", "UntypedDataSet", filters=query.filters, select=query.select)
    assert isinstance(untyped[0]["Eenzaam_25"], str)
    a, _ = rivm.to_tidy(typed, schema, names, "gemeente")
    b, _ = rivm.to_tidy(untyped, schema, names, "gemeente")
    pd.testing.assert_frame_equal(a, b)


def test_schema_resolves_keys_from_metadata_for_both_styles(settings_for) -> None:  # noqa: ANN001
    for style, topics in TOPICS.items():
        year = 2024 if style == "50150NED" else 2022
        with ODataReplica(world_tables(key_style=style, year=year)) as server:
            schema = rivm.resolve_schema(rivm.catalog(settings_for(server)), style)
        assert {v: k for k, v in schema.topics.items()} == topics
        assert set(schema.ages.values()) == {"18+", "18-64", "65+"}
        assert schema.classification_year == year


def test_rows_outside_the_level_are_set_aside_and_reported(replica: ODataReplica, settings_for) -> None:  # noqa: ANN001
    settings = settings_for(replica)
    source = rivm.catalog(settings)
    schema = rivm.resolve_schema(source, "50150NED")
    records = source.records("50150NED", "TypedDataSet", filters="startswith(WijkenEnBuurten,'GM0363') or startswith(WijkenEnBuurten,'WK036300')")
    tidy, report = rivm.to_tidy(records, schema, {}, "gemeente")
    assert report.received == len(records) == report.used + len(report.set_aside)
    assert set(report.set_aside["reden"]) == {"region not at level gemeente"}
    assert "rows set aside" in report.warnings[0]
    # the same notes in Dutch for the reports: no English, and one for each English note
    assert len(report.notes_nl) == len(report.warnings)
    assert report.notes_nl[0].endswith("geen peiljaar is.") and "niet gebruikt" in report.notes_nl[0]
    assert "regions without a name" in report.warnings[1] and "geen naam" in report.notes_nl[1]


def test_dutch_notes_fall_back_for_an_older_cache() -> None:
    assert rivm.dutch_notes({"meldingen_nl": ["x"], "meldingen": ["y"]}) == ["x"]
    assert rivm.dutch_notes({"meldingen": ["a", "b"]}) == ["Bij het inlezen van de bron waren er 2 meldingen; `eenzaamheid fetch` toont ze."]
    assert rivm.dutch_notes({}) == []
