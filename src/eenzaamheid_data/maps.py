"""Choropleth maps of the loneliness figures: classes from mapclassify, one drawing path, legends as data.

``make_map`` is what the command line, the notebooks and the reports call. Underneath, ``classify``
turns values into ``Classes`` (limits, Dutch labels, an ordered categorical, colours) and
``choropleth`` / ``significance_map`` draw categories through the same function. Plot functions take
``ax=None`` and return the Axes; nothing here calls ``plt.show()`` or changes matplotlib's rcParams.
"""

from __future__ import annotations

import logging
import math
import textwrap
import threading
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import matplotlib
import numpy as np
import pandas as pd
import shapely
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.patheffects import withStroke

from . import analysis, fmt
from .cache import atomic_path
from .charts import literal_text
from .errors import BadInputError
from .geo import JoinReport, gemeente_of, join_boundaries

log = logging.getLogger(__name__)

Scheme = Literal["quantiles", "natural", "round", "fixed"]
Aspect = Literal["page", "16:9"]
SCHEMES: tuple[str, ...] = ("quantiles", "natural", "round", "fixed")
MAP_LEVELS: tuple[str, ...] = ("gemeente", "wijk", "buurt")

PALETTE = "YlGnBu"  # sequential, colour-blind safe (ColorBrewer)
NATURAL_BREAKS_SEED = 20240101
MAX_CLASSES = 9

MISSING_LABEL = fmt.MISSING  # "geen gegevens"
MISSING_FACE = "#d9d9d9"
MISSING_EDGE = "#8c8c8c"
MISSING_HATCH = "////"
EDGE_COLOR = "#ffffff"
OUTLINE_COLOR = "#404040"
HIGHLIGHT_COLOR = "#000000"

HIGHER, SIMILAR, LOWER = "hoger dan Nederland", "niet aantoonbaar verschillend", "lager dan Nederland"
UNTESTED = "niet te toetsen (geen interval)"
SIGNIFICANCE_CATEGORIES: tuple[str, ...] = (HIGHER, SIMILAR, LOWER, UNTESTED, MISSING_LABEL)
SIGNIFICANCE_COLORS: dict[str, str] = {HIGHER: "#e66101", SIMILAR: "#f1ece4", LOWER: "#5e3c99", UNTESTED: "#b3b3b3"}  # PuOr ends
SIGNIFICANCE_RULE = (
    "Hoger (lager) dan Nederland: de ondergrens (bovengrens) van het 95%-interval van het gebied ligt boven "
    "(onder) het 95%-interval van Nederland, of boven (onder) de waarde van Nederland als daar geen interval is. "
    "Anders: niet aantoonbaar verschillend. Een gebied met een cijfer maar zonder interval is niet te toetsen."
)

FIGSIZES: dict[str, tuple[float, float]] = {"page": (7.5, 9.0), "16:9": (8.0, 4.5)}
"""Figure sizes in inches; a 'page' map keeps its width and takes the height its area needs. 16:9 is the
charts' slide size: its texts are as large on a slide as theirs (saved at 240 dpi it is 1920 × 1080 px)."""
_MIN_MAP_HEIGHT_IN, _MAX_PAGE_HEIGHT_IN = 3.0, 10.5
_MAP_WIDTH = {"page": 0.62, "16:9": 0.58}  # share of the figure's width for the map; the legend goes right of it

_TITLE_SIZE, _SUBTITLE_SIZE, _NOTE_SIZE, _LABEL_SIZE = 14.0, 10.5, 7.0, 6.5
_SEED_LOCK = threading.Lock()


# -- classification ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Classes:
    """A classification: ``bins`` are the k+1 class limits (a value v is in class i when
    bins[i] < v ≤ bins[i+1]; the first class includes its lower limit), ``labels`` the Dutch legend
    texts, ``colors`` one colour per class, ``codes`` the class of each classified value (an ordered
    categorical; missing stays missing)."""

    bins: tuple[float, ...]
    labels: tuple[str, ...]
    colors: tuple[str, ...]
    codes: pd.Series = field(compare=False, repr=False)
    scheme: str = "quantiles"

    @property
    def k(self) -> int:
        return len(self.labels)

    def assign(self, values: pd.Series) -> pd.Series:
        """The class label of each value (ordered categorical; missing values stay missing)."""
        numbers = pd.to_numeric(values, errors="coerce").astype(float)
        result = pd.Series(pd.Categorical([None] * len(numbers), categories=list(self.labels), ordered=True), index=numbers.index)
        present = numbers.notna().to_numpy()
        if self.k and present.any():
            upper = np.asarray(self.bins[1:], dtype=float)
            index = np.minimum(np.searchsorted(upper, numbers.to_numpy()[present], side="left"), self.k - 1)
            result[present] = np.asarray(self.labels, dtype=object)[index]
        return result

    def legend(self) -> list[tuple[str, str]]:
        """(label, colour) per class, lowest first."""
        return list(zip(self.labels, self.colors))


@contextmanager
def _seeded_numpy(seed: int) -> Iterator[None]:
    """NaturalBreaks draws k-means starts from numpy's global generator: seed it, then put it back."""
    with _SEED_LOCK:
        state = np.random.get_state()
        np.random.seed(seed)
        try:
            yield
        finally:
            np.random.set_state(state)


