"""Interval charts with Dutch labels for notebooks and reports.

Every chart takes ``ax=None`` (a new A4-sized figure, or ``aspect="16:9"`` for slides), never calls
``plt.show()`` and never touches matplotlib's global settings. Each returns a ``ChartResult``: the Axes,
a one-sentence Dutch ``summary`` (text alternative; it claims only the differences that
``analysis.compare`` supports) and the ``table`` behind the chart. Colours are colour-blind safe
(Okabe–Ito) and fixed per gebied and per indicator; markers differ too, so colour is never the only cue.
Missing values are drawn as the text "geen gegevens", never as 0.
"""

from __future__ import annotations

import functools
import io
import re
import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import pandas as pd
from matplotlib import rc_context, ticker
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.text import Text
from matplotlib.transforms import Bbox, blended_transform_factory

from . import fmt
from .analysis import (
    AGES,
    GEDAALD,
    GELIJK,
    GESTEGEN,
    HOGER,
    INDICATORS,
    LAGER,
    NATIONAL_SOURCE_NOTE,
    ONBEKEND,
    ONVERANDERD,
    VALUE_COLUMNS,
    compare,
)
from .errors import BadInputError

FIGSIZES: dict[str, tuple[float, float]] = {"page": (7.0, 4.0), "16:9": (8.0, 4.5)}
"""Inches: 'page' fits the text width of an A4 report, '16:9' a slide (1920 × 1080 at 240 dpi)."""

# Okabe–Ito: distinguishable with every common form of colour blindness.
# Okabe–Ito hues (safe for colour blindness), the orange darkened to #C27C00: a mark needs 3:1 against white (WCAG
# 1.4.11) and Okabe–Ito's #E69F00 has 2.3:1. The markers differ as well, so no colour is needed to tell them apart.
GEBIED_COLORS: dict[str, str] = {"gemeente": "#0072B2", "ggdregio": "#C27C00", "provincie": "#CC79A7", "nederland": "#000000"}
GEBIED_MARKERS: dict[str, str] = {"gemeente": "o", "ggdregio": "s", "provincie": "^", "nederland": "D"}
INDICATOR_COLORS: dict[str, str] = {
    "eenzaam": "#0072B2", "sterk_eenzaam": "#D55E00", "emotioneel_eenzaam": "#009E73", "sociaal_eenzaam": "#CC79A7",
}
INDICATOR_MARKERS: dict[str, str] = {"eenzaam": "o", "sterk_eenzaam": "s", "emotioneel_eenzaam": "^", "sociaal_eenzaam": "D"}
OTHER_COLOR = "#7A7A7A"
BAND_COLOR = "#56B4E9"  # Okabe–Ito sky blue: a different survey, so not a gebied colour (bars get a darker edge)
BAND_EDGE = "#2A6F97"  # 5,5:1 against white: the light bars' outline meets WCAG's 3:1 for marks
MISSING_COLOR = "#595959"
TEXT_COLOR = "#444444"

AGE_PHRASES: dict[str, str] = {"18+": "de inwoners van 18 jaar en ouder", "18-64": "de 18- tot 65-jarigen", "65+": "de 65-plussers",
                               "19+": "de inwoners van 19 jaar en ouder", "19-64": "de 19- tot 65-jarigen"}  # 19: 2012 and 2016


def _who(leeftijd: str, jaar: Any = None) -> str:
    """'de inwoners van 18 jaar en ouder' (of 19, in a year that counted from 19)."""
    key = fmt.age_key(leeftijd, jaar)
    return AGE_PHRASES.get(key, key)


def _year_of(rows: pd.DataFrame) -> int | None:
    """The one survey year of a chart's rows, if they have one."""
    years = pd.unique(rows["jaar"].dropna()) if "jaar" in rows else []
    return int(years[0]) if len(years) == 1 else None
INDICATOR_PHRASES: dict[str, str] = {
    "eenzaam": "eenzaam", "sterk_eenzaam": "sterk eenzaam", "emotioneel_eenzaam": "emotioneel eenzaam", "sociaal_eenzaam": "sociaal eenzaam",
}
NOT_APPLICABLE = "n.v.t."
_TITLE_SIZE, _LABEL_SIZE, _VALUE_SIZE, _NOTE_SIZE = 11.0, 8.5, 7.5, 7.0


@dataclass(frozen=True, eq=False)
class ChartResult:
    """A drawn chart: ``ax``, a one-sentence Dutch ``summary`` and the ``table`` behind it."""

    ax: Axes
    summary: str
    table: pd.DataFrame

    @property
    def figure(self) -> Any:  # noqa: ANN401
        return self.ax.figure

    def _repr_png_(self) -> bytes | None:
        """Show the chart in Jupyter when it lives on a figure that pyplot does not already display."""
        fig = self.ax.get_figure(root=True)
        if fig is None or getattr(fig.canvas, "manager", None) is not None:
            return None
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=110)
        return buffer.getvalue()


# -- sentences ------------------------------------------------------------------------------------------


def compared_with(verschil: Any, name: str, value: Any, low: Any = None, high: Any = None) -> str:  # noqa: ANN401
    """'hoger dan in Nederland (48,6%; 95%-interval 48,3–48,9%)', 'niet aantoonbaar verschillend van het cijfer in
    Nederland (…)', … from a verschil; the interval when ``low`` and ``high`` are given. The words of the report's
    tiles: a percentage is higher than the one *in* a place, not than the place."""
    other = _pct_inside(value, low, high)
    return {
        HOGER: f"hoger dan in {name} ({other})",
        LAGER: f"lager dan in {name} ({other})",
        GELIJK: f"niet aantoonbaar verschillend van het cijfer in {name} ({other})",
    }.get(verschil if isinstance(verschil, str) else "", f"niet te vergelijken met {name}")


def describe(naam: str, row: Mapping[Any, Any], *, leeftijd: str, indicator: str, comparison: str | None = None) -> str:
    """'In Voorbeeldstad is 52,1% van de 65-plussers eenzaam (95%-interval 49,0–55,2%), hoger dan Nederland (48,6%).'"""
    who, what = _who(leeftijd, row.get("jaar")), INDICATOR_PHRASES.get(indicator, indicator)
    if _nan(row.get("waarde")):
        return f"Voor {naam} is geen cijfer bekend over hoeveel van {who} {what} zijn."
    text = f"In {naam} is {fmt.pct(row['waarde'])} van {who} {what}{_interval_phrase(row)}"
    return text + (f", {comparison}." if comparison else ".")


def _interval_phrase(row: Mapping[Any, Any]) -> str:
    if _nan(row.get("ondergrens")) or _nan(row.get("bovengrens")):
        return " (interval onbekend)"
    return f" (95%-interval {fmt.pct_range(row['ondergrens'], row['bovengrens'])})"


def _pct_inside(value: Any, low: Any, high: Any) -> str:  # noqa: ANN401
    """For inside brackets: '48,6%; 95%-interval 48,3–48,9%', or just '48,6%' when no interval is given."""
    return fmt.pct(value) if _nan(low) or _nan(high) else fmt.pct_and_interval(value, low, high)


