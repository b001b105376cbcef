"""The factsheet: content rules, HTML (escaping, headings, no external requests), real Chromium, PDF, slides, batch.

Two kinds of report are used. ``stand_in_report`` is put together by hand from small invented frames and
simple stand-in charts, so the rendering is tested on its own. ``built`` runs ``build_content`` on the
invented world with the real ``analysis``, ``charts`` and ``maps`` (skipped until those modules exist).
"""

from __future__ import annotations

import contextlib
import dataclasses
import html
import importlib.util
import logging
import os
import re
import sys
from collections import namedtuple
from datetime import date
from functools import partial
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from markupsafe import escape

os.environ.setdefault("MPLBACKEND", "Agg")

from eenzaamheid_data import fmt  # noqa: E402
from eenzaamheid_data.cache import FILE_MODE  # noqa: E402
from eenzaamheid_data.errors import AmbiguousRegionError, BadInputError, UnknownRegionError  # noqa: E402
from eenzaamheid_data.report import batch, content, render, texts  # noqa: E402
from eenzaamheid_data.report.content import Chart, GemeenteReport  # noqa: E402
from eenzaamheid_data.testing.report_fixtures import SCRIPT_WIJK, invented_inputs  # noqa: E402

HAVE_LIBRARY = all(importlib.util.find_spec(f"eenzaamheid_data.{m}") for m in ("analysis", "charts", "maps"))
needs_library = pytest.mark.skipif(not HAVE_LIBRARY, reason="analysis, charts and maps are not there yet")
TODAY = date(2026, 2, 1)

# -- hand-made inputs ---------------------------------------------------------------------------------

StandInResult = namedtuple("StandInResult", "ax summary table")


def _stand_in_chart(frame: pd.DataFrame, label: str, value: str = "waarde", ax=None, source: str | None = None) -> StandInResult:  # noqa: ANN001
    """A plain bar chart: the shape of a charts.* function (ax in, ChartResult out), for rendering tests only."""
    known = frame.dropna(subset=[value])
    y = np.arange(len(known))
    ax.barh(y, known[value], color="#4c7fb0")
    ax.set_yticks(y, [str(v) for v in known[label]])
    return StandInResult(ax, f"Staafdiagram met {len(known)} staven.", frame)


def _stand_in_map(names: list[str], aspect: str = "page"):  # noqa: ANN202
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    from eenzaamheid_data.geo import JoinReport

    fig = Figure(figsize=(5, 4) if aspect == "page" else (8, 4.5))
    ax = fig.add_subplot()
    for i, name in enumerate(names):
        ax.add_patch(Rectangle((i, 0), 0.9, 1, color=f"C{i}"))
        ax.text(i + 0.45, 0.5, name, ha="center", fontsize=6)
    ax.set_xlim(0, len(names))
    ax.set_axis_off()
    return fig, JoinReport([], [])


def _verdict(lo: float, hi: float, other: float) -> str:
    if any(pd.isna(v) for v in (lo, hi, other)):
        return "onbekend"
    return "hoger" if lo > other else "lager" if hi < other else "niet aantoonbaar verschillend"


def hand_breakdown(figures: pd.DataFrame, gemeenten: pd.DataFrame, code: str, jaar: int = 2024) -> pd.DataFrame:
    """An age breakdown shaped like analysis.age_breakdown, made by hand (the GGD-regio = mean of its gemeenten)."""
    row = gemeenten.set_index("gemeentecode").loc[code]
    members = gemeenten.loc[gemeenten["ggdregiocode"] == row["ggdregiocode"], "gemeentecode"]
    year = figures[figures["jaar"] == jaar]
    gem = year[year["regiocode"] == code].assign(gebied="gemeente")
    nl = year[year["regiocode"] == "NL01"].assign(gebied="nederland")
    ggd = (year[year["regiocode"].isin(members)].groupby(["leeftijd", "indicator"], as_index=False)[["waarde", "ondergrens", "bovengrens"]]
           .mean().assign(gebied="ggdregio", regiocode=row["ggdregiocode"], regionaam=row["ggdregionaam"], jaar=jaar))
    out = pd.concat([gem, ggd, nl], ignore_index=True)
    ref_nl = nl.set_index(["leeftijd", "indicator"])["waarde"]
    ref_ggd = ggd.set_index(["leeftijd", "indicator"])["waarde"]
    out["verschil_nl"] = [_verdict(r.ondergrens, r.bovengrens, ref_nl.get((r.leeftijd, r.indicator))) for r in out.itertuples()]
    out["verschil_ggd"] = [_verdict(r.ondergrens, r.bovengrens, ref_ggd.get((r.leeftijd, r.indicator))) for r in out.itertuples()]
    return out[["gebied", "regiocode", "regionaam", "jaar", "leeftijd", "indicator", "waarde", "ondergrens", "bovengrens", "verschil_nl", "verschil_ggd"]]


def hand_people(figures: pd.DataFrame, population: pd.DataFrame, code: str, jaar: int = 2024) -> pd.DataFrame:
    rows = figures[(figures["regiocode"] == code) & (figures["jaar"] == jaar)].copy()
    pop = population.set_index("regiocode").loc[code]
    base = rows["leeftijd"].map({"18+": pop["inwoners_18plus"], "18-64": pop["inwoners_18_64"], "65+": pop["inwoners_65plus"]})
    rows["aantal"] = rows["waarde"] / 100 * base
    rows["aantal_tekst"] = rows["aantal"].map(fmt.people)
    return rows


def stand_in_report(code: str = "GM9101", *, gemeentenaam: str | None = None, demo: bool = True) -> GemeenteReport:
    """A complete report from invented frames, hand-made comparisons and stand-in charts."""
    data = invented_inputs(demo=demo)
    gemeenten = data.gemeenten.copy()
    if gemeentenaam:
        gemeenten.loc[gemeenten["gemeentecode"] == code, "gemeentenaam"] = gemeentenaam
    row = gemeenten.set_index("gemeentecode").loc[code]
    naam = str(row["gemeentenaam"])
    breakdown = hand_breakdown(data.figures, gemeenten, code)
    gem, nl = breakdown[breakdown["gebied"] == "gemeente"], breakdown[breakdown["gebied"] == "nederland"]
    ggd = breakdown[breakdown["gebied"] == "ggdregio"]
    people = hand_people(data.figures, data.population, code)
    source = fmt.source_line(data.figures.attrs["bron"])
    wijken_2024 = data.wijk_figures[(data.wijk_figures["gemeentecode"] == code) & (data.wijk_figures["jaar"] == 2024)
                                    & (data.wijk_figures["leeftijd"] == "18+") & (data.wijk_figures["indicator"] == "eenzaam")]
    first = wijken_2024.iloc[-1]  # in Ooststad the wijk with <script> in its name
    aandacht = (content.Aandachtswijk(first["regiocode"], first["regionaam"], fmt.pct(first["waarde"]),
                                      fmt.pct_range(first["ondergrens"], first["bovengrens"]), "Hoger dan de gemeente als geheel."),)

    def chart(key: str, frame: pd.DataFrame, label: str, value: str = "waarde") -> Chart:
        from matplotlib.figure import Figure

        draw = partial(_stand_in_chart, frame, label, value)
        fig = Figure(figsize=(7, 3))
        result = draw(ax=fig.add_subplot())
        table = content.table_from_frame(frame, f"De cijfers bij {key}")
        return Chart(key, key.capitalize(), content.figure_svg(fig, key), result.summary, table, source, (), "axes", draw)

    map_draw = partial(_stand_in_map, list(wijken_2024["regionaam"]))
    map_fig, _ = map_draw()
    kaart = Chart("kaart", "Eenzaamheid per wijk", content.figure_svg(map_fig, "kaart"),
                  f"Kaart van de wijken van {naam}.", content.table_from_frame(wijken_2024[["regionaam", "waarde", "ondergrens", "bovengrens"]], "Per wijk"),
                  source, (), "figure", map_draw)
    trend = data.figures[(data.figures["regiocode"] == code) & (data.figures["leeftijd"] == "18+") & (data.figures["indicator"] == "eenzaam")]
    return GemeenteReport(
        gemeentecode=code, gemeentenaam=naam, provincienaam=str(row["provincienaam"]), ggdregiocode=str(row["ggdregiocode"]),
        ggdregionaam=str(row["ggdregionaam"]), ggd_enkel=False, jaar=2024, tabel="50150NED", demo=demo,
        titel=texts.TITLE.format(naam=naam), ondertitel=texts.SUBTITLE, intro=texts.INTRO.format(naam=naam), inwoners="182.000",
        kerncijfers=content.kerncijfers(gem, nl, ggd, naam, False),
        kernboodschappen=content.key_messages(gem, nl, people, naam, 2024),
        leeftijd=chart("leeftijd", gem[gem["indicator"] == "eenzaam"], "leeftijd"),
        trend=chart("trend", trend, "jaar"),
        aantallen=chart("aantallen", people[["regionaam", "leeftijd", "indicator", "aantal", "aantal_tekst"]], "leeftijd", "aantal"),
        kaart=kaart, aandachtswijken=aandacht, aandacht_tekst="In deze wijk is het cijfer aantoonbaar hoger dan in de gemeente als geheel: 54,6%. De 95%-intervallen overlappen elkaar niet.",
        vergelijkbaar=None, landelijk=None,
        ondersteuning=content.support_pointers(gem, nl, aandacht, naam),
        methode=texts.METHOD_NOTES, rekenwijze=("Stand-in rekenwijze.",), bronnen=(source,), bronregel=source,
        opgehaald=fmt.dutch_date(data.figures.attrs["bron"]["fetched_at"]),
        gemaakt=fmt.dutch_date(TODAY), bron=data.figures.attrs["bron"],
    )


# -- HTML helpers --------------------------------------------------------------------------------------


