"""The report run: check the requested gemeenten, load every data set once, render in parallel.

1. ``resolve_targets`` checks every requested name or code (and ``--ggd``) against the lookup before
   anything is written; unknown or ambiguous names stop the run with suggestions.
2. ``load_inputs`` loads each data set once in the parent process.
3. The reports are rendered in a process pool. The data reach each worker once, through the pool's
   initializer (never per task); one failing gemeente is recorded and the rest go on. One report alone
   draws its slides in a forked copy of the process (``_SlideProcess``) while the page is made.
4. ``index.html`` links every report of the run and lists the failures.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import multiprocessing
import os
import signal
import sys
import time
import traceback
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from .. import fmt
from ..config import Settings
from ..errors import AmbiguousRegionError, BadInputError, EenzaamheidError, NoFiguresError, UnknownRegionError
from . import texts
from .content import Chart, GemeenteReport, build_content, national_chart, no_figures
from .render import IndexEntry, check_output_dir, pdf_printer, prepare_output_dir, require_chromium, write_index, write_report, write_slides

log = logging.getLogger(__name__)

Progress = bool | Literal["lines"]
"""How a batch shows its progress: a bar (``True``), plain lines (``"lines"``) or not at all (``False``)."""

FEW_GEMEENTEN = 12
"""Up to this many gemeenten, wijk figures are fetched per gemeente; above it, all wijken at once."""


@dataclass(frozen=True)
class ReportInputs:
    """Every data set the reports need, loaded once (``load_inputs``) and shared by all reports."""

    figures: pd.DataFrame
    wijk_figures: pd.DataFrame
    gemeenten: pd.DataFrame
    population: pd.DataFrame
    regional: pd.DataFrame
    age_bands: pd.DataFrame | None
    wijk_boundaries: Any
    landelijk: Chart | None = None

    @classmethod
    def from_frames(cls, figures: pd.DataFrame, wijk_figures: pd.DataFrame, gemeenten: pd.DataFrame, population: pd.DataFrame,
                    age_bands: pd.DataFrame | None, wijk_boundaries: Any) -> ReportInputs:
        """Inputs from frames already in hand (a notebook, a test): adds the GGD-regio aggregates, the same for
        every report. (The national chart, the same for every report too, is drawn once per batch by
        ``render_reports``; one report draws it while its slides are being drawn.)"""
        from .. import analysis

        regional = analysis.aggregate_regions(figures, gemeenten, population, by="ggdregio")
        return cls(figures, wijk_figures, gemeenten, population, regional, age_bands, wijk_boundaries)


@dataclass
class BatchResult:
    """What a run produced: per gemeentecode the HTML, PDF and slide paths, and what failed (with why)."""

    reports: dict[str, Path] = field(default_factory=dict)
    pdfs: dict[str, Path] = field(default_factory=dict)
    slides: dict[str, list[Path]] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    index: Path | None = None

    @property
    def ok(self) -> bool:
        return not self.failed


@dataclass(frozen=True)
class _Options:
    out_dir: Path
    jaar: int | None
    pdf: bool
    slides: bool
    today: date | None = None


@dataclass(frozen=True)
class _Outcome:
    gemeentecode: str
    gemeentenaam: str
    jaar: int | None = None
    html: Path | None = None
    pdf: Path | None = None
    slides: tuple[Path, ...] = ()
    error: str | None = None  # English, for the command line
    reden: str | None = None  # Dutch, for the index


# -- 1. which gemeenten ----------------------------------------------------------------------------------


def resolve_targets(
    gemeenten: pd.DataFrame,
    targets: Sequence[str] | None = None,
    *,
    ggd: str | None = None,
    all_gemeenten: bool = False,
    classification_year: int | None = None,
) -> list[str]:
    """The gemeentecodes asked for, in order, without duplicates; raises before any work when one is unknown."""
    from ..regions import GemeenteLookup

    if not targets and not ggd and not all_gemeenten:
        raise BadInputError("no gemeente given", hint="name one or more gemeenten, or use --ggd NAME or --all")
    if all_gemeenten:
        return list(gemeenten["gemeentecode"])
    codes: list[str] = []
    if ggd:
        ggdcode = resolve_ggd(gemeenten, ggd)
        codes += list(gemeenten.loc[gemeenten["ggdregiocode"] == ggdcode, "gemeentecode"])
    lookup = GemeenteLookup(gemeenten, classification_year=classification_year)
    problems: list[BadInputError] = []
    for text in targets or ():
        try:
            codes.append(lookup.resolve(text))
        except BadInputError as err:
            problems.append(err)
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise BadInputError(
            f"{len(problems)} gemeenten not found: " + "; ".join(p.message for p in problems),
            hint=" | ".join(p.hint for p in problems if p.hint) or None,
        )
    return list(dict.fromkeys(codes))


def resolve_ggd(gemeenten: pd.DataFrame, text: str) -> str:
    """A GGD-regio code (GG3406) or name ("GGD Haaglanden", "haaglanden") → its code."""
    from rapidfuzz import fuzz, process

    from ..regions import normalise

    unique = gemeenten.drop_duplicates("ggdregiocode")
    regios = {str(c): str(n) for c, n in zip(unique["ggdregiocode"], unique["ggdregionaam"], strict=True)}
    query = text.strip()
    if query.upper() in regios:
        return query.upper()

    def key(name: str) -> str:
        value = normalise(name)
        return value[4:] if value.startswith("ggd ") else value

    wanted = key(query)
    every = [f"{n} ({c})" for c, n in sorted(regios.items(), key=lambda item: key(item[1]))]
    if wanted in ("", "ggd"):  # "GGD" alone fits them all
        raise AmbiguousRegionError(query, every, kind="GGD-regio")
    exact = [c for c, n in regios.items() if key(n) == wanted]
    if len(exact) == 1:
        return exact[0]
    partial = exact or [c for c, n in regios.items() if wanted and wanted in key(n)]
    if len(partial) == 1:
        return partial[0]
    if partial:
        raise AmbiguousRegionError(query, [f"{regios[c]} ({c})" for c in sorted(partial)], kind="GGD-regio")
    found = process.extract(wanted, {c: key(n) for c, n in regios.items()}, scorer=fuzz.WRatio, limit=3, score_cutoff=60)
    raise UnknownRegionError(query, [f"{regios[c]} ({c})" for _, _, c in found], kind="GGD-regio", known=every)


# -- 2. load once ------------------------------------------------------------------------------------------


def load_gemeenten_for(settings: Settings, table: str | None = None) -> tuple[pd.DataFrame, int]:
    """The gemeenten of the RIVM table's classification year, and that year."""
    from .. import rivm
    from ..regions import load_gemeenten

    schema = rivm.resolve_schema(rivm.catalog(settings), (table or rivm.DEFAULT_TABLE).strip().upper())
    return load_gemeenten(settings, year=schema.classification_year), schema.classification_year