def _nan(value: Any) -> bool:  # noqa: ANN401
    try:
        return value is None or bool(np.isnan(float(value)))
    except (TypeError, ValueError):
        return True


# -- drawing helpers --------------------------------------------------------------------------------------


LITERAL_TEXT = {"text.parse_math": False}
"""rcParams under which every text is drawn as written: names come from the data, and matplotlib reads a
text between '$' signs as a formula (a name with two of them was drawn as a fraction, or failed to draw)."""

_F = TypeVar("_F", bound=Callable[..., Any])


def literal_text(draw: _F) -> _F:
    """Make ``draw`` create and draw its texts under ``LITERAL_TEXT``; the texts an ``ax=`` given to it has
    already (its title, axis labels) are made literal too."""

    @functools.wraps(draw)
    def literally(*args: Any, **kwargs: Any) -> Any:  # noqa: ANN401
        given = kwargs.get("ax")
        if isinstance(given, Axes):
            for text in given.findobj(Text):
                text.set_parse_math(False)
        with rc_context(LITERAL_TEXT):
            return draw(*args, **kwargs)

    return literally  # type: ignore[return-value]


_RENDERERS: dict[tuple[int, int, float], Any] = {}


def agg_renderer(width: int, height: int, dpi: float) -> Any:  # noqa: ANN401
    """An Agg renderer of this size, shared within the process.

    matplotlib caches text measurements per renderer, and figures of one kind repeat most of their
    texts (tick labels, legends, source lines): sharing the renderer lets later figures reuse them.
    """
    from matplotlib.backends.backend_agg import RendererAgg

    key = (int(width), int(height), float(dpi))
    if key not in _RENDERERS:
        if len(_RENDERERS) >= 6:  # a handful of sizes are in use; each holds a pixel buffer
            _RENDERERS.clear()
        _RENDERERS[key] = RendererAgg(*key)
    return _RENDERERS[key]


LAYOUT_PAD_PT = 3.0
"""Space kept free around everything drawn, in points (constrained layout's default, 3/72 inch)."""


@literal_text
def fit_axes(ax: Axes, *, pad_pt: float = LAYOUT_PAD_PT, passes: int = 2) -> None:
    """Place a figure's one Axes so that all it draws (title, legend, tick labels, axis labels, notes under
    it) just fits inside the figure, ``pad_pt`` from each edge.

    For figures with a single Axes this gives what constrained layout gives, measured once or twice
    instead of in the several passes (each laying out every text) that constrained layout needs on
    every save; the report draws hundreds of these. The figure keeps no layout engine afterwards.
    """
    fig = ax.get_figure(root=True)
    assert fig is not None
    fig.set_layout_engine(None)
    width, height = fig.bbox.width, fig.bbox.height
    renderer = agg_renderer(int(round(width)), int(round(height)), fig.dpi)
    pad = pad_pt * fig.dpi / 72
    for _ in range(passes):
        tight, box = ax.get_tightbbox(renderer), ax.bbox
        if tight is None:
            return
        x0 = (box.x0 - tight.x0 + pad) / width
        x1 = 1 - (tight.x1 - box.x1 + pad) / width
        y0 = (box.y0 - tight.y0 + pad) / height
        y1 = 1 - (tight.y1 - box.y1 + pad) / height
        if x1 - x0 < 0.1 or y1 - y0 < 0.1:  # texts far too big for the figure: leave the axes where they are
            return
        old = ax.get_position()
        ax.set_position((x0, y0, x1 - x0, y1 - y0))
        moved = max(abs(old.x0 - x0) * width, abs(old.x1 - x1) * width, abs(old.y0 - y0) * height, abs(old.y1 - y1) * height)
        if moved < 0.5:  # less than half a pixel: the tick labels did not change, done
            return


def _axes(ax: Axes | None, aspect: str) -> Axes:
    if aspect not in FIGSIZES:
        raise BadInputError(f"unknown aspect {aspect!r}", hint="use 'page' (A4 report) or '16:9' (slides)")
    if ax is not None:
        return ax
    fig = Figure(figsize=FIGSIZES[aspect], layout="constrained", facecolor="white")  # not pyplot: no global state
    return fig.add_subplot()


def _require(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise BadInputError(f"{what} lacks the columns {missing}", hint=f"pass a frame with {list(columns)}")


def _floats(frame: pd.DataFrame, column: str) -> np.ndarray:
    return pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype="float64")


class _PctFormatter(ticker.Formatter):
    """Percent ticks with a decimal comma; decimals only when some tick needs them ('42,5%').

    The decimals are decided once per set of ticks (``set_locs``), not per label: asking the axis for
    its ticks from inside each label made drawing quadratic in the number of ticks.
    """

    def __init__(self) -> None:
        self.decimals = 0

    def set_locs(self, locs: Sequence[float]) -> None:
        super().set_locs(locs)
        self.decimals = 0 if all(abs(t - round(t)) < 1e-9 for t in locs) else 1

    def __call__(self, x: float, pos: int | None = None) -> str:
        return fmt.pct(x, self.decimals)


def _people_formatter() -> ticker.Formatter:
    return ticker.FuncFormatter(lambda x, _pos: fmt.number(x, 0))


def _is_demo(frame: pd.DataFrame) -> bool:
    return bool(frame.attrs.get("bron", {}).get("demo"))


def _dots(
    ax: Axes, pos: np.ndarray, value: np.ndarray, low: np.ndarray, high: np.ndarray, *, color: str, marker: str,
    label: str | None = None, gid: str = "", value_labels: bool = True,
) -> None:
    """Horizontal dots at ``pos`` with 95% whiskers and value labels; NaN rows say "geen gegevens"."""
    known = ~np.isnan(value)
    full = known & ~np.isnan(low) & ~np.isnan(high)
    if full.any():
        err = np.vstack([value[full] - low[full], high[full] - value[full]])
        bars = ax.errorbar(value[full], pos[full], xerr=err, fmt="none", ecolor=color, elinewidth=1.5, capsize=3, zorder=2)
        bars.lines[2][0].set_gid(f"whiskers{gid}")
    if known.any():
        ax.plot(value[known], pos[known], linestyle="none", marker=marker, markersize=6.5, color=color,
                markeredgecolor="white", markeredgewidth=0.6, zorder=3, label=label, gid=f"points{gid}")
    elif label:
        ax.plot([], [], linestyle="none", marker=marker, color=color, label=label)
    edge = np.where(np.isnan(high), value, high)
    for i in np.flatnonzero(known) if value_labels else ():
        # on a white ground above the reference lines: a line through "51,1%" made it hard to read
        ax.annotate(fmt.pct(value[i]), (edge[i], pos[i]), xytext=(5, 0), textcoords="offset points", va="center",
                    fontsize=_VALUE_SIZE, color=TEXT_COLOR, gid="value-label", zorder=4,
                    bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.6})
    _missing_texts(ax, pos[~known], horizontal=True)