def palette(k: int, name: str = PALETTE) -> list[str]:
    """``k`` colours from a sequential colour-blind-safe colormap, light to dark."""
    cmap = matplotlib.colormaps[name]
    positions = np.linspace(0.12, 0.92, k) if k > 1 else np.array([0.55])
    return [matplotlib.colors.to_hex(cmap(p)) for p in positions]


def _check_scheme(scheme: str, k: int, bins: Sequence[float] | None) -> None:
    if scheme not in SCHEMES:
        raise BadInputError(f"unknown classification {scheme!r}", hint=f"use one of: {', '.join(SCHEMES)}")
    if scheme == "fixed" and bins is None:
        raise BadInputError("classification 'fixed' needs class limits", hint="give bins, e.g. 30,40,50,60")
    if scheme != "fixed" and bins is not None:
        raise BadInputError(f"class limits go with classification 'fixed', not {scheme!r}", hint="drop the bins or use 'fixed'")
    if not 1 <= int(k) <= MAX_CLASSES:
        raise BadInputError(f"cannot make {k} classes", hint=f"use 1 to {MAX_CLASSES} classes")


def check_classes(scheme: str, *, k: int = 5, bins: Sequence[float] | None = None) -> None:
    """Raise BadInputError for an unknown scheme, contradictory arguments or limits that do not rise."""
    _check_scheme(scheme, k, bins)
    if bins is not None:
        _check_bins(bins)


def _check_bins(bins: Sequence[float]) -> tuple[float, ...]:
    try:
        edges = tuple(float(b) for b in bins)
    except (TypeError, ValueError):
        raise BadInputError(f"class limits {list(bins)!r} are not numbers", hint="give numbers such as 30,40,50,60") from None
    if not all(math.isfinite(e) and 0 <= e <= 100 for e in edges):
        raise BadInputError(f"class limits {', '.join(f'{e:g}' for e in edges)} are not all percentages from 0 to 100",
                            hint="give numbers such as 30,40,50,60")
    if len(edges) < 2 or any(b <= a for a, b in zip(edges, edges[1:])):
        raise BadInputError(
            f"class limits {', '.join(f'{e:g}' for e in edges)} do not rise",  # English message: decimal points
            hint="give at least two increasing limits, e.g. 30,40,50,60 (three classes)",
        )
    return edges


def _labels(edges: Sequence[float]) -> list[str]:
    for decimals in (1, 2, 3):
        labels = [fmt.pct(lo, decimals) if lo == hi else fmt.pct_range(lo, hi, decimals) for lo, hi in zip(edges, edges[1:])]
        if len(set(labels)) == len(labels):
            return labels
    return labels


def classify(
    values: pd.Series,
    *,
    scheme: Scheme = "quantiles",
    k: int = 5,
    bins: Sequence[float] | None = None,
) -> Classes:
    """Classes for ``values`` (percentages; missing stays missing) by mapclassify.

    ``quantiles`` (equal counts), ``natural`` (natural breaks, with a fixed seed so the same data always
    gives the same classes), ``round`` (``round_bins``: round limits, classes at least 2 points wide, for a
    map of a few areas) or ``fixed`` with ``bins`` as class limits (k+1 limits make k classes;
    use ``shared_bins`` to give several maps the same limits). Values outside fixed limits go into the
    outer class, whose label then says so ("≤ 40,0%", "> 50,0%").
    """
    _check_scheme(scheme, k, bins)
    numbers = pd.to_numeric(pd.Series(values), errors="coerce").astype(float)
    y = numbers.dropna().to_numpy()
    if scheme == "fixed":
        edges = _check_bins(bins)  # type: ignore[arg-type]
        labels = _labels(edges)
        if len(y):
            if (y < edges[0]).any():
                labels[0] = f"≤ {fmt.pct(edges[1])}"
                log.warning("values below the lowest class limit %s are shown in the lowest class, now labelled '%s'",
                            f"{edges[0]:g}%", labels[0])
            if (y > edges[-1]).any():
                labels[-1] = f"> {fmt.pct(edges[-2])}"
                log.warning("values above the highest class limit %s are shown in the highest class, now labelled '%s'",
                            f"{edges[-1]:g}%", labels[-1])
    elif len(y) == 0:
        edges, labels = (), []
    elif scheme == "round":
        edges = tuple(round_bins(pd.Series(y), k=k))
        labels = _labels(edges)
    else:
        edges = tuple(float(e) for e in (float(y.min()), *_mapclassify_bins(y, scheme, k)))
        labels = _labels(edges)
    empty = Classes(tuple(edges), tuple(labels), tuple(palette(len(labels))) if labels else (), pd.Series(dtype="category"), scheme)
    return Classes(empty.bins, empty.labels, empty.colors, empty.assign(numbers), scheme)


def classes_used(values: pd.Series, bins: Sequence[float]) -> int:
    """How many of the classes that ``bins`` make hold at least one of ``values`` (as ``classify`` would assign
    them, with values beyond the limits in the outer classes; quietly: for checking limits before a map)."""
    edges = _check_bins(bins)
    classes = Classes(edges, tuple(_labels(edges)), (), pd.Series(dtype="category"), "fixed")
    return int(classes.assign(pd.Series(values)).nunique())


