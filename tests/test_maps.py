"""Maps: classes as data, and what is drawn (patches, colours, hatches, legend and texts); saving; the CLI."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import geopandas as gpd
import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.text import Text
from PIL import Image

from eenzaamheid_data import geo, maps
from eenzaamheid_data.cache import FILE_MODE
from eenzaamheid_data.errors import BadInputError, UnknownRegionError
from eenzaamheid_data.testing.geometry import NETHERLANDS_BBOX, invented_codes, tessellate

YEAR = 2024
NL = {"waarde": 47.0, "ondergrens": 46.0, "bovengrens": 48.0}


@pytest.fixture(scope="module")
def world() -> tuple[dict, dict, dict]:
    tree, names = invented_codes(8, 24, 60)
    return tree, names, tessellate(tree, NETHERLANDS_BBOX, relax=1)


def shapes(world, level: str) -> gpd.GeoDataFrame:  # noqa: ANN001
    _, names, polygons = world
    prefix = {"gemeente": "GM", "wijk": "WK", "buurt": "BU"}[level]
    codes = [c for c in polygons if c.startswith(prefix)]
    gdf = gpd.GeoDataFrame({"statcode": codes, "statnaam": [names[c] for c in codes]}, geometry=[polygons[c] for c in codes], crs=28992)
    gdf.attrs["bron"] = {"publisher": "CBS/PDOK", "layer": f"{level}_gegeneraliseerd", "year": YEAR, "demo": False}
    return gdf


def tidy(codes: list[str], values: list[float], *, level: str = "gemeente", demo: bool = False, half_width: float = 2.0,
         age: str = "65+", indicator: str = "eenzaam", nl: dict | None = NL) -> pd.DataFrame:
    rows = [
        {"regiocode": c, "regionaam": f"Gebied {c}", "niveau": level, "gemeentecode": geo.gemeente_of(c), "jaar": YEAR,
         "leeftijd": age, "indicator": indicator, "waarde": v, "ondergrens": v - half_width, "bovengrens": v + half_width,
         "tabel": "50150NED"}
        for c, v in zip(codes, values)
    ]
    if nl:
        rows.append({"regiocode": "NL01", "regionaam": "Nederland", "niveau": "nederland", "gemeentecode": None, "jaar": YEAR,
                     "leeftijd": age, "indicator": indicator, **nl, "tabel": "50150NED"})
    frame = pd.DataFrame(rows)
    frame.attrs["bron"] = {"publisher": "RIVM, GGD'en en CBS", "table": "50150NED", "title": "Gezondheid per wijk en buurt",
                           "classification_year": YEAR, "years": [YEAR], "fetched_at": "2026-11-24T08:00:00+00:00", "demo": demo}
    return frame


def texts(fig: Figure, gid: str | None = None) -> list[str]:
    return [t.get_text() for t in fig.findobj(Text) if gid is None or t.get_gid() == gid]


def collection(ax, gid: str):  # noqa: ANN001, ANN201
    found = [c for c in ax.collections if c.get_gid() == gid]
    assert len(found) == 1, f"expected one {gid} collection"
    return found[0]


def legend_texts(ax) -> list[str]:  # noqa: ANN001
    return [t.get_text() for t in ax.get_legend().get_texts()]


DUTCH_RANGE = re.compile(r"^\d+,\d–\d+,\d%$")


# -- classes ----------------------------------------------------------------------------------------------


def test_quantile_classes_are_data() -> None:
    values = pd.Series([31.0, 35.5, 38.0, 40.2, 44.0, 45.1, 47.9, 50.0, 52.3, 58.8, np.nan], index=list("abcdefghijk"))
    classes = maps.classify(values)
    assert len(classes.bins) == 6 and classes.bins[0] == 31.0 and classes.bins[-1] == 58.8
    assert all(DUTCH_RANGE.match(label) for label in classes.labels)
    assert classes.labels[0] == "31,0–" + classes.labels[0].split("–")[1]
    assert list(classes.colors) == maps.palette(5) and len(set(classes.colors)) == 5
    assert classes.codes.cat.ordered and list(classes.codes.cat.categories) == list(classes.labels)
    assert classes.codes.index.tolist() == list("abcdefghijk") and pd.isna(classes.codes["k"])
    assert classes.codes.value_counts().tolist() == [2, 2, 2, 2, 2]


@pytest.mark.parametrize("k", [1, 2, 3, 4, 5, 6, 7, 9])
def test_quantile_bins_equal_mapclassify(k: int) -> None:
    import mapclassify

    rng = np.random.default_rng(k)
    samples = [
        rng.normal(45, 6, 343),
        np.round(rng.normal(45, 6, 40), 0),  # many ties
        np.array([40.0, 40.0, 40.0, 41.0, 55.5]),
        np.arange(1000.0),
    ]
    for y in samples:
        kk = min(k, len(np.unique(y)))
        with np.errstate(all="ignore"):
            expected = mapclassify.Quantiles(y, k=kk).bins
        np.testing.assert_allclose(maps.quantile_bins(y, kk), expected, rtol=0, atol=1e-12)


def test_natural_breaks_are_deterministic_and_leave_numpy_alone() -> None:
    values = pd.Series(np.r_[np.linspace(30, 34, 20), np.linspace(45, 48, 20), np.linspace(58, 60, 5)])
    np.random.seed(7)
    expected_draw = np.random.random()
    np.random.seed(7)
    first = maps.classify(values, scheme="natural", k=3)
    assert np.random.random() == expected_draw
    assert maps.classify(values, scheme="natural", k=3).bins == first.bins
    assert first.codes.value_counts(sort=False).tolist() == [20, 20, 5]


def test_fixed_classes_use_the_given_limits() -> None:
    classes = maps.classify(pd.Series([30.0, 40.0, 40.1, 59.9, np.nan]), scheme="fixed", bins=[30, 40, 50, 60])
    assert classes.labels == ("30,0–40,0%", "40,0–50,0%", "50,0–60,0%")
    assert classes.codes.astype(str).tolist()[:4] == ["30,0–40,0%", "30,0–40,0%", "40,0–50,0%", "50,0–60,0%"]
    beyond = maps.classify(pd.Series([25.0, 65.0]), scheme="fixed", bins=[30, 40, 50, 60])
    assert beyond.labels == ("≤ 40,0%", "40,0–50,0%", "> 50,0%")
    assert beyond.codes.astype(str).tolist() == ["≤ 40,0%", "> 50,0%"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"scheme": "fixed"}, "needs class limits"),
        ({"scheme": "quantiles", "bins": [30, 40]}, "go with classification 'fixed'"),
        ({"scheme": "fixed", "bins": [40.5, 30]}, "limits 40.5, 30 do not rise"),  # an English message: decimal points
        ({"scheme": "fixed", "bins": [40]}, "do not rise"),
        ({"scheme": "fixed", "bins": [-5, 200]}, "not all percentages from 0 to 100"),
        ({"scheme": "fixed", "bins": [float("nan"), 50]}, "not all percentages"),
        ({"scheme": "jenks"}, "unknown classification"),
        ({"k": 0}, "cannot make 0 classes"),
    ],
)
def test_contradictory_classification_arguments_raise(kwargs: dict, message: str) -> None:
    with pytest.raises(BadInputError, match=message):
        maps.classify(pd.Series([1.0, 2.0, 3.0]), **kwargs)


def test_shared_bins_give_two_maps_the_same_legend(world) -> None:  # noqa: ANN001
    gm = shapes(world, "gemeente")
    codes = gm["statcode"].tolist()
    early = tidy(codes, list(np.linspace(30, 45, len(codes))))
    late = tidy(codes, list(np.linspace(38, 58, len(codes))))
    bins = maps.shared_bins(early["waarde"][early["niveau"] == "gemeente"], late["waarde"][late["niveau"] == "gemeente"], k=4)
    assert bins[0] == 30.0 and bins[-1] == 58.0 and len(bins) == 5
    fig_a, _ = maps.make_map(early, gm, indicator="eenzaam", year=YEAR, age="65+", classes="fixed", bins=bins)
    fig_b, _ = maps.make_map(late, gm, indicator="eenzaam", year=YEAR, age="65+", classes="fixed", bins=bins)
    assert legend_texts(fig_a.axes[0]) == legend_texts(fig_b.axes[0]) == list(maps.classify(pd.Series([40.0]), scheme="fixed", bins=bins).labels)
    darkest = to_rgba(maps.palette(4)[-1])
    assert darkest not in {tuple(c) for c in collection(fig_a.axes[0], "klassen").get_facecolor()}  # early: lower classes only
    assert darkest in {tuple(c) for c in collection(fig_b.axes[0], "klassen").get_facecolor()}


# -- significance ----------------------------------------------------------------------------------------------


def test_significance_rule_by_hand() -> None:
    regions = pd.DataFrame(
        {
            "waarde": [50.0, 44.0, 47.5, np.nan, 50.0, 45.0, 47.0],
            "ondergrens": [48.5, 42.0, 46.5, np.nan, 48.0, 43.0, np.nan],
            "bovengrens": [51.5, 45.9, 49.0, np.nan, 52.0, 46.0, np.nan],
        },
        index=list("ABCDEFG"),
    )
    result = maps.significance_classes(regions, pd.Series(NL))
    assert result.to_dict() == {
        "A": "hoger dan Nederland",  # 48,5 > 48,0
        "B": "lager dan Nederland",  # 45,9 < 46,0
        "C": "niet aantoonbaar verschillend",
        "D": "geen gegevens",
        "E": "niet aantoonbaar verschillend",  # touching is not above
        "F": "niet aantoonbaar verschillend",  # 46,0 is not below 46,0
        "G": "niet te toetsen (geen interval)",  # a value without an interval cannot be tested
    }
    assert list(result.cat.categories) == list(maps.SIGNIFICANCE_CATEGORIES)
    # one rule in the package: the map's classes are analysis.compare's verdicts, labelled for a legend
    from eenzaamheid_data import analysis

    ref = pd.DataFrame([NL])
    compared = analysis.compare(regions, ref, on=())["verschil"]
    as_map = {"hoger": "hoger dan Nederland", "lager": "lager dan Nederland", "niet aantoonbaar verschillend": "niet aantoonbaar verschillend"}
    for key in regions.index:
        expected = as_map.get(compared[key]) or ("geen gegevens" if np.isnan(regions.loc[key, "waarde"]) else "niet te toetsen (geen interval)")
        assert result[key] == expected, key
    without_interval = maps.significance_classes(regions, {"waarde": 47.0, "ondergrens": np.nan, "bovengrens": np.nan})
    assert without_interval["E"] == "hoger dan Nederland" and without_interval["F"] == "lager dan Nederland"
    with pytest.raises(BadInputError, match="Nederland is missing"):
        maps.significance_classes(regions, {"waarde": np.nan})


def test_significance_map_draws_three_categories_and_the_rule(world) -> None:  # noqa: ANN001
    gm = shapes(world, "gemeente")
    codes = gm["statcode"].tolist()
    values = [52.0, 42.0, 47.0, np.nan, 52.0, 42.0, 47.0, 47.0]
    fig, report = maps.make_map(tidy(codes, values), gm, indicator="eenzaam", year=YEAR, age="65+", vs_nl=True)
    ax = fig.axes[0]
    assert report.ok
    assert legend_texts(ax) == ["hoger dan Nederland", "niet aantoonbaar verschillend", "lager dan Nederland", "geen gegevens"]
    faces = [tuple(c) for c in collection(ax, "klassen").get_facecolor()]
    expected = [to_rgba(maps.SIGNIFICANCE_COLORS[c]) for c in ["hoger dan Nederland", "lager dan Nederland", "niet aantoonbaar verschillend"] * 2 + ["niet aantoonbaar verschillend"]]
    np.testing.assert_allclose(faces, expected)
    assert texts(fig, "rule") and "95%-interval" in texts(fig, "rule")[0]
    assert "Nederland 47,0% (95%-interval 46,0–48,0%)" in texts(fig, "subtitle")[0]
    assert texts(fig, "title") == ["Eenzaamheid per gemeente vergeleken met Nederland"]


# -- drawing -------------------------------------------------------------------------------------------------------


def test_choropleth_draws_classes_missing_legend_and_texts(world) -> None:  # noqa: ANN001
    gm = shapes(world, "gemeente")
    codes = gm["statcode"].tolist()
    values = [31.0, 36.0, np.nan, 44.0, 47.5, 51.0, 55.0, 59.0]
    figures = tidy(codes, values)
    fig, report = maps.make_map(figures, gm, indicator="eenzaam", year=YEAR, age="65+", k=4)
    ax = fig.axes[0]
    drawn = collection(ax, "klassen")
    missing = collection(ax, "geen-gegevens")
    assert len(drawn.get_paths()) == 7 and len(missing.get_paths()) == 1
    assert missing.get_hatch() == "////"
    np.testing.assert_allclose(missing.get_facecolor()[0], to_rgba(maps.MISSING_FACE))
    classes = maps.classify(pd.Series(values), k=4)
    expected = [to_rgba(classes.colors[classes.labels.index(c)]) for c in classes.codes.dropna().astype(str)]
    np.testing.assert_allclose(drawn.get_facecolor(), expected)
    assert legend_texts(ax) == [*classes.labels, "geen gegevens"]
    assert all(DUTCH_RANGE.match(t) for t in legend_texts(ax)[:-1])
    assert texts(fig, "title") == ["Eenzaamheid per gemeente"]
    assert texts(fig, "subtitle") == ["Eenzaam, 65 jaar en ouder, 2024"]
    source = texts(fig, "source")[0].replace("\n", " ")
    assert "Bron: RIVM, GGD'en en CBS; tabel 50150NED" in source and "grenzen 2024 (CBS/PDOK)" in source and "CC BY 4.0" in source
    assert not texts(fig, "demo-mark") and not texts(fig, "footnote") and report.ok
    assert not ax.axison
    width, height = fig.get_size_inches()
    assert width == maps.FIGSIZES["page"][0] and 4 < height <= 10.5


def test_footnote_names_unmatched_codes_and_demo_is_marked(world) -> None:  # noqa: ANN001
    gm = shapes(world, "gemeente")
    codes = gm["statcode"].tolist()
    figures = tidy(codes[1:] + ["GM9999"], [40.0 + i for i in range(8)], demo=True)
    fig, report = maps.make_map(figures, gm, indicator="eenzaam", year=YEAR, age="65+")
    assert report.data_without_boundary == ["GM9999"] and report.boundaries_without_data == [codes[0]]
    footnote = texts(fig, "footnote")[0].replace("\n", " ")
    assert footnote.startswith("1 gebied zonder grens: Gebied GM9999 (GM9999); 1 grens zonder gegevens:")
    assert texts(fig, "demo-mark") == ["FICTIEVE VOORBEELDDATA"]
    assert texts(fig, "source")[0].startswith("FICTIEVE VOORBEELDDATA")
    assert len(collection(fig.axes[0], "geen-gegevens").get_paths()) == 1  # the boundary without data stays


def test_highlight_outlines_labels_and_area(world) -> None:  # noqa: ANN001
    _, names, _ = world
    wk = shapes(world, "wijk")
    gm = shapes(world, "gemeente")
    codes = wk["statcode"].tolist()
    figures = tidy(codes, list(np.linspace(35, 55, len(codes))), level="wijk")
    in_gm2 = [c for c in codes if c.startswith("WK0002")]
    fig, report = maps.make_map(
        figures, wk, indicator="eenzaam", year=YEAR, age="65+", level="wijk", area_codes=["GM0002"],
        area_name=names["GM0002"], highlight=in_gm2[0], outlines=geo.within_gemeenten(gm, ["GM0002"]),
        highlight_label="Dikke rand: vraagt aandacht",
    )
    ax = fig.axes[0]
    assert report.ok and len(collection(ax, "klassen").get_paths()) == len(in_gm2)
    assert collection(ax, "highlight").get_linewidth()[0] == pytest.approx(2.2)
    assert legend_texts(ax)[-1] == "Dikke rand: vraagt aandacht"  # the thick border is explained in the legend
    assert len(collection(ax, "outlines").get_paths()) == 1
    assert texts(fig, "title") == [f"Eenzaamheid per wijk in {names['GM0002']}"]
    assert sorted(texts(fig, "regionaam")) == sorted(f"Gebied {c}" for c in in_gm2)  # few regions: labelled
    with pytest.raises(BadInputError, match="not on this map"):
        maps.make_map(figures, wk, indicator="eenzaam", year=YEAR, age="65+", level="wijk", area_codes=["GM0002"], highlight="WK999999")


def test_a_map_of_one_value_gives_its_interval(world) -> None:  # noqa: ANN001
    gm = shapes(world, "gemeente")
    codes = gm["statcode"].tolist()
    fig, _ = maps.make_map(tidy(codes, [40.0 + i for i in range(len(codes))]), gm, indicator="eenzaam", year=YEAR, age="65+",
                           area_codes=[codes[1]], area_name="Tweedorp")
    legend = legend_texts(fig.axes[0])
    assert legend == ["41,0%"], legend  # a legend of one class has no room for the interval: the subtitle gives it
    assert texts(fig, "subtitle")[0].endswith("; Gebied " + codes[1] + " 41,0% (95%-interval 39,0–43,0%)"), texts(fig, "subtitle")


@pytest.mark.parametrize("name", ["Capelle aan den IJssel", "Hardinxveld-Giessendam"])
def test_a_title_that_wraps_keeps_the_gemeente_name_whole(world, name: str) -> None:  # noqa: ANN001
    wk = shapes(world, "wijk")
    codes = wk["statcode"].tolist()
    figures = tidy(codes, list(np.linspace(35, 55, len(codes))), level="wijk", demo=True)  # the badge leaves less room
    fig, _ = maps.make_map(figures, wk, indicator="eenzaam", year=YEAR, age="65+", level="wijk", area_codes=["GM0002"],
                           area_name=name, aspect="16:9")
    lines = texts(fig, "title")[0].split("\n")
    assert len(lines) == 2 and lines[1] == name, lines  # not "… Capelle aan den" / "IJssel", nor "Hardinxveld-" / "Giessendam"


def test_labels_that_do_not_fit_are_left_out(world) -> None:  # noqa: ANN001
    gm = shapes(world, "gemeente")
    gm.loc[0, "statnaam"] = "Een naam die veel te lang is om in welke gemeente dan ook te passen, hoe groot ook"
    ax = maps.choropleth(gm.assign(waarde=np.linspace(30, 50, len(gm))), "waarde", labels=True)
    labels = texts(ax.figure, "regionaam")
    assert len(labels) == len(gm) - 1 and gm.loc[0, "statnaam"] not in labels


def test_drawing_into_a_given_axes_and_the_16_9_shape(world) -> None:  # noqa: ANN001
    gm = shapes(world, "gemeente")
    fig = Figure(figsize=(10, 5))
    left, right = fig.subplots(1, 2)
    values = gm.assign(waarde=np.linspace(30, 50, len(gm)))
    returned = maps.choropleth(values, "waarde", ax=right, title="Rechts", subtitle="Onder de titel", source="Bron: test")
    assert returned is right and right.get_title(loc="left") == "Rechts"
    assert texts(fig, "source") == ["Bron: test"] and not left.collections
    wide, _ = maps.make_map(tidy(gm["statcode"].tolist(), list(np.linspace(30, 50, len(gm)))), gm,
                            indicator="eenzaam", year=YEAR, age="65+", aspect="16:9")
    width, height = wide.get_size_inches()
    assert width / height == pytest.approx(16 / 9, rel=1e-3)


def test_make_map_names_valid_values_and_checks_the_boundary_year(world) -> None:  # noqa: ANN001
    gm = shapes(world, "gemeente")
    figures = tidy(gm["statcode"].tolist(), [40.0] * len(gm))
    base = {"indicator": "eenzaam", "year": YEAR, "age": "65+"}
    for change, message in (({"indicator": "eenzaamheid"}, "valid: eenzaam"), ({"age": "75+"}, "valid: 65+"), ({"year": 2023}, "valid: 2024")):
        with pytest.raises(BadInputError, match=re.escape(message)):
            maps.make_map(figures, gm, **{**base, **change})
    with pytest.raises(BadInputError, match="no wijk rows"):
        maps.make_map(figures, gm, **base, level="wijk")
    old = gm.copy()
    old.attrs = {"bron": {**gm.attrs["bron"], "year": 2022}}
    with pytest.raises(BadInputError, match="boundaries are of 2022"):
        maps.make_map(figures, old, **base)
    with pytest.raises(BadInputError, match="either ready classes or class limits"):
        maps.make_map(figures, gm, **base, classes=maps.classify(pd.Series([1.0, 2.0])), bins=[1, 2])
    with pytest.raises(BadInputError, match="needs Nederland's figure"):
        maps.make_map(tidy(gm["statcode"].tolist(), [40.0] * len(gm), nl=None), gm, **base, vs_nl=True)
    with pytest.raises(BadInputError, match="unknown aspect"):
        maps.make_map(figures, gm, **base, aspect="4:3")  # type: ignore[arg-type]


# -- saving ---------------------------------------------------------------------------------------------------------


def test_save_figure_writes_png_svg_and_pdf(world, tmp_path: Path) -> None:  # noqa: ANN001
    gm = shapes(world, "gemeente")
    fig, _ = maps.make_map(tidy(gm["statcode"].tolist(), list(np.linspace(30, 50, len(gm)))), gm, indicator="eenzaam", year=YEAR, age="65+")
    png = maps.save_figure(fig, tmp_path / "kaart.png")
    with Image.open(png) as image:
        assert np.allclose(image.size, fig.get_size_inches() * 200, atol=1)
        assert image.info["dpi"][0] == pytest.approx(200, abs=0.5)
    assert (tmp_path / "kaart.svg").exists() is False
    assert maps.save_figure(fig, tmp_path / "kaart.svg").read_text().lstrip().startswith("<?xml")
    assert maps.save_figure(fig, tmp_path / "kaart.pdf").read_bytes().startswith(b"%PDF")
    assert all(p.stat().st_mode & 0o777 == FILE_MODE for p in tmp_path.glob("kaart.*"))  # not mkstemp's 0600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kaart.pdf", "kaart.png", "kaart.svg"]  # no temporary files left
    with pytest.raises(BadInputError, match="unknown file type"):
        maps.save_figure(fig, tmp_path / "kaart.jpg")
    with pytest.raises(BadInputError, match="does not exist"):
        maps.save_figure(fig, tmp_path / "nergens" / "kaart.png")


# -- the command line -----------------------------------------------------------------------------------------------


def _gemeenten_frame(world) -> pd.DataFrame:  # noqa: ANN001
    tree, names, _ = world
    codes = list(tree)
    return pd.DataFrame(
        {
            "gemeentecode": codes,
            "gemeentenaam": [names[c] for c in codes],
            "provinciecode": ["PV20" if i < 4 else "PV21" for i in range(len(codes))],
            "provincienaam": ["Noordland" if i < 4 else "Zuidland" for i in range(len(codes))],
            "ggdregiocode": ["GG0001" if i < 6 else "GG0002" for i in range(len(codes))],
            "ggdregionaam": ["GGD Noord" if i < 6 else "GGD Zuid" for i in range(len(codes))],
        }
    )


def test_resolve_area(world) -> None:  # noqa: ANN001
    from eenzaamheid_data.cli.map_command import resolve_area

    frame = _gemeenten_frame(world)
    assert resolve_area("NL", frame).gemeentecodes is None
    zuid = resolve_area("zuidland", frame)
    assert (zuid.kind, zuid.name, len(zuid.gemeentecodes or ())) == ("provincie", "Zuidland", 4)
    assert resolve_area("GGD Zuid", frame).gemeentecodes == ("GM0007", "GM0008")
    assert resolve_area("GM0003", frame).kind == "gemeente"
    with pytest.raises(UnknownRegionError) as caught:
        resolve_area("Zuidlant", frame)
    assert "Zuidland" in caught.value.suggestions


def test_map_command_writes_the_map(world, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    from eenzaamheid_data import regions, rivm
    from eenzaamheid_data.cli import map_command
    from eenzaamheid_data.config import Settings
    from eenzaamheid_data.testing.geometry import layers_from_polygons
    from eenzaamheid_data.testing.pdok_replica import PDOKReplica

    tree, names, polygons = world
    wijk_codes = [w for g in tree.values() for w in g]
    by_level = {"gemeente": tidy(list(tree), list(np.linspace(35, 55, len(tree)))),
                "wijk": tidy(wijk_codes, list(np.linspace(35, 55, len(wijk_codes))), level="wijk", nl=None)}
    asked: list[tuple] = []

    def fake_figures(settings, *, table=None, level="gemeente", gemeente=None):  # noqa: ANN001, ANN202
        asked.append((table, level, gemeente))
        frame = by_level[level]
        return frame if gemeente is None else frame[frame["gemeentecode"] == gemeente].copy().__finalize__(frame)

    monkeypatch.setattr(rivm, "load_figures", fake_figures)
    monkeypatch.setattr(regions, "load_gemeenten", lambda settings, *, year: _gemeenten_frame(world))
    parser = argparse.ArgumentParser()
    map_command.register(parser.add_subparsers())
    layers = layers_from_polygons(polygons, names, YEAR)
    with PDOKReplica(layers) as server:
        settings = Settings(pdok_url=server.url, data_dir=tmp_path / "data", retries=0)
        out = tmp_path / "zuid.svg"
        args = parser.parse_args(["map", "--age", "65+", "--area", "Zuidland", "--highlight", "GM0006", "--bins", "30,40,50,60", "--output", str(out)])
        assert args.run(args, settings) == 0
        assert out.read_text().lstrip().startswith("<?xml")
        wijk = tmp_path / "wijk.png"
        args = parser.parse_args(["map", "--age", "65+", "--level", "wijk", "--area", "GM0002", "--vs-nl", "--output", str(wijk)])
        assert args.run(args, settings) == 0 and wijk.stat().st_size > 10_000
        assert asked[-1] == ("50150NED", "wijk", "GM0002")
        schemes: list = []  # the classes each map was drawn with (the real make_map draws it)
        monkeypatch.setattr(maps, "make_map", lambda *a, _draw=maps.make_map, **kw: schemes.append(kw["classes"]) or _draw(*a, **kw))
        default = tmp_path / "default.png"  # --area one gemeente, no --level: its wijken, not one coloured shape
        args = parser.parse_args(["map", "--age", "65+", "--area", "GM0002", "--output", str(default)])
        assert args.run(args, settings) == 0 and asked[-1] == ("50150NED", "wijk", "GM0002") and default.exists()
        args = parser.parse_args(["map", "--age", "65+", "--output", str(tmp_path / "nl.png")])
        assert args.run(args, settings) == 0
        assert schemes == ["round", "quantiles"]  # an area's few regions: round classes; all of Nederland: quantiles
        for argv, message in (
            (["--level", "wijk", "--area", "Zuidland"], "one gemeente"),
            (["--classes", "quantiles", "--bins", "30,40"], "go with classification 'fixed'"),
            (["--vs-nl", "--classes", "natural"], "takes no --classes"),
            (["--bins", "30,veertig"], "not a list of numbers"),
            (["--age", "65+", "--bins", "60,70,80"], r"put every value on this map \(35.0% to 55.0%\) in one class, one colour; .*e.g. --bins 35,40,45,50,55,"),
            (["--area", "Zuidland", "--highlight", "GM0001"], "is not on this map of Zuidland"),  # its name, not a code alone
        ):
            args = parser.parse_args(["map", *argv, "--output", str(tmp_path / "x.png")])
            with pytest.raises(BadInputError, match=message):
                args.run(args, settings)
    with pytest.raises(BadInputError, match="unknown file type"):
        args = parser.parse_args(["map", "--output", str(tmp_path / "x.gif")])
        args.run(args, settings)


@pytest.fixture(autouse=True)
def _close_figures():  # noqa: ANN202
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


def test_nothing_changed_matplotlib_defaults() -> None:
    assert matplotlib.rcParams["hatch.linewidth"] == matplotlib.rcParamsDefault["hatch.linewidth"]
    assert matplotlib.rcParams["font.size"] == matplotlib.rcParamsDefault["font.size"]


def test_highlight_takes_a_wijk_name_on_a_wijk_map() -> None:
    from eenzaamheid_data.cli.map_command import _resolve_highlight
    from eenzaamheid_data.errors import UnknownRegionError

    class Lookup:  # the gemeente lookup: knows no wijken
        def __init__(self, frame: pd.DataFrame) -> None:
            pass

        def resolve(self, text: str) -> str:
            if text == "Zuidland":
                return "GM0006"
            raise UnknownRegionError(text)

    wijken = pd.DataFrame({"regiocode": ["WK000601", "WK000602", "WK000603"], "regionaam": ["Noord", "Haven", "Haven"],
                           "niveau": "wijk"})
    assert _resolve_highlight("noord", "wijk", pd.DataFrame(), Lookup, wijken) == "WK000601"
    assert _resolve_highlight("Zuidland", "wijk", pd.DataFrame(), Lookup, wijken) == "GM0006"  # a gemeente still works
    assert _resolve_highlight("wk000602", "wijk", pd.DataFrame(), Lookup, wijken) == "WK000602"
    with pytest.raises(BadInputError, match="names 2 areas on this map"):
        _resolve_highlight("Haven", "wijk", pd.DataFrame(), Lookup, wijken)
    with pytest.raises(BadInputError, match="did you mean: Noord"):
        _resolve_highlight("Noordd", "wijk", pd.DataFrame(), Lookup, wijken)
    with pytest.raises(BadInputError, match="no wijk or gemeente 'Centrum' on this map") as nothing_close:
        _resolve_highlight("Centrum", "wijk", pd.DataFrame(), Lookup, wijken)
    assert "Noord, Haven" in str(nothing_close.value)  # what the map does have
    with pytest.raises(BadInputError) as on_gemeente_map:  # a wijk's name on a gemeente map: say where wijken are
        _resolve_highlight("Noord", "gemeente", pd.DataFrame(), Lookup, None)
    assert on_gemeente_map.value.hint.endswith("add --level wijk --area GEMEENTE)")


def test_the_age_option_takes_the_dash_the_docs_print() -> None:
    from eenzaamheid_data.cli import types

    assert types.age("18–64") == types.age("18-64") == "18-64" and types.age(" 65 + ") == "65+"


def test_round_bins_are_round_wide_enough_and_few() -> None:
    assert maps.round_bins(pd.Series([45.6, 47.5, 47.8])) == [44.0, 46.0, 48.0]  # three wijken 2,2 points apart: two classes
    spread = pd.Series([56.6, 61.1, 60.6, 53.1, 51.4, 60.9, 54.3, 49.5, 56.0, 52.0])
    bins = maps.round_bins(spread, k=5)
    assert bins == [45.0, 50.0, 55.0, 60.0, 65.0] and bins[0] <= spread.min() and spread.max() <= bins[-1]
    assert maps.round_bins(pd.Series([40.0, float("nan"), 40.0])) == [40.0, 42.0]  # one value: one class, missing ignored
    assert len(maps.round_bins(pd.Series([1.0, 99.0]), k=5)) - 1 <= 5
    with pytest.raises(BadInputError):
        maps.round_bins(pd.Series([float("nan")]))
    # the same as a classification scheme, the command's default for an --area
    classes = maps.classify(pd.Series([45.6, 47.5, float("nan"), 47.8]), scheme="round")
    assert classes.bins == (44.0, 46.0, 48.0) and classes.labels == ("44,0–46,0%", "46,0–48,0%")
    assert classes.codes.isna().tolist() == [False, False, True, False]


def test_an_area_map_draws_only_the_borders_inside_the_area(world) -> None:  # noqa: ANN001
    gm = shapes(world, "gemeente")
    codes = gm["statcode"].tolist()
    country = gpd.GeoDataFrame({"statcode": ["PV99"], "statnaam": ["Alles"]}, geometry=[gm.union_all().buffer(5000)], crs=28992)
    fig, _ = maps.make_map(tidy(codes, [40.0 + i for i in range(len(codes))]), gm, indicator="eenzaam", year=YEAR, age="65+",
                           area_codes=codes[:2], area_name="Twee", outlines=country)
    area = gm[gm["statcode"].isin(codes[:2])].total_bounds
    drawn = collection(fig.axes[0], "outlines").get_paths()
    assert drawn  # the area's own edge, not a provincie's border running off the frame
    for path in drawn:
        (x0, y0), (x1, y1) = path.vertices.min(axis=0), path.vertices.max(axis=0)
        assert area[0] - 1 <= x0 and x1 <= area[2] + 1 and area[1] - 1 <= y0 and y1 <= area[3] + 1