def _missing_texts(ax: Axes, pos: np.ndarray, *, horizontal: bool) -> None:
    if horizontal:
        where = blended_transform_factory(ax.transAxes, ax.transData)
        for p in pos:
            ax.annotate(fmt.MISSING, (0, p), xycoords=where, xytext=(4, 0), textcoords="offset points", va="center",
                        fontsize=_VALUE_SIZE, fontstyle="italic", color=MISSING_COLOR, gid="missing", zorder=4,
                        bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.0})
    else:
        where = blended_transform_factory(ax.transData, ax.transAxes)
        for p in pos:
            ax.annotate(fmt.MISSING, (p, 0), xycoords=where, xytext=(0, 4), textcoords="offset points", ha="center",
                        va="bottom", rotation=90, fontsize=_VALUE_SIZE, fontstyle="italic", color=MISSING_COLOR, gid="missing")


def _limits(*arrays: Any, pad_right: float = 0.12, start_at_zero: bool = False) -> tuple[float, float]:  # noqa: ANN401
    values = np.concatenate([np.asarray(a, dtype="float64").ravel() for a in arrays]) if arrays else np.array([])
    values = values[~np.isnan(values)]
    if values.size == 0:
        return (0.0, 100.0)
    lo, hi = float(values.min()), float(values.max())
    if start_at_zero:
        lo = 0.0
    span = max(hi - lo, 2.0)
    lo = lo if start_at_zero else max(0.0, lo - 0.08 * span)
    return lo, hi + pad_right * span


def _title(ax: Axes, title: str | None, *, legend_above: bool = False, subtitle: str | None = None) -> None:
    lift = (16 if legend_above else 0) + (13 if subtitle else 0)
    if subtitle:
        ax.annotate(subtitle, (0, 1), xycoords="axes fraction", xytext=(0, 4 + (16 if legend_above else 0)), textcoords="offset points",
                    va="bottom", fontsize=_LABEL_SIZE, color=TEXT_COLOR, gid="subtitle")
    if title:
        ax.set_title(title, loc="left", fontsize=_TITLE_SIZE, fontweight="bold", pad=6 + lift, gid="title")


def _legend_above(ax: Axes, handles: Sequence[Any] | None = None, ncols: int | None = None) -> None:
    handles = list(handles) if handles is not None else ax.get_legend_handles_labels()[0]
    if not handles:
        return
    ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(0, 1.0), ncols=ncols or len(handles), frameon=False,
              fontsize=_LABEL_SIZE - 0.5, borderaxespad=0.2, handletextpad=0.4, columnspacing=1.2)


def _footer(ax: Axes, frame: pd.DataFrame, source: str | None, notes: Sequence[str] = ()) -> None:
    """Notes and the source line under the x axis (and its tick labels), wrapped to the figure's width."""
    blocks = [(n, "note") for n in notes if n]
    if source:
        demo = _is_demo(frame) and fmt.DEMO_MARK not in source.lower()
        blocks.append((f"{fmt.DEMO_MARK.upper()} — {source}" if demo else source, "source"))
    elif _is_demo(frame):
        blocks.append((fmt.DEMO_MARK.upper(), "source"))
    if not blocks:
        return
    # DejaVu Sans averages ~0.6 em per character; wrap within 90% of the figure so the layout never squeezes
    fig = ax.get_figure(root=True)
    width_in = fig.get_size_inches()[0] if fig is not None else FIGSIZES["page"][0]
    width_chars = max(50, int(width_in * 72 * 0.9 / (_NOTE_SIZE * 0.62)))

    last: dict[tuple, Bbox] = {}

    def under_axes(renderer: Any) -> Bbox:  # noqa: ANN401
        # matplotlib asks for this position many times per draw, and each answer lays out the tick
        # labels again; it only changes with the renderer, the axes' place and the axis limits.
        key = (id(renderer), getattr(renderer, "width", None), getattr(renderer, "height", None), getattr(renderer, "dpi", None),
               tuple(ax.bbox.bounds), ax.get_xlim(), ax.get_ylim())
        if key not in last:
            boxes = [ax.bbox]
            for axis in (ax.xaxis, ax.yaxis):
                box = axis.get_tightbbox(renderer)
                if box is not None and box.width > 0:
                    boxes.append(box)
            last.clear()
            last[key] = Bbox.union(boxes).frozen()
        return last[key]

    offset = 6.0
    for text, gid in blocks:
        lines = textwrap.wrap(text, width_chars) or [""]
        ax.annotate("\n".join(lines), (0, 0), xycoords=under_axes, xytext=(0, -offset), textcoords="offset points",
                    ha="left", va="top", fontsize=_NOTE_SIZE, color=TEXT_COLOR, gid=gid, annotation_clip=False)
        offset += len(lines) * _NOTE_SIZE * 1.25 + 3


# -- the generic interval chart ---------------------------------------------------------------------------


_REF_STYLES = ("--", ":", "-.")


def _ref_color(name: str) -> str:
    low = name.lower()
    if "nederland" in low:
        return GEBIED_COLORS["nederland"]
    if "ggd" in low:
        return GEBIED_COLORS["ggdregio"]
    if "provincie" in low:
        return GEBIED_COLORS["provincie"]
    return OTHER_COLOR


Reference = float | tuple[float, float, float]
"""A reference line's value, or (value, lower, upper) to name its 95%-interval in the legend too."""


def _reference_lines(ax: Axes, reference_lines: Mapping[str, Reference] | None, *, horizontal: bool = True) -> list[Line2D]:
    handles = []
    for i, (name, given) in enumerate((reference_lines or {}).items()):
        value, low, high = given if isinstance(given, tuple) else (given, np.nan, np.nan)
        if _nan(value):
            continue
        shown = _pct_inside(value, low, high)
        style: dict[str, Any] = dict(color=_ref_color(name), linestyle=_REF_STYLES[i % len(_REF_STYLES)], linewidth=1.2, zorder=1,
                     label=f"{name} ({shown})", gid="reference")
        handles.append(ax.axvline(float(value), **style) if horizontal else ax.axhline(float(value), **style))
    return handles