def _mapclassify_bins(y: np.ndarray, scheme: str, k: int) -> list[float]:
    """Upper class limits as mapclassify makes them (fewer than k when there are fewer distinct values)."""
    k = min(int(k), len(np.unique(y)))
    if scheme != "natural":
        return sorted({float(b) for b in quantile_bins(y, k)})
    import mapclassify  # only here: it pulls in scipy and scikit-learn (about 1 s), which quantiles do not need

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        with _seeded_numpy(NATURAL_BREAKS_SEED):
            classifier = mapclassify.NaturalBreaks(y, k=k)
    return sorted({float(b) for b in classifier.bins})


def quantile_bins(y: np.ndarray, k: int) -> np.ndarray:
    """Upper limits of ``k`` equal-count classes, exactly as ``mapclassify.Quantiles`` computes them.

    The same percentiles with linear interpolation, ties collapsed; written out because importing
    mapclassify costs a second of start-up for every report (tests compare the two).
    """
    w = 100.0 / k
    p = np.arange(w, 100 + w, w)
    if p[-1] > 100.0:
        p[-1] = 100.0
    return np.unique(np.percentile(np.asarray(y, dtype=float), p))


ROUND_STEPS = (1.0, 2.0, 2.5, 5.0, 10.0, 20.0, 25.0)
"""Class widths ``round_bins`` chooses from (percentage points)."""


def round_bins(*value_series: pd.Series, k: int = 5, min_step: float = 2.0) -> list[float]:
    """Class limits at round numbers, at most ``k`` classes of equal width, none narrower than ``min_step``
    points: for a map of a few areas whose differences are small next to their intervals (quantiles give
    three wijken 0,3 points apart three contrasting colours). Pass as ``bins`` with ``scheme="fixed"``."""
    y = pd.to_numeric(pd.concat([pd.Series(v, dtype="float64") for v in value_series]), errors="coerce").dropna().to_numpy()
    if len(y) == 0:
        raise BadInputError("no values to make class limits from", hint="check the year, age and indicator")
    lo, hi = float(y.min()), float(y.max())
    for step in (s for s in ROUND_STEPS if s >= min_step):
        start = math.floor(lo / step) * step
        count = max(1, math.ceil((hi - start) / step - 1e-9))
        if count <= k:
            break
    return [round(start + i * step, 6) for i in range(count + 1)]


def shared_bins(*value_series: pd.Series, k: int = 5, scheme: Literal["quantiles", "natural"] = "quantiles") -> list[float]:
    """Class limits (k+1, rounded to 0,1) that fit all the given series, for maps meant to be compared.

    Pass the result as ``bins`` with ``scheme="fixed"`` to every map of the set.
    """
    _check_scheme(scheme, k, None)
    pooled = pd.concat([pd.to_numeric(pd.Series(s), errors="coerce") for s in value_series], ignore_index=True).dropna()
    if pooled.empty:
        raise BadInputError("no values to make class limits from", hint="check that the maps have figures")
    y = pooled.to_numpy(dtype=float)
    upper = _mapclassify_bins(y, scheme, k)
    edges = [math.floor(y.min() * 10) / 10, *(round(b, 1) for b in upper[:-1]), math.ceil(y.max() * 10) / 10]
    distinct = sorted(set(edges))
    if len(distinct) < 2:
        distinct = [distinct[0], round(distinct[0] + 0.1, 1)]
    return distinct


# -- significance -------------------------------------------------------------------------------------


def significance_classes(figures_subset: pd.DataFrame, national_row: pd.Series | Mapping[str, Any] | pd.DataFrame) -> pd.Series:
    """Each region compared with Nederland: "hoger dan Nederland", "niet aantoonbaar verschillend",
    "lager dan Nederland" or "geen gegevens".

    The rule (the project's method everywhere; conservative, intervals must not overlap): a region is
    *hoger* when the lower bound of its 95% interval lies above Nederland's upper bound (or above
    Nederland's value when Nederland has no interval); *lager* when its upper bound lies below
    Nederland's lower bound (or value); otherwise *niet aantoonbaar verschillend*. A region with a value
    but no interval is "niet te toetsen (geen interval)"; one without a value "geen gegevens". The rule is
    ``analysis``'s, the one every comparison in the package uses (there "onbekend" covers both last cases).
    """
    nl = _one_row(national_row)
    nl_value = _float(nl.get("waarde"))
    if math.isnan(nl_value):
        raise BadInputError("the figure for Nederland is missing", hint="compare with a year and age group Nederland has a figure for")
    value = pd.to_numeric(figures_subset["waarde"], errors="coerce")
    verdicts = analysis.verdicts(value, figures_subset["ondergrens"], figures_subset["bovengrens"],
                                 [nl_value], [_float(nl.get("ondergrens"))], [_float(nl.get("bovengrens"))],
                                 labels=(HIGHER, LOWER, SIMILAR, UNTESTED))
    labels = np.where(value.isna().to_numpy(), MISSING_LABEL, verdicts)
    return pd.Series(pd.Categorical(labels, categories=list(SIGNIFICANCE_CATEGORIES), ordered=True), index=figures_subset.index, name="vergeleken_met_nl")


def _one_row(row: pd.Series | Mapping[str, Any] | pd.DataFrame) -> Mapping[str, Any]:
    if isinstance(row, pd.DataFrame):
        if len(row) != 1:
            raise BadInputError(f"expected one row for Nederland, got {len(row)}", hint="select one indicator, year and age group")
        return row.iloc[0].to_dict()
    return dict(row)


def _float(value: Any) -> float:  # noqa: ANN401
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


# -- drawing ----------------------------------------------------------------------------------------------