class _Scan(HTMLParser):
    """Headings in order, every URL-carrying attribute, and the visible text."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: list[tuple[int, str]] = []
        self.urls: list[tuple[str, str, str]] = []
        self._in: int | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if re.fullmatch(r"h[1-6]", tag):
            self._in, self._text = int(tag[1]), []
        for name, value in attrs:
            if name in ("src", "href", "xlink:href", "srcset", "action", "poster", "data", "background") and value:
                self.urls.append((tag, name, value))

    def handle_endtag(self, tag: str) -> None:
        if self._in and tag == f"h{self._in}":
            self.headings.append((self._in, "".join(self._text).strip()))
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in:
            self._text.append(data)


def scan(page: str) -> _Scan:
    parser = _Scan()
    parser.feed(page)
    return parser


def text_of(page: str) -> str:
    page = re.sub(r"<(style|svg)\b.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def assert_self_contained(page: str) -> None:
    """No external resource at all: only plain <a href> links may point to http(s)."""
    for tag, attr, value in scan(page).urls:
        if re.match(r"\s*(https?:)?//", value, re.I):
            assert tag == "a" and attr == "href", f"external {attr} on <{tag}>: {value}"
    assert not re.search(r"@import|url\(\s*['\"]?\s*(https?:)?//", page, re.I)
    assert "<script" not in page.lower()
    assert "<link" not in page.lower()


def assert_headings_ordered(page: str) -> None:
    headings = scan(page).headings
    assert [h for h in headings if h[0] == 1].__len__() == 1 and headings[0][0] == 1
    for (before, _), (after, text) in zip(headings, headings[1:], strict=False):
        assert after <= before + 1, f"heading h{after} {text!r} jumps from h{before}"


# -- rules of the content --------------------------------------------------------------------------------


def _frame(rows: list[tuple[str, str, float, float, float, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["leeftijd", "indicator", "waarde", "ondergrens", "bovengrens", "verschil_nl"])


NL = _frame([("18+", "eenzaam", 49.0, 48.8, 49.2, "onbekend"), ("18+", "sociaal_eenzaam", 35.0, 34.8, 35.2, "onbekend"),
             ("18+", "emotioneel_eenzaam", 30.0, 29.8, 30.2, "onbekend"), ("18+", "sterk_eenzaam", 13.0, 12.8, 13.2, "onbekend"),
             ("65+", "eenzaam", 52.0, 51.7, 52.3, "onbekend"), ("18-64", "eenzaam", 48.0, 47.8, 48.2, "onbekend")])


@pytest.mark.parametrize(("verschil", "expected"), [
    ("hoger", "Dat is hoger dan in heel Nederland (49,0%; 95%-interval 48,8–49,2%)."),
    ("lager", "Dat is lager dan in heel Nederland (49,0%; 95%-interval 48,8–49,2%)."),
    ("niet aantoonbaar verschillend", "Dat verschilt niet aantoonbaar van heel Nederland (49,0%; 95%-interval 48,8–49,2%)."),
    ("onbekend", "Of dat meer of minder is dan in heel Nederland, is niet te zeggen."),
])
def test_rule_1_follows_the_test_verdict_only(verschil: str, expected: str) -> None:
    gem = _frame([("18+", "eenzaam", 52.35, 50.0, 54.7, verschil)])
    first = content.key_messages(gem, NL, pd.DataFrame(), "Ooststad", 2024)[0].tekst
    assert first == f"In Ooststad voelt 52,4% (95%-interval 50,0–54,7%) van de inwoners van 18 jaar en ouder zich eenzaam. {expected}"


def test_rule_2_names_an_age_group_only_when_intervals_do_not_overlap() -> None:
    apart = _frame([("18-64", "eenzaam", 45.0, 43.0, 47.0, "lager"), ("65+", "eenzaam", 55.0, 52.0, 58.0, "hoger")])
    assert content.key_messages(apart, NL, pd.DataFrame(), "X", 2024)[1].tekst == (
        "Inwoners van 65 jaar en ouder zijn vaker eenzaam (55,0%; 95%-interval 52,0–58,0%) dan inwoners van 18 tot 65 jaar "
        "(45,0%; 95%-interval 43,0–47,0%).")
    touching = _frame([("18-64", "eenzaam", 45.0, 41.0, 49.0, "lager"), ("65+", "eenzaam", 52.0, 48.5, 55.5, "hoger")])
    second = content.key_messages(touching, NL, pd.DataFrame(), "X", 2024)[1].tekst
    assert "Dat verschil is niet aantoonbaar" in second and "vaker" not in second
    missing = _frame([("18-64", "eenzaam", 45.0, np.nan, np.nan, "onbekend"), ("65+", "eenzaam", 52.0, 48.5, 55.5, "hoger")])
    assert "niet genoeg gegevens" in content.key_messages(missing, NL, pd.DataFrame(), "X", 2024)[1].tekst


def test_rule_3_counts_people_and_says_when_it_cannot() -> None:
    gem = _frame([("18+", "eenzaam", 50.0, 48.0, 52.0, "hoger")])
    people = pd.DataFrame({"leeftijd": ["18+", "18+"], "indicator": ["eenzaam", "sterk_eenzaam"], "aantal": [12_345.0, 3_456.0],
                           "aantal_ondergrens": [11_049.0, np.nan], "aantal_bovengrens": [13_000.0, np.nan],
                           "aantal_tekst": [fmt.people(12_345.0), fmt.people(3_456.0)]})
    third = content.key_messages(gem, NL, people, "X", 2024)[2].tekst
    assert third == ("Ongeveer 12.300 inwoners van 18 jaar en ouder voelen zich eenzaam (95%-interval 11.000 tot 13.000). "
                     "Ongeveer 3.500 van hen voelen zich sterk eenzaam.")  # no interval known: none shown
    people.loc[0, "aantal"] = np.nan
    assert "niet te schatten" in content.key_messages(gem, NL, people, "X", 2024)[2].tekst


def test_support_pointers_fire_on_their_rules_and_only_there() -> None:
    quiet = _frame([("18+", ind, 40.0, 38.0, 42.0, "niet aantoonbaar verschillend") for ind in content.INDICATORS])
    kinds = content.support_pointers(quiet, NL, (), "X")
    assert [k.titel for k in kinds] == [i.titel for i in texts.SUPPORT_KINDS] and len(kinds) == 7
    assert all(not k.suggesties for k in kinds)

    loud = _frame([("18+", "sociaal_eenzaam", 40.0, 38.0, 42.0, "hoger"), ("18+", "emotioneel_eenzaam", 35.0, 33.0, 37.0, "hoger"),
                   ("65+", "eenzaam", 60.0, 57.0, 63.0, "hoger"), ("18-64", "eenzaam", 47.0, 45.0, 49.0, "lager")])
    got = {k.key: k.suggesties for k in content.support_pointers(loud, NL, (), "X")}
    assert got["ontmoeting"] and got["persoonlijk"] and got["praktisch"]
    assert "maatjesprojecten" in " ".join(s.tekst for s in got["persoonlijk"])
    assert "40,0% (95%-interval 38,0–42,0%) in X, 35,0% (95%-interval 34,8–35,2%) in heel Nederland" in got["ontmoeting"][0].reden
    assert not got["rol"] and not got["bezigheden"] and not got["vaardigheden"]


def test_tables_are_formatted_the_dutch_way() -> None:
    frame = pd.DataFrame({"regiocode": ["GM1"], "regionaam": ["A"], "leeftijd": ["65+"], "indicator": ["sterk_eenzaam"],
                          "waarde": [12.34], "ondergrens": [10.0], "bovengrens": [np.nan], "inwoners": [12345.0]})
    table = content.table_from_frame(frame, "t")
    assert table.columns == ("Gebied", "Leeftijd", "Soort eenzaamheid", "Percentage", "95%-interval", "Inwoners")
    assert table.rows == (("A", "65 jaar en ouder", "Sterk eenzaam", "12,3%", "geen gegevens", "12.345"),)


# -- HTML ------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def report() -> GemeenteReport:
    return stand_in_report()


def test_html_shows_the_numbers_formatted_the_dutch_way(report: GemeenteReport) -> None:
    page = render.render_html(report)
    text = text_of(page)
    for k in report.kerncijfers:
        assert f"{k.label} {fmt.pct(k.waarde)} 95%-interval: {fmt.pct_range(k.ondergrens, k.bovengrens)}" in text
    for message in report.kernboodschappen:
        assert message.tekst in text
    assert not re.search(r"\d\.\d%", text), "a decimal point in a percentage"


def test_html_is_self_contained_and_headings_are_ordered(report: GemeenteReport) -> None:
    page = render.render_html(report)
    assert page.startswith("<!DOCTYPE html>") and '<html lang="nl">' in page
    assert_self_contained(page)
    assert_headings_ordered(page)
    assert page.count("<svg") == 4 and page.count('<svg role="img" aria-label="') == 4  # the SVG is the image: a PDF tags it
    for chart in (report.leeftijd, report.trend, report.aantallen, report.kaart):
        # a short name, then the summary under it as its description (not the same sentence twice)
        assert f'aria-describedby="{chart.key}-uitleg"' in page and f'<p class="summary" id="{chart.key}-uitleg">{html.escape(chart.summary)}</p>' in page
        name = ("Kaart: " if chart.kind == "figure" else "Grafiek: ") + chart.title + ("" if chart.title.endswith("?") else ".")
        assert f'aria-label="{html.escape(name)} {texts.CHART_DESCRIBED}"' in page
    printed = [c for c in (report.leeftijd, report.trend, report.aantallen, report.kaart) if c.key in texts.PRINTED_TABLES]
    assert len(printed) == 4  # all of them: on paper every figure has its interval in numbers
    assert len(re.findall(r"<table[ >]", page)) == 4 + len(printed)  # one behind every chart; some once more, for print only
    assert page.count('<div class="print-only">') == len(printed)  # not aria-hidden: tagged as tables in the PDF
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})[:5]  # valid HTML: every id once
    assert '<th scope="row">' in page  # a data row is named by its first cell
    links = [v for tag, attr, v in scan(page).urls if tag == "a"]
    assert "https://www.movisie.nl/databank-effectieve-sociale-interventies" in links


def test_html_escapes_every_value_from_the_data() -> None:
    evil = "Gemeente <script>alert(1)</script>"
    page = render.render_html(stand_in_report(gemeentenaam=evil))
    assert "<script" not in page.lower()
    assert "Gemeente &lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert escape(SCRIPT_WIJK) in page  # the wijk name in the list of wijken that need attention
    footer = re.search(r"@bottom-left \{ content: (\"[^\"]*\")", page).group(1)
    assert "<" not in footer and "\\00003c" in footer


def test_demo_banner_only_for_demo_data() -> None:
    assert "fictieve voorbeelddata" in render.render_html(stand_in_report(demo=True)).lower()
    real = render.render_html(stand_in_report(demo=False))
    assert 'class="demo-banner"' not in real and "fictieve voorbeelddata" not in real.lower()


@pytest.mark.parametrize(("name", "slug"), [
    ("'s-Hertogenbosch", "s-hertogenbosch"), ("Súdwest-Fryslân", "sudwest-fryslan"), ("Bergen (NH.)", "bergen-nh"),
    ("Nuenen, Gerwen en Nederwetten", "nuenen-gerwen-en-nederwetten"), ("<script>", "script"), ("???", "gemeente"),
])
def test_slugify(name: str, slug: str) -> None:
    assert render.slugify(name) == slug


def test_write_report_names_the_file_and_leaves_no_temporary_files(report: GemeenteReport, tmp_path: Path) -> None:
    path = render.write_report(report, tmp_path)
    assert path == tmp_path / "2024" / "GM9101-ooststad.html"
    assert path.read_text(encoding="utf-8") == render.render_html(report)
    assert [p.name for p in path.parent.iterdir()] == [path.name]
    assert path.stat().st_mode & 0o777 == FILE_MODE


def test_slides_are_1920_by_1080_pngs(report: GemeenteReport, tmp_path: Path) -> None:
    from PIL import Image

    paths = render.write_slides(report, tmp_path)
    assert [p.name for p in paths] == ["01-kerncijfers.png", "02-leeftijd.png", "03-kaart.png", "04-trend.png", "05-aantallen.png"]
    assert all(p.parent == tmp_path / "2024" / "GM9101-dia" for p in paths)
    for p in paths:
        with Image.open(p) as image:
            assert image.format == "PNG" and image.size == (1920, 1080)


def test_index_links_relatively_and_lists_failures(report: GemeenteReport, tmp_path: Path) -> None:
    html_path = render.write_report(report, tmp_path)
    entries = [render.IndexEntry("GM9101", "Ooststad", 2024, html_path),
               render.IndexEntry("GM9102", "'s-Proefwoude <b>", error="no figures for 's-Proefwoude")]
    page = render.write_index(entries, tmp_path, demo=True, today=TODAY).read_text(encoding="utf-8")
    assert 'href="2024/GM9101-ooststad.html"' in page
    assert "&#39;s-Proefwoude &lt;b&gt;" in page and "no figures for &#39;s-Proefwoude" in page
    assert_self_contained(page)
    assert_headings_ordered(page)


def test_index_of_a_later_run_still_lists_the_earlier_reports_in_the_folder(tmp_path: Path) -> None:
    first = render.write_report(stand_in_report("GM9101", gemeentenaam="Oost & stad", demo=True), tmp_path)
    (tmp_path / "2024" / "notes.html").write_text("<html><title>mine</title></html>")  # not a factsheet: passed over
    second = render.write_report(stand_in_report("GM9102", demo=False), tmp_path)
    page = render.write_index([render.IndexEntry("GM9102", "Proefwoude", 2024, second)], tmp_path, today=TODAY).read_text(encoding="utf-8")
    run, earlier = page.split('id="eerder"')
    assert second.name in run and first.name not in run
    assert f'href="2024/{first.name}"' in earlier and second.name not in earlier and "notes.html" not in page
    assert "Oost &amp; stad</a> (fictieve voorbeelddata)" in earlier  # its name as written, and that it shows demo data
    assert page.count(f'href="2024/{second.name}"') == 2  # this run's report once (its name and its HTML link)
    assert_self_contained(page)
    assert_headings_ordered(page)
    first.unlink()  # a folder with only this run's reports: no such section
    assert 'id="eerder"' not in render.write_index([render.IndexEntry("GM9102", "Proefwoude", 2024, second)], tmp_path).read_text(encoding="utf-8")


# -- in a real browser ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser():  # noqa: ANN201
    if not render.find_chromium():
        pytest.skip("headless Chromium is not installed (`make browser`, or apt-get install chromium)")
    with render.chromium_browser() as b:
        yield b


@pytest.mark.browser
def test_report_in_chromium_makes_no_requests_and_no_errors(report: GemeenteReport, tmp_path: Path, browser) -> None:  # noqa: ANN001
    path = render.write_report(report, tmp_path)
    page = browser.new_page(viewport={"width": 1000, "height": 1400})
    requests, errors = [], []
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.resolve().as_uri(), wait_until="load")
    page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
    sizes = page.eval_on_selector_all(".chart-img svg", "els => els.map(e => [e.getBoundingClientRect().width, e.getBoundingClientRect().height])")
    page.close()
    assert requests == [path.resolve().as_uri()]
    assert errors == []
    assert (tmp_path / "report.png").stat().st_size > 10_000
    assert sizes and all(w > 300 and h > 100 for w, h in sizes), sizes


@pytest.mark.browser
def test_on_a_phone_a_chart_scrolls_sideways_and_says_so(report: GemeenteReport, tmp_path: Path, browser) -> None:  # noqa: ANN001
    path = render.write_report(report, tmp_path)
    seen = {}
    for width in (390, 1000):
        page = browser.new_page(viewport={"width": width, "height": 900})
        page.goto(path.resolve().as_uri(), wait_until="load")
        seen[width] = page.eval_on_selector_all(".chart", """els => els.map(e => {
            const box = e.querySelector('.chart-img'), hint = e.querySelector('.scroll-hint');
            return [box.scrollWidth > box.clientWidth + 1, hint !== null && hint.offsetParent !== null]; })""")
        page.close()
    assert seen[390] and all(hint for scrolls, hint in seen[390] if scrolls), seen  # every chart cut off says there is more
    assert any(scrolls for scrolls, _ in seen[390])
    assert not any(scrolls or hint for scrolls, hint in seen[1000]), seen  # on a wide screen: whole, and no hint
    assert texts.SCROLL_HINT in path.read_text(encoding="utf-8")


@pytest.mark.browser
def test_pdf_is_written_atomically(report: GemeenteReport, tmp_path: Path, browser) -> None:  # noqa: ANN001
    path = render.write_report(report, tmp_path)
    pdf = render.print_pdf(browser, path)
    assert pdf == path.with_suffix(".pdf")
    data = pdf.read_bytes()
    assert data[:5] == b"%PDF-"
    assert b"/StructTreeRoot" in data and b"/Outlines" in data and b"/Lang" in data  # tagged, with bookmarks and language
    assert sorted(p.name for p in path.parent.iterdir()) == ["GM9101-ooststad.html", "GM9101-ooststad.pdf"]
    # every chart a /Figure with its alt text, every printed data table a /Table (found by a review: none were)
    tags = _structure(pdf)
    charts = [c for c in (report.leeftijd, report.aantallen, report.trend, report.vergelijkbaar, report.kaart, report.landelijk) if c]
    assert [alt for kind, alt in tags if kind == "/Figure"] == [
        f"{'Kaart' if c.kind == 'figure' else 'Grafiek'}: {c.title}{'' if c.title.endswith('?') else '.'} {texts.CHART_DESCRIBED}"
        for c in charts]
    assert len([kind for kind, _ in tags if kind == "/Table"]) == len([c for c in charts if c.key in texts.PRINTED_TABLES])


def _structure(pdf: Path) -> list[tuple[str, str | None]]:
    """The tagged PDF's structure elements in order: (type, alt text)."""
    from pypdf import PdfReader

    found: list[tuple[str, str | None]] = []

    def walk(node: object) -> None:
        node = node.get_object() if hasattr(node, "get_object") else node
        if isinstance(node, list):
            for kid in node:
                walk(kid)
        elif isinstance(node, dict):
            if "/S" in node:
                found.append((str(node["/S"]), str(node["/Alt"]) if "/Alt" in node else None))
            if "/K" in node:
                walk(node["/K"])

    walk(PdfReader(pdf).trailer["/Root"]["/StructTreeRoot"])
    return found


