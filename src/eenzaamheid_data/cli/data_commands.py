"""``eenzaamheid fetch``, ``gemeenten`` and ``check-sources``."""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pandas as pd

from .. import fmt, rivm
from ..cache import atomic_write, write_problem
from ..config import Settings
from ..errors import BadInputError, UnknownRegionError
from . import types

OUTPUT_SUFFIXES = (".csv", ".parquet")


class Progress:
    """Progress lines on stderr; a fetch that takes a while gets a ticking 'still fetching' line."""

    def __init__(self, stream=sys.stderr, every: float = 5.0) -> None:  # noqa: ANN001
        self.stream = stream
        self.every = every
        self._stop: threading.Event | None = None

    def __call__(self, message: str) -> None:
        if message.startswith("fetching"):
            self._stop_ticker()
            print(f"{message} …", file=self.stream, flush=True)
            self._start_ticker(message)
        else:
            self._stop_ticker()
            print(message, file=self.stream, flush=True)

    def _start_ticker(self, message: str) -> None:
        stop = threading.Event()
        started = time.monotonic()

        def tick() -> None:
            while not stop.wait(self.every):
                print(f"  still {message.split(' from ')[0]} ({time.monotonic() - started:.0f} s)", file=self.stream, flush=True)

        threading.Thread(target=tick, daemon=True).start()
        self._stop = stop

    def _stop_ticker(self) -> None:
        if self._stop is not None:
            self._stop.set()
            self._stop = None

    def close(self) -> None:
        self._stop_ticker()


@contextlib.contextmanager
def data_settings(args: argparse.Namespace, settings: Settings) -> Iterator[Settings]:
    """The settings to read data with: the demo world when ``--demo``, else ``settings``."""
    if getattr(args, "demo", False):
        from .. import demo

        if getattr(args, "offline", False) or getattr(args, "refresh", False):  # the demo is served here, every run afresh
            print("note: --offline and --refresh have no effect with --demo: its data are served on this machine", file=sys.stderr)
        with demo.serve(settings) as demo_settings:
            yield demo_settings
    else:
        yield settings


def register(sub: argparse._SubParsersAction) -> None:
    from . import common_options

    fetch = sub.add_parser("fetch", help="fetch, clean and cache the loneliness figures; write the tidy table")
    fetch.add_argument("--table", type=types.text, default=rivm.DEFAULT_TABLE, help=f"RIVM table id (default {rivm.DEFAULT_TABLE}; also {', '.join(t for t in rivm.KNOWN_TABLES if t != rivm.DEFAULT_TABLE)})")
    fetch.add_argument("--level", default="gemeente", choices=rivm.LEVELS, help="gemeente (with Nederland), wijk or buurt")
    fetch.add_argument("--gemeente", type=types.text, metavar="NAME_OR_CODE", help="only this gemeente (its wijken/buurten at those levels)")
    fetch.add_argument("--year", type=int, action="append", metavar="YEAR", help="only this survey year (repeatable)")
    fetch.add_argument("--output", "-o", type=types.path, metavar="FILE", help="FILE.csv or FILE.parquet (default: CSV on stdout)")
    common_options(fetch)
    fetch.set_defaults(run=run_fetch)

    gem = sub.add_parser("gemeenten", help="list gemeenten with code, provincie and GGD-regio")
    gem.add_argument("--search", type=types.text, metavar="TEXT", help="only names or codes containing TEXT (none: the closest names, and exit code 2)")
    gem.add_argument("--table", type=types.text, default=rivm.DEFAULT_TABLE, help="the RIVM table whose classification year to use")
    common_options(gem)
    gem.set_defaults(run=run_gemeenten)

    check = sub.add_parser("check-sources", help="ask each live source for its metadata and report what changed")
    check.add_argument("--table", action="append", help="RIVM table(s) to check (default: all known)")
    check.set_defaults(run=run_check_sources)


