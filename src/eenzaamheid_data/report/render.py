"""Turn a ``GemeenteReport`` into files: one self-contained HTML page, a PDF, 16:9 slides, an index.

Every file is written to a temporary name in its target folder and renamed into place, so a reader
never sees half a report. The HTML has no external requests at all: CSS inline, charts as inline SVG.
"""

from __future__ import annotations

import contextlib
import html as html_lib
import io
import logging
import math
import os
import re
import shutil
import textwrap
import threading
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache, partial
from pathlib import Path
from typing import Any

from markupsafe import Markup

from .. import fmt
from ..cache import atomic_folder, atomic_path, atomic_write, write_problem
from ..errors import BadInputError, EenzaamheidError
from . import texts
from .content import Chart, GemeenteReport

log = logging.getLogger(__name__)

CHROMIUM_ENV = "EENZAAMHEID_CHROMIUM"
CHROMIUM_ARGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
)
SLIDE_PX = (1920, 1080)
SLIDE_SIZE_IN = (8.0, 4.5)
SLIDE_DPI = 240  # 8 × 4.5 inch at 240 dpi = 1920 × 1080 px; charts keep their page proportions
_CHART_SLIDE_MARGIN = 0.035  # of the slide's width on either side of a page chart (~67 px)
_BADGE_BAND_PX = 135  # the top of a slide down to below the demo badge (drawn at 0.93 of the height, ~50 px tall)
_SOURCE_WRAP = 190  # characters per line of the 5.2 pt source line across a slide
_SUBTITLE_WRAP = 100  # and of the 9 pt subtitle


# -- names and files --------------------------------------------------------------------------------