# -- the whole run ------------------------------------------------------------------------------------------------


def test_targets_are_checked_before_the_run() -> None:
    gemeenten = invented_inputs().gemeenten
    assert batch.resolve_targets(gemeenten, ["ooststad", "GM9104", "Ooststad"]) == ["GM9101", "GM9104"]
    assert batch.resolve_targets(gemeenten, ggd="Proefland") == ["GM9101", "GM9102", "GM9103"]
    assert batch.resolve_targets(gemeenten, ggd="GG9102", targets=["Súdermeer"]) == ["GM9104", "GM9103"]
    assert len(batch.resolve_targets(gemeenten, all_gemeenten=True)) == 4
    with pytest.raises(UnknownRegionError) as err:
        batch.resolve_targets(gemeenten, ["Oosstad"])
    assert "Ooststad (GM9101)" in str(err.value)
    with pytest.raises(BadInputError, match="2 gemeenten not found"):
        batch.resolve_targets(gemeenten, ["Nergenshuizen", "Ooststad", "GM0001"])
    with pytest.raises(UnknownRegionError, match="GGD-regio") as nothing_close:
        batch.resolve_ggd(gemeenten, "GGD Nergens")
    assert nothing_close.value.hint == "choose one of: GGD Eiland (fictief) (GG9102), GGD Proefland (fictief) (GG9101)"
    with pytest.raises(AmbiguousRegionError, match="'GGD' fits more than one GGD-regio") as all_of_them:  # "GGD" alone
        batch.resolve_ggd(gemeenten, "GGD")
    assert all_of_them.value.candidates == ["GGD Eiland (fictief) (GG9102)", "GGD Proefland (fictief) (GG9101)"]
    with pytest.raises(AmbiguousRegionError, match="fits more than one GGD-regio"):
        batch.resolve_ggd(gemeenten, "fictief")
    with pytest.raises(BadInputError, match="no gemeente given"):
        batch.resolve_targets(gemeenten, [])


