"""Dutch formatting of numbers and source lines, shared by maps, charts, notebooks and reports."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

LICENCE = "CC BY 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
DEMO_MARK = "fictieve voorbeelddata"

DEMO_BADGE: dict = {"fontweight": "bold", "color": "#3d3000",
                    "bbox": {"boxstyle": "round,pad=0.4", "facecolor": "#fff3c4", "edgecolor": "#8a6d00"}}
"""How the demo mark looks on maps and slides (matplotlib text keywords): one badge, the same everywhere."""

INDICATOR_LABELS: dict[str, str] = {
    "eenzaam": "Eenzaam",
    "sterk_eenzaam": "Sterk eenzaam",
    "emotioneel_eenzaam": "Emotioneel eenzaam",
    "sociaal_eenzaam": "Sociaal eenzaam",
}
AGE_LABELS: dict[str, str] = {"18+": "18 jaar en ouder", "18-64": "18 tot 65 jaar", "65+": "65 jaar en ouder",
                              "19+": "19 jaar en ouder", "19-64": "19 tot 65 jaar"}  # 19+: 2012 and 2016


def age_key(leeftijd: str, jaar: Any = None) -> str:  # noqa: ANN401
    """The age group a figure of ``jaar`` covers: '18+', or '19+' in a survey year that counted from 19."""
    from .analysis import age_limit  # the survey's rule lives with the analysis

    return leeftijd if _isnan(jaar) else age_limit(leeftijd, int(jaar))


def age_label(leeftijd: str, jaar: Any = None) -> str:  # noqa: ANN401
    """'18 jaar en ouder'; for a survey year that counted from 19 (2012, 2016) '19 jaar en ouder'."""
    key = age_key(leeftijd, jaar)
    return AGE_LABELS.get(key, key)


LEVEL_LABELS: dict[str, str] = {"nederland": "Nederland", "gemeente": "gemeente", "wijk": "wijk", "buurt": "buurt"}

MISSING = "geen gegevens"


def _isnan(value: Any) -> bool:
    try:
        return value is None or math.isnan(float(value))
    except (TypeError, ValueError):
        return True


def number(value: float | None, decimals: int = 1) -> str:
    """12345.6 -> '12.345,6'; missing -> 'geen gegevens'."""
    if _isnan(value):
        return MISSING
    text = f"{float(value):,.{decimals}f}"  # type: ignore[arg-type]
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def pct(value: float | None, decimals: int = 1) -> str:
    """48.6 -> '48,6%'."""
    return MISSING if _isnan(value) else f"{number(value, decimals)}%"


def pct_range(lower: float | None, upper: float | None, decimals: int = 1) -> str:
    """(45, 48.5) -> '45,0–48,5%'."""
    if _isnan(lower) or _isnan(upper):
        return MISSING
    return f"{number(lower, decimals)}–{number(upper, decimals)}%"


def _interval(lower: float | None, upper: float | None) -> str:
    return "interval onbekend" if _isnan(lower) or _isnan(upper) else f"95%-interval {pct_range(lower, upper)}"


def pct_with_interval(value: float | None, lower: float | None, upper: float | None) -> str:
    """'48,6% (95%-interval 46,1–51,0%)'."""
    return MISSING if _isnan(value) else f"{pct(value)} ({_interval(lower, upper)})"


def pct_and_interval(value: float | None, lower: float | None, upper: float | None) -> str:
    """'48,6%; 95%-interval 46,1–51,0%', for inside brackets."""
    return MISSING if _isnan(value) else f"{pct(value)}; {_interval(lower, upper)}"


def pct_of(row: Mapping[str, Any], *, inside: bool = False) -> str:
    """A tidy row's ``waarde`` with its interval: '48,6% (95%-interval 46,1–51,0%)', or with ``inside`` (for
    inside brackets) '48,6%; 95%-interval 46,1–51,0%'."""
    shown = pct_and_interval if inside else pct_with_interval
    return shown(row.get("waarde"), row.get("ondergrens"), row.get("bovengrens"))


def round_people(value: float | None) -> int | None:
    """Round a number of people as people say it: tens below 1.000, hundreds below 100.000, then thousands."""
    if _isnan(value):
        return None
    v = float(value)  # type: ignore[arg-type]
    step = 10 if abs(v) < 1_000 else 100 if abs(v) < 100_000 else 1_000
    return int(round(v / step) * step)


def people(value: float | None) -> str:
    """12345 -> 'ongeveer 12.300'."""
    rounded = round_people(value)
    return MISSING if rounded is None else f"ongeveer {number(rounded, 0)}"


def people_range(lower: float | None, upper: float | None) -> str:
    """'11.000 tot 13.000'."""
    lo, hi = round_people(lower), round_people(upper)
    if lo is None or hi is None:
        return MISSING
    return f"{number(lo, 0)} tot {number(hi, 0)}"


def count(n: int, one: str, many: str) -> str:
    """'1 gebied', '3 gebieden' (the word is the caller's: Dutch for readers, English for the log)."""
    return f"{n} {one if n == 1 else many}"


def dutch_date(value: str | date | datetime | None) -> str:
    """'2026-11-24T08:00:00+00:00' -> '24 november 2026'."""
    if value is None or value == "":
        return "onbekend"
    months = "januari februari maart april mei juni juli augustus september oktober november december".split()
    when = datetime.fromisoformat(value) if isinstance(value, str) else value
    return f"{when.day} {months[when.month - 1]} {when.year}"


def source_line(meta: Mapping[str, Any], *, year: int | None = None, boundary_year: int | None = None, titled: bool = False) -> str:
    """One line naming source, table, survey year, fetch date and licence, e.g. for a figure.

    ``meta`` is a table's provenance (see ``attrs['bron']`` on the tidy table): keys ``publisher``,
    ``table``, ``title``, ``years`` or ``year``, ``fetched_at``, ``demo``. ``year`` names the one survey year a
    figure shows ("peiljaar 2024") instead of all the table's years. ``titled`` adds the table's title after its
    id (for a list of sources).
    """
    if year is not None:
        meta = {**meta, "year": year}
    publisher = meta.get("publisher", "RIVM, GGD'en en CBS")
    table = f"tabel {meta.get('table', '?')}" + (f" ({meta['title']})" if titled and meta.get("title") else "")
    parts = [f"Bron: {publisher}", table]
    years = meta.get("year") or meta.get("years")
    if years:
        years = [years] if isinstance(years, (int, str)) else list(years)
        parts.append(("peiljaar " if len(years) == 1 else "peiljaren ") + ", ".join(map(str, years)))
    if boundary_year:
        parts.append(f"grenzen {boundary_year} (CBS/PDOK)")
    parts.append(f"opgehaald {dutch_date(meta.get('fetched_at'))}")
    parts.append(LICENCE)
    line = "; ".join(parts)
    if meta.get("demo"):
        line = f"{DEMO_MARK.upper()} — {line}"
    return line


def boundaries_line(meta: Mapping[str, Any]) -> str:
    """The sources-list line of a boundary layer (``attrs['bron']`` of ``geo.load_boundaries``): 'Bron: CBS/PDOK;
    wijkgrenzen 2024 (laag wijk_gegeneraliseerd); opgehaald …; CC BY 4.0'."""
    what = {"gemeente": "gemeentegrenzen", "wijk": "wijkgrenzen", "buurt": "buurtgrenzen"}.get(str(meta.get("level")), "grenzen")
    parts = [f"Bron: {meta.get('publisher', 'CBS/PDOK')}", f"{what} {meta.get('year', '?')}"
             + (f" (laag {meta['layer']})" if meta.get("layer") else ""), f"opgehaald {dutch_date(meta.get('fetched_at'))}", LICENCE]
    line = "; ".join(parts)
    return f"{DEMO_MARK.upper()} — {line}" if meta.get("demo") else line


def sources_line(first: Mapping[str, Any], *more: tuple[str, Mapping[str, Any]], year: int | None = None) -> str:
    """``source_line(first, year=year)`` followed by what each further table gave ("inwoners", its provenance): one
    demo mark in front when any is demo data. E.g. for counts, made from a percentage and a population table."""
    lines = [source_line({**first, "demo": False}, year=year)]
    lines += [f"{what}: " + source_line({**meta, "demo": False}).removeprefix("Bron: ") for what, meta in more if meta]
    line = " · ".join(lines)
    if first.get("demo") or any(meta.get("demo") for _, meta in more if meta):
        line = f"{DEMO_MARK.upper()} — {line}"
    return line