def load_inputs(
    settings: Settings,
    codes: Sequence[str] | None = None,
    *,
    table: str | None = None,
    gemeenten: pd.DataFrame | None = None,
    classification_year: int | None = None,
) -> ReportInputs:
    """Load every data set once: figures (gemeente level), wijk figures (of ``codes``, or all), gemeenten,
    population, national age bands and wijk boundaries; compute the GGD-regio aggregates."""
    from .. import geo, national, rivm
    from ..population import load_population

    if gemeenten is None or classification_year is None:
        gemeenten, classification_year = load_gemeenten_for(settings, table)
    figures = rivm.load_figures(settings, table=table, level="gemeente")
    few = list(codes) if codes is not None and len(codes) <= FEW_GEMEENTEN else None  # a few named gemeenten: only their part
    if few is not None:  # a gemeente the table lacks has no wijken either; its report fails on its own, later
        present = set(figures["gemeentecode"].dropna())
        parts = [rivm.load_figures(settings, table=table, level="wijk", gemeente=code) for code in few if code in present]
        wijk_figures = pd.concat(parts, ignore_index=True) if parts else figures.iloc[0:0]
        wijk_figures.attrs = dict(parts[0].attrs) if parts else {}
    else:
        wijk_figures = rivm.load_figures(settings, table=table, level="wijk")
    population = load_population(settings, year=classification_year)
    boundaries = geo.load_boundaries(settings, level="wijk", year=classification_year, gemeenten=few)
    try:
        age_bands: pd.DataFrame | None = national.load_age_bands(settings)
    except EenzaamheidError as err:  # an extra section: the reports go on without it
        log.warning("national age bands left out of the reports: %s", err)
        age_bands = None
    return ReportInputs.from_frames(figures, wijk_figures, gemeenten, population, age_bands, boundaries)


# -- 3. render ---------------------------------------------------------------------------------------------