def test_cli_parses_the_report_command() -> None:
    import argparse

    from eenzaamheid_data.cli import report_command

    parser = argparse.ArgumentParser()
    report_command.register(parser.add_subparsers())
    args = parser.parse_args(["report", "Ooststad", "GM9104", "--ggd", "GGD Eiland", "--year", "2022", "--pdf", "--no-slides",
                              "--output-dir", "out", "--workers", "2", "--demo"])
    assert args.gemeenten == ["Ooststad", "GM9104"] and args.ggd == "GGD Eiland" and args.year == 2022
    assert args.pdf and not args.slides and args.output_dir == Path("out") and args.workers == 2 and args.demo
    assert parser.parse_args(["report", "Ooststad"]).slides is None  # decided by the run: named gemeenten get slides
    assert parser.parse_args(["report", "--all", "--slides"]).slides is True
    assert args.run is report_command.run
    with pytest.raises(BadInputError):
        report_command.run(parser.parse_args(["report"]), None)  # type: ignore[arg-type]
    for both in (["Ooststad", "--all"], ["Ooststad", "--ggd", "GGD Eiland"], ["--ggd", "GGD Eiland", "--all"]):
        with pytest.raises(BadInputError, match="given together"):
            report_command.run(parser.parse_args(["report", *both]), None)  # type: ignore[arg-type]
    for empty in (["--output-dir", ""], ["--table", " "], ["--ggd", ""]):  # an empty value is refused, not taken as the default
        with pytest.raises(SystemExit) as stop:
            parser.parse_args(["report", "Ooststad", *empty])
        assert stop.value.code == 2


# -- with the real analysis, charts and maps ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def world() -> batch.ReportInputs:
    if not HAVE_LIBRARY:
        pytest.skip("analysis, charts and maps are not there yet")
    data = invented_inputs()
    return batch.ReportInputs.from_frames(data.figures, data.wijk_figures, data.gemeenten, data.population, data.age_bands, data.wijk_boundaries)


def _build(world: batch.ReportInputs, code: str) -> GemeenteReport:
    return content.build_content(world.figures, world.wijk_figures, world.gemeenten, world.population, world.regional,
                                 world.age_bands, world.wijk_boundaries, code, today=TODAY)


@needs_library
def test_built_report_shows_the_librarys_numbers(world: batch.ReportInputs) -> None:
    from eenzaamheid_data import analysis

    built = _build(world, "GM9101")
    page = render.render_html(built)
    text = text_of(page)
    expected = analysis.age_breakdown(world.figures, world.gemeenten, world.regional, "GM9101", jaar=2024)
    own = expected[(expected["regiocode"] == "GM9101") & (expected["leeftijd"] == "18+")].set_index("indicator")
    for indicator, label in fmt.INDICATOR_LABELS.items():
        row = own.loc[indicator]
        assert f"{label} {fmt.pct(row['waarde'])} 95%-interval: {fmt.pct_range(row['ondergrens'], row['bovengrens'])}" in text
        assert built.kerncijfer[indicator].verschil_nl == row["verschil_nl"]
        nl = expected[(expected["regiocode"].str.startswith("NL")) & (expected["leeftijd"] == "18+") & (expected["indicator"] == indicator)].iloc[0]
        nl_shown = fmt.pct_and_interval(nl["waarde"], nl["ondergrens"], nl["bovengrens"])  # a value is never shown without its interval
        assert f"({nl_shown})" in built.kerncijfer[indicator].vergelijking_nl and f"({nl_shown})" in text
        verdict, value = built.kerncijfer[indicator].kort_nl.split("\n")  # the verdict says what is higher, then Nederland's figure
        assert verdict == {"hoger": "Hoger dan Nederland", "lager": "Lager dan Nederland",
                           "niet aantoonbaar verschillend": "Niet aantoonbaar verschillend van Nederland"}[row["verschil_nl"]]
        assert value == f"Nederland: {fmt.pct(nl['waarde'])} ({fmt.pct_range(nl['ondergrens'], nl['bovengrens'])})"
    people = analysis.people_counts(world.figures, world.population, gemeentecode="GM9101", jaar=2024)
    lonely = people[(people["leeftijd"] == "18+") & (people["indicator"] == "eenzaam")].iloc[0]
    assert lonely["aantal_tekst"].lower() in built.kernboodschappen[2].tekst.lower()
    assert_self_contained(page)
    assert_headings_ordered(page)
    assert escape(SCRIPT_WIJK) in page and "<script" not in page.lower()
    for chart in (built.leeftijd, built.trend, built.aantallen, built.kaart):
        assert chart is not None and chart.summary and chart.table.rows
    # a change across 2016 (19+) → 2020 (18+) carries its caveat; the first year says so instead of "geen gegevens"
    assert built.trend is not None
    changes = {(row[0], row[1]): row[-1] for row in built.trend.table.rows}
    assert changes[("2016", "Eenzaam")] == "eerste meting"
    assert changes[("2020", "Eenzaam")] == f"gestegen ({texts.TREND_AGE_BREAK})"
    assert changes[("2020", "Sterk eenzaam")] == "niet aantoonbaar veranderd" and changes[("2022", "Eenzaam")] == "niet aantoonbaar veranderd"
    assert "19 jaar en ouder" in {row[4] for row in built.trend.table.rows}


@needs_library
def test_aandachtswijken_follow_the_one_non_overlap_rule(world: batch.ReportInputs) -> None:
    # WK910301 lies above GM9103's value (46,4%) but not above its interval (up to 48,6%): not listed
    for code in ("GM9101", "GM9103"):
        built = _build(world, code)
        gemeente = built.kerncijfer["eenzaam"]
        wijken = world.wijk_figures
        rows = wijken[(wijken["gemeentecode"] == code) & (wijken["leeftijd"] == "18+") & (wijken["indicator"] == "eenzaam")
                      & (wijken["jaar"] == built.jaar)]
        assert {w.regiocode for w in built.aandachtswijken} == set(rows.loc[rows["ondergrens"] > gemeente.bovengrens, "regiocode"])
        assert fmt.pct_range(gemeente.ondergrens, gemeente.bovengrens) in built.aandacht_tekst
        assert built.kaart is not None  # the note travels with the map (page and slide): a dark colour alone is no finding
        assert (texts.MAP_FLAGGED_NOTE if built.aandachtswijken else texts.MAP_NONE_FLAGGED) in built.kaart.svg
        # no class narrower than the wijken's typical half interval: two of three wijken within 2 points, each ±5,
        # got a dark colour of their own (found by a review)
        fig, _ = built.kaart.draw()
        legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
        widths = [float(b.replace(",", ".")) - float(a.replace(",", ".")) for a, b in
                  (re.fullmatch(r"(\d+,\d)–(\d+,\d)%", t).groups() for t in legend if re.fullmatch(r"\d+,\d–\d+,\d%", t))]
        assert widths and min(widths) >= max(2.0, float(((rows["bovengrens"] - rows["ondergrens"]) / 2).median())), (code, legend)
    assert [w.regiocode for w in built.aandachtswijken] == ["WK910300"]
    assert built.kaart is not None and texts.MAP_HIGHLIGHT_LABEL in built.kaart.svg  # the thick border, explained