@literal_text
def interval_chart(
    df: pd.DataFrame,
    *,
    label_col: str,
    ax: Axes | None = None,
    title: str | None = None,
    reference_lines: Mapping[str, Reference] | None = None,
    source: str | None = None,
    value_label: str = "Percentage",
    highlight: str | Sequence[str] | None = None,
    aspect: str = "page",
) -> ChartResult:
    """A horizontal dot plot with 95% whiskers, one row per row of ``df`` (top to bottom).

    ``reference_lines`` such as ``{"Nederland": 48.6}`` are dashed and named in the legend; rows without a
    value say "geen gegevens"; ``highlight`` names labels drawn in the gemeente colour. When ``df`` has
    a ``verschil`` column (from ``analysis.compare``) and there is one reference line, the summary counts
    hoger/lager/niet aantoonbaar verschillend.
    """
    _require(df, [label_col, *VALUE_COLUMNS], "df")
    ax = _axes(ax, aspect)
    frame = df.reset_index(drop=True)
    labels = frame[label_col].astype(str).to_numpy()
    marked = {highlight} if isinstance(highlight, str) else set(highlight or ())
    pos = np.arange(len(frame), dtype="float64")
    value, low, high = (_floats(frame, c) for c in VALUE_COLUMNS)
    is_marked = np.array([label in marked for label in labels], dtype=bool)
    plain_color = OTHER_COLOR if marked else GEBIED_COLORS["gemeente"]
    for sel, color, gid in ((~is_marked, plain_color, ""), (is_marked, GEBIED_COLORS["gemeente"], "-highlight")):
        if sel.any():
            _dots(ax, pos[sel], value[sel], low[sel], high[sel], color=color, marker="o", gid=gid)
    ax.set_yticks(pos, labels, fontsize=_LABEL_SIZE)
    for tick in ax.get_yticklabels():
        if tick.get_text() in marked:
            tick.set_fontweight("bold")
    ax.set_ylim(len(frame) - 0.5, -0.5)
    handles = _reference_lines(ax, reference_lines)
    refs = [v for v in (reference_lines or {}).values() if not _nan(v)]
    ax.set_xlim(*_limits(value, low, high, refs, pad_right=0.15))
    ax.xaxis.set_major_formatter(_PctFormatter())
    ax.set_xlabel(f"{value_label} (met 95%-interval)", fontsize=_LABEL_SIZE)
    ax.tick_params(axis="x", labelsize=_LABEL_SIZE)
    ax.grid(axis="x", color="#e5e5e5", linewidth=0.6)
    ax.set_axisbelow(True)
    _legend_above(ax, handles)
    _title(ax, title, legend_above=bool(handles))
    _footer(ax, df, source)
    summary = _interval_summary(frame, labels, title, reference_lines)
    return ChartResult(ax, summary, frame)


def _interval_summary(frame: pd.DataFrame, labels: np.ndarray, title: str | None, reference_lines: Mapping[str, float] | None) -> str:
    value = _floats(frame, "waarde")
    known = np.flatnonzero(~np.isnan(value))
    subject = title or "Grafiek"
    if known.size == 0:
        return f"{subject}: geen gegevens."
    if known.size == 1:
        only = known[0]
        text = f"{subject}: {labels[only]} {fmt.pct_of(frame.iloc[only].to_dict())}"
    else:
        lo_i, hi_i = known[np.argmin(value[known])], known[np.argmax(value[known])]
        text = (f"{subject}: {fmt.count(known.size, 'gebied', 'gebieden')} met een cijfer, van "
                f"{fmt.pct(value[lo_i])} ({labels[lo_i]}) tot {fmt.pct(value[hi_i])} ({labels[hi_i]}), elk met een 95%-interval")
    missing = len(frame) - known.size
    if missing:
        text += f"; voor {fmt.count(missing, 'gebied', 'gebieden')} geen gegevens"
    refs = {k: v for k, v in (reference_lines or {}).items() if not _nan(v)}
    if "verschil" in frame and len(refs) == 1:
        (name, ref), = refs.items()
        counts = frame["verschil"].value_counts()
        text += (f"; vergeleken met {name} ({fmt.pct(ref)}): {counts.get(HOGER, 0)} hoger, {counts.get(LAGER, 0)} lager en "
                 f"{counts.get(GELIJK, 0)} niet aantoonbaar verschillend")
        untested = int(counts.get(ONBEKEND, 0)) - missing
        if untested > 0:
            text += f" ({untested} zonder interval, niet te vergelijken)"
    return text + "."


# -- age groups --------------------------------------------------------------------------------------------


_GEBIED_OFFSETS = {1: (0.0,), 2: (-0.14, 0.14), 3: (-0.25, 0.0, 0.25)}


@literal_text
def age_chart(
    breakdown: pd.DataFrame,
    *,
    indicator: str = "eenzaam",
    ax: Axes | None = None,
    source: str | None = None,
    title: str | None = None,
    aspect: str = "page",
) -> ChartResult:
    """Dots with 95% whiskers per age group for the gemeente, its GGD-regio and Nederland
    (``breakdown`` from ``analysis.age_breakdown``)."""
    _require(breakdown, ["gebied", "regionaam", "leeftijd", "indicator", *VALUE_COLUMNS], "breakdown")
    if indicator not in INDICATORS:
        raise BadInputError(f"unknown indicator {indicator!r}", hint="valid: " + ", ".join(INDICATORS))
    ax = _axes(ax, aspect)
    rows = breakdown[breakdown["indicator"] == indicator]
    gebieden = [g for g in ("gemeente", "ggdregio", "nederland") if (rows["gebied"] == g).any()]
    offsets = _GEBIED_OFFSETS.get(len(gebieden), (0.0,) * len(gebieden))
    for gebied, offset in zip(gebieden, offsets, strict=True):
        sub = rows[rows["gebied"] == gebied].drop_duplicates("leeftijd").set_index("leeftijd").reindex(list(AGES))
        name = str(sub["regionaam"].dropna().iloc[0]) if sub["regionaam"].notna().any() else gebied
        label = f"{name}: gemiddelde van de gemeenten" if gebied == "ggdregio" else name
        pos = np.arange(len(AGES), dtype="float64") + offset
        _dots(ax, pos, _floats(sub, "waarde"), _floats(sub, "ondergrens"), _floats(sub, "bovengrens"),
              color=GEBIED_COLORS[gebied], marker=GEBIED_MARKERS[gebied], label=label, gid=f"-{gebied}")
    ax.set_yticks(np.arange(len(AGES)), [fmt.age_label(a, _year_of(rows)) for a in AGES], fontsize=_LABEL_SIZE)
    ax.set_ylim(len(AGES) - 0.5, -0.5)
    ax.set_xlim(*_limits(_floats(rows, "waarde"), _floats(rows, "ondergrens"), _floats(rows, "bovengrens"), pad_right=0.15))
    ax.xaxis.set_major_formatter(_PctFormatter())
    ax.set_xlabel(f"Percentage {INDICATOR_PHRASES[indicator]} (met 95%-interval)", fontsize=_LABEL_SIZE)
    ax.tick_params(axis="x", labelsize=_LABEL_SIZE)
    ax.grid(axis="x", color="#e5e5e5", linewidth=0.6)
    ax.set_axisbelow(True)
    _legend_above(ax)
    jaar = int(rows["jaar"].iloc[0]) if "jaar" in rows and len(rows) else None
    own = rows.loc[rows["gebied"] == "gemeente", "regionaam"].dropna()
    where = f" in {own.iloc[0]}" if len(own) else ""  # the slide shows this chart on its own: say whose it is
    _title(ax, title if title is not None else f"{fmt.INDICATOR_LABELS[indicator]} naar leeftijd{where}" + (f", {jaar}" if jaar else ""),
           legend_above=True)
    _footer(ax, breakdown, source, ["GGD-regio: het gemiddelde van de gemeenten, gewogen naar inwoners."] if "ggdregio" in gebieden else [])
    table = rows.copy()
    for col in ("verschil_nl", "verschil_ggd"):
        if col in table:
            table[col] = table[col].astype(object).where(table[col].notna(), NOT_APPLICABLE)
    keep = [c for c in ("gebied", "regiocode", "regionaam", "jaar", "leeftijd", "indicator", *VALUE_COLUMNS, "verschil_nl", "verschil_ggd") if c in table]
    return ChartResult(ax, _age_summary(rows, indicator), table[keep].reset_index(drop=True))