def _content(inputs: ReportInputs, code: str, options: _Options, *, svg: bool = True) -> GemeenteReport:
    return build_content(
        inputs.figures, inputs.wijk_figures, inputs.gemeenten, inputs.population, inputs.regional, inputs.age_bands,
        inputs.wijk_boundaries, code, jaar=options.jaar, today=options.today, landelijk=inputs.landelijk, svg=svg,
    )


def _render_one(inputs: ReportInputs, code: str, options: _Options, pdf: Callable[[Path], Path] | None, *,
                spare_core: bool = False) -> _Outcome:
    """One gemeente's page, slides and PDF. With ``spare_core`` (one report, nothing else running) the slides
    are drawn by a copy of this process on another core while this one makes the page."""
    elsewhere = _SlideProcess.start(inputs, code, options) if spare_core and options.slides and pdf is None else None
    try:
        report = _content(inputs, code, options)
        html = write_report(report, options.out_dir)
        if elsewhere is not None:
            slides = elsewhere.result()
        else:
            slides = tuple(write_slides(report, options.out_dir)) if options.slides else ()
    except BaseException as err:
        if elsewhere is not None:
            elsewhere.stop(interrupted=isinstance(err, KeyboardInterrupt))
        raise
    pdf_path = pdf(html) if pdf is not None else None
    return _Outcome(code, report.gemeentenaam, report.jaar, html, pdf_path, slides)


class _SlideProcessError(EenzaamheidError):
    """The slides' process failed; its message is the original error's one line."""


class _SlideProcess:
    """A slide pack drawn in a forked copy of this process, which has the inputs already (nothing is pickled).

    Forking is safe only from a process with a single thread (no browser, no progress bar, no server, not a
    Jupyter kernel), and only a fork shares the loaded inputs for free; elsewhere ``start`` gives None and
    the caller draws the slides itself.
    """

    def __init__(self, process: Any, answers: Any) -> None:  # noqa: ANN401 - multiprocessing objects
        self._process, self._answers = process, answers

    @classmethod
    def start(cls, inputs: ReportInputs, code: str, options: _Options) -> _SlideProcess | None:
        import threading

        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
        if (cores < 2 or not sys.platform.startswith("linux") or threading.active_count() > 1
                or multiprocessing.parent_process() is not None):
            return None
        context = multiprocessing.get_context("fork")
        answers, send = context.Pipe(duplex=False)
        process = context.Process(target=_draw_slides_here, args=(send, inputs, code, options), name="slides", daemon=True)
        process.start()
        send.close()
        return cls(process, answers)

    def result(self) -> tuple[Path, ...]:
        """The slides' paths, once drawn; raises what stopped them."""
        try:
            kind, payload = self._answers.recv()
        except EOFError:
            self._process.join()
            raise _SlideProcessError(f"the process drawing the slides stopped (exit code {self._process.exitcode})") from None
        self._process.join()
        if kind == "interrupted":
            raise KeyboardInterrupt
        if kind == "error":
            raise _SlideProcessError(payload)
        return tuple(Path(p) for p in payload)

    def stop(self, *, interrupted: bool) -> None:
        """End the process when this one failed: after a Ctrl-C (which reached it too) let it finish the file in
        hand; after an error interrupt it (no slides for a page that failed). It writes each file whole or not at all."""
        if not interrupted and self._process.is_alive():
            os.kill(self._process.pid, signal.SIGINT)
        self._process.join(timeout=5)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()
        self._answers.close()


def _draw_slides_here(send: Any, inputs: ReportInputs, code: str, options: _Options) -> None:  # noqa: ANN401
    """The forked process's work: the report's content without the page's SVGs, then the slides."""
    signal.signal(signal.SIGINT, signal.default_int_handler)  # not the program's handler: the parent says it
    try:
        answer: tuple[str, Any] = ("ok", [str(p) for p in write_slides(_content(inputs, code, options, svg=False), options.out_dir)])
    except KeyboardInterrupt:
        answer = ("interrupted", None)
    except Exception as err:
        log.debug("slides of %s failed:\n%s", code, traceback.format_exc())
        answer = ("error", _describe(err))
    try:
        send.send(answer)
    except (BrokenPipeError, KeyboardInterrupt):  # the parent is gone or going
        pass


# Worker processes only: set once by the pool's initializer, so the big frames cross over once per worker.
_WORKER: dict[str, Any] = {}