@literal_text
def choropleth(
    gdf: gpd.GeoDataFrame,
    column: str,
    *,
    classes: Classes | None = None,
    ax: Axes | None = None,
    title: str | None = None,
    subtitle: str | None = None,
    source: str | None = None,
    outlines: gpd.GeoDataFrame | None = None,
    highlight: str | Sequence[str] | None = None,
    highlight_label: str | None = None,
    labels: bool = False,
    footnote: str | None = None,
    aspect: Aspect = "page",
    legend_title: str | None = None,
    demo: bool | None = None,
) -> Axes:
    """Draw ``gdf[column]`` in classes (quantiles unless ``classes`` is given) and return the Axes.

    Missing values are hatched grey ("geen gegevens" in the legend). ``outlines`` (e.g. provincie
    borders) are drawn on top for orientation; ``highlight`` (a code, or a gemeentecode on a wijk or
    buurt map) gets a thick border, explained in the legend by ``highlight_label`` when given; ``labels``
    writes region names where they fit. ``source``
    defaults to the source line of ``gdf.attrs["bron"]``; demo data are marked "fictieve voorbeelddata".
    """
    if column not in gdf.columns:
        raise BadInputError(f"no column {column!r} to map", hint=f"columns: {', '.join(map(str, gdf.columns))}")
    classes = classes if classes is not None else classify(gdf[column])
    categories = classes.assign(gdf[column])
    return _draw_map(
        gdf, categories, dict(zip(classes.labels, classes.colors)), list(classes.labels),
        ax=ax, title=title, subtitle=subtitle, source=source, notes=[footnote] if footnote else [],
        outlines=outlines, highlight=highlight, highlight_label=highlight_label, labels=labels, aspect=aspect,
        legend_title=legend_title, demo=demo,
    )


@literal_text
def significance_map(
    gdf: gpd.GeoDataFrame,
    categories: str | pd.Series = "vergeleken_met_nl",
    *,
    ax: Axes | None = None,
    title: str | None = None,
    subtitle: str | None = None,
    source: str | None = None,
    outlines: gpd.GeoDataFrame | None = None,
    highlight: str | Sequence[str] | None = None,
    highlight_label: str | None = None,
    labels: bool = False,
    footnote: str | None = None,
    aspect: Aspect = "page",
    demo: bool | None = None,
) -> Axes:
    """Draw the comparison with Nederland (from ``significance_classes``) in a diverging colour-blind-safe
    palette, with the rule written under the map; returns the Axes."""
    cats = gdf[categories] if isinstance(categories, str) else categories.reindex(gdf.index)
    unknown = set(cats.dropna().astype(str)) - set(SIGNIFICANCE_CATEGORIES)
    if unknown:
        raise BadInputError(f"unknown comparison categories {sorted(unknown)}", hint="make them with significance_classes()")
    cats = cats.astype(str).where(cats.notna() & (cats.astype(str) != MISSING_LABEL))
    notes = [SIGNIFICANCE_RULE] + ([footnote] if footnote else [])
    order = [HIGHER, SIMILAR, LOWER] + ([UNTESTED] if (cats == UNTESTED).any() else [])
    return _draw_map(
        gdf, cats, SIGNIFICANCE_COLORS, order,
        ax=ax, title=title, subtitle=subtitle, source=source, notes=notes, outlines=outlines,
        highlight=highlight, highlight_label=highlight_label, labels=labels, aspect=aspect, legend_title="Vergeleken met Nederland",
        demo=demo,
    )


def _draw_map(
    gdf: gpd.GeoDataFrame,
    categories: pd.Series,
    colors: Mapping[str, str],
    legend_order: Sequence[str],
    *,
    ax: Axes | None,
    title: str | None,
    subtitle: str | None,
    source: str | None,
    notes: Sequence[str],
    outlines: gpd.GeoDataFrame | None,
    highlight: str | Sequence[str] | None,
    labels: bool,
    aspect: str,
    highlight_label: str | None = None,
    legend_title: str | None,
    demo: bool | None,
) -> Axes:
    """The one drawing path: categories → coloured polygons, hatched missing, legend, texts."""
    if aspect not in FIGSIZES:
        raise BadInputError(f"unknown aspect {aspect!r}", hint="use 'page' or '16:9'")
    bron = gdf.attrs.get("bron") or {}
    demo = bool(bron.get("demo")) if demo is None else demo
    if source is None and bron:
        years = pd.unique(gdf["jaar"].dropna()) if "jaar" in gdf else []
        shown = {**bron, "year": int(years[0])} if len(years) == 1 else bron  # a map of one survey year names that year
        source = fmt.source_line(shown, boundary_year=(gdf.attrs.get("grenzen") or {}).get("year"))
    notes = [n for n in notes if n]
    layout = None
    if ax is None:
        ax, layout = _new_map_axes(aspect, title, subtitle, source, notes, demo)
    shapes = gdf.geometry
    present = categories.notna().to_numpy() & shapes.notna().to_numpy()
    missing = ~categories.notna().to_numpy() & shapes.notna().to_numpy()
    width = 0.6 if len(gdf) <= 60 else 0.3 if len(gdf) <= 600 else 0.12

    if present.any():
        faces = [colors[c] for c in categories[present].astype(str)]
        shapes[present].plot(ax=ax, color=faces, edgecolor=EDGE_COLOR, linewidth=width)
        ax.collections[-1].set_gid("klassen")
    if missing.any():
        shapes[missing].plot(ax=ax, facecolor=MISSING_FACE, edgecolor=MISSING_EDGE, hatch=MISSING_HATCH, linewidth=width)
        ax.collections[-1].set_gid("geen-gegevens")
    if outlines is not None and len(outlines):
        outlines.geometry.boundary.plot(ax=ax, color=OUTLINE_COLOR, linewidth=0.7)
        ax.collections[-1].set_gid("outlines")
    if highlight:
        _highlight(ax, gdf, highlight)

    minx, miny, maxx, maxy = shapes[shapes.notna()].total_bounds if shapes.notna().any() else (0, 0, 1, 1)
    pad = 0.02 * max(maxx - minx, maxy - miny, 1.0)
    ax.set_xlim(minx - pad, maxx + pad)
    ax.set_ylim(miny - pad, maxy + pad)
    ax.set_aspect("equal")
    ax.set_axis_off()
    if layout is not None and aspect == "page":
        _fit_page_height(ax, layout)

    handles = [Patch(facecolor=colors[label], edgecolor="#bdbdbd", linewidth=0.5, label=label) for label in legend_order]
    if missing.any():
        handles.append(Patch(facecolor=MISSING_FACE, edgecolor=MISSING_EDGE, hatch=MISSING_HATCH, label=MISSING_LABEL))
    if highlight and highlight_label:
        handles.append(Line2D([], [], color=HIGHLIGHT_COLOR, linewidth=2.2, label=highlight_label))
    legend = ax.legend(
        handles=handles, title=legend_title, loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False,
        fontsize=9, title_fontsize=9.5, alignment="left", handlelength=1.6, handleheight=1.1,
    )
    legend.set_gid("legenda")
    if labels:
        _label_regions(ax, gdf)
    _write_texts(ax, layout, title=title, subtitle=subtitle, source=source, notes=notes, demo=demo)
    return ax


