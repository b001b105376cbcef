"""Every number and sentence of one gemeente's factsheet, computed here and nowhere else.

``build_content`` calls ``analysis`` for the figures and comparisons and ``charts``/``maps`` for the
pictures, and returns a ``GemeenteReport``: plain values and ready Dutch text, so the template only
places them. The key messages and the support pointers follow the explicit rules documented below
(``KEY_MESSAGE_RULES``, ``SUPPORT_RULES``); they never say more than the figures carry.
"""

from __future__ import annotations

import io
import logging
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import partial
from typing import Any

import pandas as pd

from .. import fmt
from ..errors import EenzaamheidError, MissingDataError, NoFiguresError, UnknownRegionError
from . import texts

log = logging.getLogger(__name__)

HEADLINE_AGE = "18+"
INDICATORS = ("eenzaam", "sterk_eenzaam", "emotioneel_eenzaam", "sociaal_eenzaam")

KEY_MESSAGE_RULES = (
    "Regel 1 — vergelijking met Nederland: het percentage eenzame inwoners van 18 jaar en ouder, met de "
    "uitkomst van de toets uit analysis (hoger, lager, niet aantoonbaar verschillend). Zonder toets geen "
    "oordeel.",
    "Regel 2 — leeftijd: de leeftijdsgroep (18 tot 65 jaar of 65 jaar en ouder) met het hoogste percentage "
    "eenzaam wordt alleen genoemd als de twee 95%-intervallen elkaar niet overlappen; anders staat er dat "
    "een verschil niet aantoonbaar is.",
    "Regel 3 — aantallen: het geschatte aantal eenzame en sterk eenzame inwoners van 18 jaar en ouder "
    "(percentage maal inwoners, afgerond), zoals analysis.people_counts het berekent.",
)

SUPPORT_RULES = (
    "Sociaal eenzaam (18+) hoger dan Nederland → ontmoetingsmogelijkheden en netwerk.",
    "Emotioneel eenzaam (18+) hoger dan Nederland → persoonlijk en betekenisvol contact.",
    "Eenzaam bij 65-plussers hoger dan Nederland, of aantoonbaar hoger dan bij 18–64-jarigen → "
    "bezoek- en maatjesprojecten (persoonlijk contact) en praktische ondersteuning zoals vervoer.",
    "Eenzaam bij 18–64-jarigen hoger dan Nederland → een gewaardeerde rol en bezigheden (werk, "
    "vrijwilligerswerk, opleiding).",
    "Sterk eenzaam (18+) hoger dan Nederland → sociale vaardigheden en realistische verwachtingen, met "
    "persoonlijke begeleiding.",
    "Wijken die aandacht vragen (analysis.aandachtsgebieden) → ontmoeting dichtbij huis in die wijken.",
)

_GEBIED = {"gemeente": "Gemeente", "ggdregio": "GGD-regio", "ggd": "GGD-regio", "provincie": "Provincie", "nederland": "Nederland", "wijk": "Wijk"}

# Columns left out of the tables behind the charts: codes and bookkeeping.
_HIDDEN = {
    "regiocode", "gemeentecode", "tabel", "niveau", "statcode", "geometry", "aantal", "aantal_ondergrens", "aantal_bovengrens",
    "bron", "afgeleid", "n_gemeenten", "n_ontbrekend", "afstand", "ref_regiocode", "leeftijdsgrens_gewijzigd",
}


# -- the report, as data ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    """A table ready for the page: formatted text cells; ``numeric`` columns are right-aligned."""

    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[bool, ...]


@dataclass(frozen=True)
class Chart:
    """A chart or map ready for the page, and how to draw it again (for the slides).

    ``svg`` is matplotlib's own SVG output (its text is escaped by matplotlib); ``summary`` is the one
    Dutch sentence used as its text alternative; ``table`` holds the data behind it.
    ``draw(ax=...)`` returns a ChartResult (``kind == "axes"``) or ``draw(aspect=...)`` a
    ``(Figure, JoinReport)`` (``kind == "figure"``: the map, which carries its own title and source).
    ``figure`` is the chart's own laid-out 16:9 figure when kept, so a slide needs no second layout.
    """

    key: str
    title: str
    svg: str
    summary: str
    table: Table
    source: str
    notes: tuple[str, ...] = ()
    kind: str = "axes"
    draw: Callable[..., Any] | None = field(default=None, repr=False, compare=False)
    figure: Any = field(default=None, repr=False, compare=False)  # the laid-out 16:9 figure, for a slide
    jaar: int | None = None  # the one survey year it shows, where that may differ from the report's (the national chart)


@dataclass(frozen=True)
class Kerncijfer:
    """One indicator for 18+, with its interval and how it compares with Nederland and the GGD-regio."""

    indicator: str
    label: str
    uitleg: str
    waarde: float
    ondergrens: float
    bovengrens: float
    tekst: str
    interval: str
    nederland: float
    ggd: float
    verschil_nl: str
    verschil_ggd: str
    vergelijking_nl: str
    vergelijking_ggd: str
    kort_nl: str = ""
    kort_ggd: str = ""
    """The comparisons in a slide's few words, two lines each: 'Hoger dan Nederland' / 'Nederland: 51,1% (50,7–51,5%)'."""


@dataclass(frozen=True)
class Boodschap:
    """A key message and the rule that produced it."""

    regel: int
    tekst: str


@dataclass(frozen=True)
class Suggestie:
    tekst: str
    reden: str


@dataclass(frozen=True)
class Ondersteuning:
    """One of the seven kinds of support, with the pointers the figures give (maybe none)."""

    key: str
    titel: str
    tekst: str
    suggesties: tuple[Suggestie, ...]


@dataclass(frozen=True)
class Aandachtswijk:
    regiocode: str
    regionaam: str
    tekst: str
    interval: str
    toelichting: str