def _init_worker(inputs: ReportInputs, options: _Options) -> None:
    import matplotlib

    # Ctrl-C reaches every process of the group: the parent stops the run; a worker takes no new report
    # and lets the one in hand end (each file is written whole or not at all) without a traceback of its
    # own, nor the warnings of a browser driver that died with the same Ctrl-C.
    signal.signal(signal.SIGINT, _worker_interrupted)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # blocked by the parent while we started
    matplotlib.use("Agg")
    _WORKER.clear()
    _WORKER.update(inputs=inputs, options=options, stack=ExitStack())
    gc.freeze()  # the inputs and the imports live as long as the worker: keep them out of every collection


@contextmanager
def _interrupts_held() -> Iterator[None]:
    """Ctrl-C held back (not lost) while the block runs: blocked in this thread, so processes started here
    inherit it blocked, and recorded if another thread takes it. When the block ends a held Ctrl-C is
    handled as it would have been. Interrupting a worker's start halfway would leave the pool waiting
    for it for ever."""
    import threading

    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "pthread_sigmask"):
        yield  # signal handlers belong to the main thread; Windows has no process groups to worry about
        return
    held: list[int] = []
    before = signal.signal(signal.SIGINT, lambda signum, frame: held.append(signum))
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # one pending now lands in `held`
        signal.signal(signal.SIGINT, before)
    if held:
        if callable(before):
            before(signal.SIGINT, None)  # the program's own handler: notes it and raises KeyboardInterrupt
        raise KeyboardInterrupt


def _stop_pool(pool: ProcessPoolExecutor, futures: Mapping[Future[_Outcome], str]) -> None:
    """After Ctrl-C: no report not yet begun is begun; the ones in hand end (each file whole or not at all).

    Cancelled here, not with ``shutdown(wait=False, cancel_futures=True)``: the pool's ``with`` block shuts it
    down again on the way out, and in Python 3.11 that second call undoes the cancelling and no longer waits
    for the workers. Leaving the shutdown to the ``with`` block waits for them, so none is left running. A
    worker that was still starting when Ctrl-C came had it blocked and never saw it: tell every worker again.
    """
    for future in futures:
        future.cancel()
    for process in list((getattr(pool, "_processes", None) or {}).values()):  # the pool keeps no public list of its workers
        with contextlib.suppress(OSError):
            os.kill(process.pid, signal.SIGINT)


def _end_stuck_workers(grace: float = 3.0) -> None:
    """After Ctrl-C, once the pool has shut down: a worker still alive is stuck (seen: waiting on the pool's call
    queue for a job that never came), and would outlive the run and hold its output pipe open. End it."""
    children = multiprocessing.active_children()
    deadline = time.monotonic() + grace
    for child in children:
        child.join(max(0.0, deadline - time.monotonic()))
    for child in children:
        if child.is_alive():
            log.debug("ending worker %s, still alive after the interrupt", child.pid)
            child.terminate()
            child.join(2.0)
            if child.is_alive():
                child.kill()


def _worker_interrupted(signum: int, frame: object) -> None:
    _WORKER["interrupted"] = True
    warnings.simplefilter("ignore")
    # The browser driver died with the same Ctrl-C; asyncio would log its closed connection at exit
    # ("Future exception was never retrieved").
    logging.getLogger("asyncio").disabled = True


def _worker_printer() -> Callable[[Path], Path]:
    if "pdf" not in _WORKER:
        from multiprocessing.util import Finalize

        _WORKER["pdf"] = _WORKER["stack"].enter_context(pdf_printer())
        Finalize(None, _WORKER["stack"].close, exitpriority=10)  # close Chromium when the worker exits
    return _WORKER["pdf"]


def _work(code: str) -> _Outcome:
    inputs: ReportInputs = _WORKER["inputs"]
    options: _Options = _WORKER["options"]
    if _WORKER.get("interrupted"):
        return _Outcome(code, _name(inputs.gemeenten, code), error="interrupted")
    try:
        return _render_one(inputs, code, options, _worker_printer() if options.pdf else None)
    except Exception as err:  # one gemeente must not stop the run; the parent reports it
        log.debug("report %s failed:\n%s", code, traceback.format_exc())
        return _failed(inputs, code, err)


def _name(gemeenten: pd.DataFrame, code: str) -> str:
    names = gemeenten.loc[gemeenten["gemeentecode"] == code, "gemeentenaam"]
    return str(names.iloc[0]) if len(names) else code