def _age_summary(rows: pd.DataFrame, indicator: str) -> str:
    gem = rows[rows["gebied"] == "gemeente"].drop_duplicates("leeftijd").set_index("leeftijd")
    nl = rows[rows["gebied"] == "nederland"].drop_duplicates("leeftijd").set_index("leeftijd")
    if gem.empty:
        return f"{fmt.INDICATOR_LABELS[indicator]} naar leeftijd: geen gegevens voor de gemeente."
    naam = str(gem["regionaam"].iloc[0])

    def clause(age: str) -> str:
        if age not in gem.index or _nan(gem.loc[age, "waarde"]):
            return "is geen cijfer bekend"
        row = gem.loc[age].to_dict()
        return f"is dat {fmt.pct_of(row)}, {compared_with(row.get('verschil_nl'), 'Nederland', *reference(age))}"

    def reference(age: str) -> tuple[float, float, float]:
        return tuple(nl.loc[age, c] if age in nl.index else np.nan for c in VALUE_COLUMNS)  # type: ignore[return-value]

    first = "18+"
    row = gem.loc[first].to_dict() if first in gem.index else {}
    head = describe(naam, row, leeftijd=first, indicator=indicator,
                    comparison=compared_with(row.get("verschil_nl"), "Nederland", *reference(first)) if row else None)[:-1]
    # three sentences, not one of sixty words with three brackets (found by a review)
    return f"{head}. Bij {_who('18-64', _year_of(rows))} {clause('18-64')}. Bij {_who('65+')} {clause('65+')}."


# -- trends ---------------------------------------------------------------------------------------------------


_CHANGE_PHRASES = {
    GESTEGEN: "aantoonbaar gestegen", GEDAALD: "aantoonbaar gedaald", ONVERANDERD: "niet aantoonbaar veranderd",
}


def _age_note(trend_df: pd.DataFrame) -> str | None:
    if "leeftijdsgrens" not in trend_df:
        return None
    odd = trend_df[trend_df["leeftijdsgrens"].astype(str).str.startswith("19")]
    if odd.empty:
        return None
    years = sorted({int(y) for y in odd["jaar"]})
    limit = str(odd["leeftijdsgrens"].iloc[0])
    note = f"{' en '.join(map(str, years))}: {fmt.AGE_LABELS.get(limit, limit)}"
    if trend_df["leeftijdsgrens"].astype(str).nunique() > 1:  # the dotted step between the two limits: said what it is
        note += "; stippellijn: andere leeftijdsgrens, vergelijk voorzichtig"
    return note


@literal_text
def trend_chart(
    trend_df: pd.DataFrame,
    *,
    ax: Axes | None = None,
    source: str | None = None,
    title: str | None = None,
    aspect: str = "page",
) -> ChartResult:
    """Survey years on x; a line with dots and a shaded 95% band per indicator (``analysis.trend`` output)."""
    _require(trend_df, ["jaar", "indicator", *VALUE_COLUMNS], "trend_df")
    ax = _axes(ax, aspect)
    years = sorted(int(y) for y in pd.unique(trend_df["jaar"]))
    present = [i for i in INDICATORS if (trend_df["indicator"] == i).any()]
    for indicator in present:
        sub = trend_df[trend_df["indicator"] == indicator].drop_duplicates("jaar").set_index("jaar").reindex(years)
        value, low, high = (_floats(sub, c) for c in VALUE_COLUMNS)
        color = INDICATOR_COLORS[indicator]
        ax.fill_between(years, low, high, color=color, alpha=0.15, linewidth=0, gid=f"band-{indicator}")
        # Solid within one age limit; dotted across the step from 19+ (2012, 2016) to 18+, which is read with care.
        limits = sub["leeftijdsgrens"].astype(str).tolist() if "leeftijdsgrens" in sub else ["" for _ in years]
        runs = [[i for i in range(len(years)) if limits[i] == limit] for limit in dict.fromkeys(limits)]
        for n, run in enumerate(runs):
            ax.plot([years[i] for i in run], value[run], color=color, marker=INDICATOR_MARKERS[indicator], markersize=5.5,
                    linewidth=1.6, label=fmt.INDICATOR_LABELS[indicator] if n == 0 else None, gid=f"line-{indicator}")
        for before, after in zip(runs, runs[1:]):
            ax.plot([years[before[-1]], years[after[0]]], [value[before[-1]], value[after[0]]], color=color, linewidth=1.2,
                    linestyle=":", gid=f"age-step-{indicator}")
        # a year without a neighbour has no band to show its interval: whiskers instead
        known = ~np.isnan(value) & ~np.isnan(low) & ~np.isnan(high)
        alone = known & ~np.r_[False, known[:-1]] & ~np.r_[known[1:], False]
        if alone.any():
            whiskers = ax.errorbar(np.asarray(years, dtype=float)[alone], value[alone],
                                   yerr=np.vstack([value[alone] - low[alone], high[alone] - value[alone]]),
                                   fmt="none", ecolor=color, elinewidth=1.2, capsize=3)
            whiskers.lines[2][0].set_gid(f"whiskers-{indicator}")
    ax.set_xticks(years, [str(y) for y in years], fontsize=_LABEL_SIZE)  # no thousands separator in years
    if years:
        ax.set_xlim(years[0] - 0.6, years[-1] + 0.6)
    ax.set_ylim(*_limits(_floats(trend_df, "ondergrens"), _floats(trend_df, "bovengrens"), _floats(trend_df, "waarde"), pad_right=0.08))
    ax.yaxis.set_major_formatter(_PctFormatter())
    ax.set_ylabel("Percentage (met 95%-interval)", fontsize=_LABEL_SIZE)
    ax.tick_params(axis="y", labelsize=_LABEL_SIZE)
    ax.grid(axis="y", color="#e5e5e5", linewidth=0.6)
    ax.set_axisbelow(True)
    _legend_above(ax)
    naam = str(trend_df.attrs.get("regionaam", "")) or None
    _title(ax, title if title is not None else "Eenzaamheid door de jaren heen" + (f" in {naam}" if naam else ""), legend_above=bool(present))
    note = _age_note(trend_df)
    _footer(ax, trend_df, source, [note] if note else [])
    return ChartResult(ax, _trend_summary(trend_df, naam or "dit gebied"), trend_df.reset_index(drop=True))