@dataclass(frozen=True)
class _Layout:
    """Where things go in a figure this module made (inches from the top and bottom edges)."""

    title_lines: tuple[str, ...]
    subtitle_top_in: float
    top_in: float
    bottom_in: float
    left: float
    width: float  # the map's share of the figure's width


def _new_map_axes(aspect: str, title: str | None, subtitle: str | None, source: str | None, notes: Sequence[str], demo: bool) -> tuple[Axes, _Layout]:
    """A figure of the asked shape with room for the title above and the source and notes below."""
    width_in, height_in = FIGSIZES[aspect]
    fig = Figure(figsize=(width_in, height_in), facecolor="white")
    room_in = width_in * 0.93 - (2.4 if demo else 0.0)  # the demo mark sits right of the title
    title_lines = _title_lines(title, max(20, int(room_in * 72 / (_TITLE_SIZE * 0.62)))) if title else ()
    subtitle_top_in = 0.3 + len(title_lines) * _TITLE_SIZE * 1.25 / 72 + 0.08
    top_in = subtitle_top_in + (_SUBTITLE_SIZE * 1.3 / 72 if subtitle else 0.0) + 0.25
    lines = sum(len(_wrap(t, width_in)) for t in ([source] if source else []) + list(notes))
    bottom_in = 0.3 + lines * _NOTE_SIZE * 1.3 / 72 + 0.08 * (len(notes) + 1)
    layout = _Layout(title_lines, subtitle_top_in, top_in, bottom_in, left=0.035, width=_MAP_WIDTH[aspect])
    ax = fig.add_axes((layout.left, bottom_in / height_in, layout.width, 1 - (top_in + bottom_in) / height_in))
    ax.set_anchor("NW")  # the map hugs the title; spare room goes below it
    return ax, layout


def _fit_page_height(ax: Axes, layout: _Layout) -> None:
    """Make a 'page' figure as tall as the mapped area needs, so no band of white is left under it."""
    fig = ax.figure
    width_in = fig.get_size_inches()[0]
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    map_h_in = layout.width * width_in * (y1 - y0) / max(x1 - x0, 1e-9)
    map_h_in = min(max(map_h_in, _MIN_MAP_HEIGHT_IN), _MAX_PAGE_HEIGHT_IN - layout.top_in - layout.bottom_in)
    height_in = layout.top_in + map_h_in + layout.bottom_in
    fig.set_size_inches(width_in, height_in)
    ax.set_position((layout.left, layout.bottom_in / height_in, layout.width, map_h_in / height_in))


_KEEP = "\u00a0"  # between the words of a name in a title: the title is never wrapped inside the name


def _title_lines(title: str, chars: int) -> tuple[str, ...]:
    """The title wrapped at spaces only ("Súdwest-Fryslân" stays whole), never inside a name joined by ``_KEEP``."""
    lines = textwrap.wrap(title, chars, break_on_hyphens=False, break_long_words=False)
    return tuple(line.replace(_KEEP, " ") for line in lines)


def _wrap(text: str, width_in: float, size: float = _NOTE_SIZE) -> list[str]:
    chars = max(40, int(width_in * 72 * 0.92 / (size * 0.56)))
    return textwrap.wrap(text, chars) or [""]


def _note_blocks(source: str | None, notes: Sequence[str]) -> list[tuple[str, str]]:
    """(text, gid) under the map: the source line first, then the rule and footnotes."""
    return ([(source, "source")] if source else []) + [(n, "rule" if n == SIGNIFICANCE_RULE else "footnote") for n in notes]