def check_output_file(path: Path | None, suffixes: Sequence[str]) -> None:
    """``--output FILE``: a known file type in an existing folder, checked before any work is done."""
    if path is None:
        return
    kinds = ", ".join(suffixes[:-1]) + f" or {suffixes[-1]}" if len(suffixes) > 1 else suffixes[0]
    if path.suffix.lower() not in suffixes:
        raise BadInputError(f"cannot write {path}: unknown file type", hint=f"use a name ending in {kinds}")
    if path.is_dir():
        raise BadInputError(f"{path} is a folder", hint=f"name a file in it, ending in {kinds}")
    if not path.parent.is_dir():
        if path.parent.exists():
            raise BadInputError(f"{path.parent} is a file, not a folder", hint="choose another --output")
        raise BadInputError(f"folder {path.parent} does not exist", hint="create it first or choose another --output")
    if err := write_problem(path.parent):  # before the fetch rather than after it
        raise BadInputError(f"cannot write in folder {path.parent} ({err.strerror or err})",
                            hint="choose a folder you can write to with --output")


COLUMN_DOCS: dict[str, tuple[str, str]] = {
    "regiocode": ("string", "CBS region code: NL01 (Nederland), GMxxxx (gemeente), WKxxxxxx (wijk), BUxxxxxxxx (buurt)"),
    "regionaam": ("string", "region name as the source gives it"),
    "niveau": ("string", "nederland, gemeente, wijk or buurt"),
    "gemeentecode": ("string", "the gemeente the region lies in (empty for Nederland)"),
    "jaar": ("integer", "survey year (peiljaar)"),
    "leeftijd": ("string", "age group key: 18+, 18-64 or 65+; the same key in every year, so years can be joined"),
    "leeftijdsgroep": ("string", "the ages the figure covers, in words: 2012 and 2016 counted from 19 (19 jaar en ouder, "
                                 "19 tot 65 jaar), later years from 18"),
    "indicator": ("string", "eenzaam, sterk_eenzaam, emotioneel_eenzaam or sociaal_eenzaam"),
    "waarde": ("number", "model estimate, percent of the inhabitants in the age group (0-100); empty: no figure (never 0)"),
    "ondergrens": ("number", "lower limit of the 95% interval, percent; empty: none published"),
    "bovengrens": ("number", "upper limit of the 95% interval, percent; empty: none published"),
    "tabel": ("string", "RIVM/CBS table id the row comes from"),
}
"""What each column of an exported tidy table holds (for the CSV-on-the-Web metadata beside a CSV)."""


def with_age_group(tidy: pd.DataFrame) -> pd.DataFrame:
    """The tidy table with ``leeftijdsgroep`` after ``leeftijd``: the ages each row covers, in words. The key
    ``leeftijd`` stays '18+' in every year (years join on it); 2012 and 2016 counted from 19, and a table handed
    to someone else must say so in the row itself."""
    if tidy.empty or "leeftijd" not in tidy or "jaar" not in tidy:
        return tidy
    pairs = tidy[["leeftijd", "jaar"]].drop_duplicates()
    words = {(a, y): fmt.age_label(a, y) for a, y in zip(pairs["leeftijd"], pairs["jaar"])}
    out = tidy.copy()
    out.insert(out.columns.get_loc("leeftijd") + 1, "leeftijdsgroep", [words[(a, y)] for a, y in zip(tidy["leeftijd"], tidy["jaar"])])
    out.attrs = dict(tidy.attrs)
    return out


def write_table(frame: pd.DataFrame, path: Path | None) -> None:
    """CSV or Parquet, written atomically; CSV on stdout without a path.

    CSV: UTF-8, comma-separated, '.' as decimal point, an empty field for a missing value (never 0), one header
    row. A CSV file gets its source and columns beside it, as W3C CSV-on-the-Web metadata
    (``FILE.csv-metadata.json``: publisher, table, survey years, fetch date, licence, dialect, each column's
    type and meaning, and "fictieve voorbeelddata" for the demo); Parquet keeps the source and licence inside
    (pandas stores ``attrs`` in the file).
    """
    if path is None:
        frame.to_csv(sys.stdout, index=False, lineterminator="\n")
        return
    if path.suffix.lower() == ".parquet":
        buffer = io.BytesIO()
        frame = frame.copy()
        frame.attrs = {**frame.attrs, "licence": fmt.LICENCE_URL}
        frame.to_parquet(buffer, index=False)
        atomic_write(path, buffer.getvalue())
        return
    atomic_write(path, frame.to_csv(index=False, lineterminator="\n").encode("utf-8"))
    bron = frame.attrs.get("bron") or {}
    if bron:
        metadata = csvw_metadata(path.name, bron, columns=list(frame.columns))
        atomic_write(path.with_name(path.name + "-metadata.json"), json.dumps(metadata, indent=2, ensure_ascii=False).encode())