def _trend_summary(trend_df: pd.DataFrame, naam: str) -> str:
    indicator = "eenzaam" if (trend_df["indicator"] == "eenzaam").any() else next(iter(trend_df["indicator"]), "eenzaam")
    rows = trend_df[(trend_df["indicator"] == indicator) & trend_df["waarde"].notna()].sort_values("jaar")
    what = INDICATOR_PHRASES.get(indicator, indicator)
    leeftijd = str(trend_df.attrs.get("leeftijd", "18+"))
    if rows.empty:
        return f"Voor {naam} zijn geen cijfers bekend over hoeveel van {_who(leeftijd)} {what} zijn."
    last = rows.iloc[-1]
    who = _who(leeftijd, last["jaar"])
    text = f"In {naam} was in {int(last['jaar'])} {fmt.pct(last['waarde'])} van {who} {what}{_interval_phrase(last.to_dict())}"
    earlier = trend_df[(trend_df["indicator"] == indicator) & (trend_df["jaar"] < last["jaar"])].sort_values("jaar")
    if earlier.empty:
        return text + "."
    prev = earlier.iloc[-1]
    change = last.get("verandering") if "verandering" in last else None
    if change in _CHANGE_PHRASES and not _nan(prev["waarde"]):
        text += f"; sinds {int(prev['jaar'])} ({fmt.pct_of(prev, inside=True)}) is dat {_CHANGE_PHRASES[change]}."
        if bool(last.get("leeftijdsgrens_gewijzigd", False)):
            who_then = fmt.AGE_LABELS.get(str(prev.get("leeftijdsgrens")), str(prev.get("leeftijdsgrens")))
            text += f" Let op: in {int(prev['jaar'])} ging het om inwoners van {who_then}."
        return text
    return text + f"; met {int(prev['jaar'])} is het niet te vergelijken."


# -- numbers of people -----------------------------------------------------------------------------------------------


def _one_region(counts: pd.DataFrame, regiocode: str | None) -> pd.DataFrame:
    if regiocode is not None:
        rows = counts[counts["regiocode"] == regiocode]
        if rows.empty:
            raise BadInputError(f"no counts for {regiocode!r}", hint="valid: " + ", ".join(map(str, pd.unique(counts["regiocode"]))))
        return rows
    codes = list(pd.unique(counts["regiocode"]))
    if len(codes) <= 1:
        return counts
    gem = counts[counts["niveau"] == "gemeente"] if "niveau" in counts else counts.iloc[0:0]
    if gem["regiocode"].nunique() == 1:
        return gem
    raise BadInputError(f"counts hold {len(codes)} regions", hint="pass regiocode= to choose one")


@literal_text
def people_chart(
    counts: pd.DataFrame,
    *,
    ax: Axes | None = None,
    source: str | None = None,
    indicators: Sequence[str] = ("eenzaam", "sterk_eenzaam"),
    regiocode: str | None = None,
    title: str | None = None,
    aspect: str = "page",
    notes: Sequence[str] = (),
) -> ChartResult:
    """Bars of the estimated number of people per age group with 95% whiskers (``analysis.people_counts``);
    ``notes`` go under it, above the source (e.g. that the inhabitants are of another year)."""
    _require(counts, ["regiocode", "leeftijd", "indicator", "aantal", "aantal_ondergrens", "aantal_bovengrens"], "counts")
    bad = [i for i in indicators if i not in INDICATORS]
    if bad:
        raise BadInputError(f"unknown indicator {bad[0]!r}", hint="valid: " + ", ".join(INDICATORS))
    ax = _axes(ax, aspect)
    rows = _one_region(counts, regiocode)
    width = 0.8 / max(len(indicators), 1)
    x = np.arange(len(AGES), dtype="float64")
    for i, indicator in enumerate(indicators):
        sub = rows[rows["indicator"] == indicator].drop_duplicates("leeftijd").set_index("leeftijd").reindex(list(AGES))
        value, low, high = (_floats(sub, c) for c in ("aantal", "aantal_ondergrens", "aantal_bovengrens"))
        pos = x + (i - (len(indicators) - 1) / 2) * width
        known = ~np.isnan(value)
        color = INDICATOR_COLORS[indicator]
        ax.bar(pos[known], value[known], width=width * 0.92, color=color, label=fmt.INDICATOR_LABELS[indicator], gid=f"bars-{indicator}")
        full = known & ~np.isnan(low) & ~np.isnan(high)
        if full.any():
            bars = ax.errorbar(pos[full], value[full], yerr=np.vstack([value[full] - low[full], high[full] - value[full]]),
                               fmt="none", ecolor="#222222", elinewidth=1.1, capsize=3)
            bars.lines[2][0].set_gid("whiskers")
        top = np.where(np.isnan(high), value, high)
        for j in np.flatnonzero(known):
            ax.annotate(fmt.number(fmt.round_people(value[j]), 0), (pos[j], top[j]), xytext=(0, 3), textcoords="offset points",
                        ha="center", va="bottom", fontsize=_VALUE_SIZE, color=TEXT_COLOR, gid="value-label")
        _missing_texts(ax, pos[~known], horizontal=False)
    ax.set_xticks(x, [fmt.age_label(a, _year_of(rows)) for a in AGES], fontsize=_LABEL_SIZE)
    # one swatch per indicator in its own colour, also for one without any bar (an empty bar set has no colour)
    swatches = [Patch(facecolor=INDICATOR_COLORS[i], label=fmt.INDICATOR_LABELS[i]) for i in indicators]
    _, hi = _limits(_floats(rows, "aantal_bovengrens"), _floats(rows, "aantal"), start_at_zero=True, pad_right=0.12)
    ax.set_ylim(0, hi if hi > 0 else 10)
    ax.yaxis.set_major_formatter(_people_formatter())
    ax.set_ylabel("Geschat aantal inwoners (met 95%-interval)", fontsize=_LABEL_SIZE)
    ax.tick_params(axis="y", labelsize=_LABEL_SIZE)
    ax.grid(axis="y", color="#e5e5e5", linewidth=0.6)
    ax.set_axisbelow(True)
    _legend_above(ax, swatches)
    naam = str(rows["regionaam"].iloc[0]) if "regionaam" in rows and len(rows) else None
    jaren = sorted({int(j) for j in rows["jaar"].dropna()}) if "jaar" in rows else []
    default = "Geschat aantal eenzame inwoners" + (f" in {naam}" if naam else "") + (f", {jaren[0]}" if len(jaren) == 1 else "")
    _title(ax, title if title is not None else default, legend_above=True)  # the year: a slide travels without its page
    _footer(ax, counts, source, notes)
    keep = [c for c in ("regiocode", "regionaam", "jaar", "leeftijd", "indicator", *VALUE_COLUMNS, "inwoners", "aantal",
                        "aantal_ondergrens", "aantal_bovengrens", "aantal_tekst", "interval_tekst") if c in rows]
    table = rows[rows["indicator"].isin(list(indicators))][keep].reset_index(drop=True)
    return ChartResult(ax, _people_summary(rows, naam or "dit gebied", indicators), table)