def _write_texts(ax: Axes, layout: _Layout | None, *, title: str | None, subtitle: str | None, source: str | None, notes: Sequence[str], demo: bool) -> None:
    fig = ax.figure
    width_in, height_in = fig.get_size_inches()
    if layout is not None:
        x = layout.left
        if layout.title_lines:
            fig.text(x, 1 - 0.3 / height_in, "\n".join(layout.title_lines), fontsize=_TITLE_SIZE, fontweight="bold", va="top", linespacing=1.1, gid="title")
        if subtitle:
            fig.text(x, 1 - layout.subtitle_top_in / height_in, subtitle, fontsize=_SUBTITLE_SIZE, va="top", color="#333333", gid="subtitle")
        if demo:
            # the badge's box reaches 0.4 em beyond its text: drawn that much inside the right margin
            fig.text(1 - x - 0.05 / width_in, 1 - 0.3 / height_in, fmt.DEMO_MARK.upper(), fontsize=8, ha="right", va="top",
                     gid="demo-mark", **fmt.DEMO_BADGE)
        y_in = 0.2
        for text, gid in reversed(_note_blocks(source, notes)):  # stacked upwards from the bottom edge
            wrapped = _wrap(text, width_in)
            fig.text(x, y_in / height_in, "\n".join(wrapped), fontsize=_NOTE_SIZE, va="bottom", color="#444444", gid=gid, linespacing=1.3)
            y_in += len(wrapped) * _NOTE_SIZE * 1.3 / 72 + 0.08
        return
    # an Axes of the caller's figure: keep every text attached to the Axes
    if title:
        ax.set_title(title.replace(_KEEP, " "), loc="left", fontsize=_TITLE_SIZE - 2, fontweight="bold", pad=18 if subtitle else 6, gid="title")
    if subtitle:
        ax.annotate(subtitle, (0, 1), xycoords="axes fraction", xytext=(0, 4), textcoords="offset points", va="bottom", fontsize=_SUBTITLE_SIZE - 1.5, gid="subtitle")
    if demo:
        ax.annotate(fmt.DEMO_MARK.upper(), (1, 1), xycoords="axes fraction", xytext=(-2, 6), textcoords="offset points", ha="right", va="bottom", fontsize=7, gid="demo-mark", **fmt.DEMO_BADGE)
    offset = 4.0
    for text, gid in _note_blocks(source, notes):
        wrapped = _wrap(text, width_in * ax.get_position().width, _NOTE_SIZE - 1)
        ax.annotate("\n".join(wrapped), (0, 0), xycoords="axes fraction", xytext=(0, -offset), textcoords="offset points", va="top", fontsize=_NOTE_SIZE - 1, color="#444444", gid=gid)
        offset += len(wrapped) * (_NOTE_SIZE - 1) * 1.3 + 3


def _highlight(ax: Axes, gdf: gpd.GeoDataFrame, highlight: str | Sequence[str]) -> None:
    shapes = []
    for item in [highlight] if isinstance(highlight, str) else list(highlight):
        key = str(item).strip()
        rows = gdf[gdf["statcode"].str.upper() == key.upper()]
        if rows.empty:
            rows = gdf[gdf["statnaam"].str.casefold() == key.casefold()]
        if rows.empty and key.upper().startswith("GM"):
            rows = gdf[gdf["statcode"].map(gemeente_of) == key.upper()]
        if rows.empty:
            raise BadInputError(f"{key!r} is not on this map", hint="name a region the map shows (its code or name)")
        shapes.append(shapely.union_all(rows.geometry.to_numpy()))
    gpd.GeoSeries(shapes, crs=gdf.crs).boundary.plot(ax=ax, color=HIGHLIGHT_COLOR, linewidth=2.2, zorder=4)
    ax.collections[-1].set_gid("highlight")


def _label_regions(ax: Axes, gdf: gpd.GeoDataFrame) -> None:
    """Write each region's name at a point inside it, when the (estimated) text fits the polygon."""
    fig = ax.figure
    ax.apply_aspect()
    box_width_pt = ax.get_position().width * fig.get_size_inches()[0] * 72
    xmin, xmax = ax.get_xlim()
    per_pt = (xmax - xmin) / max(box_width_pt, 1.0)  # map metres per typographic point
    names = gdf["regionaam"].where(gdf["regionaam"].notna(), gdf["statnaam"]) if "regionaam" in gdf.columns else gdf["statnaam"]
    halo = [withStroke(linewidth=2.0, foreground="white")]
    for name, shape in zip(names, gdf.geometry):
        if shape is None or shape.is_empty or not isinstance(name, str):
            continue
        part = max(shapely.get_parts(shape), key=lambda p: p.area)  # label the main part of a gemeente with islands
        point, width = _label_point(part)
        text_w = len(name) * _LABEL_SIZE * 0.55 * per_pt
        text_h = _LABEL_SIZE * 1.2 * per_pt
        if text_w > width or text_h > _chord(part, point, horizontal=False):
            continue
        ax.text(point.x, point.y, name, fontsize=_LABEL_SIZE, ha="center", va="center", color="#1a1a1a", path_effects=halo, zorder=5, gid="regionaam", clip_on=True)