def csvw_metadata(csv_name: str, bron: dict, *, columns: Sequence[str] = ()) -> dict:
    """The provenance of a written CSV as CSV-on-the-Web metadata (https://www.w3.org/TR/tabular-metadata/), with
    its dialect and, for ``columns``, each column's datatype and meaning (an empty field is a missing value)."""
    schema = [{"name": c, "titles": c, "datatype": COLUMN_DOCS.get(c, ("string", ""))[0], "null": "",
               **({"dc:description": COLUMN_DOCS[c][1]} if c in COLUMN_DOCS else {})} for c in columns]
    return {
        "@context": "http://www.w3.org/ns/csvw",
        "url": csv_name,
        "dc:title": f"{bron.get('title', '')} ({bron.get('table', '?')})".strip(),
        "dc:publisher": bron.get("publisher", ""),
        "dc:source": fmt.source_line(bron),
        "dc:license": fmt.LICENCE_URL,
        "dc:created": bron.get("fetched_at"),
        **({"dc:description": f"{fmt.DEMO_MARK.upper()}: alle cijfers zijn verzonnen."} if bron.get("demo") else {}),
        "dialect": {"delimiter": ",", "encoding": "utf-8", "header": True, "lineTerminators": ["\n"]},
        **({"tableSchema": {"columns": schema}} if schema else {}),
    }


def run_fetch(args: argparse.Namespace, settings: Settings) -> int:
    check_output_file(args.output, OUTPUT_SUFFIXES)
    progress = Progress()
    try:
        with data_settings(args, settings) as s:
            tidy = rivm.load_figures(s, table=args.table, level=args.level, gemeente=args.gemeente, years=args.year, progress=progress)
    finally:
        progress.close()
    write_table(with_age_group(tidy), args.output)
    where = f" → {args.output}" if args.output else ""
    print(rivm.summary_line(tidy) + where, file=sys.stderr)
    return 0


def run_gemeenten(args: argparse.Namespace, settings: Settings) -> int:
    from ..regions import GemeenteLookup, load_gemeenten

    with data_settings(args, settings) as s:
        schema = rivm.resolve_schema(rivm.catalog(s), args.table.strip().upper())
        frame = load_gemeenten(s, year=schema.classification_year)
    try:
        found = GemeenteLookup(frame, classification_year=schema.classification_year).search(args.search)
    except UnknownRegionError as err:  # a search that finds nothing is a failed search, near misses or not
        print(f"error: no gemeente name or code contains {err.query!r}", file=sys.stderr)
        if err.suggestions:
            print("hint: did you mean: " + ", ".join(err.suggestions) + "?", file=sys.stderr)
        else:
            print("hint: search for part of the name (--search berg) or a code (--search 0363)", file=sys.stderr)
        return 2
    shown = found[["gemeentecode", "gemeentenaam", "provincienaam", "ggdregionaam"]]
    shown.columns = ["code", "name", "provincie", "GGD-regio"]
    print(_left_aligned(shown))
    print(f"{len(found)} of {len(frame)} gemeenten (indeling {schema.classification_year})", file=sys.stderr)
    return 0


def run_check_sources(args: argparse.Namespace, settings: Settings) -> int:
    from ..checks import check_sources, format_checks

    checks = check_sources(settings, rivm_tables=args.table)
    print(format_checks(checks))
    bad = [c for c in checks if c.status != "ok"]
    print(f"{len(checks) - len(bad)} of {len(checks)} checks hold", file=sys.stderr)
    return 1 if bad else 0


def _left_aligned(frame: pd.DataFrame) -> str:
    """A text table with every column left-aligned (names read better so than pandas' right-aligned text)."""
    texts = frame.astype(str)
    widths = {c: max(len(str(c)), int(texts[c].str.len().max() or 0)) for c in frame.columns}
    lines = [" ".join(str(c).ljust(widths[c]) for c in frame.columns)]
    lines += [" ".join(row[c].ljust(widths[c]) for c in frame.columns) for _, row in texts.iterrows()]
    return "\n".join(line.rstrip() for line in lines)