@dataclass(frozen=True)
class GemeenteReport:
    """Everything the factsheet of one gemeente shows; the template adds only layout."""

    gemeentecode: str
    gemeentenaam: str
    provincienaam: str
    ggdregiocode: str
    ggdregionaam: str
    ggd_enkel: bool
    jaar: int
    tabel: str
    demo: bool
    titel: str
    ondertitel: str
    intro: str
    inwoners: str
    kerncijfers: tuple[Kerncijfer, ...]
    kernboodschappen: tuple[Boodschap, ...]
    leeftijd: Chart | None
    trend: Chart | None
    aantallen: Chart | None
    kaart: Chart | None
    aandachtswijken: tuple[Aandachtswijk, ...]
    aandacht_tekst: str
    vergelijkbaar: Chart | None
    landelijk: Chart | None
    ondersteuning: tuple[Ondersteuning, ...]
    methode: tuple[str, ...]
    rekenwijze: tuple[str, ...]
    bronnen: tuple[str, ...]
    bronregel: str  # the kerncijfers' source: table, this survey year, fetch date, licence
    opgehaald: str
    gemaakt: str
    meldingen: tuple[str, ...] = ()
    bron: Mapping[str, Any] = field(default_factory=dict)
    vergelijkbaar_tekst: str = ""
    """Why there is no chart of similar gemeenten, when there is none."""
    leeftijd_noot: str = ""
    """Set for 2012 and 2016, when the survey counted from 19: how to read '18 jaar en ouder' in this report."""
    leeftijden: str = "18 jaar en ouder"
    """Whom the kerncijfers count: '19 jaar en ouder' in 2012 and 2016."""

    @property
    def kerncijfer(self) -> dict[str, Kerncijfer]:
        return {k.indicator: k for k in self.kerncijfers}


# -- small helpers ----------------------------------------------------------------------------------


def _nan(value: Any) -> bool:
    try:
        return value is None or math.isnan(float(value))
    except (TypeError, ValueError):
        return True


def _f(value: Any) -> float:
    return float("nan") if _nan(value) else float(value)


def _verschil(value: Any) -> str:
    return value if isinstance(value, str) and value in texts.VERSCHIL_WOORDEN else "onbekend"


def _format_cell(column: str, value: Any) -> str:
    if column in ("waarde", "aandeel_65plus") or column.startswith("percentage"):
        return fmt.pct(value)
    if column == "indicator":
        return fmt.INDICATOR_LABELS.get(str(value), str(value))
    if column == "gebied":
        return _GEBIED.get(str(value), str(value))
    if column in ("leeftijd", "leeftijdsgrens"):
        return fmt.AGE_LABELS.get(str(value), str(value))
    if column == "verandering" and (value is None or (not isinstance(value, str) and pd.isna(value))):
        return "eerste meting"
    if column in ("inwoners", "inwoners_18plus", "inwoners_18_64", "inwoners_65plus"):
        return fmt.number(value, 0)
    if column in ("jaar", "stedelijkheid"):
        return fmt.MISSING if _nan(value) else str(int(value))
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, float):
        return fmt.number(value)
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return fmt.MISSING
    return str(value)


_NUMERIC = {"waarde", "interval", "inwoners", "inwoners_18plus", "aandeel_65plus", "aantal_tekst", "interval_tekst", "jaar",
            "ondergrens", "bovengrens"}
_SAID_ONCE = ("regionaam", "jaar")
"""Columns that, the same on every row, go into the caption once ("… (Oefeneiland, 2024)"): on paper they took
the room the other columns needed, which then broke "18 jaar en ouder" over three lines."""
_HEADERS = {
    "regionaam": "Gebied", "gebied": "Soort gebied", "gemeentenaam": "Gemeente", "leeftijd": "Leeftijd",
    "leeftijdsband": "Leeftijd", "indicator": "Soort eenzaamheid", "jaar": "Jaar", "waarde": "Percentage",
    "interval": "95%-interval", "verschil_nl": "Vergeleken met Nederland", "verschil_ggd": "Vergeleken met GGD-regio",
    "verandering": "Verandering", "leeftijdsgrens": "Leeftijden", "aantal_tekst": "Aantal inwoners (geschat)",
    "interval_tekst": "95%-interval van het aantal", "inwoners": "Inwoners", "inwoners_18plus": "Inwoners 18+",
    "stedelijkheid": "Stedelijkheid (1 = zeer sterk, 5 = niet stedelijk)", "aandeel_65plus": "Aandeel 65-plussers",
    "toelichting": "Toelichting", "aandachtsgebied": "Vraagt aandacht",
}


def table_from_frame(frame: pd.DataFrame, caption: str) -> Table:
    """Any analysis/chart table as formatted Dutch text: labels for codes, decimal commas, intervals joined."""
    once = [c for c in _SAID_ONCE if c in frame.columns and len(frame) > 1 and frame[c].nunique(dropna=False) == 1]
    if once:
        caption = f"{caption} ({', '.join(_format_cell(c, frame[c].iloc[0]) for c in once)})"
    columns = [c for c in frame.columns if c not in _HIDDEN and c not in once]
    joined = "ondergrens" in columns and "bovengrens" in columns
    out_cols: list[str] = []
    for col in columns:
        if col == "bovengrens" and joined:
            continue
        out_cols.append("interval" if (col == "ondergrens" and joined) else col)
    rows = []
    for record in frame.to_dict("records"):
        row = []
        for col in out_cols:
            if col == "interval":
                row.append(fmt.pct_range(record["ondergrens"], record["bovengrens"]))
            elif col == "leeftijd":  # 2012 and 2016 counted from 19
                row.append(fmt.age_label(str(record[col]), record.get("jaar")))
            elif col == "verandering" and bool(record.get("leeftijdsgrens_gewijzigd")) and record.get(col) in ("gestegen", "gedaald"):
                row.append(f"{_format_cell(col, record.get(col))} ({texts.TREND_AGE_BREAK})")
            else:
                row.append(_format_cell(col, record.get(col)))
        rows.append(tuple(row))
    numeric = tuple(c in _NUMERIC for c in out_cols)
    headers = tuple(_HEADERS.get(c, c.replace("_", " ").capitalize()) for c in out_cols)
    return Table(caption, headers, tuple(rows), numeric)