def slugify(name: str) -> str:
    """A file-name part from an area name: lowercase ASCII, accents dropped ("'s-Hertogenbosch" → "s-hertogenbosch")."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    ascii_name = re.sub(r"['’`]", "", ascii_name)
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name).strip("-")
    return slug or "gemeente"


def report_path(report: GemeenteReport, out_dir: Path) -> Path:
    """``out_dir/<jaar>/<gemeentecode>-<naam-slug>.html``."""
    return Path(out_dir) / str(report.jaar) / f"{report.gemeentecode}-{slugify(report.gemeentenaam)}.html"


_OUTPUT_HINT = "choose another --output-dir: a folder you can write to"


def check_output_dir(path: Path) -> Path:
    """Check, without creating anything, that the output folder exists or can be made and takes files:
    a run that stops on bad input leaves no empty folder behind. BadInputError (exit 2) when not."""
    path = Path(path)
    existing = path
    while not existing.exists() and existing != existing.parent:  # the nearest part of the path that exists
        existing = existing.parent
    if not existing.is_dir():
        what = "is a file, not a folder" if existing == path else f"cannot be made: {existing} is a file, not a folder"
        raise BadInputError(f"cannot write reports to {path}: it {what}", hint=_OUTPUT_HINT)
    err = write_problem(existing)
    if err is not None:  # the reason, not the name of the test file it was found with
        raise BadInputError(f"cannot write reports to {path}: {err.strerror or err}"
                            + ("" if existing == path else f" (in {existing})"), hint=_OUTPUT_HINT)
    return path


def prepare_output_dir(path: Path) -> Path:
    """Create the output folder (with its parents) once the run has work for it; BadInputError (exit 2) when
    that is not possible."""
    path = check_output_dir(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise BadInputError(f"cannot write reports to {path}: {err.strerror or err}", hint=_OUTPUT_HINT) from None
    return path


def _write(path: Path, data: bytes) -> Path:
    atomic_write(path, data)
    return path


# -- HTML ---------------------------------------------------------------------------------------------


def _css_string(value: object) -> Markup:
    """A CSS string literal with every character that is not a letter or digit escaped (safe inside <style>)."""
    text = "".join(ch if ch.isalnum() and ch.isascii() else f"\\{ord(ch):06x}" for ch in str(value))
    return Markup(f'"{text}"')


def _named_svg(svg: str, name: str, described_by: str) -> Markup:
    """A chart's SVG (matplotlib's own, trusted) as the image itself: ``role="img"`` with an escaped name and the
    id of the text that describes it. A tagged PDF then gives it a /Figure with that name as alt text."""
    attributes = f'role="img" aria-label="{html_lib.escape(name, quote=True)}" aria-describedby="{html_lib.escape(described_by, quote=True)}"'
    return Markup(svg.replace("<svg", f"<svg {attributes}", 1))


@lru_cache(maxsize=1)
def _environment() -> Any:
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(
        loader=PackageLoader("eenzaamheid_data.report", "templates"),
        autoescape=True,  # every value from the data is escaped; only our own CSS and matplotlib's SVG are marked safe
        undefined=StrictUndefined,
        trim_blocks=False,
        lstrip_blocks=False,
    )
    env.filters["css_string"] = _css_string
    env.filters["named_svg"] = _named_svg
    return env


def _css() -> str:
    return _environment().loader.get_source(_environment(), "report.css")[0]


def render_html(report: GemeenteReport) -> str:
    """The whole factsheet as one self-contained HTML page (CSS inline, charts as inline SVG)."""
    footer = f"{report.titel} — {report.jaar}" + (f" — {fmt.DEMO_MARK.upper()}" if report.demo else "")
    return _environment().get_template("gemeente.html.j2").render(
        r=report,
        texts=texts,
        css=Markup(_css()),
        demo_mark=fmt.DEMO_MARK,
        footer_left=footer,
        support_intro=texts.SUPPORT_INTRO.format(naam=report.gemeentenaam),
    )


def write_report(report: GemeenteReport, out_dir: Path) -> Path:
    """Write the factsheet to ``out_dir/<jaar>/<code>-<slug>.html`` atomically; return its path."""
    path = report_path(report, out_dir)
    _write(path, render_html(report).encode("utf-8"))
    log.info("wrote %s", path)
    return path


# -- PDF via headless Chromium --------------------------------------------------------------------------


_WARNED: set[str] = set()


def find_chromium() -> str | None:
    """The Chromium to print with: $EENZAAMHEID_CHROMIUM, else chromium or chromium-browser on PATH."""
    if os.environ.get(CHROMIUM_ENV):
        chosen = os.environ[CHROMIUM_ENV]
        if Path(chosen).is_file():
            return chosen
        if chosen not in _WARNED:  # said once per run, however often a browser is looked for
            _WARNED.add(chosen)
            log.warning("%s=%s is not a file; looking for chromium on PATH", CHROMIUM_ENV, chosen)
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


class BrowserMissingError(EenzaamheidError):
    """No Chromium to print PDFs with."""


_BROWSER_HINT = (f"install it (Debian: apt-get install chromium, or `make browser`) or set {CHROMIUM_ENV}; "
                 "or leave out --pdf: the HTML reports print well from any browser")


def require_chromium(*, start: bool = False) -> str:
    """The Chromium executable; raises ``BrowserMissingError`` (before any work) when there is none, or, with
    ``start``, when it is there but does not start headless (a wrong file, a broken install)."""
    executable = find_chromium()
    if not executable:
        raise BrowserMissingError("cannot write PDFs: no Chromium found", hint=_BROWSER_HINT)
    if start:
        failure = _start_failure(executable)
        if failure:
            raise BrowserMissingError(f"cannot write PDFs: {executable} does not start as headless Chromium ({failure})",
                                      hint=_BROWSER_HINT)
    return executable


def _start_failure(executable: str) -> str | None:
    """Why Chromium does not start, or None. Tried in a thread of its own: Playwright's sync API refuses a
    thread that already runs an event loop (a notebook's kernel, another browser of this process)."""
    failure: list[str] = []

    def attempt() -> None:
        try:
            with chromium_browser(executable):
                pass
        except Exception as err:  # Playwright's message runs to dozens of lines of call log: the first says what
            failure.append(str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__)

    thread = threading.Thread(target=attempt, name="chromium-check")
    thread.start()
    thread.join()
    return failure[0] if failure else None


@contextlib.contextmanager
def chromium_browser(executable: str | None = None) -> Iterator[Any]:
    """A headless Chromium (Playwright) that may only read local files."""
    executable = executable or require_chromium()
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    try:
        browser = pw.chromium.launch(executable_path=executable, args=list(CHROMIUM_ARGS))
        try:
            yield browser
        finally:
            _quietly(browser.close)
    finally:
        _quietly(pw.stop)


def _quietly(close: Callable[[], object]) -> None:
    """Close a browser or its driver that may be gone already: Ctrl-C reaches the driver's process too."""
    try:
        close()
    except Exception as err:  # nothing left to close; the run's own outcome is reported elsewhere
        log.debug("closing Chromium: %s", err)


def _only_local(route: Any) -> None:
    if route.request.url.startswith(("file:", "data:", "about:")):
        route.continue_()
    else:
        log.warning("blocked a request from a report: %s", route.request.url)
        route.abort()


def print_pdf(browser: Any, html_path: Path) -> Path:
    """Print one HTML file to the PDF next to it (same name, .pdf), atomically, with ``browser``."""
    target = Path(html_path).with_suffix(".pdf")  # named as the HTML was (a relative path stays relative)
    page = browser.new_page()
    try:
        page.route("**/*", _only_local)
        page.goto(Path(html_path).resolve().as_uri(), wait_until="load")
        page.emulate_media(media="print")
        with atomic_path(target) as tmp:
            # tagged: headings, tables and alt texts reach screen readers; outline: bookmarks from the headings
            page.pdf(path=tmp, format="A4", print_background=True, prefer_css_page_size=True, tagged=True, outline=True)
    finally:
        page.close()
    log.info("wrote %s", target)
    return target


def write_pdf(html_path: Path) -> Path:
    """Print ``html_path`` to A4 PDF with headless Chromium; returns the PDF's path (same name, .pdf)."""
    with chromium_browser() as browser:
        return print_pdf(browser, html_path)


@contextlib.contextmanager
def pdf_printer() -> Iterator[Callable[[Path], Path]]:
    """One browser for many PDFs: ``with pdf_printer() as pdf: pdf(html_path)``."""
    with chromium_browser() as browser:
        yield lambda html_path: print_pdf(browser, html_path)


# -- slides ---------------------------------------------------------------------------------------------


def _slide(title: str, subtitle: str, source: str, demo: bool) -> tuple[Any, Any]:
    """An empty 16:9 slide with title, source line and demo mark; returns (figure, content box axes)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=SLIDE_SIZE_IN, dpi=SLIDE_DPI, facecolor="white")
    fig.text(0.04, 0.93, title, fontsize=15, fontweight="bold", color="#1d4f7a", va="top")
    fig.text(0.04, 0.845, "\n".join(textwrap.wrap(subtitle, _SUBTITLE_WRAP)), fontsize=9, color="#333333", va="top")
    # Wrapped here, not with wrap=True: matplotlib measures a wrapped text word by word on every draw.
    source = source.replace(fmt.LICENCE, fmt.LICENCE.replace(" ", "\u00a0"))  # keep "CC BY 4.0" on one line
    fig.text(0.04, 0.04, "\n".join(textwrap.wrap(source, _SOURCE_WRAP)), fontsize=5.2, color="#4a4a4a", va="bottom")
    if demo:
        _demo_badge(fig)
    ax = fig.add_axes((0.05, 0.11, 0.91, 0.69))
    return fig, ax


def _demo_badge(fig: Any) -> None:  # noqa: ANN401 - a matplotlib figure
    fig.text(0.96, 0.93, fmt.DEMO_MARK.upper(), fontsize=8, ha="right", va="top", gid="demo-mark", **fmt.DEMO_BADGE)


@cache
def _badge_canvas() -> Any:  # noqa: ANN401 - a PIL image (copy before drawing on it)
    """A white slide with only the demo badge, where every other slide has it: under a page chart pasted on it."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=SLIDE_SIZE_IN, dpi=SLIDE_DPI, facecolor="white")
    _demo_badge(fig)
    return _draw_slide(fig, SLIDE_DPI)


def _draw_slide(fig: Any, dpi: float, badge: bool = False) -> Any:  # noqa: ANN401 - a PIL image
    """The figure drawn at the slide's size as an RGB image (its own pixels: the renderer is reused); a figure
    drawn smaller sits in the middle of a white slide, below the demo badge when ``badge``."""
    from PIL import Image

    from .. import charts

    # Drawn straight on an Agg renderer at the slide's size (no bbox_inches: it must stay 1920 × 1080) and
    # kept as RGB: slides are opaque, and leaving out the alpha channel makes the PNG quicker to compress.
    fig.set_dpi(dpi)
    width, height = (int(round(v)) for v in fig.bbox.size)
    renderer = charts.agg_renderer(width, height, dpi)
    renderer.clear()
    fig.draw(renderer)
    image = Image.frombuffer("RGBA", (width, height), renderer.buffer_rgba(), "raw", "RGBA", 0, 1).convert("RGB")
    if (width, height) == SLIDE_PX:
        return image
    if badge:
        slide, top = _badge_canvas().copy(), _BADGE_BAND_PX
    else:
        slide, top = Image.new("RGB", SLIDE_PX, "white"), 0
    slide.paste(image, ((SLIDE_PX[0] - width) // 2, top + (SLIDE_PX[1] - top - height) // 2))
    return slide


def _save_png(image: Any, path: Path) -> Path:  # noqa: ANN401 - a PIL image
    buffer = io.BytesIO()
    image.save(buffer, format="png", compress_level=1)  # light compression: much faster, files still small
    return _write(path, buffer.getvalue())


def _kerncijfers_slide(report: GemeenteReport) -> Any:
    from matplotlib.patches import Rectangle

    fig, ax = _slide(
        f"Eenzaamheid in {report.gemeentenaam}, {report.jaar}",
        f"Inwoners van {report.leeftijden}; tussen haakjes het 95%-interval",
        report.bronregel, report.demo,
    )
    ax.set_axis_off()
    for i, k in enumerate(report.kerncijfers):
        x, top = (i % 2) * 0.52, 1.0 - (i // 2) * 0.52  # two rows of two tiles, each 0.48 × 0.46 of the box
        ax.add_patch(Rectangle((x, top - 0.46), 0.48, 0.46, transform=ax.transAxes, facecolor="#e8eff6", edgecolor="#c9d3dd", clip_on=False))
        ax.text(x + 0.02, top - 0.04, k.label, transform=ax.transAxes, fontsize=11, fontweight="bold", color="#1d4f7a", va="top")
        missing = math.isnan(k.waarde)  # "geen gegevens" in the value's place, smaller, and no "(geen gegevens)" beside it
        ax.text(x + 0.02, top - 0.13, k.tekst, transform=ax.transAxes, fontsize=14 if missing else 24, fontweight="bold",
                color="#1a1a1a", va="top")
        if not missing:
            ax.text(x + 0.25, top - 0.17, f"({k.interval})", transform=ax.transAxes, fontsize=8, color="#333333", va="top")
        for y, kort in ((top - 0.265, k.kort_nl or k.vergelijking_nl), (top - 0.36, k.kort_ggd or k.vergelijking_ggd)):
            # two lines (verdict, then the other figure): on one line the longest verdict ran out of the tile
            ax.text(x + 0.02, y, kort, transform=ax.transAxes, fontsize=8, color="#1a1a1a", va="top",
                    linespacing=1.25)
    return fig


@contextlib.contextmanager
def _quiet(logger_name: str) -> Iterator[None]:
    """Warnings of ``logger_name`` left out for a while (they were given once already)."""
    logger = logging.getLogger(logger_name)
    before = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(before)


def _chart_slide(report: GemeenteReport, chart: Chart) -> tuple[Any, float, bool]:
    """The slide's figure, the dpi to draw it at, and whether it goes on a canvas with the demo badge."""
    if chart.kind == "figure":  # the map: drawn in its own 16:9 shape, with its own title, source and demo mark
        with _quiet("eenzaamheid_data.geo"):  # the page's map already reported its join (and the page shows it)
            fig, _ = chart.draw(aspect="16:9")  # type: ignore[misc]
        return fig, SLIDE_PX[0] / fig.get_size_inches()[0], False
    if chart.figure is not None:  # the page's own 16:9 chart (title and source drawn by charts), cropped tight for
        # the page: drawn a little smaller, so the slide keeps a margin like the others (and room for the demo badge)
        width_in, height_in = chart.figure.get_size_inches()
        room = SLIDE_PX[1] - (_BADGE_BAND_PX if report.demo else 0) - 2 * _CHART_SLIDE_MARGIN * SLIDE_PX[1]
        return chart.figure, min(SLIDE_PX[0] * (1 - 2 * _CHART_SLIDE_MARGIN) / width_in, room / height_in), report.demo
    fig, ax = _slide(f"{chart.title} — {report.gemeentenaam}", chart.summary, chart.source, report.demo)
    chart.draw(ax=ax)  # type: ignore[misc]
    return fig, SLIDE_DPI, False


def write_slides(report: GemeenteReport, out_dir: Path) -> list[Path]:
    """The key figures as 1920×1080 PNG slides in ``out_dir/<jaar>/<code>-dia/``, the folder written whole;
    returns their paths."""
    folder = Path(out_dir) / str(report.jaar) / f"{report.gemeentecode}-dia"
    with atomic_folder(folder) as tmp:  # a Ctrl-C halfway left 1 to 4 of the 5 slides
        names = [path.name for path in _draw_slides(report, tmp)]
    log.info("wrote %d slides to %s", len(names), folder)
    return [folder / name for name in names]


def _draw_slides(report: GemeenteReport, folder: Path) -> list[Path]:
    import matplotlib

    planned: list[tuple[str, Callable[[], tuple[Any, float, bool]]]] = [
        ("01-kerncijfers", lambda: (_kerncijfers_slide(report), SLIDE_DPI, False))]
    for number, chart in ((2, report.leeftijd), (3, report.kaart), (4, report.trend), (5, report.aantallen)):
        if chart is not None and chart.draw is not None:
            planned.append((f"{number:02d}-{chart.key}", partial(_chart_slide, report, chart)))
    # Pillow compresses without holding the GIL: one slide's PNG is written while the next one is drawn.
    from ..charts import LITERAL_TEXT

    with ThreadPoolExecutor(1, thread_name_prefix="slide-png") as writer, matplotlib.rc_context({"font.size": 8, **LITERAL_TEXT}):
        saved = []
        for name, make in planned:
            fig, dpi, badge = make()
            saved.append(writer.submit(_save_png, _draw_slide(fig, dpi, badge), folder / f"{name}.png"))
        return [future.result() for future in saved]


# -- index ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndexEntry:
    """One gemeente of a run: its files, or why it failed."""

    gemeentecode: str
    gemeentenaam: str
    jaar: int | None = None
    html: Path | None = None
    pdf: Path | None = None
    slides: Path | None = None
    error: str | None = None  # English, for the command line and whoever fixes it
    reden: str | None = None  # Dutch, for the index's readers


_REPORT_META = re.compile(r'<meta name="eenzaamheid:gemeente" content="([^"]*)">')


def earlier_reports(out_dir: Path, *, leave_out: Sequence[Path] = ()) -> list[tuple[IndexEntry, bool]]:
    """The factsheets already in ``out_dir/<jaar>/`` (from earlier runs), each with whether it shows demo data;
    read from the mark every factsheet carries in its head, so a file of another program is passed over."""
    out_dir = Path(out_dir)
    skip = {Path(p).resolve() for p in leave_out}
    found = []
    for path in sorted(out_dir.glob("[0-9][0-9][0-9][0-9]/*.html")):
        if path.resolve() in skip:
            continue
        try:
            with path.open("rb") as file:
                head = file.read(4096).decode("utf-8", "replace")
        except OSError:
            continue
        mark = _REPORT_META.search(head)
        if not mark:
            continue
        code, jaar, kind, naam = (html_lib.unescape(part) for part in mark.group(1).split("|", 3))
        pdf, slides = path.with_suffix(".pdf"), path.parent / f"{code}-dia"
        found.append((IndexEntry(code, naam, int(jaar) if jaar.isdigit() else None, path, pdf if pdf.is_file() else None,
                                 slides if slides.is_dir() else None), kind == "demo"))
    return found


def write_index(entries: Sequence[IndexEntry], out_dir: Path, *, demo: bool = False, today: date | None = None,
                title: str | None = None, source: str | None = None) -> Path:
    """``out_dir/index.html`` with a relative link to every report of the run, and the failures.

    ``title`` names what the run covers ("Eenzaamheid in de gemeenten van GGD Fryslân"); ``source`` is the
    figures' source line (publisher, table, years, fetch date, CC BY 4.0), shown at the foot. Factsheets
    that earlier runs left in the folder are listed apart, so none goes missing from the overview."""
    out_dir = Path(out_dir)

    def rel(path: Path | None) -> str | None:
        return None if path is None else Path(os.path.relpath(Path(path).resolve(), out_dir.resolve())).as_posix()

    def row(e: IndexEntry) -> dict[str, Any]:
        return {"gemeentecode": e.gemeentecode, "gemeentenaam": e.gemeentenaam, "jaar": e.jaar or "",
                "html": rel(e.html), "pdf": rel(e.pdf), "slides": rel(e.slides), "demo": False}

    ok = [row(e) for e in sorted(entries, key=lambda e: slugify(e.gemeentenaam)) if e.html is not None and not e.error]
    failed = [e for e in sorted(entries, key=lambda e: e.gemeentecode) if e.error]
    earlier = [
        {**row(e), "demo": is_demo}
        for e, is_demo in sorted(earlier_reports(out_dir, leave_out=[e.html for e in entries if e.html is not None]),
                                 key=lambda found: (-(found[0].jaar or 0), slugify(found[0].gemeentenaam)))
    ]
    html = _environment().get_template("index.html.j2").render(
        ok=ok, failed=failed, earlier=earlier, css=Markup(_css()), demo=demo, demo_mark=fmt.DEMO_MARK,
        demo_banner=texts.DEMO_BANNER, made=fmt.dutch_date(today or date.today()), title=title or texts.INDEX_TITLE,
        source=source, earlier_note=texts.INDEX_EARLIER, technical=texts.FAILED_TECHNICAL, other_reason=texts.FAILED_OTHER,
        intro=texts.INDEX_INTRO,
    )
    return _write(out_dir / "index.html", html.encode("utf-8"))
