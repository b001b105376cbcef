"""charts: what is drawn (points, whiskers, texts, ticks, legends) and the wording of the summaries."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_rgba
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.text import Text

from eenzaamheid_data import analysis, charts, fmt
from eenzaamheid_data.errors import BadInputError

NAN = math.nan
SOURCE = "Bron: RIVM, GGD'en en CBS; tabel 50150NED; peiljaar 2022; CC BY 4.0"


def row(code: str, jaar: int, leeftijd: str, indicator: str, waarde: float, lo: float, hi: float, naam: str | None = None) -> dict[str, Any]:
    niveau = {"NL": "nederland", "GM": "gemeente", "WK": "wijk"}[code[:2]]
    return {"regiocode": code, "regionaam": naam or code, "niveau": niveau, "gemeentecode": None if niveau == "nederland" else "GM" + code[2:6],
            "jaar": jaar, "leeftijd": leeftijd, "indicator": indicator, "waarde": waarde, "ondergrens": lo, "bovengrens": hi, "tabel": "50150NED"}


def tidy(rows: list[dict[str, Any]], demo: bool = False) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=analysis.TIDY_COLUMNS)
    frame.attrs["bron"] = {"table": "50150NED", "demo": demo}
    return frame


def texts(ax: Axes, gid: str) -> list[str]:
    return [t.get_text() for t in ax.figure.findobj(Text) if t.get_gid() == gid]


def n_whiskers(ax: Axes) -> int:
    return sum(len(c.get_segments()) for c in ax.collections if str(c.get_gid()).startswith("whiskers"))


def n_points(ax: Axes) -> int:
    return sum(len(line.get_xdata()) for line in ax.lines if str(line.get_gid()).startswith("points"))


def legend_texts(ax: Axes) -> list[str]:
    legend = ax.get_legend()
    return [t.get_text() for t in legend.get_texts()] if legend else []


def tick_texts(ax: Axes, axis: str = "x") -> list[str]:
    ax.figure.draw_without_rendering()
    labels = ax.get_xticklabels() if axis == "x" else ax.get_yticklabels()
    return [t.get_text() for t in labels if t.get_text()]


@pytest.fixture(autouse=True)
def _rc_params_untouched():  # noqa: ANN202
    before = dict(matplotlib.rcParams)
    yield
    assert dict(matplotlib.rcParams) == before  # no chart may change global settings


# -- interval_chart ---------------------------------------------------------------------------------------------


@pytest.fixture()
def wijken() -> pd.DataFrame:
    return tidy([
        row("WK000101", 2022, "18+", "eenzaam", 58.1, 54.0, 62.2, "Centrum"),
        row("WK000102", 2022, "18+", "eenzaam", NAN, NAN, NAN, "Duinen"),
        row("WK000103", 2022, "18+", "eenzaam", 46.5, 44.0, 49.0, "Haven"),
    ])


def test_interval_chart_dots_whiskers_missing_text_and_reference_lines(wijken: pd.DataFrame) -> None:
    result = charts.interval_chart(wijken, label_col="regionaam", title="Eenzaam per wijk",
                                   reference_lines={"Nederland": 48.6, "GGD-regio": 47.9}, source=SOURCE)
    ax = result.ax
    assert isinstance(ax, Axes) and tuple(ax.figure.get_size_inches()) == (7.0, 4.0)
    assert n_points(ax) == 2 and n_whiskers(ax) == 2  # the missing wijk is not drawn as a point
    assert texts(ax, "missing") == ["geen gegevens"]
    assert sorted(texts(ax, "value-label")) == ["46,5%", "58,1%"]
    assert legend_texts(ax) == ["Nederland (48,6%)", "GGD-regio (47,9%)"]
    refs = [line for line in ax.lines if line.get_gid() == "reference"]
    assert [line.get_xdata()[0] for line in refs] == [48.6, 47.9] and all(line.get_linestyle() != "-" for line in refs)
    assert texts(ax, "source") == [SOURCE] and ax.get_title(loc="left") == "Eenzaam per wijk"
    assert tick_texts(ax, "y") == ["Centrum", "Duinen", "Haven"]
    pd.testing.assert_frame_equal(result.table, wijken.reset_index(drop=True))
    assert result.summary == ("Eenzaam per wijk: 2 gebieden met een cijfer, van 46,5% (Haven) tot 58,1% (Centrum), elk met een "
                              "95%-interval; voor 1 gebied geen gegevens.")


def test_interval_chart_ticks_use_the_decimal_comma(wijken: pd.DataFrame) -> None:
    ax = charts.interval_chart(wijken, label_col="regionaam").ax
    labels = tick_texts(ax)
    assert labels and all(t.endswith("%") and "." not in t for t in labels)
    ax.set_xticks([45.0, 47.5, 50.0])
    assert tick_texts(ax) == ["45,0%", "47,5%", "50,0%"]


def test_interval_chart_claims_differences_only_from_verschil(wijken: pd.DataFrame) -> None:
    nl = tidy([row("NL01", 2022, "18+", "eenzaam", 48.6, 48.3, 48.9, "Nederland")])
    compared = analysis.compare(wijken, nl)  # Centrum 54.0 > 48.9 hoger; Haven 44.0–49.0 overlaps; Duinen onbekend
    summary = charts.interval_chart(compared, label_col="regionaam", title="Wijken", reference_lines={"Nederland": 48.6}).summary
    assert summary.endswith("vergeleken met Nederland (48,6%): 1 hoger, 0 lager en 1 niet aantoonbaar verschillend.")
    plain = charts.interval_chart(wijken, label_col="regionaam", reference_lines={"Nederland": 48.6}).summary
    assert "hoger" not in plain and "lager" not in plain  # no test, no claim


def test_interval_chart_on_a_given_axes_and_slide_size(wijken: pd.DataFrame) -> None:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    try:
        assert charts.interval_chart(wijken, label_col="regionaam", ax=ax).ax is ax
    finally:
        plt.close(fig)
    assert tuple(charts.interval_chart(wijken, label_col="regionaam", aspect="16:9").ax.figure.get_size_inches()) == (8.0, 4.5)
    with pytest.raises(BadInputError, match="16:9"):
        charts.interval_chart(wijken, label_col="regionaam", aspect="4:3")
    with pytest.raises(BadInputError, match="lacks"):
        charts.interval_chart(wijken, label_col="naam")
    result = charts.interval_chart(wijken, label_col="regionaam")
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.summary = "x"  # type: ignore[misc]
    assert result._repr_png_().startswith(b"\x89PNG")


def test_interval_chart_marks_demo_data(wijken: pd.DataFrame) -> None:
    demo = wijken.copy()
    demo.attrs["bron"] = {"demo": True}
    ax = charts.interval_chart(demo, label_col="regionaam", source=SOURCE).ax
    assert texts(ax, "source") == [f"FICTIEVE VOORBEELDDATA — {SOURCE}"]


# -- sentences ------------------------------------------------------------------------------------------------------


def test_describe_says_only_what_the_comparison_supports() -> None:
    values = {"waarde": 52.1, "ondergrens": 49.0, "bovengrens": 55.2}
    assert charts.describe("Voorbeeldstad", values, leeftijd="65+", indicator="eenzaam",
                           comparison=charts.compared_with("hoger", "Nederland", 48.6)) == (
        "In Voorbeeldstad is 52,1% van de 65-plussers eenzaam (95%-interval 49,0–55,2%), hoger dan in Nederland (48,6%).")
    assert charts.compared_with("niet aantoonbaar verschillend", "Nederland", 48.6) == "niet aantoonbaar verschillend van het cijfer in Nederland (48,6%)"
    assert charts.compared_with("onbekend", "Nederland", 48.6) == "niet te vergelijken met Nederland"
    assert charts.describe("X", {"waarde": NAN}, leeftijd="18+", indicator="eenzaam").startswith("Voor X is geen cijfer bekend")


# -- age_chart ---------------------------------------------------------------------------------------------------------


@pytest.fixture()
def breakdown() -> pd.DataFrame:
    nl = {"18+": (48.6, 48.3, 48.9), "18-64": (47.0, 46.6, 47.4), "65+": (48.6, 48.3, 48.9)}  # 65+: 49.0 > 48.9 → hoger
    gem = {"18+": (49.0, 47.0, 51.0), "18-64": (NAN, NAN, NAN), "65+": (52.1, 49.0, 55.2)}
    rows = [row("NL01", 2022, a, "eenzaam", *v, "Nederland") for a, v in nl.items()]
    rows += [row("GM0001", 2022, a, "eenzaam", *v, "Voorbeeldstad") for a, v in gem.items()]
    rows += [row("GM0002", 2022, a, "eenzaam", *v, "Buurdorp") for a, v in nl.items()]
    figures = tidy(rows)
    gemeenten = pd.DataFrame({"gemeentecode": ["GM0001", "GM0002"], "gemeentenaam": ["Voorbeeldstad", "Buurdorp"], "provinciecode": "PV20",
                              "provincienaam": "P", "ggdregiocode": "GG01", "ggdregionaam": "GGD Voorbeeld"})
    population = pd.DataFrame({"regiocode": ["GM0001", "GM0002"], "inwoners_18plus": [1000.0, 1000.0], "inwoners_18_64": [700.0, 700.0],
                               "inwoners_65plus": [300.0, 300.0]})
    regional = analysis.aggregate_regions(figures, gemeenten, population, by="ggdregio")
    return analysis.age_breakdown(figures, gemeenten, regional, "GM0001")


def test_age_chart_groups_dots_per_age_and_summarises_with_the_test(breakdown: pd.DataFrame) -> None:
    result = charts.age_chart(breakdown, source=SOURCE)
    ax = result.ax
    # 3 gebieden × 3 ages = 9, minus the gemeente's missing 18-64 figure
    assert n_points(ax) == 8 and n_whiskers(ax) == 8
    assert texts(ax, "missing") == ["geen gegevens"]
    assert legend_texts(ax) == ["Voorbeeldstad", "GGD Voorbeeld: gemiddelde van de gemeenten", "Nederland"]
    assert tick_texts(ax, "y") == ["18 jaar en ouder", "18 tot 65 jaar", "65 jaar en ouder"]
    colors = {line.get_gid(): matplotlib.colors.to_hex(line.get_color()) for line in ax.lines if str(line.get_gid()).startswith("points")}
    assert colors == {"points-gemeente": "#0072b2", "points-ggdregio": "#c27c00", "points-nederland": "#000000"}
    for color in (*charts.GEBIED_COLORS.values(), *charts.INDICATOR_COLORS.values(), charts.BAND_EDGE, charts.OTHER_COLOR):
        assert _contrast(color) >= 3.0, color  # WCAG 1.4.11: a mark 3:1 against the white ground
    assert result.summary == (
        "In Voorbeeldstad is 49,0% van de inwoners van 18 jaar en ouder eenzaam (95%-interval 47,0–51,0%), "
        "niet aantoonbaar verschillend van het cijfer in Nederland (48,6%; 95%-interval 48,3–48,9%). Bij de 18- tot 65-jarigen is geen "
        "cijfer bekend. Bij de 65-plussers is dat 52,1% (95%-interval 49,0–55,2%), hoger dan in Nederland (48,6%; "
        "95%-interval 48,3–48,9%).")
    assert set(result.table.loc[result.table["gebied"] == "nederland", "verschil_nl"]) == {"n.v.t."}
    with pytest.raises(BadInputError, match="eenzaam"):
        charts.age_chart(breakdown, indicator="boos")


# -- trend_chart ---------------------------------------------------------------------------------------------------------


def test_trend_chart_lines_bands_years_and_the_19plus_note() -> None:
    figures = tidy([
        row("GM0001", 2012, "18+", "eenzaam", 40, 38, 42, "Voorbeeldstad"),
        row("GM0001", 2016, "18+", "eenzaam", 45, 43, 47, "Voorbeeldstad"),
        row("GM0001", 2020, "18+", "eenzaam", 46, 44, 48, "Voorbeeldstad"),
        row("GM0001", 2022, "18+", "eenzaam", 50, 48.5, 51.5, "Voorbeeldstad"),  # 48.5 > 48 → gestegen
        row("GM0001", 2016, "18+", "sociaal_eenzaam", 30, 28, 32, "Voorbeeldstad"),
        row("GM0001", 2022, "18+", "sociaal_eenzaam", 31, 29, 33, "Voorbeeldstad"),
    ])
    trend = analysis.trend(figures, "GM0001")
    result = charts.trend_chart(trend, source=SOURCE)
    ax = result.ax
    assert {line.get_gid() for line in ax.lines} - {None} == {"line-eenzaam", "line-sociaal_eenzaam", "age-step-eenzaam", "age-step-sociaal_eenzaam"}
    step = next(line for line in ax.lines if line.get_gid() == "age-step-eenzaam")  # 19+ (2016) → 18+ (2020): dotted
    assert list(step.get_xdata()) == [2016, 2020] and step.get_linestyle() == ":"
    assert all(list(line.get_xdata()) in ([2012, 2016], [2020, 2022]) for line in ax.lines if line.get_gid() == "line-eenzaam")
    # sociaal eenzaam 2016 and 2022 have no neighbour with a figure, so no band: whiskers show their intervals
    assert "whiskers-sociaal_eenzaam" in {c.get_gid() for c in ax.collections}
    assert sorted(c.get_gid() for c in ax.collections if str(c.get_gid()).startswith("band")) == ["band-eenzaam", "band-sociaal_eenzaam"]
    assert tick_texts(ax) == ["2012", "2016", "2020", "2022"]  # years without a thousands separator
    assert all("," not in t or t.endswith("%") for t in tick_texts(ax, "y"))
    assert texts(ax, "note") == ["2012 en 2016: 19 jaar en ouder; stippellijn: andere leeftijdsgrens, vergelijk voorzichtig"]
    assert legend_texts(ax) == ["Eenzaam", "Sociaal eenzaam"]
    assert result.summary == ("In Voorbeeldstad was in 2022 50,0% van de inwoners van 18 jaar en ouder eenzaam "
                              "(95%-interval 48,5–51,5%); sinds 2020 (46,0%; 95%-interval 44,0–48,0%) is dat aantoonbaar gestegen.")
    later = charts.trend_chart(trend[trend["jaar"] >= 2020])
    assert texts(later.ax, "note") == []
    across = charts.trend_chart(trend[trend["jaar"] <= 2020])  # the newest step crosses 19+ → 18+: said so
    assert across.summary.endswith("is dat niet aantoonbaar veranderd. Let op: in 2016 ging het om inwoners van 19 jaar en ouder.")


# -- people_chart ----------------------------------------------------------------------------------------------------------


def test_people_chart_bars_whiskers_and_dutch_thousands() -> None:
    figures = tidy([
        row("GM0001", 2024, "18+", "eenzaam", 40.95, 38.9, 43.1, "Voorbeeldstad"),  # × 30,000 = 12,285 → 12.300
        row("GM0001", 2024, "18-64", "eenzaam", 38.0, 36.0, 40.0, "Voorbeeldstad"),  # × 22,000 = 8,360 → 8.400
        row("GM0001", 2024, "65+", "eenzaam", 52.0, 48.0, 56.0, "Voorbeeldstad"),  # × 8,000 = 4,160 → 4.200
        row("GM0001", 2024, "18+", "sterk_eenzaam", 12.0, 10.0, 14.0, "Voorbeeldstad"),  # 3,600
        row("GM0001", 2024, "18-64", "sterk_eenzaam", NAN, NAN, NAN, "Voorbeeldstad"),
        row("GM0001", 2024, "65+", "sterk_eenzaam", 15.0, 12.0, 18.0, "Voorbeeldstad"),  # 1,200
    ])
    population = pd.DataFrame({"regiocode": ["GM0001"], "inwoners_18plus": [30_000.0], "inwoners_18_64": [22_000.0], "inwoners_65plus": [8_000.0]})
    counts = analysis.people_counts(figures, population)
    result = charts.people_chart(counts, source=SOURCE)
    ax = result.ax
    bars = [p for p in ax.patches if str(p.get_gid()).startswith("bars")]
    assert len(bars) == 5 and n_whiskers(ax) == 5
    assert sorted(texts(ax, "value-label")) == sorted(["12.300", "8.400", "4.200", "3.600", "1.200"])
    assert texts(ax, "missing") == ["geen gegevens"]
    ticks = tick_texts(ax, "y")
    assert "10.000" in ticks and all("," not in t for t in ticks)
    assert result.summary == ("In Voorbeeldstad zijn naar schatting ongeveer 12.300 inwoners van 18 jaar en ouder eenzaam "
                              "(95%-interval 11.700 tot 12.900); ongeveer 3.600 (95%-interval 3.000 tot 4.200) zijn sterk eenzaam.")
    assert set(result.table["indicator"]) == {"eenzaam", "sterk_eenzaam"}


def test_people_chart_without_numbers_says_so() -> None:
    figures = tidy([row("GM0001", 2024, "18+", "eenzaam", 40.0, 38.0, 42.0, "Voorbeeldstad")])
    population = pd.DataFrame({"regiocode": ["GM0001"], "inwoners_18plus": [NAN], "inwoners_18_64": [NAN], "inwoners_65plus": [NAN]})
    result = charts.people_chart(analysis.people_counts(figures, population))
    assert "niet te schatten" in result.summary and not [p for p in result.ax.patches if str(p.get_gid()).startswith("bars")]
    # the legend still shows each indicator in its own colour (an empty bar set used to take the default blue)
    legend = result.ax.get_legend()
    swatches = {t.get_text(): h.get_facecolor() for t, h in zip(legend.get_texts(), legend.legend_handles)}
    assert swatches["Sterk eenzaam"] == to_rgba(charts.INDICATOR_COLORS["sterk_eenzaam"])
    assert swatches["Eenzaam"] == to_rgba(charts.INDICATOR_COLORS["eenzaam"])


# -- similar_chart ---------------------------------------------------------------------------------------------------------


@pytest.fixture()
def similar_world() -> tuple[pd.DataFrame, pd.DataFrame]:
    figures = tidy([
        row("NL01", 2022, "18+", "eenzaam", 48.6, 48.3, 48.9, "Nederland"),
        row("GM0001", 2022, "18+", "eenzaam", 52.0, 50.0, 54.0, "Voorbeeldstad"),
        row("GM0002", 2022, "18+", "eenzaam", 45.0, 43.0, 47.0, "Lagerdam"),  # 47 < 50 → lager
        row("GM0003", 2022, "18+", "eenzaam", 51.0, 49.0, 53.0, "Gelijkveen"),  # overlap
        row("GM0004", 2022, "18+", "eenzaam", 60.0, 55.0, 65.0, "Hogerhout"),  # 55 > 54 → hoger
        row("GM0005", 2022, "18+", "eenzaam", 40.0, 38.0, 42.0, "Ververweg"),  # not a neighbour
    ])
    similar = pd.DataFrame({"regiocode": ["GM0003", "GM0002", "GM0004"], "regionaam": ["Gelijkveen", "Lagerdam", "Hogerhout"],
                            "afstand": [0.5, 0.8, 1.2], "inwoners": [1.0, 1.0, 1.0], "aandeel_65plus": [20.0] * 3, "stedelijkheid": [2] * 3})
    return figures, similar


def test_similar_chart_highlights_the_gemeente_and_counts_tested_differences(similar_world: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    figures, similar = similar_world
    result = charts.similar_chart(figures, similar, "GM0001", source=SOURCE)  # the report's call
    ax = result.ax
    assert tick_texts(ax, "y") == ["Voorbeeldstad", "Gelijkveen", "Lagerdam", "Hogerhout"]  # nearest first
    bold = [t.get_text() for t in ax.get_yticklabels() if t.get_fontweight() == "bold"]
    assert bold == ["Voorbeeldstad"]
    highlighted = [line for line in ax.lines if line.get_gid() == "points-highlight"]
    assert len(highlighted) == 1 and list(highlighted[0].get_xdata()) == [52.0]
    assert n_points(ax) == 4 and legend_texts(ax) == ["Nederland (48,6%; 95%-interval 48,3–48,9%)"]
    assert result.summary == ("In Voorbeeldstad is 52,0% van de inwoners van 18 jaar en ouder eenzaam (95%-interval 50,0–54,0%). "
                              "Van de 3 vergelijkbare gemeenten heeft er 1 een aantoonbaar hoger cijfer dan Voorbeeldstad "
                              "en 1 een aantoonbaar lager cijfer. Bij 1 is er geen aantoonbaar verschil.")
    same = charts._similar_summary(pd.DataFrame({"waarde": [52.0, 51.0, 53.0], "ondergrens": [50.0, 49.0, 51.0], "bovengrens": [54.0, 53.0, 55.0],
                                                 "verschil_met_gemeente": ["n.v.t.", charts.GELIJK, charts.GELIJK], "jaar": 2024}),
                                   "Voorbeeldstad", "18+", "eenzaam")
    assert same.endswith(". Bij geen van de 2 vergelijkbare gemeenten is het cijfer aantoonbaar anders dan in Voorbeeldstad.")
    assert result.table["verschil_met_gemeente"].tolist() == ["n.v.t.", "niet aantoonbaar verschillend", "lager", "hoger"]
    assert result.table["afstand"].tolist()[1:] == [0.5, 0.8, 1.2]
    # a value label is legible where the Nederland line runs through it: white ground, drawn above the line
    reference = next(line for line in ax.lines if line.get_gid() == "reference")
    labels = [t for t in ax.figure.findobj(Text) if t.get_gid() == "value-label"]
    assert labels and all(t.get_bbox_patch() is not None and t.get_bbox_patch().get_facecolor()[:3] == (1, 1, 1)
                          and t.get_zorder() > reference.get_zorder() for t in labels)


def test_similar_chart_from_prepared_figures(similar_world: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    figures, _ = similar_world
    prepared = figures[figures["regiocode"].isin(["GM0001", "GM0002", "NL01"])]
    result = charts.similar_chart(prepared, highlight="GM0001")  # the documented keyword call
    assert tick_texts(result.ax, "y") == ["Voorbeeldstad", "Lagerdam"]
    assert "De vergelijkbare gemeente heeft een aantoonbaar lager cijfer dan Voorbeeldstad." in result.summary
    with pytest.raises(BadInputError):
        charts.similar_chart(prepared)


# -- national_age_band_chart ------------------------------------------------------------------------------------------------


def test_national_age_band_chart_says_it_is_another_survey() -> None:
    bands = ["15–25", "25–35", "35–45", "45–55", "55–65", "65–75", "75+", "totaal"]
    values = [46.0, 45.0, 41.0, 39.0, 38.0, NAN, 44.0, 41.5]
    frame = pd.DataFrame({"leeftijdsband": bands, "indicator": "eenzaam", "jaar": 2023, "waarde": values,
                          "ondergrens": np.array(values) - 1.5, "bovengrens": np.array(values) + 1.5, "tabel": "85766NED"})
    result = charts.national_age_band_chart(analysis.national_age_bands(frame), source="Bron: CBS; tabel 85766NED")
    ax = result.ax
    assert texts(ax, "subtitle") == ["CBS, Sociale samenhang en welzijn (15 jaar en ouder) — andere meting dan de Gezondheidsmonitor"]
    assert ax.get_title(loc="left") == "Eenzaam naar leeftijd in heel Nederland, 2023"
    assert len([p for p in ax.patches if p.get_gid() == "bars"]) == 6 and n_whiskers(ax) == 6
    assert texts(ax, "missing") == ["geen gegevens"]
    assert "46,0%" in texts(ax, "value-label") and legend_texts(ax) == ["Totaal 15 jaar en ouder (41,5%; 95%-interval 40,0–43,0%)"]
    assert ax.get_ylim()[0] == 0  # bars start at zero
    assert tick_texts(ax) == ["15 tot 25", "25 tot 35", "35 tot 45", "45 tot 55", "55 tot 65", "65 tot 75", "75 en ouder"]
    assert result.summary == ("Volgens het CBS-onderzoek Sociale samenhang en welzijn (15 jaar en ouder), een andere meting dan de "
                              "Gezondheidsmonitor, was in 2023 per leeftijdsgroep tussen 38,0% (55 tot 65 jaar; 95%-interval 36,5–39,5%) "
                              "en 46,0% (15 tot 25 jaar; 95%-interval 44,5–47,5%) van de mensen eenzaam.")
    assert result.table["leeftijdsband"].tolist()[-1] == "15 en ouder (totaal)" and result.table["waarde"].tolist()[-1] == 41.5
    # in a sentence the oldest band reads "75 jaar en ouder", not "75 en ouder jaar" (found by a review)
    assert [charts.band_years(b) for b in ("15–25", "75+")] == ["15 tot 25 jaar", "75 jaar en ouder"]
    # the total line runs through no value label (39,0% ends 1 point below it): such a label sits above the line
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(ax.figure)
    canvas.draw()
    line_y = ax.transData.transform((0, 41.5))[1]
    boxes = [t.get_window_extent(canvas.get_renderer()) for t in ax.texts if t.get_gid() == "value-label"]
    assert len(boxes) == 6 and not [b for b in boxes if b.y0 - 1 < line_y < b.y1 + 1], (line_y, boxes)


def test_charts_on_a_caller_figure_leave_nothing_behind() -> None:
    fig = Figure()
    axes = fig.subplots(1, 2)
    frame = tidy([row("GM0001", 2022, "18+", "eenzaam", 50.0, 48.0, 52.0, "A")])
    for ax in axes:
        assert charts.interval_chart(frame, label_col="regionaam", ax=ax).ax is ax
    assert len(fig.axes) == 2 and fmt.MISSING == "geen gegevens"


@pytest.mark.parametrize("size", [(7.0, 7.0 * 9 / 16), (5.0, 4.0)])
def test_fit_axes_places_the_axes_as_constrained_layout_does(wijken: pd.DataFrame, size: tuple[float, float]) -> None:
    placed = {}
    for mode in ("constrained", "fit"):
        fig = Figure(figsize=size, layout="constrained" if mode == "constrained" else None)
        result = charts.interval_chart(wijken, ax=fig.add_subplot(), label_col="regionaam", title="Eenzaam per wijk",
                                       reference_lines={"Nederland": 48.6}, source=SOURCE + " " + "lange bronregel " * 12)
        if mode == "constrained":
            fig.draw_without_rendering()
        else:
            charts.fit_axes(result.ax)
            assert fig.get_layout_engine() is None
        placed[mode] = result.ax.get_position().bounds
        if mode == "fit":  # everything drawn lies inside the figure
            renderer = charts.agg_renderer(int(fig.bbox.width), int(fig.bbox.height), fig.dpi)
            tight = result.ax.get_tightbbox(renderer)
            assert tight.x0 >= 0 and tight.y0 >= 0 and tight.x1 <= fig.bbox.width + 0.5 and tight.y1 <= fig.bbox.height + 0.5
    np.testing.assert_allclose(placed["fit"], placed["constrained"], atol=2 / 700)  # within about a pixel or two


def _contrast(color: str, ground: str = "#ffffff") -> float:
    """WCAG contrast ratio of two colours."""
    import matplotlib.colors

    def luminance(c: str) -> float:
        r, g, b = (v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in matplotlib.colors.to_rgb(c))
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    high, low = sorted((luminance(color), luminance(ground)), reverse=True)
    return (high + 0.05) / (low + 0.05)