def _not_listed_outcome(inputs: ReportInputs, code: str, naam: str) -> _Outcome:
    bron = inputs.figures.attrs.get("bron", {})
    table, jaar = bron.get("table", "?"), bron.get("classification_year", "?")
    return _Outcome(code, naam, error=f"in table {table}, but not in CBS's list of gemeenten of {jaar}: its GGD-regio is not known",
                    reden=texts.FAILED_NOT_LISTED.format(table=table, jaar=jaar))


def gemeenten_not_listed(inputs: ReportInputs) -> dict[str, str]:
    """Gemeenten (code → name) with figures in the table that CBS's list of gemeenten lacks: reported, never
    dropped silently."""
    rows = inputs.figures[inputs.figures["niveau"] == "gemeente"].drop_duplicates("regiocode")
    rows = rows[~rows["regiocode"].isin(inputs.gemeenten["gemeentecode"])]
    return {str(c): str(n) for c, n in zip(rows["regiocode"], rows["regionaam"], strict=True)}


def _require_figures(inputs: ReportInputs, code: str) -> None:
    """A single named gemeente that the table lacks stops the run before anything is written; in a batch it is
    one failed gemeente."""
    if not (inputs.figures["regiocode"] == code).any():
        raise no_figures(inputs.figures, _name(inputs.gemeenten, code), code)


def _failed(inputs: ReportInputs, code: str, err: BaseException) -> _Outcome:
    return _Outcome(code, _name(inputs.gemeenten, code), error=_describe(err), reden=_reden(err))


def _reden(err: BaseException) -> str:
    """The index's Dutch sentence for a failure."""
    if isinstance(err, NoFiguresError):
        return texts.FAILED_NO_FIGURES.format(table=err.table or "?")
    if isinstance(err, OSError):
        return texts.FAILED_WRITE
    return texts.FAILED_OTHER


def _describe(err: BaseException) -> str:
    """One line for the log and the index (a browser's error can run to dozens of lines; ``-vv`` logs it all)."""
    if isinstance(err, OSError) and err.strerror:  # "cannot write out/2024/GM0001-x.html: No space left on device"
        return f"cannot write {err.filename}: {err.strerror}" if err.filename else err.strerror
    text = str(err).strip().splitlines()[0] if str(err).strip() else ""
    return text if isinstance(err, EenzaamheidError) else f"{type(err).__name__}: {text}"