def _people_summary(rows: pd.DataFrame, naam: str, indicators: Sequence[str]) -> str:
    def pick(indicator: str) -> dict[Any, Any] | None:
        sel = rows[(rows["leeftijd"] == "18+") & (rows["indicator"] == indicator)]
        return None if sel.empty or _nan(sel["aantal"].iloc[0]) else sel.iloc[0].to_dict()

    def amount(row: dict[Any, Any]) -> tuple[str, str]:
        text = row.get("aantal_tekst") or fmt.people(row["aantal"])
        margin = row.get("interval_tekst") or fmt.people_range(row.get("aantal_ondergrens"), row.get("aantal_bovengrens"))
        return text, f"(95%-interval {margin})"

    first = pick(indicators[0]) if indicators else None
    what = INDICATOR_PHRASES.get(indicators[0], "eenzaam") if indicators else "eenzaam"
    if first is None:
        return (f"Voor {naam} is niet te schatten hoeveel inwoners van {fmt.age_label('18+', _year_of(rows))} {what} zijn: "
                "het percentage of het aantal inwoners ontbreekt.")
    number, margin = amount(first)
    text = f"In {naam} zijn naar schatting {number} inwoners van {fmt.age_label('18+', _year_of(rows))} {what} {margin}"
    for indicator in indicators[1:]:
        row = pick(indicator)
        if row is not None:
            number, margin = amount(row)
            text += f"; {number} {margin} zijn {INDICATOR_PHRASES.get(indicator, indicator)}"
    return text + "."


# -- similar gemeenten ---------------------------------------------------------------------------------------------------


@literal_text
def similar_chart(
    similar_figures: pd.DataFrame,
    similar: pd.DataFrame | None = None,
    highlight: str | None = None,
    *,
    jaar: int | None = None,
    indicator: str = "eenzaam",
    leeftijd: str = "18+",
    ax: Axes | None = None,
    source: str | None = None,
    title: str | None = None,
    aspect: str = "page",
) -> ChartResult:
    """The gemeente ``highlight`` and its statistical neighbours with 95% intervals, the gemeente highlighted.

    ``similar_figures`` are tidy rows; with ``similar`` (from ``analysis.similar_gemeenten``) only the
    gemeente and those neighbours are shown, in order of distance. Nederland (if present) is a reference
    line. The summary compares each neighbour with the gemeente by the non-overlap rule.
    """
    _require(similar_figures, ["regiocode", "regionaam", "jaar", "leeftijd", "indicator", *VALUE_COLUMNS], "similar_figures")
    if not highlight:
        raise BadInputError("similar_chart needs the gemeente to highlight", hint="pass highlight='GM0363'")
    code = str(highlight).strip().upper()
    rows = similar_figures[(similar_figures["indicator"] == indicator) & (similar_figures["leeftijd"] == leeftijd)]
    own = rows[rows["regiocode"] == code]
    if own.empty:
        raise BadInputError(f"no figures for {code} ({indicator}, {leeftijd})", hint="check the gemeente code and the selection")
    if jaar is None:
        jaar = int(own.loc[own["waarde"].notna(), "jaar"].max() if own["waarde"].notna().any() else own["jaar"].max())
    rows = rows[rows["jaar"] == jaar]
    national = rows[rows["regiocode"].astype(str).str.startswith("NL")]
    if similar is not None:
        neighbours = [str(c) for c in similar["regiocode"]]
        names = dict(zip(similar["regiocode"], similar["regionaam"], strict=False))
    else:
        neighbours = [c for c in pd.unique(rows["regiocode"]) if c != code and not str(c).startswith("NL")]
        names = {}
    order = [code, *neighbours]
    shown = rows[rows["regiocode"].isin(order)].drop_duplicates("regiocode").set_index("regiocode").reindex(order)
    shown["regionaam"] = shown["regionaam"].fillna(pd.Series(names)).fillna(pd.Series(order, index=order))
    shown = shown.reset_index()
    shown = compare(shown, shown.iloc[[0]], on=()).rename(columns={"verschil": "verschil_met_gemeente"})
    shown.loc[0, "verschil_met_gemeente"] = NOT_APPLICABLE
    naam = str(shown.loc[0, "regionaam"])
    nl = national.iloc[0] if len(national) else None
    refs = ({"Nederland": (float(nl["waarde"]), float(nl["ondergrens"]), float(nl["bovengrens"]))}
            if nl is not None and not _nan(nl["waarde"]) else None)
    shown.attrs = {"bron": dict(similar_figures.attrs.get("bron", {}))}  # the demo mark follows the data
    chart_title = title if title is not None else f"{naam} en vergelijkbare gemeenten, {INDICATOR_PHRASES[indicator]}, {jaar}"
    result = interval_chart(shown, label_col="regionaam", ax=ax, title=chart_title, reference_lines=refs, source=source,
                            value_label=f"Percentage {INDICATOR_PHRASES[indicator]}", highlight=naam, aspect=aspect)
    keep = ["regiocode", "regionaam", "jaar", "leeftijd", "indicator", *VALUE_COLUMNS, "verschil_met_gemeente"]
    if similar is not None and "afstand" in similar:
        shown = shown.merge(similar[["regiocode", "afstand"]], on="regiocode", how="left")
        keep.insert(2, "afstand")
    return ChartResult(result.ax, _similar_summary(shown, naam, leeftijd, indicator), shown[keep])


def _similar_summary(shown: pd.DataFrame, naam: str, leeftijd: str, indicator: str) -> str:
    head = describe(naam, shown.iloc[0].to_dict(), leeftijd=leeftijd, indicator=indicator)[:-1]
    others = shown.iloc[1:]
    if others.empty:
        return head + "."
    counts = others["verschil_met_gemeente"].value_counts()
    hoger, lager, gelijk, unknown = (int(counts.get(label, 0)) for label in (HOGER, LAGER, GELIJK, "onbekend"))
    # short sentences, the figure first (a review found "liggen er geen aantoonbaar hoger …, 4 … en 1 …" hard to read)
    if len(others) == 1:
        text = (f"De vergelijkbare gemeente heeft een aantoonbaar hoger cijfer dan {naam}." if hoger else
                f"De vergelijkbare gemeente heeft een aantoonbaar lager cijfer dan {naam}." if lager else
                f"Het cijfer van de vergelijkbare gemeente verschilt niet aantoonbaar van dat van {naam}." if gelijk else
                "De vergelijkbare gemeente is niet te vergelijken.")
        return f"{head}. {text}"
    total = f"{len(others)} vergelijkbare gemeenten"
    if gelijk == len(others):
        return f"{head}. Bij geen van de {total} is het cijfer aantoonbaar anders dan in {naam}."

    def n(k: int) -> str:
        return str(k) if k else "geen"

    text = (f"{head}. Van de {total} {'heeft' if hoger == 1 else 'hebben'} er {n(hoger)} een aantoonbaar hoger cijfer dan {naam} "
            f"en {n(lager)} een aantoonbaar lager cijfer.")
    if gelijk:
        text += f" Bij {gelijk} is er geen aantoonbaar verschil."
    if unknown:
        text += f" {unknown} {'is' if unknown == 1 else 'zijn'} niet te vergelijken."
    return text


