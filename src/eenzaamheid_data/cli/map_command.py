"""``eenzaamheid map``: one choropleth (or the comparison with Nederland) as PNG, SVG or PDF."""

from __future__ import annotations

import argparse
import difflib
import logging
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from ..config import Settings
from ..errors import BadInputError, EenzaamheidError, UnknownRegionError
from . import types

if TYPE_CHECKING:
    import geopandas as gpd

log = logging.getLogger(__name__)

NATIONAL_AREAS = ("nl", "nederland", "heel nederland")
OUTPUT_SUFFIXES = (".png", ".svg", ".pdf")


@dataclass(frozen=True)
class Area:
    """What ``--area`` resolved to: the gemeenten it covers and how to name it."""

    kind: str  # "nederland", "provincie", "ggdregio" or "gemeente"
    name: str | None
    gemeentecodes: tuple[str, ...] | None  # None: all of Nederland


def register(sub: argparse._SubParsersAction) -> None:
    from . import common_options

    parser = sub.add_parser(
        "map",
        help="draw a map of loneliness per gemeente, wijk or buurt (PNG, SVG or PDF)",
        description="Draw one map of the loneliness figures. Boundaries come from PDOK for the table's classification year.",
    )
    parser.add_argument("--indicator", type=types.text, default="eenzaam", help="eenzaam, sterk_eenzaam, emotioneel_eenzaam or sociaal_eenzaam (default eenzaam)")
    parser.add_argument("--year", type=int, help="survey year (default: the newest in the table)")
    parser.add_argument("--age", type=types.age, default="18+", help="age group: 18+, 18-64 or 65+ (default 18+)")
    parser.add_argument("--area", type=types.text, default="NL", metavar="AREA", help="NL (default), a provincie, a GGD-regio or a gemeente (name or code)")
    parser.add_argument("--level", choices=("gemeente", "wijk", "buurt"),
                        help="regions to colour (default: the wijken of a gemeente --area, else gemeenten; wijk/buurt need --area GEMEENTE)")
    parser.add_argument("--highlight", type=types.text, metavar="REGION", help="draw this gemeente's (or wijk's) border thick")
    parser.add_argument("--classes", choices=("quantiles", "natural", "round", "fixed"),
                        help="how to make the classes (default: quantiles for Nederland, round for an --area: round limits, "
                        "classes at least 2 points wide; fixed with --bins)")
    parser.add_argument("--bins", type=types.text, metavar="LIMITS",
                        help="class limits for --classes fixed: rising percentages from 0 to 100, e.g. 30,40,50,60 (decimal point)")
    parser.add_argument("--vs-nl", action="store_true", help="colour by comparison with Nederland instead of by classes")
    parser.add_argument("--aspect", default="page", choices=("page", "16:9"), help="page (default) or 16:9 for slides")
    parser.add_argument("--table", type=types.text, help="RIVM table id (default: the newest)")
    parser.add_argument("--output", "-o", type=types.path, required=True, metavar="FILE", help="FILE.png, FILE.svg or FILE.pdf")
    common_options(parser)
    parser.set_defaults(run=run)


def parse_bins(text: str | None) -> list[float] | None:
    """'30,40,50,60' → [30.0, 40.0, 50.0, 60.0]."""
    if text is None:
        return None
    try:
        return [float(part) for part in text.replace(";", ",").split(",") if part.strip()]
    except ValueError:
        raise BadInputError(f"--bins {text!r} is not a list of numbers", hint="write e.g. --bins 30,40,50,60 (decimal point, comma between limits)") from None