def _label_point(polygon: Any) -> tuple[Any, float]:  # noqa: ANN401
    """Of a few points inside ``polygon`` (centre of the largest inscribed circle, centroid, a
    representative point), the one with the widest horizontal room, and that room in metres."""
    size = max(polygon.bounds[2] - polygon.bounds[0], polygon.bounds[3] - polygon.bounds[1], 1e-9)
    candidates = [shapely.get_point(shapely.maximum_inscribed_circle(polygon, size / 100), 0), polygon.centroid, polygon.representative_point()]
    inside = [p for p in candidates if p is not None and polygon.contains(p)]
    scored = [(p, _chord(polygon, p, horizontal=True)) for p in inside]
    return max(scored, key=lambda item: item[1]) if scored else (candidates[-1], 0.0)


def _chord(shape: Any, point: Any, *, horizontal: bool) -> float:  # noqa: ANN401
    """Length of the piece of a horizontal (vertical) line through ``point`` that lies inside ``shape``."""
    minx, miny, maxx, maxy = shape.bounds
    line = shapely.LineString([(minx - 1, point.y), (maxx + 1, point.y)] if horizontal else [(point.x, miny - 1), (point.x, maxy + 1)])
    pieces = shapely.get_parts(shapely.intersection(line, shape))
    around = [p for p in pieces if p.distance(point) < 1e-6]
    return float(around[0].length) if around else 0.0


# -- the one entry point -------------------------------------------------------------------------------------


@literal_text
def make_map(
    figures: pd.DataFrame,
    boundaries: gpd.GeoDataFrame,
    *,
    indicator: str,
    year: int,
    age: str,
    area_codes: Sequence[str] | None = None,
    area_name: str | None = None,
    level: str = "gemeente",
    highlight: str | Sequence[str] | None = None,
    highlight_label: str | None = None,
    classes: Scheme | Classes = "quantiles",
    bins: Sequence[float] | None = None,
    k: int = 5,
    vs_nl: bool = False,
    national: pd.DataFrame | None = None,
    outlines: gpd.GeoDataFrame | None = None,
    labels: bool | None = None,
    aspect: Aspect = "page",
    note: str | None = None,
) -> tuple[Figure, JoinReport]:
    """One map of the tidy table: select, join to the boundaries, classify, draw; returns (Figure, JoinReport).

    ``area_codes`` limits the map: gemeentecodes keep those gemeenten (a provincie's or GGD-regio's
    list) or, on a wijk or buurt map, all their wijken/buurten; wijk or buurt codes keep just those. An area's
    map draws its border; ``outlines`` (e.g. provincie borders) are clipped to it. ``area_name`` names the area
    in the title. ``highlight`` is one code (or several) to outline
    thickly (``highlight_label`` says why, in the legend); a gemeentecode on a wijk map outlines the whole
    gemeente. ``classes`` is a scheme name or
    ready ``Classes`` (e.g. from ``shared_bins``). ``vs_nl`` draws the comparison with Nederland
    instead of classes (Nederland's row from ``national`` or else from the figures). Labels default
    to on for maps of at most 40 regions. Codes that did not match go in a footnote on the map, after ``note``
    (a sentence that must travel with the map, e.g. what its colours do not show).
    """
    if level not in MAP_LEVELS:
        raise BadInputError(f"unknown map level {level!r}", hint=f"use one of: {', '.join(MAP_LEVELS)}")
    if isinstance(classes, Classes) and bins is not None:
        raise BadInputError("give either ready classes or class limits, not both", hint="drop bins, or pass classes='fixed'")
    _check_boundary_year(figures, boundaries)
    rows = select_figures(figures, indicator=indicator, year=year, age=age, level=level)
    shapes = boundaries
    if area_codes is not None:
        wanted = sorted({str(c).strip().upper() for c in area_codes})
        rows = rows[_in_area(rows["regiocode"], wanted)]
        shapes = boundaries[_in_area(boundaries["statcode"], wanted)].reset_index(drop=True)
        shapes.attrs = dict(boundaries.attrs)
        if rows.empty and shapes.empty:
            raise BadInputError(f"no {level} figures or boundaries for {', '.join(wanted[:5])}", hint="check the area's codes")
    gdf, report = join_boundaries(rows, shapes)
    if area_codes is not None and gdf.geometry.notna().any():
        area = gdf.geometry.dropna().union_all()
        if outlines is None or not len(outlines):
            # the area's own border: its palest regions have no edge against the white ground without it
            outlines = gpd.GeoDataFrame(geometry=[area], crs=gdf.crs)
        else:
            # only the borders inside the area: a provincie's border cut off by the frame looked like a broken map
            outlines = outlines.clip(area, keep_geom_type=True)
            outlines = outlines[outlines.geom_type.isin(["Polygon", "MultiPolygon"])]  # not the corners where borders touch
    gdf.attrs["bron"] = dict(figures.attrs.get("bron", {}))
    gdf.attrs["grenzen"] = dict(boundaries.attrs.get("bron", {}))

    level_text = fmt.LEVEL_LABELS.get(level, level)
    title = (f"Eenzaamheid per {level_text}" + (f" in {area_name.replace(' ', _KEEP)}" if area_name else "")
             + (" vergeleken met Nederland" if vs_nl else ""))
    subtitle = f"{fmt.INDICATOR_LABELS.get(indicator, indicator)}, {fmt.age_label(age, year)}, {year}"  # 2012, 2016: 19+
    known = gdf[gdf["waarde"].notna()]
    if len(known) == 1:  # one value: its interval in the subtitle, which a legend of one class cannot show
        one = known.iloc[0]
        name = one.get("regionaam") if pd.notna(one.get("regionaam")) else one.get("statnaam")
        subtitle += f"; {name} {fmt.pct_with_interval(one['waarde'], one.get('ondergrens'), one.get('bovengrens'))}"
    notes = ([note] if note else []) + ([report.footnote()] if not report.ok else [])
    show_labels = len(gdf) <= 40 if labels is None else labels
    common = dict(title=title, outlines=outlines, highlight=highlight, highlight_label=highlight_label, labels=show_labels,
                  footnote=" ".join(n.rstrip(".") + "." for n in notes) or None, aspect=aspect)
    if vs_nl:
        nl = _national_row(national if national is not None else figures, indicator=indicator, year=year, age=age)
        gdf["vergeleken_met_nl"] = significance_classes(gdf, nl)
        subtitle += f"; Nederland {fmt.pct_with_interval(nl.get('waarde'), nl.get('ondergrens'), nl.get('bovengrens'))}"
        ax = significance_map(gdf, "vergeleken_met_nl", subtitle=subtitle, **common)  # type: ignore[arg-type]
    else:
        if isinstance(classes, Classes):
            chosen = classes
        else:
            chosen = classify(gdf["waarde"], scheme=classes, k=k, bins=bins)
        legend_title = f"Percentage {fmt.INDICATOR_LABELS.get(indicator, indicator).lower()}"  # who and when: the subtitle
        ax = choropleth(gdf, "waarde", classes=chosen, subtitle=subtitle, legend_title=legend_title, **common)  # type: ignore[arg-type]
    return ax.figure, report  # type: ignore[return-value]