FONTTYPE = "none"  # SVG text as <text>, not glyph paths (see figure_svg)


def figure_svg(fig: Any, key: str, *, tight: bool = True) -> str:
    """A matplotlib figure as inline SVG with ids made unique per chart (several SVGs share one page).

    Text stays text (``FONTTYPE``): selectable and searchable in the PDF, and quicker to write than glyph
    paths; matplotlib names DejaVu Sans with fallbacks such as Verdana and Arial. ``tight=False`` skips
    the extra layout pass for figures that already fit (constrained layout).
    """
    import matplotlib

    buffer = io.StringIO()
    from ..charts import LITERAL_TEXT

    with matplotlib.rc_context({"svg.fonttype": FONTTYPE, "svg.hashsalt": key, **LITERAL_TEXT}):
        fig.savefig(buffer, format="svg", bbox_inches="tight" if tight else None,
                    metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"<metadata>.*?</metadata>|<!--.*?-->", "", svg, flags=re.S)
    seen: dict[str, int] = {}

    def unique(found: re.Match[str]) -> str:  # matplotlib gives every artist of a gid that id: number the repeats
        n = seen[found.group(1)] = seen.get(found.group(1), 0) + 1
        return f'id="{key}-{found.group(1)}"' if n == 1 else f'id="{key}-{found.group(1)}-{n}"'

    svg = re.sub(r'\bid="([^"]+)"', unique, svg)
    svg = re.sub(r"url\(#([^)]+)\)", rf"url(#{key}-\1)", svg)
    svg = re.sub(r'href="#([^"]+)"', rf'href="#{key}-\1"', svg)
    # Let CSS size it: drop the fixed width/height, keep the viewBox.
    svg = re.sub(r'^<svg([^>]*?)\s+width="[^"]*"\s+height="[^"]*"', r'<svg\1', svg, count=1)
    return svg.replace("<svg", '<svg focusable="false"', 1).strip()  # the page names it (role="img", aria-label)


CHART_SIZE_IN = (7.0, 7.0 * 9 / 16)
"""Charts are drawn once at 16:9 and page width: the page shows them as SVG, the slides as 1920 × 1080 PNG."""


def _draw(key: str, title: str, draw: Callable[..., Any], source: str, *, notes: Sequence[str] = (), keep: bool = True,
          svg: bool = True) -> Chart:
    """Draw a ChartResult-returning chart once; keep it as SVG (and, with ``keep``, the laid-out figure for a slide).

    ``svg=False`` leaves the SVG out (``Chart.svg`` is empty): for a slide pack drawn apart from the page."""
    from matplotlib.figure import Figure

    from .. import charts

    fig = Figure(figsize=CHART_SIZE_IN)  # not pyplot: nothing global, nothing shown in notebooks
    result = draw(ax=fig.add_subplot(), source=source)
    summary = str(result.summary)
    table = table_from_frame(pd.DataFrame(result.table), f"De cijfers bij: {title[:1].lower()}{title[1:]}")  # keeps 'Nederland'
    # Laid out once, without a layout engine: constrained layout would lay out every text again on each
    # save (twice for SVG), which cost more than the drawing. The SVG and the slide reuse this layout.
    charts.fit_axes(result.ax)
    return Chart(key, title, figure_svg(fig, key, tight=False) if svg else "", summary, table, source, tuple(notes), "axes",
                 draw, fig if keep else None)


def national_chart(age_bands: pd.DataFrame | None) -> Chart | None:
    """The national picture by age band (CBS, a different survey), the same for every gemeente: draw it once."""
    from .. import analysis, charts

    if age_bands is None or age_bands.empty:
        return None
    try:
        national = analysis.national_age_bands(age_bands)
    except EenzaamheidError as err:  # the rest of the report stands without this section
        log.warning("national age bands left out of the report: %s", err.message)
        return None
    if national.empty:
        return None
    year = int(national["jaar"].iloc[0])  # the newest: the chart shows one year, and its source line names it
    chart = _draw("landelijk", "Heel Nederland naar leeftijd (ander onderzoek)", partial(charts.national_age_band_chart, national),
                  fmt.source_line(age_bands.attrs.get("bron", {}), year=year), notes=(texts.NATIONAL_NOTE,), keep=False)
    return replace(chart, jaar=year)


# -- the parts of the report --------------------------------------------------------------------------


def no_figures(figures: pd.DataFrame, naam: str, gemeentecode: str) -> NoFiguresError:
    """The error for a gemeente of CBS's list that the figures' table does not have."""
    table = str(figures.attrs.get("bron", {}).get("table", "?"))
    covered = figures.loc[figures["niveau"] == "gemeente", "regiocode"].nunique() if "niveau" in figures else 0
    return NoFiguresError(
        f"no figures for {naam} ({gemeentecode}) in table {table}",
        hint=f"the table has figures for {covered} gemeenten; `eenzaamheid check-sources` compares them with CBS's list", table=table,
    )


def _gemeente_row(gemeenten: pd.DataFrame, gemeentecode: str) -> pd.Series:
    rows = gemeenten[gemeenten["gemeentecode"] == gemeentecode]
    if rows.empty:
        raise UnknownRegionError(gemeentecode)
    return rows.iloc[0]


def _rows_of(breakdown: pd.DataFrame, code: str) -> pd.DataFrame:
    return breakdown[breakdown["regiocode"] == code]


def _pick(frame: pd.DataFrame, leeftijd: str, indicator: str) -> Mapping[str, Any]:
    rows = frame[(frame["leeftijd"] == leeftijd) & (frame["indicator"] == indicator)]
    return {str(k): v for k, v in rows.iloc[0].items()} if len(rows) else {}


GGD_GEMIDDELDE = "het gemiddelde van de GGD-regio"