def render_reports(
    inputs: ReportInputs,
    codes: Sequence[str],
    *,
    output_dir: Path = Path("reports"),
    year: int | None = None,
    pdf: bool = False,
    slides: bool = True,
    workers: int | None = None,
    progress: Progress = True,
    today: date | None = None,
    title: str | None = None,
    not_listed: Mapping[str, str] | None = None,
) -> BatchResult:
    """Render the reports of ``codes`` from loaded ``inputs`` (in parallel when there are several) and write the
    index (headed ``title``, e.g. the GGD-regio's; by default "Eenzaamheid per gemeente"). ``not_listed``
    (code → name: gemeenten with figures that CBS's list of gemeenten lacks) are listed as failed.

    ``progress``: ``True`` draws a bar on stderr, ``"lines"`` writes a plain line per tenth of the run (for
    logs and pipes), ``False`` is silent.
    """
    options = _Options(prepare_output_dir(output_dir), year, pdf, slides, today)
    requested, workers = workers, max(1, min(workers or os.cpu_count() or 1, len(codes)))
    if len(codes) > 1 and inputs.landelijk is None:
        inputs = replace(inputs, landelijk=national_chart(inputs.age_bands))
    outcomes: list[_Outcome] = []
    futures: dict[Future[_Outcome], str] = {}
    started = time.time() - 1  # file times are coarse on some file systems
    bar = _progress_bar(len(codes), progress)
    if bar is not None:
        _say(f"writing {len(codes)} reports with {workers} process{'es' if workers > 1 else ''} …")
    try:
        if workers == 1:
            spare_core = len(codes) == 1 and requested != 1  # `--workers 1` means one process
            with ExitStack() as stack:
                printer = stack.enter_context(pdf_printer()) if pdf else None
                for code in codes:
                    try:
                        outcomes.append(_render_one(inputs, code, options, printer, spare_core=spare_core))
                    except Exception as err:
                        log.debug("report %s failed:\n%s", code, traceback.format_exc())
                        outcomes.append(_failed(inputs, code, err))
                    if bar is not None:
                        bar.update()
        else:
            # "spawn": a clean interpreter per worker, safe whatever threads the parent runs (demo servers, tqdm).
            context = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker, initargs=(inputs, options)) as pool:
                try:
                    # The workers start within submit, and inherit a blocked Ctrl-C (the mask survives exec):
                    # one still importing cannot die with a traceback; _init_worker takes it in hand and
                    # unblocks. Here, a Ctrl-C held back while they start arrives when the block ends.
                    with _interrupts_held():
                        futures.update({pool.submit(_work, code): code for code in codes})
                    for future in as_completed(futures):
                        code = futures[future]
                        try:
                            outcomes.append(future.result())
                        except Exception as err:  # the worker itself died
                            outcomes.append(_failed(inputs, code, err))
                        if bar is not None:
                            bar.update()
                except KeyboardInterrupt:
                    _stop_pool(pool, futures)
                    raise
    except KeyboardInterrupt:
        _end_stuck_workers()
        if bar is not None:
            bar.close()
            bar = None
            # counted on disk: the reports the workers had in hand were finished after the Ctrl-C, and a report
            # whose PDF the interrupt cut short still has its page
            written = [path for code in codes for path in options.out_dir.glob(f"[0-9]*/{code}-*.html")
                       if path.stat().st_mtime >= started]
            where = f" in {written[0].parent}" if written else ""
            _say(f"{len(written)} of {len(codes)} written before the interrupt{where}; no index.html")
        raise
    finally:
        if bar is not None:
            bar.close()

    outcomes += [_not_listed_outcome(inputs, code, naam) for code, naam in (not_listed or {}).items()]
    order = {code: i for i, code in enumerate(codes)}
    result = BatchResult()
    for o in sorted(outcomes, key=lambda o: (order.get(o.gemeentecode, len(order)), o.gemeentecode)):
        if o.error:
            result.failed[o.gemeentecode] = o.error
            log.error("%s (%s): %s", o.gemeentenaam, o.gemeentecode, o.error)
            continue
        assert o.html is not None
        result.reports[o.gemeentecode] = o.html
        if o.pdf:
            result.pdfs[o.gemeentecode] = o.pdf
        if o.slides:
            result.slides[o.gemeentecode] = list(o.slides)
    entries = [
        IndexEntry(o.gemeentecode, o.gemeentenaam, o.jaar, o.html, o.pdf, o.slides[0].parent if o.slides else None, o.error, o.reden)
        for o in outcomes
    ]
    bron = inputs.figures.attrs.get("bron", {})
    result.index = write_index(entries, Path(output_dir), demo=bool(bron.get("demo")), today=today, title=title,
                               source=fmt.source_line(bron) if bron else None)
    return result