def test_a_slide_pack_that_fails_halfway_leaves_the_old_pack_as_it_was(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    report = stand_in_report()
    first = render.write_slides(report, tmp_path)
    before = {p.name: p.read_bytes() for p in first}
    calls = []
    real = render._save_png

    def fail_on_the_third(image, path):  # noqa: ANN001, ANN202
        calls.append(path)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(image, path)

    monkeypatch.setattr(render, "_save_png", fail_on_the_third)
    with pytest.raises(KeyboardInterrupt):
        render.write_slides(report, tmp_path)
    assert {p.name: p.read_bytes() for p in first[0].parent.iterdir()} == before
    assert [p.name for p in first[0].parent.parent.iterdir()] == [first[0].parent.name]  # no temporary folder left


@needs_library
def test_names_with_dollar_signs_are_drawn_as_written(tmp_path: Path) -> None:
    """matplotlib reads text between '$' signs as a formula: '$\\frac{1}{0}$' was drawn as a fraction, and a
    name with an unknown command failed the report of every gemeente that showed it (found by a review)."""
    data = invented_inputs()
    formula, broken = "Wijk $\\frac{1}{0}$", "Dorp $\\undefinedcmd{x}$ & co"
    wijken = data.wijk_figures.copy()
    wijken.loc[wijken["regionaam"] == "Noord", "regionaam"] = formula
    boundaries = data.wijk_boundaries.copy()
    boundaries.loc[boundaries["statnaam"] == "Noord", "statnaam"] = formula
    frames = {name: getattr(data, name).copy() for name in ("figures", "gemeenten", "population")}
    frames["figures"].loc[frames["figures"]["regiocode"] == "GM9102", "regionaam"] = broken
    frames["population"].loc[frames["population"]["regiocode"] == "GM9102", "regionaam"] = broken
    frames["gemeenten"].loc[frames["gemeenten"]["gemeentecode"] == "GM9102", "gemeentenaam"] = broken
    inputs = batch.ReportInputs.from_frames(frames["figures"], wijken, frames["gemeenten"], frames["population"], data.age_bands, boundaries)
    for code in ("GM9101", "GM9102"):  # a similar gemeente of Ooststad, and itself (its name in every title)
        page = batch.generate_report(None, code, inputs=inputs, output_dir=tmp_path).read_text(encoding="utf-8")  # type: ignore[arg-type]
        assert page.count(escape(broken)) >= (3 if code == "GM9102" else 1)
        svg_texts = "".join(re.findall(r"<text[^>]*>([^<]*)</text>", page))  # the charts' text, as text (svg.fonttype none)
        assert escape(broken) in svg_texts or broken in svg_texts
        if code == "GM9101":  # the wijk on Ooststad's map and in its wijk table
            assert formula in page
    assert len(list((tmp_path / "2024" / "GM9102-dia").glob("*.png"))) == 5


@needs_library
@pytest.mark.parametrize("demo", [False, True], ids=["real", "demo"])
def test_built_slides_keep_a_white_margin_and_demo_slides_all_carry_the_badge(tmp_path: Path, demo: bool) -> None:
    from PIL import Image, ImageChops

    data = invented_inputs(demo=demo)
    inputs = batch.ReportInputs.from_frames(data.figures, data.wijk_figures, data.gemeenten, data.population, data.age_bands, data.wijk_boundaries)
    badge_face = (0xFF, 0xF3, 0xC4)  # fmt.DEMO_BADGE's facecolor
    paths = render.write_slides(_build(inputs, "GM9101"), tmp_path)
    assert len(paths) == 5
    for path in paths:
        with Image.open(path) as image:
            assert image.size == (1920, 1080)
            rgb = image.convert("RGB")
            for box in ((0, 0, 40, 1080), (1880, 0, 1920, 1080), (0, 0, 1920, 15), (0, 1040, 1920, 1080)):
                edge = rgb.crop(box)
                assert ImageChops.difference(edge, Image.new("RGB", edge.size, "white")).getbbox() is None, (path.name, box)
            # the badge in the same corner of every slide (the charts also name it in their source line)
            corner = rgb.crop((1300, 40, 1880, 150))
            assert (badge_face in {c for _, c in corner.getcolors(1_000_000)}) is demo, path.name
            if demo:  # nothing of the chart under the badge: the band above it is white but for the badge
                band = rgb.crop((40, 15, 1250, 130))
                assert ImageChops.difference(band, Image.new("RGB", band.size, "white")).getbbox() is None or path.name.startswith(("01", "03")), path.name


@needs_library
def test_support_reasons_give_every_value_its_interval_and_a_wijk_without_figure_is_not_judged(world: batch.ReportInputs) -> None:
    wijk_figures = world.wijk_figures.copy()
    target = wijk_figures[(wijk_figures["gemeentecode"] == "GM9101") & (wijk_figures["jaar"] == 2024)
                          & (wijk_figures["leeftijd"] == "18+") & (wijk_figures["indicator"] == "eenzaam")].index[0]
    wijk_figures.loc[target, ["waarde", "ondergrens", "bovengrens"]] = float("nan")
    built = content.build_content(world.figures, wijk_figures, world.gemeenten, world.population, world.regional,
                                  world.age_bands, world.wijk_boundaries, "GM9101", today=TODAY)
    assert built.kaart is not None
    column = built.kaart.table.columns.index("Vraagt aandacht")
    judged = {row[0]: row[column] for row in built.kaart.table.rows}
    assert judged[wijk_figures.loc[target, "regionaam"]] == "onbekend" and set(judged.values()) <= {"ja", "nee", "onbekend"}
    fig, _ = built.kaart.draw(aspect="16:9")  # the slide's map: the gemeente's border, or its palest wijken melt into white
    assert [c for c in fig.axes[0].collections if c.get_gid() == "outlines"], "no outline around the gemeente"
    reasons = [s.reden for one in (built, _build(world, "GM9101")) for kind in one.ondersteuning for s in kind.suggesties]
    assert reasons and any("als geheel" in r for r in reasons), "the invented world should trigger some suggestions"
    for reason in reasons:
        assert not re.search(r"\([^()]*\(", reason), reason  # no brackets inside brackets: "(56,0% (95%-interval …))"
        for value in re.finditer(r"\d+,\d%", reason):
            after = reason[value.end():value.end() + 16]
            assert (after.startswith((" (95%-interval", "; 95%-interval", "–", ")")) or re.match(r" \(\d+,\d–\d+,\d%\)", after)
                    or "95%-interval" in reason[max(0, value.start() - 20):value.start()]), reason


@needs_library
def test_the_ggd_comparison_reads_as_dutch(world: batch.ReportInputs) -> None:
    # "Niet aantoonbaar verschillend van het cijfer het gemiddelde van de GGD-regio" (found by rerunning a review's checker)
    said = [k.vergelijking_ggd for code in ("GM9101", "GM9102", "GM9103") for k in _build(world, code).kerncijfers]
    forms = ("Hoger dan het gemiddelde van de GGD-regio (", "Lager dan het gemiddelde van de GGD-regio (",
             "Niet aantoonbaar verschillend van het gemiddelde van de GGD-regio (", "Niet te vergelijken met het gemiddelde van de GGD-regio")
    assert all(text.startswith(forms) for text in said), said
    assert any(text.startswith(forms[2]) for text in said), said  # the form that read wrong is among them


def test_kerncijfers_slide_keeps_every_text_inside_its_tile(world: batch.ReportInputs) -> None:
    built = _build(world, "GM9101")
    tiles_in = [dataclasses.replace(k, kort_nl="Niet aantoonbaar verschillend van Nederland\nNederland: 100,0% (100,0–100,0%)",
                                    kort_ggd="Niet aantoonbaar verschillend van de GGD-regio\nGemiddelde GGD-regio: 100,0% (100,0–100,0%)")
                for k in built.kerncijfers]  # the longest texts
    assert {k.kort_ggd.split("\n")[0] for k in built.kerncijfers} <= {
        "Hoger dan de GGD-regio", "Lager dan de GGD-regio", "Niet aantoonbaar verschillend van de GGD-regio"}
    tiles_in[3] = dataclasses.replace(tiles_in[3], waarde=float("nan"), tekst=fmt.MISSING, interval=fmt.MISSING)  # no figure
    fig = render._kerncijfers_slide(dataclasses.replace(built, kerncijfers=tuple(tiles_in)))
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    ax = fig.axes[0]
    tiles = [patch.get_window_extent(renderer) for patch in ax.patches]
    assert len(tiles) == 4
    boxes = [(text.get_text(), text.get_window_extent(renderer)) for text in ax.texts]
    for name, box in boxes:
        tile = next(t for t in tiles if t.x0 <= box.x0 <= t.x1 and t.y0 <= box.y0 <= t.y1)
        assert box.x1 <= tile.x1 - 5 and box.y0 >= tile.y0 + 5, name
    for i, (name, box) in enumerate(boxes):  # and no text on top of another
        assert not any(box.overlaps(other) for _, other in boxes[i + 1:]), name


@needs_library
def test_an_older_year_says_whom_it_counted_and_whose_inhabitants(world: batch.ReportInputs) -> None:
    older = content.build_content(world.figures, world.wijk_figures, world.gemeenten, world.population, world.regional,
                                  world.age_bands, world.wijk_boundaries, "GM9101", jaar=2016, today=TODAY)
    page = text_of(render.render_html(older))
    assert "Kerncijfers 2016: inwoners van 19 jaar en ouder" in page and texts.AGE_19PLUS_NOTE.format(jaar=2016) in page
    assert older.aantallen is not None and texts.PEOPLE_OTHER_YEAR.format(inwoners=2024, jaar=2016) in older.aantallen.notes
    assert texts.PEOPLE_AGE_BASE.format(jaar=2016) in older.aantallen.notes  # 19+ percentages of 18+ inhabitants: said
    assert older.trend is not None and older.trend.table.caption.endswith(" (2016)")  # the story up to 2016: one year,
    assert "Jaar" not in older.trend.table.columns and "Gebied" not in older.trend.table.columns  # said once, in the caption
    assert "in 2016" in older.trend.summary and "2024" not in older.trend.summary
    # every age the report names for 2016 counts from 19: messages, summaries, table cells and the charts' axes
    from eenzaamheid_data import analysis

    told = " ".join(sentence for sentence in re.split(r"(?<=\.) ", page.replace(texts.TREND_NOTE, "").replace(analysis.METHOD_TREND, ""))
                    if "2020" not in sentence)  # but for those that explain the change itself
    assert not re.search(r"18 (jaar en ouder|tot 65 jaar)|18- tot 65", told), re.findall(r".{60}18 (?:jaar|tot).{20}", told)
    assert "19 tot 65 jaar" in {t.get_text() for t in older.leeftijd.figure.axes[0].get_yticklabels()}
    assert older.kernboodschappen[2].tekst.endswith(texts.PEOPLE_OTHER_YEAR_SHORT.format(inwoners=2024, jaar=2016))
    assert texts.PEOPLE_OTHER_YEAR_SHORT.format(inwoners=2024, jaar=2016) in {t.get_text() for t in older.aantallen.figure.axes[0].texts}
    assert older.landelijk is not None and texts.NATIONAL_OTHER_YEAR.format(landelijk=2023, jaar=2016) in older.landelijk.notes
    assert "peiljaar 2023;" in older.landelijk.source  # the one year the chart shows, not all the table's years
    # national figures of 2016 too: the chart still shows the newest (2023), and says so beside a 2016 report
    bands = pd.concat([world.age_bands, world.age_bands.assign(jaar=2016)], ignore_index=True)
    bands.attrs = {"bron": {**world.age_bands.attrs["bron"], "years": [2016, 2023]}}
    beside = content.build_content(world.figures, world.wijk_figures, world.gemeenten, world.population, world.regional,
                                   bands, world.wijk_boundaries, "GM9101", jaar=2016, today=TODAY)
    assert beside.landelijk is not None and "peiljaar 2023;" in beside.landelijk.source
    assert texts.NATIONAL_OTHER_YEAR.format(landelijk=2023, jaar=2016) in beside.landelijk.notes
    newest = _build(world, "GM9101")
    assert not newest.leeftijd_noot and newest.aantallen is not None and newest.aantallen.notes == (texts.PEOPLE_NOTE,)
    assert "18 tot 65 jaar" in text_of(render.render_html(newest))


@needs_library
def test_built_report_for_a_ggd_regio_of_one_gemeente_with_missing_values(world: batch.ReportInputs) -> None:
    built = _build(world, "GM9104")
    assert built.ggd_enkel
    assert all(k.vergelijking_ggd == "De GGD-regio bestaat alleen uit Eilanddorp" for k in built.kerncijfers)
    assert built.leeftijd is not None and "gemiddelde van de gemeenten" not in built.leeftijd.svg  # no second, identical series
    column = built.leeftijd.table.columns.index("Vergeleken met GGD-regio")
    assert {row[column] for row in built.leeftijd.table.rows if row[1] == "Eilanddorp"} == {"n.v.t."}
    page = render.render_html(built)
    assert "geen gegevens" in page  # 65+ sterk eenzaam and one wijk are missing: shown as missing, never 0
    assert_self_contained(page)


@needs_library
@pytest.mark.parametrize("gap", ["stedelijkheid", "every figure", "no row"])
def test_a_gap_in_the_population_table_costs_only_the_similar_gemeenten(world: batch.ReportInputs, gap: str) -> None:
    # Found against an unseen CBS-shaped server: one gemeente without a MateVanStedelijkheid made its whole report fail.
    population = world.population.copy()
    own = population["regiocode"] == "GM9101"
    if gap == "stedelijkheid":
        population.loc[own, "stedelijkheid"] = np.nan
    elif gap == "every figure":
        numbers = [c for c in population.columns if c not in ("regiocode", "regionaam", "niveau")]
        population.loc[own, numbers] = np.nan
    else:
        population = population[~own]
    population.attrs = dict(world.population.attrs)
    built = content.build_content(world.figures, world.wijk_figures, world.gemeenten, population, world.regional,
                                  world.age_bands, world.wijk_boundaries, "GM9101", today=TODAY)
    assert built.vergelijkbaar is None
    text = text_of(render.render_html(built))
    assert f"Vergelijkbare gemeenten Voor {built.gemeentenaam} ontbreekt bij CBS de stedelijkheid" in text
    assert [k.tekst for k in built.kerncijfers] == [k.tekst for k in _build(world, "GM9101").kerncijfers]  # the rest stands
    if gap != "stedelijkheid":
        assert built.inwoners == fmt.MISSING  # missing stays missing, never 0
        assert "0 inwoners" not in text


@needs_library
def test_a_wijk_without_boundary_is_told_once_on_the_page_and_once_in_the_log(
    world: batch.ReportInputs, tmp_path: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    # an aandachtswijk without a boundary: named in the list, left off the map's outline (it once failed the report)
    gone = _build(world, "GM9101").aandachtswijken[0].regiocode
    boundaries = world.wijk_boundaries[world.wijk_boundaries["statcode"] != gone]
    with caplog.at_level(logging.WARNING):
        built = content.build_content(world.figures, world.wijk_figures, world.gemeenten, world.population, world.regional,
                                      world.age_bands, boundaries, "GM9101", today=TODAY)
        render.write_slides(built, tmp_path)
    told = [r.getMessage() for r in caplog.records if "no boundary" in r.getMessage()]
    assert told == [f"1 code in the figures has no boundary (not drawn): {gone}"]
    assert gone in [w.regiocode for w in built.aandachtswijken]
    assert "1 gebied zonder grens" in text_of(render.render_html(built))


@needs_library
def test_report_shows_the_data_notes_in_dutch_not_the_log_lines(world: batch.ReportInputs) -> None:
    figures = world.figures.copy()
    figures.attrs = {**world.figures.attrs, "meldingen": ["3 regions without a name in WijkenEnBuurten: ['GM9101']"],
                     "meldingen_nl": ["3 gebieden hebben in de bron geen naam; daar staat de gebiedscode."]}
    built = content.build_content(figures, world.wijk_figures, world.gemeenten, world.population, world.regional,
                                  world.age_bands, world.wijk_boundaries, "GM9101", today=TODAY)
    text = text_of(render.render_html(built))
    assert "Opmerkingen bij de gegevens" in text
    assert "3 gebieden hebben in de bron geen naam" in text and "regions without a name" not in text


@needs_library
def test_slide_packs_for_named_gemeenten_not_for_bulk_runs_unless_asked(world: batch.ReportInputs, tmp_path: Path) -> None:
    bulk = batch.generate_reports(None, ggd="GGD Eiland", inputs=world, output_dir=tmp_path / "ggd", workers=1, progress=False)  # type: ignore[arg-type]
    assert list(bulk.reports) == ["GM9104"] and bulk.slides == {}
    assert not (tmp_path / "ggd" / "2024" / "GM9104-dia").exists()
    ggd_name = world.gemeenten.loc[world.gemeenten["gemeentecode"] == "GM9104", "ggdregionaam"].iloc[0]
    assert f"<h1>Eenzaamheid in de gemeenten van {escape(ggd_name)}</h1>" in bulk.index.read_text(encoding="utf-8")  # the index names the run
    named = batch.generate_reports(None, ["Eilanddorp"], inputs=world, output_dir=tmp_path / "named", workers=1, progress=False)  # type: ignore[arg-type]
    assert "<h1>Eenzaamheid per gemeente</h1>" in named.index.read_text(encoding="utf-8")
    assert [p.name for p in named.slides["GM9104"]][0] == "01-kerncijfers.png"
    asked = batch.generate_reports(None, ggd="GG9102", slides=True, inputs=world, output_dir=tmp_path / "asked", workers=1,  # type: ignore[arg-type]
                                   progress=False)
    assert len(asked.slides["GM9104"]) == len(named.slides["GM9104"])


@needs_library
def test_batch_renders_in_parallel_and_reports_a_failing_gemeente(world: batch.ReportInputs, tmp_path: Path) -> None:
    gemeenten = pd.concat([world.gemeenten, pd.DataFrame([{
        "gemeentecode": "GM9199", "gemeentenaam": "Zonder Cijfers", "provinciecode": "PV91", "provincienaam": "Proefland (fictief)",
        "ggdregiocode": "GG9101", "ggdregionaam": "GGD Proefland (fictief)"}])], ignore_index=True)
    inputs = batch.ReportInputs(world.figures, world.wijk_figures, gemeenten, world.population, world.regional, world.age_bands,
                                world.wijk_boundaries)
    result = batch.generate_reports(None, ["GM9101", "Zonder Cijfers", "GM9104"], inputs=inputs, output_dir=tmp_path,  # type: ignore[arg-type]
                                    workers=2, slides=False, progress=False)
    assert set(result.reports) == {"GM9101", "GM9104"}
    assert list(result.failed) == ["GM9199"] and "Zonder Cijfers" in result.failed["GM9199"]
    index = result.index.read_text(encoding="utf-8")
    assert 'href="2024/GM9101-ooststad.html"' in index and "Zonder Cijfers" in index
    assert fmt.source_line(world.figures.attrs["bron"]) in text_of(index)  # source, fetch date, CC BY 4.0
    page = text_of(result.reports["GM9101"].read_text(encoding="utf-8"))  # the sources list names each table's title
    assert f"tabel 85984NED ({world.population.attrs['bron']['title']})" in page
    assert result.reports["GM9104"] == tmp_path / "2024" / "GM9104-eilanddorp.html"
    # a full disk is told as what could not be written, not as "OSError: [Errno 28] …"
    assert batch._describe(OSError(28, "No space left on device", "out/2024/x.html")) == "cannot write out/2024/x.html: No space left on device"


@needs_library
def test_generate_report_for_one_gemeente(world: batch.ReportInputs, tmp_path: Path) -> None:
    path = batch.generate_report(None, "'s-Proefwoude", inputs=world, output_dir=tmp_path)  # type: ignore[arg-type]
    assert path == tmp_path / "2024" / "GM9102-s-proefwoude.html"
    assert len(list((tmp_path / "2024" / "GM9102-dia").glob("*.png"))) >= 4
    with pytest.raises(BadInputError):
        batch.generate_report(None, "GM9102", inputs=world, output_dir=tmp_path, year=1999)  # type: ignore[arg-type]


@needs_library
def test_an_output_dir_that_cannot_be_made_stops_before_any_work(world: batch.ReportInputs, tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("kept")
    for verb in (batch.generate_report, batch.generate_reports):
        with pytest.raises(BadInputError, match="cannot write reports to .*a-file"):
            verb(None, "GM9102" if verb is batch.generate_report else ["GM9102"], inputs=world, output_dir=tmp_path / "a-file" / "out")  # type: ignore[operator]
    assert (tmp_path / "a-file").read_text() == "kept" and sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]
    with pytest.raises(BadInputError, match="a-file: it is a file, not a folder"):
        batch.generate_report(None, "GM9102", inputs=world, output_dir=tmp_path / "a-file")  # type: ignore[arg-type]
    with pytest.raises(BadInputError, match=r"out: it cannot be made: .*a-file is a file, not a folder"):
        batch.generate_report(None, "GM9102", inputs=world, output_dir=tmp_path / "a-file" / "out")  # type: ignore[arg-type]
    if os.name == "posix" and os.geteuid() != 0:  # root writes anywhere
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o555)
        with pytest.raises(BadInputError) as err:
            batch.generate_report(None, "GM9102", inputs=world, output_dir=locked / "out")  # type: ignore[arg-type]
        assert err.value.message == f"cannot write reports to {locked / 'out'}: Permission denied (in {locked})"  # no temp name


@needs_library
def test_a_run_that_stops_on_bad_input_leaves_no_folder(world: batch.ReportInputs, tmp_path: Path) -> None:
    for verb in (batch.generate_report, batch.generate_reports):
        with pytest.raises(BadInputError, match="no figures for 2023"):
            verb(None, "GM9102" if verb is batch.generate_report else ["GM9102"], inputs=world,  # type: ignore[operator]
                 output_dir=tmp_path / "reports", year=2023)
    assert list(tmp_path.iterdir()) == []  # not even an empty reports/


@needs_library
@pytest.mark.browser
def test_batch_prints_pdfs_in_the_workers(world: batch.ReportInputs, tmp_path: Path) -> None:
    if not render.find_chromium():
        pytest.skip("headless Chromium is not installed (`make browser`, or apt-get install chromium)")
    result = batch.generate_reports(None, ["GM9102", "GM9104"], inputs=world, output_dir=tmp_path, workers=2,  # type: ignore[arg-type]
                                    slides=False, pdf=True, progress=False)
    assert result.ok and set(result.pdfs) == {"GM9102", "GM9104"}
    assert all(p.read_bytes()[:5] == b"%PDF-" for p in result.pdfs.values())
    assert 'href="2024/GM9102-s-proefwoude.pdf"' in result.index.read_text(encoding="utf-8")


# -- the command line, on the shipped demo world ----------------------------------------------------------------------

HAVE_DEMO = HAVE_LIBRARY and all(
    importlib.util.find_spec(m) for m in ("eenzaamheid_data.testing.odata_replica", "eenzaamheid_data.testing.cbs_tables",
                                          "eenzaamheid_data.cli.demo_command", "eenzaamheid_data.cli.map_command"))


def _cli(args: list[str], tmp_path: Path):  # noqa: ANN202
    import subprocess

    env = {**os.environ, "EENZAAMHEID_DATA_DIR": str(tmp_path / "data"), "PYTHONWARNINGS": "ignore",
           "EENZAAMHEID_RIVM_URL": "http://127.0.0.1:9", "EENZAAMHEID_CBS_URL": "http://127.0.0.1:9", "EENZAAMHEID_PDOK_URL": "http://127.0.0.1:9"}
    return subprocess.run([sys.executable, "-m", "eenzaamheid_data", *args], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=600)


@pytest.mark.skipif(not HAVE_DEMO, reason="the demo world and all command modules are not there yet")
def test_cli_report_on_the_demo_world(tmp_path: Path) -> None:
    result = _cli(["report", "Voorbeeldstad", "'s-Proefhage", "--demo", "--output-dir", "out"], tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[-1] == f"index: {Path('out') / 'index.html'}"
    dia = Path("out") / "2024" / "GM9001-dia"
    assert lines[:2] == [str(Path("out") / "2024" / "GM9001-voorbeeldstad.html"), f"{dia}{os.sep}"]  # one path a line
    assert len(list((tmp_path / dia).glob("*.png"))) == 5
    # stderr is a pipe here, as in a log: progress comes as whole lines, not a bar's carriage returns
    assert "reports: 1 of 2 done (" in result.stderr and "\r" not in result.stderr, result.stderr
    # and it says what it is doing before: the first run fetches everything, which takes a while
    assert "reports: loading the data for 2 gemeenten" in result.stderr and "reports: writing 2 reports with" in result.stderr
    written = sorted((tmp_path / "out").rglob("*.html"))
    assert [p.name for p in written if p.name != "index.html"] == ["GM9001-voorbeeldstad.html", "GM9006-s-proefhage.html"]
    page = (tmp_path / "out" / "2024" / "GM9001-voorbeeldstad.html").read_text(encoding="utf-8")
    assert 'class="demo-banner"' in page and "<h1>Eenzaamheid in Voorbeeldstad</h1>" in page
    # the map's boundaries are in the sources list too, not only under the map
    assert "FICTIEVE VOORBEELDDATA — Bron: CBS/PDOK; wijkgrenzen 2024 (laag wijk_gegeneraliseerd); opgehaald " in text_of(page)
    assert_self_contained(page)


@pytest.mark.skipif(not HAVE_DEMO, reason="the demo world and all command modules are not there yet")
def test_pdf_keeps_a_sentence_with_its_list_the_links_together_and_a_source_under_its_figures(tmp_path: Path) -> None:
    from pypdf import PdfReader

    if not render.find_chromium():
        pytest.skip("headless Chromium is not installed (`make browser`, or apt-get install chromium)")
    result = _cli(["report", "Voorbeeldstad", "--demo", "--pdf", "--no-slides", "--output-dir", "out"], tmp_path)
    assert result.returncode == 0, result.stderr
    pages = [" ".join(page.extract_text().split()) for page in PdfReader(tmp_path / "out" / "2024" / "GM9001-voorbeeldstad.pdf").pages]

    def page_of(text: str) -> int:
        return next(i for i, page in enumerate(pages) if text in page)

    # the demo's wijken sentence fell at a page's foot, its last bullet alone on the next page (found by a review)
    assert page_of("In deze wijken is het cijfer aantoonbaar hoger") == page_of("Wijk Noord: "), pages
    assert page_of("Waar vind je meer?") == page_of(texts.LINKS[-1].tekst[:40]), pages  # the links were split over two pages
    assert "tabel 50150NED; peiljaar 2024" in pages[page_of("Hoe lees je dit?")], pages  # the kerncijfers' source line came alone
    assert page_of("Gemaakt op ") == page_of("Tabel 50150NED, opgehaald op"), pages  # the colophon had a sheet of its own


@pytest.mark.skipif(not HAVE_DEMO, reason="the demo world and all command modules are not there yet")
def test_cli_report_stops_on_an_unknown_name_before_writing(tmp_path: Path) -> None:
    result = _cli(["report", "Voorbeeldstad", "Nergenshuizen", "--demo", "--output-dir", "out"], tmp_path)
    assert result.returncode == 2
    assert "Nergenshuizen" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.skipif(not HAVE_DEMO, reason="the demo world and all command modules are not there yet")
def test_a_gemeente_missing_from_one_source_is_reported_never_dropped(tmp_path: Path) -> None:
    """CBS's list of gemeenten and the figures' table can disagree. A gemeente of the list without figures failed
    a whole --ggd run ("unknown gemeente"); one with figures but not in the list was left out of --all without a
    word (found by a review)."""
    import subprocess
    from dataclasses import replace as replaced

    from eenzaamheid_data import demo
    from eenzaamheid_data.testing.odata_replica import ODataReplica
    from eenzaamheid_data.testing.pdok_replica import PDOKReplica

    def without(table, dimension: str, number: str):  # noqa: ANN001, ANN202 - a ReplicaTable without one gemeente's regions
        def ours(key: str) -> bool:
            return key.strip()[:2] in ("GM", "WK", "BU") and key.strip()[2:6] == number
        dimensions = {**table.dimensions, dimension: [d for d in table.dimensions[dimension] if not ours(d["Key"])]}
        return replaced(table, dimensions=dimensions, rows=[r for r in table.rows if not ours(r[dimension])])

    tables = [without(t, "WijkenEnBuurten", "9006") if t.table_id == "50150NED"  # 's-Proefhage: in the list, no figures
              else without(t, "RegioS", "9024") if t.table_id == "85755NED" else t  # Oefeneiland: figures, not in the list
              for t in demo.tables()]
    with ODataReplica(tuple(tables)) as odata, PDOKReplica(demo.boundary_layers()) as pdok:
        env = {**os.environ, "EENZAAMHEID_DATA_DIR": str(tmp_path / "data"), "PYTHONWARNINGS": "ignore",
               "EENZAAMHEID_RIVM_URL": odata.url, "EENZAAMHEID_CBS_URL": odata.url, "EENZAAMHEID_PDOK_URL": pdok.url}

        def cli(*args: str) -> subprocess.CompletedProcess:
            return subprocess.run([sys.executable, "-m", "eenzaamheid_data", "report", *args, "--no-slides"], env=env, cwd=tmp_path,
                                  capture_output=True, text=True, timeout=600)

        one = cli("'s-Proefhage", "--output-dir", "one")  # named alone: an error before anything is written
        assert one.returncode == 1 and "Traceback" not in one.stderr
        assert "error: no figures for 's-Proefhage (GM9006) in table 50150NED\nhint: the table has figures for 23 gemeenten" in one.stderr
        assert not (tmp_path / "one").exists()
        ggd = cli("--ggd", "GGD Voorbeeldland Noord", "--output-dir", "ggd")  # one of a region: that one fails, the rest stand
        assert ggd.returncode == 1 and "failed: GM9006: no figures for 's-Proefhage (GM9006)" in ggd.stderr, ggd.stderr
        assert "5 of 6 reports written" in ggd.stderr
        index = (tmp_path / "ggd" / "index.html").read_text(encoding="utf-8")
        assert texts.FAILED_NO_FIGURES.format(table="50150NED") in index and "Technische melding (Engels): no figures for" in index
        every = cli("--all", "--workers", "2", "--output-dir", "all")
        assert every.returncode == 1, every.stderr
        assert "failed: GM9024: in table 50150NED, but not in CBS's list of gemeenten of 2024" in every.stderr
        assert "22 of 24 reports written" in every.stderr  # 23 in the list, one without figures; one not in the list
        index = (tmp_path / "all" / "index.html").read_text(encoding="utf-8")
        assert "Oefeneiland" in index and escape(texts.FAILED_NOT_LISTED.format(table="50150NED", jaar=2024)) in index


@pytest.mark.skipif(not HAVE_DEMO, reason="the demo world and all command modules are not there yet")
def test_cli_demo_has_one_table_and_says_so(tmp_path: Path) -> None:
    for command in (["fetch"], ["map", "-o", "m.png"], ["report", "Voorbeeldstad"]):  # a real table id, not in the demo world
        result = _cli([*command, "--demo", "--table", "50120NED"], tmp_path)
        assert result.returncode == 2 and "the demo data have only table 50150NED" in result.stderr, command
        assert "check-sources" not in result.stderr  # not a source that changed


@pytest.mark.skipif(not HAVE_DEMO, reason="the demo world and all command modules are not there yet")
def test_cli_demo_checks_the_gemeente_before_writing(tmp_path: Path) -> None:
    result = _cli(["demo", "--gemeente", "Voorbeeldsatd", "--output-dir", "out"], tmp_path)
    assert result.returncode == 2 and "Voorbeeldstad" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()  # no table, map or folder before the name was known good


@pytest.mark.skipif(not HAVE_DEMO, reason="the demo world and all command modules are not there yet")
@pytest.mark.parametrize("command", [["report", "Voorbeeldstad", "--demo"], ["demo"]])
def test_cli_output_dir_that_cannot_be_made_is_bad_input(tmp_path: Path, command: list[str]) -> None:
    (tmp_path / "a-file").write_text("kept")
    result = _cli([*command, "--output-dir", "a-file/out"], tmp_path)
    assert result.returncode == 2, result.stderr
    assert "cannot write reports to a-file/out" in result.stderr and "Traceback" not in result.stderr
    assert (tmp_path / "a-file").read_text() == "kept"


@pytest.mark.skipif(not HAVE_DEMO or os.name != "posix", reason="needs the demo world and POSIX process groups")
@pytest.mark.parametrize(("pdf", "early", "one", "starting", "alone"),
                         [(False, False, False, False, False), (True, False, False, False, False), (False, True, False, False, False),
                          (False, False, True, False, False), (False, False, False, True, False), (False, False, False, False, True)],
                         ids=["html", "pdf", "during-imports", "one-report-with-slides", "while-workers-start",
                              "to-the-main-process-only"])
def test_ctrl_c_stops_a_batch_with_one_line_and_exit_130(tmp_path: Path, pdf: bool, early: bool, one: bool, starting: bool,
                                                          alone: bool) -> None:
    import signal
    import subprocess
    import time
    from contextlib import ExitStack

    import psutil

    from eenzaamheid_data import demo
    from eenzaamheid_data.testing.odata_replica import ODataReplica
    from eenzaamheid_data.testing.pdok_replica import PDOKReplica

    if pdf and not render.find_chromium():
        pytest.skip("no Chromium here")
    env = {**os.environ, "EENZAAMHEID_DATA_DIR": str(tmp_path / "data")}  # warnings not silenced: none may show
    args = [sys.executable, "-m", "eenzaamheid_data", "report", "--all", "--demo", "--workers", "2", "--output-dir", "out"]
    with ExitStack() as servers:
        if one:
            # One report, its slides drawn by a second process that must stop as quietly. Not with --demo: its
            # servers run in the program's own threads, and then no process is forked. Served from here instead.
            odata = servers.enter_context(ODataReplica(demo.tables()))
            pdok = servers.enter_context(PDOKReplica(demo.boundary_layers()))
            env.update(EENZAAMHEID_RIVM_URL=odata.url, EENZAAMHEID_CBS_URL=odata.url, EENZAAMHEID_PDOK_URL=pdok.url)
            args = [sys.executable, "-m", "eenzaamheid_data", "report", "Voorbeeldstad", "--output-dir", "out"]
        # as a terminal does it: Ctrl-C goes to the whole process group (workers and Chromium's drivers too)
        run = subprocess.Popen([*args, *(["--pdf"] if pdf else [])], cwd=tmp_path, env=env, start_new_session=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 120
        first = ".*-dia.*.tmp" if one else "*.html"  # one report: as soon as its slides are being drawn (in a temporary folder)

        def worker_started() -> bool:  # a pool worker exists (it may still be importing)
            with contextlib.suppress(psutil.Error):
                return any("spawn_main" in " ".join(child.cmdline()) for child in psutil.Process(run.pid).children())
            return False

        while (not early and time.monotonic() < deadline and run.poll() is None
               and not (worker_started() if starting else list((tmp_path / "out").rglob(first)))):
            time.sleep(0.02 if one or starting else 0.05)
        started = time.monotonic()
        time.sleep(0.2 if early else 0)  # early: while pandas and matplotlib are still being imported
        if alone:  # as `timeout -s INT` or `kill -INT` does: the workers are not told, the run must stop them
            os.kill(run.pid, signal.SIGINT)
        else:
            os.killpg(run.pid, signal.SIGINT)
        _, stderr = run.communicate(timeout=120)
        took = time.monotonic() - started
    assert run.returncode == 130, stderr
    assert took < 30, f"{took:.0f} s after Ctrl-C"  # the reports in hand end; no new one is begun (all 24 take ~60 s)
    lines = [line for line in stderr.strip().splitlines()  # one report: the table's note; a batch: its progress lines
             if not line.startswith(("note: ", "reports: "))]
    assert lines == ["interrupted; the cache is unchanged for anything not finished"], stderr
    if not early and not one:  # a batch says what it had written (the reports in hand too), and that there is no index
        said = re.search(r"reports: (\d+) of 24 written before the interrupt(?: in (\S+))?; no index\.html", stderr)
        assert said, stderr
        on_disk = sorted((tmp_path / "out").rglob("GM*.html"))
        assert int(said.group(1)) == len(on_disk) and (not on_disk or said.group(2) == str(Path("out") / "2024")), (stderr, on_disk)
    written = [p for p in (tmp_path / "out").rglob("*") if p.is_file()]
    assert not (tmp_path / "out" / "index.html").exists() and not [p for p in written if p.name.endswith(".tmp")]
    assert one or len([p for p in written if p.suffix == ".html"]) < 24  # it stopped
    for pack in (tmp_path / "out").rglob("*-dia"):  # a slide pack is all there or not there
        assert len(list(pack.iterdir())) == 5, sorted(p.name for p in pack.iterdir())
    assert not [p for p in (tmp_path / "out").rglob(".*") if p.name.endswith(".tmp")]
    assert _group_ends(run.pid, within=10), "a process of the run was left running"


def _group_ends(group: int, within: float) -> bool:
    """Whether every process of ``group`` has ended within ``within`` seconds (multiprocessing's resource
    tracker, for one, ends just after the program)."""
    import time

    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


SPARE_CORE_SCRIPT = """
import sys
from pathlib import Path
from eenzaamheid_data.report import batch
from eenzaamheid_data.testing.report_fixtures import invented_inputs

d = invented_inputs()
inputs = batch.ReportInputs.from_frames(d.figures, d.wijk_figures, d.gemeenten, d.population, d.age_bands, d.wijk_boundaries)
started = []
start = batch._SlideProcess.start
batch._SlideProcess.start = lambda *a: started.append(start(*a)) or started[-1]
for spare_core, folder in ((True, "parallel"), (False, "in-turn")):
    outcome = batch._render_one(inputs, "GM9101", batch._Options(Path(sys.argv[1]) / folder, None, False, True), None,
                                spare_core=spare_core)
    assert len(outcome.slides) == 5, outcome
print("forked" if started and started[0] is not None else "not forked")

def page_fails(*args):
    raise RuntimeError("the page could not be written")

batch.write_report = page_fails  # the page fails while the slides are being drawn: the slides' process is stopped
try:
    batch._render_one(inputs, "GM9102", batch._Options(Path(sys.argv[1]) / "failed", None, False, True), None, spare_core=True)
except RuntimeError:
    import multiprocessing
    print("stopped" if not multiprocessing.active_children() else "left running")
"""


@needs_library
@pytest.mark.skipif(not sys.platform.startswith("linux") or len(os.sched_getaffinity(0)) < 2, reason="needs Linux and two cores")
def test_one_report_draws_its_slides_on_a_spare_core_exactly_as_in_turn(tmp_path: Path) -> None:
    import subprocess

    # a fresh process: this one may run a replica server's threads, and then forking is (rightly) refused
    run = subprocess.run([sys.executable, "-c", SPARE_CORE_SCRIPT, str(tmp_path)], capture_output=True, text=True, timeout=300,
                         env={**os.environ, "MPLBACKEND": "Agg"})
    assert run.returncode == 0 and run.stdout.split() == ["forked", "stopped"], run.stderr
    assert not [p for p in (tmp_path / "failed").rglob("*") if p.name.endswith(".tmp")]
    parallel = sorted((tmp_path / "parallel").rglob("*.png"))
    assert [p.name for p in parallel] == ["01-kerncijfers.png", "02-leeftijd.png", "03-kaart.png", "04-trend.png", "05-aantallen.png"]
    for path in parallel:
        assert path.read_bytes() == (tmp_path / "in-turn" / path.relative_to(tmp_path / "parallel")).read_bytes(), path.name
    html_files = [sorted((tmp_path / f).rglob("*.html")) for f in ("parallel", "in-turn")]
    assert [p.read_bytes() for p in html_files[0]] == [p.read_bytes() for p in html_files[1]]


def test_no_spare_core_process_beside_other_threads(world: batch.ReportInputs, tmp_path: Path) -> None:
    import threading

    stop = threading.Event()
    other = threading.Thread(target=stop.wait, daemon=True)  # like a replica server, a browser driver, a kernel
    other.start()
    try:
        assert batch._SlideProcess.start(world, "GM9101", batch._Options(tmp_path, None, False, True)) is None
    finally:
        stop.set()


@pytest.mark.skipif(not HAVE_DEMO, reason="the demo world and all command modules are not there yet")
def test_a_chromium_that_does_not_start_stops_the_run_before_any_work(tmp_path: Path) -> None:
    fake = tmp_path / "fake-chromium"
    fake.write_text("#!/bin/sh\nexit 0\n")
    fake.chmod(0o755)
    env = {**os.environ, "EENZAAMHEID_DATA_DIR": str(tmp_path / "data"), render.CHROMIUM_ENV: str(fake)}
    import subprocess

    result = subprocess.run([sys.executable, "-m", "eenzaamheid_data", "report", "Voorbeeldstad", "Proefdorp", "--demo", "--pdf",
                             "--output-dir", "out"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 1 and "does not start as headless Chromium" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 2 and "Traceback" not in result.stderr  # error: and hint:, no call log
    assert not (tmp_path / "out").exists()


def test_pdf_without_chromium_stops_before_anything_is_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(render.CHROMIUM_ENV, str(tmp_path / "no-chromium"))
    monkeypatch.setenv("PATH", str(tmp_path))
    data = invented_inputs()
    inputs = batch.ReportInputs(data.figures, data.wijk_figures, data.gemeenten, data.population, pd.DataFrame(), None, data.wijk_boundaries)
    with pytest.raises(render.BrowserMissingError, match="no Chromium"):
        batch.generate_reports(None, ["Ooststad"], inputs=inputs, output_dir=tmp_path / "out", pdf=True)  # type: ignore[arg-type]
    assert not (tmp_path / "out").exists()


def test_demo_wijken_spread_around_their_gemeente() -> None:
    """The demo world's wijken are parts of a whole: weighted by inhabitants they average near the gemeente,
    and no gemeente has all its wijken above (or below) it."""
    from eenzaamheid_data import demo_world as world

    for gemeente in world.build_gemeenten():
        for indicator in world.INDICATORS:
            whole = world.estimate(gemeente, "18+", 2024, indicator, "gemeente")
            parts = [(w.inhabitants, world.estimate(w, "18+", 2024, indicator, "wijk")) for w in gemeente.children]
            assert whole is not None and all(v is not None for _, v in parts)
            mean = sum(n * v for n, v in parts) / sum(n for n, _ in parts)  # type: ignore[operator]
            assert abs(mean - whole) < 0.2, (gemeente.name, indicator)
            assert min(v for _, v in parts) <= whole <= max(v for _, v in parts), (gemeente.name, indicator)  # type: ignore[type-var]