def resolve_area(text: str | None, gemeenten: pd.DataFrame, *, prefer_gemeente: bool = False) -> Area:
    """``--area`` → Nederland, a provincie, a GGD-regio (by name or code) or one gemeente.

    A name that is both a provincie and a gemeente (Groningen, Utrecht) is the provincie, unless
    ``prefer_gemeente`` (a wijk or buurt map, which needs one gemeente).
    """
    from ..regions import GemeenteLookup

    query = (text or "NL").strip()
    if query.casefold() in NATIONAL_AREAS:
        return Area("nederland", None, None)
    if prefer_gemeente:
        try:
            code = GemeenteLookup(gemeenten).resolve(query)
        except BadInputError:
            pass
        else:
            name = str(gemeenten.loc[gemeenten["gemeentecode"] == code, "gemeentenaam"].iloc[0])
            return Area("gemeente", name, (code,))
    for kind, code_col, name_col in (("provincie", "provinciecode", "provincienaam"), ("ggdregio", "ggdregiocode", "ggdregionaam")):
        hit = (gemeenten[name_col].astype(str).str.strip().str.casefold() == query.casefold()) | (
            gemeenten[code_col].astype(str).str.strip().str.upper() == query.upper()
        )
        if hit.any():
            name = str(gemeenten.loc[hit, name_col].iloc[0]).strip()
            same_name = gemeenten.loc[gemeenten["gemeentenaam"].astype(str).str.strip().str.casefold() == query.casefold(), "gemeentecode"]
            if len(same_name):
                log.warning("%r is a %s and a gemeente: this map shows the %s; for the gemeente give its code (%s)",
                            query, kind.replace("ggdregio", "GGD-regio"), kind.replace("ggdregio", "GGD-regio"), same_name.iloc[0])
            return Area(kind, name, tuple(sorted(gemeenten.loc[hit, "gemeentecode"])))
    try:
        code = GemeenteLookup(gemeenten).resolve(query)
    except UnknownRegionError:
        choices = sorted(
            {str(v).strip() for col in ("provincienaam", "ggdregionaam", "gemeentenaam") for v in gemeenten[col].dropna()}
        )
        by_fold = {c.casefold(): c for c in choices}
        near = [by_fold[m] for m in difflib.get_close_matches(query.casefold(), list(by_fold), n=4, cutoff=0.6)]
        raise UnknownRegionError(query, near, kind="area (provincie, GGD-regio or gemeente)") from None
    name = str(gemeenten.loc[gemeenten["gemeentecode"] == code, "gemeentenaam"].iloc[0])
    return Area("gemeente", name, (code,))


def run(args: argparse.Namespace, settings: Settings) -> int:
    from .. import geo, maps, rivm
    from ..regions import GemeenteLookup, load_gemeenten
    from .data_commands import check_output_file, data_settings

    check_output_file(args.output, OUTPUT_SUFFIXES)
    bins = parse_bins(args.bins)
    scheme = args.classes or ("fixed" if bins is not None else None)  # None: chosen by the area, below
    if args.vs_nl and (args.classes or bins is not None):
        raise BadInputError("--vs-nl colours by comparison with Nederland; it takes no --classes or --bins", hint="drop one of them")
    maps.check_classes(scheme or "quantiles", bins=bins)  # contradictory options fail before any download
    table = (args.table or rivm.DEFAULT_TABLE).strip().upper()

    with data_settings(args, settings) as s:
        gemeente_figures = rivm.load_figures(s, table=table, level="gemeente")
        year_of_classification = int(gemeente_figures.attrs["bron"]["classification_year"])
        gemeenten = load_gemeenten(s, year=year_of_classification)
        area = resolve_area(args.area, gemeenten, prefer_gemeente=args.level in ("wijk", "buurt"))
        # an area's few regions get round classes: quantiles of ten gemeenten made classes 0,1 point wide
        scheme = scheme or ("quantiles" if area.gemeentecodes is None else "round")
        # one gemeente coloured whole says little: by default its wijken
        level = args.level or ("wijk" if area.kind == "gemeente" else "gemeente")
        if level != "gemeente" and area.kind != "gemeente":
            raise BadInputError(f"--level {level} maps the {level}en of one gemeente", hint="give --area GEMEENTE (a name or code)")
        if level == "gemeente":
            figures = gemeente_figures
        else:
            figures = rivm.load_figures(s, table=table, level=level, gemeente=area.gemeentecodes[0])  # type: ignore[index]
        survey_year = args.year or int(max(figures["jaar"]))
        shown = _shown(figures, args.indicator, survey_year, args.age, area, level)
        if bins is not None:
            check_bins_fit(bins, shown["waarde"], args.bins)
        highlight = _resolve_highlight(args.highlight, level, gemeenten, GemeenteLookup, figures)
        if highlight and highlight.startswith("GM") and area.gemeentecodes is not None and highlight not in area.gemeentecodes:
            raise BadInputError(f"--highlight {args.highlight!r} is not on this map of {area.name}",
                                hint="name a gemeente (or wijk, buurt) inside --area")
        # a wijk or buurt map is of one gemeente: read only its part of the national layer
        boundaries = geo.load_boundaries(s, level=level, year=year_of_classification,
                                         gemeenten=None if level == "gemeente" else area.gemeentecodes)
        outlines = _outlines(s, level, area, year_of_classification)
        fig, report = maps.make_map(
            figures, boundaries, indicator=args.indicator, year=survey_year, age=args.age,
            area_codes=area.gemeentecodes, area_name=area.name, level=level, highlight=highlight,
            classes=scheme, bins=bins, vs_nl=args.vs_nl, national=gemeente_figures, outlines=outlines, aspect=args.aspect,
        )
    maps.save_figure(fig, args.output)
    if note := _nothing_to_colour(shown, args.indicator, survey_year, args.age):
        print(f"note: {note}", file=sys.stderr)
    if not report.ok:
        print(f"note: {report.footnote(max_listed=20)}", file=sys.stderr)
    print(f"wrote {args.output}", file=sys.stderr)
    return 0