def _in_area(codes: pd.Series, wanted: Sequence[str]) -> pd.Series:
    """True for codes in ``wanted`` and for codes within a gemeente in ``wanted``."""
    upper = codes.astype(str).str.strip().str.upper()
    return upper.isin(wanted) | upper.map(gemeente_of).isin([c for c in wanted if c.startswith("GM")])


def select_figures(figures: pd.DataFrame, *, indicator: str, year: int, age: str, level: str) -> pd.DataFrame:
    """The rows of one indicator, year, age group and level; unknown values name the valid ones."""
    missing_columns = {"regiocode", "niveau", "jaar", "leeftijd", "indicator", "waarde"} - set(figures.columns)
    if missing_columns:
        raise BadInputError(f"the figures lack columns {sorted(missing_columns)}", hint="pass the tidy table from rivm.load_figures")
    for column, wanted, what in (("indicator", indicator, "indicator"), ("jaar", year, "year"), ("leeftijd", age, "age group")):
        valid = sorted(figures[column].dropna().unique().tolist())
        if wanted not in valid:
            raise BadInputError(f"unknown {what} {wanted!r}", hint="valid: " + ", ".join(map(str, valid)))
    levels = sorted(figures["niveau"].dropna().unique().tolist())
    if level not in levels:
        raise BadInputError(f"the figures hold no {level} rows (only {', '.join(levels)})", hint=f"load them with level={level!r}")
    keep = (figures["indicator"] == indicator) & (figures["jaar"] == year) & (figures["leeftijd"] == age) & (figures["niveau"] == level)
    return figures[keep]


def _national_row(frame: pd.DataFrame, *, indicator: str, year: int, age: str) -> Mapping[str, Any]:
    is_nl = frame["regiocode"].astype(str).str.strip().eq("NL01")
    if "niveau" in frame.columns:
        is_nl |= frame["niveau"].eq("nederland")
    rows = frame[is_nl & (frame["indicator"] == indicator) & (frame["jaar"] == year) & (frame["leeftijd"] == age)]
    if rows.empty:
        raise BadInputError(
            "the comparison with Nederland needs Nederland's figure, which these figures lack",
            hint="pass national= (the gemeente-level table, which holds NL01)",
        )
    return rows.iloc[0].to_dict()


def _check_boundary_year(figures: pd.DataFrame, boundaries: gpd.GeoDataFrame) -> None:
    data_year = (figures.attrs.get("bron") or {}).get("classification_year")
    shape_year = (boundaries.attrs.get("bron") or {}).get("year")
    if data_year and shape_year and int(data_year) != int(shape_year):
        raise BadInputError(
            f"the boundaries are of {shape_year} but the figures use the {data_year} classification",
            hint=f"load the boundaries with year={data_year}",
        )


# -- saving ------------------------------------------------------------------------------------------------

SAVE_FORMATS = (".png", ".svg", ".pdf")


@literal_text
def save_figure(fig: Figure, path: Path | str, *, dpi: int | None = None) -> Path:
    """Write ``fig`` as PNG, SVG or PDF (by the name's ending) via a temporary file, so nothing is half-written.
    ``dpi`` defaults to 200, and to 240 for a 16:9 map (1920 × 1080 px, a full-HD slide)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SAVE_FORMATS:
        raise BadInputError(f"cannot write {path.name}: unknown file type", hint="use a name ending in .png, .svg or .pdf")
    if not path.parent.is_dir():
        raise BadInputError(f"folder {path.parent} does not exist", hint="create it first or choose another output")
    metadata = {".png": {"Software": "eenzaamheid-data"}, ".svg": {"Date": None}, ".pdf": {"Creator": "eenzaamheid-data", "CreationDate": None}}[suffix]
    if dpi is None:
        dpi = 240 if tuple(fig.get_size_inches()) == FIGSIZES["16:9"] else 200
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=dpi, format=suffix[1:], metadata=metadata, facecolor="white")
    return path