class _ProgressLines:
    """Progress as whole lines on stderr, one per tenth of the run: a bar's carriage returns make a mess of a log."""

    def __init__(self, total: int) -> None:
        self.total, self.done, self.started = total, 0, time.monotonic()
        self._next = 1

    def update(self) -> None:
        self.done += 1
        if self.done >= self._next and self.done < self.total:
            _say(f"{self.done} of {self.total} done ({time.monotonic() - self.started:.0f} s)")
            self._next = self.done + max(1, self.total // 10)

    def close(self) -> None:
        pass


def _say(message: str) -> None:
    """A progress line of the run on stderr ("reports: …"), for a run that shows progress."""
    print(f"reports: {message}", file=sys.stderr, flush=True)


def _progress_bar(total: int, progress: Progress) -> Any:
    if total < 2 or not progress:
        return None  # no bar for one report: tqdm starts a thread for it, and one report is quick
    if progress == "lines":
        return _ProgressLines(total)
    from tqdm import tqdm

    return tqdm(total=total, file=sys.stderr, unit="gemeente", desc="reports")


# -- the public verbs ---------------------------------------------------------------------------------------


def _check_year(inputs: ReportInputs, year: int | None) -> None:
    if year is None:
        return
    years = sorted(int(y) for y in inputs.figures["jaar"].unique())
    if year not in years:
        raise BadInputError(f"no figures for {year}", hint="available years: " + ", ".join(map(str, years)))


def generate_reports(
    settings: Settings,
    targets: Sequence[str] | None = None,
    *,
    ggd: str | None = None,
    all_gemeenten: bool = False,
    year: int | None = None,
    table: str | None = None,
    pdf: bool = False,
    slides: bool | None = None,
    output_dir: Path = Path("reports"),
    workers: int | None = None,
    progress: Progress = True,
    inputs: ReportInputs | None = None,
) -> BatchResult:
    """Factsheets for the gemeenten named in ``targets`` (names or codes), a GGD-regio, or all gemeenten.

    Every name is checked before anything is loaded in bulk or written. ``inputs`` skips loading (frames
    already in hand). ``slides=None`` writes slide packs for named gemeenten only: a bulk run (``ggd``,
    ``all_gemeenten``) is for the factsheets, and slides would add two thirds to its time and five PNGs
    (about 0.8 MB) per gemeente; pass ``slides=True`` to have them anyway. Returns a ``BatchResult``; failed
    gemeenten are in ``.failed``.
    """
    if slides is None:
        slides = not (ggd or all_gemeenten)
    if pdf:
        require_chromium(start=True)  # a browser that does not start stops the run before any work
    if inputs is None:
        gemeenten, classification_year = load_gemeenten_for(settings, table)
    else:
        gemeenten, classification_year = inputs.gemeenten, inputs.figures.attrs.get("bron", {}).get("classification_year")
    codes = resolve_targets(gemeenten, targets, ggd=ggd, all_gemeenten=all_gemeenten, classification_year=classification_year)
    if not codes:
        raise BadInputError(f"GGD-regio {ggd!r} has no gemeenten", hint="run `eenzaamheid gemeenten` to see the regions")
    check_output_dir(output_dir)  # made once there is something to write
    if inputs is None:
        if progress:  # the first run fetches everything once, which takes a while: say so
            where = "from the cache" if settings.offline else "fetched once, then from the cache"
            _say(f"loading the data for {len(codes)} gemeente{'n' if len(codes) > 1 else ''} ({where}) …")
        inputs = load_inputs(settings, None if all_gemeenten else codes, table=table, gemeenten=gemeenten,
                             classification_year=classification_year)
    _check_year(inputs, year)
    if len(codes) == 1 and not (ggd or all_gemeenten):
        _require_figures(inputs, codes[0])
    return render_reports(inputs, codes, output_dir=output_dir, year=year, pdf=pdf, slides=slides,
                          workers=workers, progress=progress, title=_index_title(gemeenten, ggd, all_gemeenten),
                          not_listed=gemeenten_not_listed(inputs) if all_gemeenten else None)


def _index_title(gemeenten: pd.DataFrame, ggd: str | None, all_gemeenten: bool) -> str | None:
    if all_gemeenten:
        return texts.INDEX_TITLE_ALL
    if ggd:
        code = resolve_ggd(gemeenten, ggd)
        naam = gemeenten.loc[gemeenten["ggdregiocode"] == code, "ggdregionaam"].iloc[0]
        return texts.INDEX_TITLE_GGD.format(naam=naam)
    return None


def generate_report(
    settings: Settings,
    gemeente: str,
    *,
    year: int | None = None,
    table: str | None = None,
    pdf: bool = False,
    slides: bool = True,
    output_dir: Path = Path("reports"),
    inputs: ReportInputs | None = None,
) -> Path:
    """One gemeente's factsheet, rendered in this process (the notebook's verb); returns the HTML path.

    Same keywords as ``generate_reports``; unlike it, a failure raises. The PDF and slides (when asked)
    are written next to the HTML.
    """
    if pdf:
        require_chromium(start=True)  # a browser that does not start stops the run before any work
    if inputs is None:
        gemeenten, classification_year = load_gemeenten_for(settings, table)
        code = resolve_targets(gemeenten, [gemeente], classification_year=classification_year)[0]
    else:
        code = resolve_targets(inputs.gemeenten, [gemeente])[0]
    check_output_dir(output_dir)  # after the name is known good, before anything is loaded
    if inputs is None:
        inputs = load_inputs(settings, [code], table=table, gemeenten=gemeenten, classification_year=classification_year)
    _check_year(inputs, year)
    _require_figures(inputs, code)
    options = _Options(prepare_output_dir(output_dir), year, pdf, slides)
    with ExitStack() as stack:
        printer = stack.enter_context(pdf_printer()) if pdf else None
        outcome = _render_one(inputs, code, options, printer, spare_core=True)
    assert outcome.html is not None
    return outcome.html