def _shown(figures: pd.DataFrame, indicator: str, year: int, age: str, area: Area, level: str) -> pd.DataFrame:
    """The rows the map colours."""
    wanted = (figures["indicator"] == indicator) & (figures["jaar"] == year) & (figures["leeftijd"] == age) & (figures["niveau"] == level)
    if area.gemeentecodes is not None:
        wanted &= figures["gemeentecode"].isin(area.gemeentecodes)
    return figures[wanted]


def _nothing_to_colour(rows: pd.DataFrame, indicator: str, year: int, age: str) -> str | None:
    """A note when the map has no figure at all (e.g. sociaal eenzaam in 2012, or a suppressed age group)."""
    if len(rows) and rows["waarde"].isna().all():
        return f"the source has no figures for {indicator}, {age}, {year} here: every area is drawn as 'geen gegevens'"
    return None


def check_bins_fit(bins: list[float], values: pd.Series, text: str) -> None:
    """Class limits that put every value of the map in one class (one colour, nothing to see) are refused,
    with limits that would work."""
    from ..maps import classes_used, round_bins

    y = pd.to_numeric(values, errors="coerce").dropna()
    if len(y) < 2 or y.min() == y.max() or classes_used(y, bins) > 1:  # one value is one colour whatever the limits
        return
    suggestion = ",".join(f"{b:g}" for b in round_bins(y))
    raise BadInputError(f"--bins {text} put every value on this map ({y.min():.1f}% to {y.max():.1f}%) in one class, one colour",
                        hint=f"give limits that split those values, e.g. --bins {suggestion}, or leave --bins out")


def _resolve_highlight(text: str | None, level: str, gemeenten: pd.DataFrame, lookup_class: type,
                       figures: pd.DataFrame | None = None) -> str | None:
    """A code to outline: a wijk or buurt code, a wijk or buurt name on such a map, or a gemeente."""
    if not text:
        return None
    upper = text.strip().upper()
    if upper.startswith(("WK", "BU")) and upper[2:].isdigit():
        return upper
    names = pd.DataFrame(columns=["regiocode", "regionaam"])
    if level != "gemeente" and figures is not None:
        names = figures.loc[figures["niveau"] == level, ["regiocode", "regionaam"]].drop_duplicates("regiocode")
        hits = names[names["regionaam"].astype(str).str.casefold() == text.strip().casefold()]
        if len(hits) == 1:
            return str(hits["regiocode"].iloc[0])
        if len(hits) > 1:
            raise BadInputError(f"{text!r} names {len(hits)} areas on this map", hint="give the code: " + ", ".join(hits["regiocode"]))
    try:
        return lookup_class(gemeenten).resolve(text)
    except UnknownRegionError as err:
        if level == "gemeente":  # perhaps a wijk ("Noord"): those are on a wijk map only
            raise BadInputError(err.message, hint=f"{err.hint} (a wijk or buurt is outlined on its own map: add --level wijk "
                                "--area GEMEENTE)") from None
        shown = names["regionaam"].astype(str).tolist()
        close = difflib.get_close_matches(text.strip(), shown, n=3, cutoff=0.6)
        hint = ("did you mean: " + ", ".join(close)) if close else (f"name one of its {len(shown)} areas, e.g. " + ", ".join(shown[:3]))
        raise BadInputError(f"no {level} or gemeente {text!r} on this map", hint=hint) from None


def _outlines(settings: Settings, level: str, area: Area, year: int) -> gpd.GeoDataFrame | None:
    """Borders for orientation: provincies on a gemeente map, the gemeente's own border on a wijk/buurt map."""
    from .. import geo

    try:
        if level == "gemeente":
            return geo.load_boundaries(settings, level="provincie", year=year)
        shapes = geo.load_boundaries(settings, level="gemeente", year=year)
        return geo.within_gemeenten(shapes, list(area.gemeentecodes or ()))
    except EenzaamheidError as err:  # the map is still right without them
        log.warning("map drawn without outline borders: %s", err)
        return None