# -- the national survey by age band --------------------------------------------------------------------------------------


@literal_text
def national_age_band_chart(
    bands: pd.DataFrame,
    *,
    ax: Axes | None = None,
    source: str | None = None,
    title: str | None = None,
    aspect: str = "page",
) -> ChartResult:
    """Bars with 95% whiskers per age band from CBS 85766NED (``analysis.national_age_bands``), titled as a
    different survey than the Gezondheidsmonitor."""
    _require(bands, ["leeftijdsband", "indicator", "jaar", *VALUE_COLUMNS], "bands")
    ax = _axes(ax, aspect)
    frame = bands.reset_index(drop=True)
    x = np.arange(len(frame), dtype="float64")
    value, low, high = (_floats(frame, c) for c in VALUE_COLUMNS)
    known = ~np.isnan(value)
    ax.bar(x[known], value[known], width=0.7, color=BAND_COLOR, edgecolor=BAND_EDGE, linewidth=0.8, gid="bars")
    full = known & ~np.isnan(low) & ~np.isnan(high)
    if full.any():
        bars = ax.errorbar(x[full], value[full], yerr=np.vstack([value[full] - low[full], high[full] - value[full]]),
                           fmt="none", ecolor="#222222", elinewidth=1.1, capsize=3)
        bars.lines[2][0].set_gid("whiskers")
    top = np.where(np.isnan(high), value, high)
    _missing_texts(ax, x[~known], horizontal=False)
    ax.set_xticks(x, [band_label(b) for b in frame["leeftijdsband"]], fontsize=_LABEL_SIZE)
    ax.set_xlabel("Leeftijd (jaar)", fontsize=_LABEL_SIZE)
    total = bands.attrs.get("totaal") or {}
    handles = _reference_lines(ax, {"Totaal 15 jaar en ouder": (total.get("waarde", np.nan), total.get("ondergrens", np.nan),
                                                                total.get("bovengrens", np.nan))}, horizontal=False)
    _, hi = _limits(value, high, [total.get("waarde", np.nan)], start_at_zero=True, pad_right=0.12)
    ax.set_ylim(0, hi)
    fig = ax.get_figure(root=True)
    points_per_unit = ax.get_position().height * (fig.get_size_inches()[1] if fig is not None else 4.0) * 72 / hi
    line = float(total.get("waarde", np.nan))
    for j in np.flatnonzero(known):
        # a label the total line would run through sits just above the line instead (white ground as well)
        gap = (line - top[j]) * points_per_unit if not np.isnan(line) else -1.0
        lift = gap + 2 if 0 <= gap <= _VALUE_SIZE + 4 else 3
        ax.annotate(fmt.pct(value[j]), (x[j], top[j]), xytext=(0, lift), textcoords="offset points", ha="center", va="bottom",
                    fontsize=_VALUE_SIZE, color=TEXT_COLOR, gid="value-label", zorder=5,
                    bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.5})
    ax.yaxis.set_major_formatter(_PctFormatter())
    ax.set_ylabel("Percentage (met 95%-interval)", fontsize=_LABEL_SIZE)
    ax.tick_params(axis="y", labelsize=_LABEL_SIZE)
    ax.grid(axis="y", color="#e5e5e5", linewidth=0.6)
    ax.set_axisbelow(True)
    indicator = str(frame["indicator"].iloc[0]) if len(frame) else "eenzaam"
    jaar = int(frame["jaar"].iloc[0]) if len(frame) else None
    label = fmt.INDICATOR_LABELS.get(indicator, indicator)
    _legend_above(ax, handles)
    _title(ax, title if title is not None else f"{label} naar leeftijd in heel Nederland" + (f", {jaar}" if jaar else ""),
           subtitle=NATIONAL_SOURCE_NOTE, legend_above=bool(handles))
    _footer(ax, bands, source)
    table = frame.assign(leeftijdsband=[band_label(b) for b in frame["leeftijdsband"]])
    if total:  # the dashed line's figure belongs in the table too
        table = pd.concat([table, pd.DataFrame([{**{c: total.get(c) for c in VALUE_COLUMNS}, "leeftijdsband": "15 en ouder (totaal)",
                                                 "indicator": indicator, "jaar": jaar}])], ignore_index=True)
    return ChartResult(ax, _bands_summary(frame, indicator, jaar), table)


def band_label(band: object) -> str:
    """CBS's age band '15–25' (15 up to 25) as '15 tot 25', so neighbouring bands do not seem to share an age."""
    match = re.fullmatch(r"\s*(\d+)\s*[–-]\s*(\d+)\s*", str(band))
    return f"{match[1]} tot {match[2]}" if match else str(band).replace("+", " en ouder") if str(band).endswith("+") else str(band)


def band_years(band: object) -> str:
    """An age band in a sentence: '15 tot 25 jaar', '75 jaar en ouder'."""
    label = band_label(band)
    return label.replace(" en ouder", " jaar en ouder") if label.endswith(" en ouder") else f"{label} jaar"


def _bands_summary(frame: pd.DataFrame, indicator: str, jaar: int | None) -> str:
    value = _floats(frame, "waarde")
    known = np.flatnonzero(~np.isnan(value))
    intro = "Volgens het CBS-onderzoek Sociale samenhang en welzijn (15 jaar en ouder), een andere meting dan de Gezondheidsmonitor,"
    what = INDICATOR_PHRASES.get(indicator, indicator)
    if known.size == 0:
        return f"{intro} zijn er geen cijfers per leeftijdsgroep."
    low, high = _floats(frame, "ondergrens"), _floats(frame, "bovengrens")
    lo_i, hi_i = known[np.argmin(value[known])], known[np.argmax(value[known])]
    when = f" in {jaar}" if jaar else ""

    def band(i: int) -> str:
        interval = fmt.pct_range(low[i], high[i])
        return f"{fmt.pct(value[i])} ({band_years(frame['leeftijdsband'].iloc[i])}" + ("" if interval == fmt.MISSING else f"; 95%-interval {interval}") + ")"

    return f"{intro} was{when} per leeftijdsgroep tussen {band(lo_i)} en {band(hi_i)} van de mensen {what}."


__all__ = [
    "AGE_PHRASES", "FIGSIZES", "GEBIED_COLORS", "INDICATOR_COLORS", "ChartResult", "age_chart", "compared_with", "describe", "fit_axes",
    "interval_chart", "national_age_band_chart", "people_chart", "similar_chart", "trend_chart",
]