def _vergelijking(verschil: str, other: Mapping[str, Any], where: str, what: str | None = None) -> str:
    """'Hoger dan {where} (…)', 'Niet aantoonbaar verschillend van {what} (…)'; ``what`` defaults to 'het cijfer {where}'."""
    value = fmt.pct_of(other, inside=True)
    return {
        "hoger": f"Hoger dan {where} ({value})",
        "lager": f"Lager dan {where} ({value})",
        "niet aantoonbaar verschillend": f"Niet aantoonbaar verschillend van {what or f'het cijfer {where}'} ({value})",
    }.get(verschil, f"Niet te vergelijken met {where.removeprefix('in ')}" + ("" if _nan(other.get("waarde")) else f" ({value})"))


def _kort(verschil: str, other: Mapping[str, Any], name: str, label: str) -> str:
    """Two lines for a slide's tile: the verdict, which says what is higher ("Hoger dan Nederland": "Nederland …:
    hoger" was read as Nederland being higher), then the other figure with its interval."""
    verdict = {"hoger": "Hoger dan", "lager": "Lager dan", "niet aantoonbaar verschillend": "Niet aantoonbaar verschillend van"}
    first = f"{verdict.get(verschil, 'Niet te vergelijken met')} {name}"
    if _nan(other.get("waarde")):
        return f"{first}\n{label}: {fmt.MISSING}"
    return f"{first}\n{label}: {fmt.pct(other.get('waarde'))} ({fmt.pct_range(other.get('ondergrens'), other.get('bovengrens'))})"


def kerncijfers(gem: pd.DataFrame, nl: pd.DataFrame, ggd: pd.DataFrame, naam: str, ggd_enkel: bool) -> tuple[Kerncijfer, ...]:
    """The four indicators for 18+ of the gemeente, each compared with Nederland and its GGD-regio."""
    out = []
    for indicator in INDICATORS:
        row = _pick(gem, HEADLINE_AGE, indicator)
        nl_row, ggd_row = _pick(nl, HEADLINE_AGE, indicator), _pick(ggd, HEADLINE_AGE, indicator)
        nl_value, ggd_value = _f(nl_row.get("waarde")), _f(ggd_row.get("waarde"))
        v_nl, v_ggd = _verschil(row.get("verschil_nl")), _verschil(row.get("verschil_ggd"))
        alleen = f"De GGD-regio bestaat alleen uit {naam}"
        out.append(
            Kerncijfer(
                indicator=indicator,
                label=fmt.INDICATOR_LABELS[indicator],
                uitleg=texts.INDICATOR_UITLEG[indicator],
                waarde=_f(row.get("waarde")),
                ondergrens=_f(row.get("ondergrens")),
                bovengrens=_f(row.get("bovengrens")),
                tekst=fmt.pct(row.get("waarde")),
                interval=fmt.pct_range(row.get("ondergrens"), row.get("bovengrens")),
                nederland=nl_value,
                ggd=ggd_value,
                verschil_nl=v_nl,
                verschil_ggd=v_ggd,
                vergelijking_nl=_vergelijking(v_nl, nl_row, "in Nederland"),
                # the region's figure is the package's own (weighted) average of its gemeenten (METHOD_AGGREGATE):
                # said in plain words, without "(afgeleid)" in front of the bracket with the figure
                vergelijking_ggd=alleen if ggd_enkel else _vergelijking(v_ggd, ggd_row, GGD_GEMIDDELDE, GGD_GEMIDDELDE),
                kort_nl=_kort(v_nl, nl_row, "Nederland", "Nederland"),
                kort_ggd=alleen if ggd_enkel else _kort(v_ggd, ggd_row, "de GGD-regio", "Gemiddelde GGD-regio"),
            )
        )
    return tuple(out)


