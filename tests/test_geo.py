"""Boundaries from the PDOK replica over real HTTP: WFS and OGC API paging, caching, CRS, the join report."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import requests
import shapely

from eenzaamheid_data import geo
from eenzaamheid_data.config import Settings
from eenzaamheid_data.errors import BadInputError, MissingDataError, NotCachedError, SourceUnreachableError
from eenzaamheid_data.testing.geometry import (
    NETHERLANDS_BBOX,
    feature_collection,
    invented_codes,
    land_shape,
    layers_from_polygons,
    tessellate,
)
from eenzaamheid_data.testing.pdok_replica import PDOKReplica

YEAR = 2024


@pytest.fixture(scope="module")
def world() -> tuple[dict, dict, dict]:
    """6 gemeenten, 18 wijken, 40 buurten of invented, nested geometry."""
    tree, names = invented_codes(6, 18, 40)
    return tree, names, tessellate(tree, NETHERLANDS_BBOX)


@pytest.fixture(scope="module")
def layers(world) -> dict:  # noqa: ANN001
    tree, names, polygons = world
    return layers_from_polygons(polygons, names, YEAR)


@pytest.fixture()
def replica(layers) -> Iterator[PDOKReplica]:  # noqa: ANN001
    with PDOKReplica(layers, page_limit=7) as server:
        yield server


def make_settings(server: PDOKReplica, tmp_path: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {"pdok_url": server.url, "data_dir": tmp_path / "data", "timeout": 2.0, "retries": 2, "backoff": 0.0}
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


def no_sleep(_: float) -> None:
    pass


# -- invented geometry ------------------------------------------------------------------------------------


def test_tessellation_nests_exactly_and_is_deterministic(world) -> None:  # noqa: ANN001
    tree, _, polygons = world
    assert set(polygons) == set(tree) | {w for g in tree.values() for w in g} | {b for g in tree.values() for bs in g.values() for b in bs}
    land = land_shape(NETHERLANDS_BBOX)
    assert land.equals(land.convex_hull)
    assert sum(polygons[g].area for g in tree) == pytest.approx(land.area, rel=1e-9)
    for gm, wijken in tree.items():
        assert sum(polygons[w].area for w in wijken) == pytest.approx(polygons[gm].area, rel=1e-9)
        for wk, buurten in wijken.items():
            assert polygons[wk].buffer(1e-6).contains(polygons[gm].intersection(polygons[wk]))
            assert polygons[gm].buffer(1e-6).contains(polygons[wk])
            if buurten:
                assert sum(polygons[b].area for b in buurten) == pytest.approx(polygons[wk].area, rel=1e-9)
    assert all(p.geom_type == "Polygon" and p.is_valid and not p.is_empty for p in polygons.values())
    again = tessellate(tree, NETHERLANDS_BBOX)
    assert all(again[c].equals_exact(polygons[c], 0) for c in polygons)


def test_feature_collection_has_pdok_shape(world) -> None:  # noqa: ANN001
    _, names, polygons = world
    fc = feature_collection({c: p for c, p in polygons.items() if c.startswith("GM")}, names, YEAR)
    assert fc["crs"]["properties"]["name"] == "urn:ogc:def:crs:EPSG::28992"
    first = fc["features"][0]
    assert set(first["properties"]) == {"id", "statcode", "jrstatcode", "statnaam", "rubriek"}
    assert first["properties"]["jrstatcode"] == f"{YEAR}{first['properties']['statcode']}"
    assert first["properties"]["rubriek"] == "gemeente"
    assert first["id"] == "gemeente_gegeneraliseerd.1"
    assert "crs" not in feature_collection({"GM0001": polygons["GM0001"]}, names, YEAR, crs=False)


# -- the replica itself ---------------------------------------------------------------------------------------


def test_replica_speaks_like_pdok(replica: PDOKReplica) -> None:
    base = f"{replica.url}/cbs/gebiedsindelingen"
    wfs = f"{base}/{YEAR}/wfs/v1_0?service=WFS&version=2.0.0&request=GetFeature&outputFormat=json&typeName="
    page = requests.get(wfs + "buurt_gegeneraliseerd&count=5&startIndex=3", timeout=5).json()
    assert (page["numberMatched"], page["numberReturned"]) == (40, 5)
    assert requests.get(wfs + "gebiedsindelingen:buurt_gegeneraliseerd", timeout=5).json()["numberReturned"] == 7
    assert requests.get(wfs + "rivier_gegeneraliseerd", timeout=5).status_code == 400
    assert requests.get(wfs.replace(str(YEAR), "1999") + "gemeente_gegeneraliseerd", timeout=5).status_code == 404

    items = f"{base}/ogc/v1/collections/buurt_gegeneraliseerd/items?f=json&jaarcode={YEAR}"
    assert requests.get(items + "&filter=statcode='BU00010000'", timeout=5).status_code == 400
    assert requests.get(items.replace(str(YEAR), "1999"), timeout=5).status_code == 404
    assert requests.get(items.replace("buurt_", "rivier_"), timeout=5).status_code == 404
    first = requests.get(items + "&limit=5000", timeout=5)
    body = first.json()
    assert body["numberReturned"] == 7  # capped by the page limit (never more than 1000)
    assert first.headers["Content-Crs"] == "<http://www.opengis.net/def/crs/EPSG/0/28992>"
    nxt = [link["href"] for link in body["links"] if link["rel"] == "next"]
    assert nxt and nxt[0].startswith(replica.url) and f"jaarcode={YEAR}" in nxt[0]
    assert [r.status for r in replica.requests] == [200, 200, 400, 404, 400, 404, 404, 200]


# -- loading -------------------------------------------------------------------------------------------------


def test_wfs_pages_through_all_features(replica: PDOKReplica, tmp_path: Path, world) -> None:  # noqa: ANN001
    gdf = geo.load_boundaries(make_settings(replica, tmp_path), level="buurt", year=YEAR)
    assert list(gdf.columns) == ["statcode", "statnaam", "geometry"]
    assert gdf.crs.to_epsg() == 28992
    assert len(gdf) == 40 and gdf["statcode"].is_unique
    assert set(gdf["statcode"]) == {c for c in world[2] if c.startswith("BU")}
    starts = [r.query.get("startIndex") for r in replica.requests]
    assert starts == [None, "7", "14", "21", "28", "35"]
    bron = gdf.attrs["bron"]
    assert bron["publisher"] == "CBS/PDOK" and bron["layer"] == "buurt_gegeneraliseerd" and bron["year"] == YEAR
    assert bron["service"] == "wfs" and bron["fetched_at"] and bron["demo"] is False
    assert "typeName=buurt_gegeneraliseerd" in bron["url"]
    raw = tmp_path / "data" / "raw" / "pdok" / f"buurt_{YEAR}.geojson"
    meta = json.loads(Path(str(raw) + ".meta.json").read_text())
    assert meta["features"] == 40 and meta["layer"] == "buurt_gegeneraliseerd" and meta["year"] == YEAR and meta["url"]
    assert (tmp_path / "data" / "processed" / "boundaries" / f"buurt_{YEAR}.parquet").exists()


def test_type_name_prefix_is_tried_after_a_400(layers, tmp_path: Path) -> None:  # noqa: ANN001
    with PDOKReplica(layers, require_prefix=True) as server:
        gdf = geo.load_boundaries(make_settings(server, tmp_path), level="gemeente", year=YEAR)
        statuses = [(r.query.get("typeName"), r.status) for r in server.requests]
    assert len(gdf) == 6
    assert statuses == [("gemeente_gegeneraliseerd", 400), ("gebiedsindelingen:gemeente_gegeneraliseerd", 200)]


def test_ogc_api_is_the_fallback_and_follows_next_links(layers, tmp_path: Path) -> None:  # noqa: ANN001
    with PDOKReplica(layers, page_limit=7, services=("ogc",)) as server:
        gdf = geo.load_boundaries(make_settings(server, tmp_path), level="wijk", year=YEAR)
        requests_made = server.requests
    assert len(gdf) == 18 and gdf.attrs["bron"]["service"] == "ogc"
    assert requests_made[0].status == 404 and "/wfs/" in requests_made[0].path  # the WFS has nothing here
    ogc = [r for r in requests_made if "/ogc/" in r.path]
    assert [r.query.get("cursor") for r in ogc] == [None, "7", "14"]
    assert all("filter" not in r.query and r.query["jaarcode"] == str(YEAR) for r in ogc)


def test_wfs_that_keeps_failing_falls_back_to_ogc(replica: PDOKReplica, tmp_path: Path) -> None:
    replica.inject_fault("500", path_contains="/wfs/", times=10)
    gdf = geo.load_boundaries(make_settings(replica, tmp_path), level="gemeente", year=YEAR, sleep=no_sleep)
    assert gdf.attrs["bron"]["service"] == "ogc" and len(gdf) == 6


def test_ogc_host_follows_the_settings(tmp_path: Path) -> None:
    assert geo.ogc_base_url(Settings(data_dir=tmp_path)) == "https://api.pdok.nl"
    assert geo.ogc_base_url(Settings(pdok_url="http://127.0.0.1:9", data_dir=tmp_path)) == "http://127.0.0.1:9"


def test_a_year_pdok_lacks_is_missing_data_and_an_unknown_level_bad_input(replica: PDOKReplica, tmp_path: Path) -> None:
    # the command line checks the year against the figures first: a layer PDOK lacks is the source's gap (exit 1)
    with pytest.raises(MissingDataError, match="no gemeente_gegeneraliseerd boundaries for 2019") as info:
        geo.load_boundaries(make_settings(replica, tmp_path), level="gemeente", year=2019)
    assert info.value.exit_code == 1
    with pytest.raises(BadInputError, match="unknown boundary level"):
        geo.load_boundaries(make_settings(replica, tmp_path), level="land", year=YEAR)  # type: ignore[arg-type]


def test_retries_with_backoff_after_a_drop_and_a_500(replica: PDOKReplica, tmp_path: Path) -> None:
    replica.inject_fault("drop", path_contains="typeName=gemeente", times=1)
    replica.inject_fault("500", path_contains="typeName=gemeente", times=1)
    slept: list[float] = []
    gdf = geo.load_boundaries(make_settings(replica, tmp_path, backoff=1.0), level="gemeente", year=YEAR, sleep=slept.append)
    assert len(gdf) == 6 and gdf.attrs["bron"]["service"] == "wfs"
    assert slept == [1.0, 2.0]
    assert [r.fault for r in replica.requests] == ["drop", "500", None]


def test_a_slow_answer_times_out_and_is_retried(replica: PDOKReplica, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    replica.inject_fault("slow", path_contains="typeName=gemeente", times=1, delay=0.6)
    with caplog.at_level(logging.WARNING, logger="eenzaamheid_data.geo"):
        gdf = geo.load_boundaries(make_settings(replica, tmp_path, timeout=0.2), level="gemeente", year=YEAR, sleep=no_sleep)
    assert len(gdf) == 6 and gdf.attrs["bron"]["service"] == "wfs"
    assert "timed out" in caplog.text and "retry 1 of 2" in caplog.text


def test_cached_boundaries_are_reused_offline(replica: PDOKReplica, tmp_path: Path) -> None:
    settings = make_settings(replica, tmp_path)
    first = geo.load_boundaries(settings, level="wijk", year=YEAR)
    asked = len(replica.requests)
    replica.stop()
    again = geo.load_boundaries(settings.replace(offline=True), level="wijk", year=YEAR)
    assert len(replica.requests) == asked
    assert again["statcode"].tolist() == first["statcode"].tolist()
    assert again.geometry.geom_equals_exact(first.geometry, 0).all()
    assert again.attrs["bron"]["fetched_at"] == first.attrs["bron"]["fetched_at"]
    with pytest.raises(NotCachedError, match="offline"):
        geo.load_boundaries(settings.replace(offline=True), level="buurt", year=YEAR)


def test_one_gemeentes_part_of_a_layer_is_read_alone(replica: PDOKReplica, tmp_path: Path, world) -> None:  # noqa: ANN001
    settings = make_settings(replica, tmp_path)
    everything = geo.load_boundaries(settings, level="buurt", year=YEAR)
    asked = len(replica.requests)
    code = sorted(world[0])[1]
    part = geo.load_boundaries(settings, level="buurt", year=YEAR, gemeenten=[code])
    assert len(replica.requests) == asked  # the layer is fetched and cached whole, once
    expected = geo.within_gemeenten(everything, [code])
    assert list(part.columns) == ["statcode", "statnaam", "geometry"] and part.crs.to_epsg() == 28992
    assert part["statcode"].tolist() == expected["statcode"].tolist() and len(part) < len(everything)
    assert part.geometry.geom_equals_exact(expected.geometry, 0).all()
    assert geo.load_boundaries(settings, level="gemeente", year=YEAR, gemeenten=[code])["statcode"].tolist() == [code]
    # a GeoParquet derived by an older version (without the gemeentecode column) is derived again, offline
    derived = tmp_path / "data" / "processed" / "boundaries" / f"buurt_{YEAR}.parquet"
    meta_path = Path(str(derived) + ".meta.json")
    meta_path.write_text(json.dumps({**json.loads(meta_path.read_text()), "format": 1}))
    again = geo.load_boundaries(settings.replace(offline=True), level="buurt", year=YEAR, gemeenten=[code])
    assert again["statcode"].tolist() == expected["statcode"].tolist()
    assert json.loads(meta_path.read_text())["format"] == 2


def test_a_corrupt_cache_is_fetched_again(replica: PDOKReplica, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    settings = make_settings(replica, tmp_path)
    geo.load_boundaries(settings, level="gemeente", year=YEAR)
    raw = tmp_path / "data" / "raw" / "pdok" / f"gemeente_{YEAR}.geojson"
    raw.write_bytes(raw.read_bytes()[:100])  # cut short, as by a crash outside the package
    asked = len(replica.requests)
    with caplog.at_level(logging.WARNING):
        gdf = geo.load_boundaries(settings, level="gemeente", year=YEAR)
    assert len(gdf) == 6 and len(replica.requests) > asked
    assert "corrupt" in caplog.text
    derived = tmp_path / "data" / "processed" / "boundaries" / f"gemeente_{YEAR}.parquet"
    derived.write_bytes(b"not parquet")
    asked = len(replica.requests)
    assert len(geo.load_boundaries(settings, level="gemeente", year=YEAR)) == 6
    assert len(replica.requests) == asked  # rebuilt from the raw copy, no download


def test_unreachable_source_names_the_cached_copy(replica: PDOKReplica, tmp_path: Path) -> None:
    settings = make_settings(replica, tmp_path)
    geo.load_boundaries(settings, level="gemeente", year=YEAR)
    replica.inject_fault("500", times=100)
    with pytest.raises(SourceUnreachableError) as caught:
        geo.load_boundaries(settings.replace(refresh=True), level="gemeente", year=YEAR, sleep=no_sleep)
    assert "did not answer" in caught.value.message and "OGC API" in caught.value.message
    assert "cached copy" in (caught.value.hint or "")


# -- coordinate reference systems -----------------------------------------------------------------------------------


def _reprojected(fc: dict, crs_member: dict | None) -> dict:
    gdf = gpd.GeoDataFrame.from_features(fc["features"], crs="EPSG:28992").to_crs("OGC:CRS84")
    out = json.loads(gdf.to_json())
    out.pop("crs", None)
    if crs_member:
        out["crs"] = crs_member
    return out


@pytest.mark.parametrize(
    "crs_member",
    [
        {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}},
        {"type": "name", "properties": {"name": "EPSG:4326"}},
        None,  # lon/lat without a crs member, as many copies of PDOK data are
    ],
)
def test_lon_lat_is_reprojected_to_rd(layers, crs_member) -> None:  # noqa: ANN001
    rd = layers[("gemeente", YEAR)]
    gdf = geo.boundaries_from_geojson(json.dumps(_reprojected(rd, crs_member)))
    expected = geo.boundaries_from_geojson(json.dumps(rd))
    assert gdf.crs.to_epsg() == 28992
    np.testing.assert_allclose(gdf.total_bounds, expected.total_bounds, atol=0.5)


def test_rd_without_crs_member_stays_rd(layers) -> None:  # noqa: ANN001
    fc = dict(layers[("gemeente", YEAR)])
    fc.pop("crs")
    gdf = geo.boundaries_from_geojson(json.dumps(fc))
    np.testing.assert_allclose(gdf.total_bounds, geo.boundaries_from_geojson(json.dumps(layers[("gemeente", YEAR)])).total_bounds)


def test_ogc_content_crs_header_is_honoured(layers, tmp_path: Path) -> None:  # noqa: ANN001
    wgs84 = _reprojected(layers[("gemeente", YEAR)], {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}})
    with PDOKReplica({("gemeente", YEAR): wgs84}, services=("ogc",)) as server:
        gdf = geo.load_boundaries(make_settings(server, tmp_path), level="gemeente", year=YEAR)
    minx, miny, maxx, maxy = gdf.total_bounds
    assert gdf.crs.to_epsg() == 28992 and 10_000 < minx < maxx < 280_000 and 300_000 < miny < maxy < 625_000


# -- joining ------------------------------------------------------------------------------------------------------


def _figures(codes: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "regiocode": codes,
            "regionaam": [f"Naam {c}" for c in codes],
            "waarde": np.linspace(40, 50, len(codes)),
        }
    )


def test_join_reports_every_unmatched_code(replica: PDOKReplica, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    shapes = geo.load_boundaries(make_settings(replica, tmp_path), level="gemeente", year=YEAR)
    codes = shapes["statcode"].tolist()
    figures = _figures(codes[1:] + ["GM9998", "GM9999 "])
    with caplog.at_level(logging.WARNING, logger="eenzaamheid_data.geo"):
        joined, report = geo.join_boundaries(figures, shapes)
    assert report.data_without_boundary == ["GM9998", "GM9999"]
    assert report.boundaries_without_data == [codes[0]]
    assert not report.ok
    name = shapes["statnaam"].iloc[0]
    assert report.footnote() == (
        f"2 gebieden zonder grens: Naam GM9998 (GM9998), Naam GM9999 (GM9999); 1 grens zonder gegevens: {name} ({codes[0]})"
    )
    assert "GM9998" in caplog.text and "GM9999" in caplog.text and codes[0] in caplog.text
    assert len(joined) == len(shapes)  # every boundary stays
    assert np.isnan(joined.loc[joined["statcode"] == codes[0], "waarde"].iloc[0])
    assert isinstance(joined, gpd.GeoDataFrame) and joined.crs.to_epsg() == 28992


def test_join_without_surprises_is_ok_and_says_nothing(replica: PDOKReplica, tmp_path: Path) -> None:
    shapes = geo.load_boundaries(make_settings(replica, tmp_path), level="gemeente", year=YEAR)
    _, report = geo.join_boundaries(_figures(shapes["statcode"].tolist()), shapes)
    assert report.ok and report.footnote() == ""


def test_join_footnote_singular_and_long_lists() -> None:
    report = geo.JoinReport(["GM0001"], [f"GM{i:04d}" for i in range(10, 20)])
    assert report.footnote(max_listed=3) == "1 gebied zonder grens: GM0001; 10 grenzen zonder gegevens: GM0010, GM0011, GM0012 en 7 andere"


def test_join_refuses_several_rows_per_code() -> None:
    shapes = gpd.GeoDataFrame({"statcode": ["GM0001"], "statnaam": ["A"]}, geometry=[shapely.box(0, 0, 1, 1)], crs=28992)
    with pytest.raises(BadInputError, match="more than one row"):
        geo.join_boundaries(_figures(["GM0001", "GM0001"]), shapes)


def test_gemeente_of_and_within_gemeenten(world) -> None:  # noqa: ANN001
    assert geo.gemeente_of("BU03630001") == "GM0363" and geo.gemeente_of("WK036300") == "GM0363" and geo.gemeente_of("NL01") == "NL01"
    _, names, polygons = world
    wijken = gpd.GeoDataFrame(
        {"statcode": [c for c in polygons if c.startswith("WK")], "statnaam": [names[c] for c in polygons if c.startswith("WK")]},
        geometry=[p for c, p in polygons.items() if c.startswith("WK")], crs=28992,
    )
    subset = geo.within_gemeenten(wijken, ["GM0002"])
    assert len(subset) > 0 and subset["statcode"].str.startswith("WK0002").all()