def _overlap(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool | None:
    """Whether two 95%-intervals overlap; None when an interval is missing."""
    bounds = [a.get("ondergrens"), a.get("bovengrens"), b.get("ondergrens"), b.get("bovengrens")]
    if any(_nan(x) for x in bounds):
        return None
    lo_a, hi_a, lo_b, hi_b = (float(x) for x in bounds)  # type: ignore[arg-type]
    return not (lo_a > hi_b or lo_b > hi_a)


def key_messages(gem: pd.DataFrame, nl: pd.DataFrame, people: pd.DataFrame, naam: str, jaar: int, *,
                 inwoners_jaar: int | None = None) -> tuple[Boodschap, ...]:
    """The three key messages, one per rule in ``KEY_MESSAGE_RULES``; ``inwoners_jaar`` is the year of the inhabitants
    the counts were made with, said when it is not ``jaar``."""
    # Rule 1: eenzaam 18+ against Nederland, using the test's verdict only.
    row = _pick(gem, HEADLINE_AGE, "eenzaam")
    nl_row = _pick(nl, HEADLINE_AGE, "eenzaam")
    nl_text = fmt.pct_of(nl_row, inside=True)
    if _nan(row.get("waarde")):
        first = f"Voor {naam} is over {jaar} geen cijfer over eenzaamheid bekend."
    else:
        start = f"In {naam} voelt {fmt.pct_of(row)} van de inwoners van {fmt.age_label(HEADLINE_AGE, jaar)} zich eenzaam."
        verdict = {
            "hoger": f"Dat is hoger dan in heel Nederland ({nl_text}).",
            "lager": f"Dat is lager dan in heel Nederland ({nl_text}).",
            "niet aantoonbaar verschillend": f"Dat verschilt niet aantoonbaar van heel Nederland ({nl_text}).",
        }.get(_verschil(row.get("verschil_nl")), "Of dat meer of minder is dan in heel Nederland, is niet te zeggen.")
        first = f"{start} {verdict}"

    # Rule 2: the age group with the higher share, only when the intervals do not overlap.
    young, old = _pick(gem, "18-64", "eenzaam"), _pick(gem, "65+", "eenzaam")
    overlap = _overlap(young, old)
    y_text, o_text = fmt.pct_of(young, inside=True), fmt.pct_of(old, inside=True)
    y_label, o_label = fmt.age_label("18-64", jaar), fmt.age_label("65+", jaar)
    if overlap is None or _nan(young.get("waarde")) or _nan(old.get("waarde")):
        second = "Voor de leeftijdsgroepen zijn niet genoeg gegevens om ze met elkaar te vergelijken."
    elif overlap:
        second = (  # the figures first, then the verdict: "inwoners … verschillen niet" read as if the people did not
            f"Van de inwoners van {y_label} is {fmt.pct_of(young)} eenzaam, van de inwoners van {o_label} {fmt.pct_of(old)}. "
            "Dat verschil is niet aantoonbaar: de 95%-intervallen van de twee cijfers overlappen."
        )
    elif float(old["waarde"]) > float(young["waarde"]):
        second = f"Inwoners van {o_label} zijn vaker eenzaam ({o_text}) dan inwoners van {y_label} ({y_text})."
    else:
        second = f"Inwoners van {y_label} zijn vaker eenzaam ({y_text}) dan inwoners van {o_label} ({o_text})."

    # Rule 3: estimated numbers of (sterk) eenzame inwoners of 18+.
    lonely, strong = _people(people, HEADLINE_AGE, "eenzaam"), _people(people, HEADLINE_AGE, "sterk_eenzaam")
    if lonely is None:
        third = "Hoeveel inwoners eenzaam zijn, is niet te schatten: het percentage of het aantal inwoners ontbreekt."
    else:
        # the interval at the end of the sentence, not between the number and what it counts (a review)
        third = f"{_capital(lonely[0])} inwoners van {fmt.age_label(HEADLINE_AGE, jaar)} voelen zich eenzaam{lonely[1]}."
        if strong is not None:
            third += f" {_capital(strong[0])} van hen voelen zich sterk eenzaam{strong[1]}."
        if inwoners_jaar is not None and int(inwoners_jaar) != int(jaar):
            third += " " + texts.PEOPLE_OTHER_YEAR_SHORT.format(inwoners=int(inwoners_jaar), jaar=jaar)
    return (Boodschap(1, first), Boodschap(2, second), Boodschap(3, third))


def _people(people: pd.DataFrame, leeftijd: str, indicator: str) -> tuple[str, str] | None:
    """('ongeveer 12.300', ' (95%-interval 11.000 tot 13.000)'), the second empty when no interval is known."""
    if people is None or people.empty or "leeftijd" not in people or "indicator" not in people:
        return None
    row = _pick(people, leeftijd, indicator)
    if not row or _nan(row.get("aantal")):
        return None
    text = row.get("aantal_tekst")
    text = str(text) if isinstance(text, str) and text else fmt.people(row.get("aantal"))
    text = text if "ongeveer" in text or "schatting" in text else f"naar schatting {text}"
    spread = fmt.people_range(row.get("aantal_ondergrens"), row.get("aantal_bovengrens"))
    return text, "" if spread == fmt.MISSING else f" (95%-interval {spread})"


def _sentence(text: Any) -> str:
    text = str(text).strip() if isinstance(text, str) else ""
    return text if not text or text.endswith(".") else text + "."


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def support_pointers(gem: pd.DataFrame, nl: pd.DataFrame, wijken: Sequence[Aandachtswijk], naam: str) -> tuple[Ondersteuning, ...]:
    """The seven kinds of support, each with the suggestions ``SUPPORT_RULES`` give for these figures."""
    found: dict[str, list[Suggestie]] = {item.key: [] for item in texts.SUPPORT_KINDS}

    def higher(leeftijd: str, indicator: str) -> str | None:
        """The reason text when the gemeente is demonstrably higher than Nederland, else None."""
        row = _pick(gem, leeftijd, indicator)
        if _verschil(row.get("verschil_nl")) != "hoger":
            return None
        nl_row = _pick(nl, leeftijd, indicator)
        label = fmt.INDICATOR_LABELS[indicator].lower()
        return (f"{label}, {fmt.age_label(leeftijd, row.get('jaar'))}: {fmt.pct_of(row)} in {naam}, {fmt.pct_of(nl_row)} in heel Nederland. "
                "Dat verschil is aantoonbaar.")

    if reason := higher(HEADLINE_AGE, "sociaal_eenzaam"):
        found["ontmoeting"].append(Suggestie(
            "Een groter deel van de inwoners dan in heel Nederland mist een kring van mensen om zich heen. Denk aan plekken en activiteiten "
            "om elkaar te ontmoeten en aan manieren om het netwerk van inwoners te vergroten.", _capital(reason)))
    if reason := higher(HEADLINE_AGE, "emotioneel_eenzaam"):
        found["persoonlijk"].append(Suggestie(
            "Een groter deel van de inwoners dan in heel Nederland mist een hechte band. Denk aan aandacht van mens tot mens, zoals een "
            "maatje of een vast gesprek.", _capital(reason)))
    old_reason, than = higher("65+", "eenzaam"), "bij 65-plussers in heel Nederland"
    if old_reason is None:
        young, old = _pick(gem, "18-64", "eenzaam"), _pick(gem, "65+", "eenzaam")
        if _overlap(young, old) is False and _f(old.get("waarde")) > _f(young.get("waarde")):
            old_reason, than = (f"eenzaam, 65 jaar en ouder: {fmt.pct_of(old)}; {fmt.age_label('18-64', young.get('jaar'))}: {fmt.pct_of(young)}. "
                                "Dat verschil is aantoonbaar."), f"bij inwoners van {fmt.age_label('18-64', young.get('jaar'))}"
    if old_reason:
        found["persoonlijk"].append(Suggestie(
            f"Het percentage eenzame 65-plussers is hoger dan {than}. Bezoek- en maatjesprojecten kunnen helpen.", _capital(old_reason)))
        found["praktisch"].append(Suggestie(
            "Kijk of 65-plussers praktisch kunnen meedoen: vervoer naar activiteiten, hulp bij de telefoon of computer.",
            _capital(old_reason)))
    if reason := higher("18-64", "eenzaam"):
        younger = fmt.age_label("18-64", _pick(gem, "18-64", "eenzaam").get("jaar"))  # 19 tot 65 jaar in 2012 and 2016
        for key, text in (
            ("rol", f"Het percentage eenzame inwoners van {younger} is hoger dan in heel Nederland. Een gewaardeerde rol, zoals "
                    "vrijwilligerswerk, kan helpen."),
            ("bezigheden", "Denk aan werk, een opleiding of een club als manier om contact te maken, samen met werkgevers en scholen."),
        ):
            found[key].append(Suggestie(text, _capital(reason)))
    if reason := higher(HEADLINE_AGE, "sterk_eenzaam"):
        for key, text in (
            ("vaardigheden", "Een groter deel van de inwoners dan in heel Nederland is sterk eenzaam. Zij hebben vaak persoonlijke begeleiding nodig, "
                             "bijvoorbeeld om contact te leren leggen."),
            ("verwachtingen", "Bij sterke eenzaamheid kan het helpen om samen te kijken naar wat iemand van contact verwacht."),
        ):
            found[key].append(Suggestie(text, _capital(reason)))
    if wijken:
        names = ", ".join(w.regionaam for w in wijken[:5]) + (" en andere" if len(wijken) > 5 else "")
        figures = "; ".join(f"{w.regionaam} {w.tekst} ({w.interval})" for w in wijken[:5])
        where = "de wijk die aandacht vraagt" if len(wijken) == 1 else "de wijken die aandacht vragen"
        found["ontmoeting"].append(Suggestie(
            f"Begin dichtbij huis, in {where}: {names}.",
            f"Het percentage eenzame inwoners is daar aantoonbaar hoger dan in {naam} als geheel "
            f"({fmt.pct_of(_pick(gem, HEADLINE_AGE, 'eenzaam'), inside=True)}): {figures}."))  # no brackets in brackets
    return tuple(Ondersteuning(i.key, i.titel, i.tekst, tuple(found[i.key])) for i in texts.SUPPORT_KINDS)


def _similar(population: pd.DataFrame, gemeentecode: str, naam: str) -> tuple[pd.DataFrame | None, str]:
    """The similar gemeenten, or why there are none: a gap in the population table costs this section only."""
    from .. import analysis

    if not (population["regiocode"] == gemeentecode).any():
        log.warning("%s is not in the population table; the report has no similar gemeenten", gemeentecode)
        return None, texts.SIMILAR_MISSING.format(naam=naam)
    try:
        similar = analysis.similar_gemeenten(population, gemeentecode, k=5)
    except MissingDataError as err:
        log.warning("%s; the report has no similar gemeenten", err.message)
        return None, texts.SIMILAR_MISSING.format(naam=naam)
    return similar, "" if len(similar) else texts.SIMILAR_NONE


def _aandachtswijken(found: pd.DataFrame) -> tuple[Aandachtswijk, ...]:
    if found is None or found.empty:
        return ()
    if "aandachtsgebied" in found and found["aandachtsgebied"].dtype == bool:
        found = found[found["aandachtsgebied"]]
    return tuple(
        Aandachtswijk(
            str(r.get("regiocode", "")), str(r.get("regionaam", r.get("regiocode", ""))),
            fmt.pct(r.get("waarde")), fmt.pct_range(r.get("ondergrens"), r.get("bovengrens")),
            _sentence(r.get("toelichting")),
        )
        for r in found.to_dict("records")
    )


def _aandacht_tekst(found: int, tested: int, gemeente: str) -> str:
    """The sentence above the list of wijken whose figure is higher than the gemeente's (``METHOD_AANDACHT``)."""
    if tested == 0:
        return "Voor de wijken van deze gemeente zijn geen cijfers bekend."
    if found == 0:
        return (f"In geen enkele wijk is het cijfer aantoonbaar hoger dan in de gemeente als geheel: {gemeente}. "
                "Een wijk kan wel een hoog cijfer hebben, met een 95%-interval dat te breed is om dat zeker te zeggen.")
    wijken = "deze wijk" if found == 1 else "deze wijken"
    return (f"In {wijken} is het cijfer aantoonbaar hoger dan in de gemeente als geheel: {gemeente}. "
            "De 95%-intervallen overlappen elkaar niet.")


def _map_chart(wijk_rows: pd.DataFrame, boundaries: Any, naam: str, jaar: int, highlight: list[str], source: str, *,
               svg: bool = True) -> Chart | None:
    from .. import maps

    values = wijk_rows[(wijk_rows["leeftijd"] == HEADLINE_AGE) & (wijk_rows["indicator"] == "eenzaam") & (wijk_rows["jaar"] == jaar)]
    if values.empty or boundaries is None or len(boundaries) == 0:
        return None
    codes = sorted(values["regiocode"].unique())
    on_map = set(boundaries["statcode"])
    outlined = [code for code in highlight if code in on_map]  # a wijk without a boundary is still named in the list
    # Round classes, none narrower than the wijken's typical half interval (and at least 2 points): a gemeente
    # has a handful of wijken, and narrow classes gave wijken whose intervals overlap widely contrasting colours
    # (three wijken within 2,2 points, each ±5, got two of them).
    half = float(((values["bovengrens"] - values["ondergrens"]) / 2).median())
    step = max(2.0, half) if not math.isnan(half) else 2.0
    classes = {"classes": "fixed", "bins": maps.round_bins(values["waarde"], min_step=step)} if values["waarde"].notna().any() else {}
    draw = partial(
        maps.make_map, wijk_rows, boundaries, indicator="eenzaam", year=jaar, age=HEADLINE_AGE,
        area_codes=[str(values["gemeentecode"].iloc[0])], area_name=naam, level="wijk", highlight=outlined or None,
        highlight_label=texts.MAP_HIGHLIGHT_LABEL, note=texts.MAP_FLAGGED_NOTE if outlined else texts.MAP_NONE_FLAGGED, **classes,
    )
    notes = []
    fig = None
    if svg:  # the page's map; a slide draws its own, in 16:9
        fig, join = draw()
        if not join.ok:
            notes.append(join.footnote())
    known = values.dropna(subset=["waarde"]).sort_values("waarde")
    if known.empty:
        summary = f"Kaart van de wijken van {naam}; voor geen enkele wijk is een cijfer bekend."
    else:
        low, high = known.iloc[0], known.iloc[-1]
        wijken = "wijk" if len(codes) == 1 else f"{len(codes)} wijken"
        if len(known) == 1:
            summary = (f"Kaart van de {wijken} van {naam}: alleen voor {low['regionaam']} is een cijfer bekend; daar is "
                       f"{fmt.pct_of(low)} van de inwoners van {fmt.age_label(HEADLINE_AGE, jaar)} eenzaam ({jaar}).")
        else:
            summary = (
                f"Kaart van de {wijken} van {naam}: het percentage eenzame inwoners van {fmt.age_label(HEADLINE_AGE, jaar)} in {jaar} "
                f"loopt van {fmt.pct_of(low)} in {low['regionaam']} tot {fmt.pct_of(high)} in {high['regionaam']}."
            )
        missing = len(values) - len(known)
        if missing:
            summary += f" Voor {missing} {'wijk' if missing == 1 else 'wijken'} is geen cijfer bekend."
    frame = values[["regionaam", "waarde", "ondergrens", "bovengrens"]].copy()
    flagged = values["regiocode"].isin(highlight).to_numpy()
    # without a figure a wijk cannot be tested: "onbekend", not "nee"
    frame["aandachtsgebied"] = ["onbekend" if pd.isna(v) else "ja" if f else "nee" for v, f in zip(values["waarde"], flagged)]
    frame = frame.sort_values(["waarde", "regionaam"], ascending=[False, True], na_position="last")
    table = table_from_frame(frame, f"Eenzaam per wijk van {naam}, {fmt.age_label(HEADLINE_AGE, jaar)}, {jaar}")
    return Chart("kaart", f"Eenzaamheid per wijk in {jaar}", figure_svg(fig, "kaart") if fig is not None else "", summary, table, source,
                 tuple(notes), "figure", draw)


# -- the public verb --------------------------------------------------------------------------------


def build_content(
    figures: pd.DataFrame,
    wijk_figures: pd.DataFrame,
    gemeenten: pd.DataFrame,
    population: pd.DataFrame,
    regional: pd.DataFrame,
    age_bands: pd.DataFrame | None,
    wijk_boundaries: Any,
    gemeentecode: str,
    *,
    jaar: int | None = None,
    today: date | None = None,
    landelijk: Chart | None = None,
    svg: bool = True,
) -> GemeenteReport:
    """Gather the factsheet of ``gemeentecode`` from data loaded once (see ``batch``).

    ``figures`` is the gemeente-level tidy table (with Nederland), ``wijk_figures`` the wijk level (any
    set of gemeenten that includes this one), ``regional`` the GGD-regio aggregates from
    ``analysis.aggregate_regions``, ``wijk_boundaries`` the wijk GeoDataFrame. ``jaar`` defaults to the
    newest survey year. ``landelijk`` is the national chart when already drawn (``national_chart``).
    ``svg=False`` builds what the slides need, without the page's SVGs and the charts only the page shows.
    """
    from .. import analysis, charts

    row = _gemeente_row(gemeenten, gemeentecode)
    naam, ggdcode = str(row["gemeentenaam"]), str(row["ggdregiocode"])
    own = figures[figures["regiocode"] == gemeentecode]
    if own.empty:
        raise no_figures(figures, naam, gemeentecode)
    jaar = int(jaar if jaar is not None else own["jaar"].max())
    bron = dict(figures.attrs.get("bron", {}))
    source = fmt.source_line(bron)  # all survey years: the trend, and the report's own source line
    # a figure of one year names that year
    with_inwoners = fmt.sources_line(bron, ("inwoners", population.attrs.get("bron") or {}), year=jaar)
    ggd_enkel = int((gemeenten["ggdregiocode"] == ggdcode).sum()) == 1

    breakdown = analysis.age_breakdown(figures, gemeenten, regional, gemeentecode, jaar=jaar)
    gem_rows = _rows_of(breakdown, gemeentecode)
    nl_rows = breakdown[breakdown["regiocode"].astype(str).str.startswith("NL")]
    ggd_rows = _rows_of(breakdown, ggdcode)

    people = analysis.people_counts(figures, population, gemeentecode=gemeentecode, jaar=jaar)
    kerncijfers_ = kerncijfers(gem_rows, nl_rows, ggd_rows, naam, ggd_enkel)
    population_year = (population.attrs.get("bron") or {}).get("year")
    messages = key_messages(gem_rows, nl_rows, people, naam, jaar, inwoners_jaar=population_year)

    if ggd_enkel:  # a GGD-regio of this one gemeente: no second, identical series, no comparison with itself
        breakdown = breakdown[breakdown["gebied"] != "ggdregio"].assign(verschil_ggd="n.v.t.")
    leeftijd = _draw("leeftijd", "Eenzaamheid naar leeftijd", partial(charts.age_chart, breakdown), fmt.source_line(bron, year=jaar), svg=svg)
    trend_table = analysis.trend(figures, gemeentecode, leeftijd=HEADLINE_AGE)
    trend_table = trend_table[trend_table["jaar"] <= jaar]  # a report about an earlier year tells the story up to then
    trend = None if trend_table.empty else _draw(
        "trend", "Eenzaamheid door de jaren heen", partial(charts.trend_chart, trend_table), source,
        notes=(texts.TREND_NOTE,), svg=svg)
    people_notes, in_figure = [texts.PEOPLE_NOTE], ()
    if population_year and int(population_year) != jaar:  # e.g. --year 2012 with today's inhabitants: say so
        people_notes.append(texts.PEOPLE_OTHER_YEAR.format(inwoners=int(population_year), jaar=jaar))
        in_figure = (texts.PEOPLE_OTHER_YEAR_SHORT.format(inwoners=int(population_year), jaar=jaar),)  # the slide too
    if fmt.age_key(HEADLINE_AGE, jaar) != HEADLINE_AGE:  # 2012, 2016: a 19+ percentage of the 18+ inhabitants
        people_notes.append(texts.PEOPLE_AGE_BASE.format(jaar=jaar))
    aantallen = None if people.empty else _draw(
        "aantallen", "Hoeveel inwoners zijn eenzaam?", partial(charts.people_chart, people, notes=in_figure), with_inwoners,
        notes=tuple(people_notes), svg=svg)

    wijk_rows = wijk_figures[wijk_figures["gemeentecode"] == gemeentecode] if wijk_figures is not None else pd.DataFrame()
    wijken: tuple[Aandachtswijk, ...] = ()
    kaart = None
    tested = 0
    if not wijk_rows.empty:
        found = analysis.aandachtsgebieden(wijk_rows, own, indicator="eenzaam", leeftijd=HEADLINE_AGE, jaar=jaar)
        wijken, tested = _aandachtswijken(found), int(found.attrs.get("n_getoetst", len(found)))
        bron_jaar = bron.get("classification_year")
        kaart = _map_chart(wijk_rows, wijk_boundaries, naam, jaar, [w.regiocode for w in wijken],
                           fmt.source_line(bron, year=jaar, boundary_year=int(bron_jaar) if bron_jaar else None), svg=svg)
    else:
        log.info("%s: no wijk figures; the report has no map", gemeentecode)
    aandacht_tekst = _aandacht_tekst(len(wijken), tested, fmt.pct_of(_pick(gem_rows, HEADLINE_AGE, "eenzaam")))

    similar, vergelijkbaar_tekst = _similar(population, gemeentecode, naam)
    vergelijkbaar = None if similar is None or similar.empty or not svg else _draw(
        "vergelijkbaar", "Vergelijkbare gemeenten", partial(charts.similar_chart, figures, similar, gemeentecode, jaar=jaar),
        with_inwoners, notes=(texts.SIMILAR_NOTE,))

    if landelijk is None and svg:
        landelijk = national_chart(age_bands)
    if landelijk is not None and landelijk.jaar is not None and landelijk.jaar != jaar:  # e.g. a 2022 report beside 2024
        landelijk = replace(landelijk, notes=(*landelijk.notes, texts.NATIONAL_OTHER_YEAR.format(landelijk=landelijk.jaar, jaar=jaar)))

    inwoners_row = population[population["regiocode"] == gemeentecode]
    inwoners = fmt.number(inwoners_row["inwoners"].iloc[0], 0) if len(inwoners_row) else fmt.MISSING
    bronnen = [fmt.source_line(bron, titled=True)]  # the sources list gives each table's title too
    for frame in (population, gemeenten):
        if frame.attrs.get("bron"):
            bronnen.append(fmt.source_line(frame.attrs["bron"], titled=True))
    if kaart is not None and getattr(wijk_boundaries, "attrs", {}).get("bron"):  # the map's boundaries are a source too
        bronnen.append(fmt.boundaries_line(wijk_boundaries.attrs["bron"]))
    if landelijk is not None:
        has_bron = age_bands is not None and age_bands.attrs.get("bron")
        bronnen.append(fmt.source_line(age_bands.attrs["bron"], titled=True) if has_bron else landelijk.source)  # type: ignore[union-attr]
    meldingen = [*figures.attrs.get("meldingen_nl", [])]  # Dutch: the English originals are for the log
    if kaart is not None:
        meldingen += list(kaart.notes)

    return GemeenteReport(
        gemeentecode=gemeentecode,
        gemeentenaam=naam,
        provincienaam=str(row.get("provincienaam", "")),
        ggdregiocode=ggdcode,
        ggdregionaam=str(row.get("ggdregionaam", "")),
        ggd_enkel=ggd_enkel,
        jaar=jaar,
        tabel=str(bron.get("table", "")),
        demo=bool(bron.get("demo")),
        titel=texts.TITLE.format(naam=naam),
        ondertitel=f"{texts.SUBTITLE} — cijfers over {jaar}",
        intro=texts.INTRO.format(naam=naam),
        inwoners=inwoners,
        kerncijfers=kerncijfers_,
        kernboodschappen=messages,
        leeftijd=leeftijd,
        trend=trend,
        aantallen=aantallen,
        kaart=kaart,
        aandachtswijken=wijken,
        aandacht_tekst=aandacht_tekst,
        leeftijd_noot=texts.AGE_19PLUS_NOTE.format(jaar=jaar) if jaar in analysis.YEARS_19PLUS else "",
        leeftijden=fmt.age_label(HEADLINE_AGE, jaar),
        vergelijkbaar=vergelijkbaar,
        landelijk=landelijk,
        ondersteuning=support_pointers(gem_rows, nl_rows, wijken, naam),
        methode=texts.METHOD_NOTES,
        rekenwijze=(analysis.METHOD_DIFFERENCE, analysis.METHOD_AGGREGATE, analysis.METHOD_TREND, analysis.METHOD_PEOPLE,
                    analysis.METHOD_AANDACHT, analysis.METHOD_SIMILAR),
        bronnen=tuple(dict.fromkeys(bronnen)),
        bronregel=fmt.source_line(bron, year=jaar),  # under the kerncijfers (and on slide 01): this year's figures
        opgehaald=fmt.dutch_date(bron.get("fetched_at")),
        gemaakt=fmt.dutch_date(today or date.today()),
        meldingen=tuple(meldingen),
        bron=bron,
        vergelijkbaar_tekst=vergelijkbaar_tekst,
    )
