"""``eenzaamheid report``: printable factsheets (HTML, optional PDF, slides) per gemeente."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ..config import Settings
from . import types


def register(sub: argparse._SubParsersAction) -> None:
    from . import common_options

    report = sub.add_parser(
        "report",
        help="write a factsheet per gemeente (HTML; --pdf adds PDF) and an index.html",
        description="Write one self-contained HTML factsheet per gemeente for the startconferentie, optionally a PDF "
        "and a slide pack, plus reports/index.html linking them. Names are checked before the run starts.",
    )
    report.add_argument("gemeenten", nargs="*", metavar="NAME_OR_CODE", help="gemeente names or codes (GM0363)")
    report.add_argument("--ggd", type=types.text, metavar="NAME", help="every gemeente of this GGD-regio (name or GG-code)")
    report.add_argument("--all", dest="all_gemeenten", action="store_true", help="every gemeente")
    report.add_argument("--year", type=int, metavar="Y", help="survey year to report (default: the newest)")
    report.add_argument("--table", type=types.text, metavar="ID", help="RIVM table id (default: the newest, 50150NED)")
    report.add_argument("--pdf", action="store_true", help="also print each report to A4 PDF (needs Chromium)")
    report.add_argument("--slides", action=argparse.BooleanOptionalAction, default=None,
                        help="write the 16:9 PNG slides per gemeente (default: yes for named gemeenten, no for --ggd and --all)")
    report.add_argument("--output-dir", type=types.path, default=Path("reports"), metavar="DIR", help="where to write (default: reports/)")
    report.add_argument("--workers", type=int, metavar="N", help="processes to render with (default: all cores)")
    common_options(report)
    report.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Exit 0 when every report was written, 1 when any gemeente failed; BadInputError propagates (exit 2)."""
    from ..errors import BadInputError
    from ..report.batch import generate_reports
    from .data_commands import data_settings

    if not args.gemeenten and not args.ggd and not args.all_gemeenten:
        raise BadInputError("no gemeente given", hint="name one or more gemeenten (or codes), or use --ggd NAME or --all")
    chosen = [what for what, given in (("gemeente names", args.gemeenten), ("--ggd", args.ggd), ("--all", args.all_gemeenten)) if given]
    if len(chosen) > 1:
        raise BadInputError(f"{' and '.join(chosen)} given together", hint="give gemeente names, or --ggd NAME, or --all: one of the three")
    if args.workers is not None and args.workers < 1:
        raise BadInputError(f"--workers {args.workers} is not a number of processes", hint="use 1 or more")
    with data_settings(args, settings) as data:
        result = generate_reports(
            data, args.gemeenten or None, ggd=args.ggd, all_gemeenten=args.all_gemeenten, year=args.year,
            table=args.table, pdf=args.pdf, slides=args.slides, output_dir=args.output_dir, workers=args.workers,
            progress=True if sys.stderr.isatty() else "lines",  # a bar on a terminal, lines in a log
        )
    for code, path in result.reports.items():
        print(path)
        if code in result.pdfs:
            print(result.pdfs[code])
        if code in result.slides:
            print(f"{result.slides[code][0].parent}{os.sep}")  # the slide pack's folder (one path a line, for scripts)
    sys.stdout.flush()  # before the summary on stderr, also when stdout is a pipe
    for code, message in result.failed.items():
        print(f"failed: {code}: {message}", file=sys.stderr)
    if result.index is not None:
        print(f"index: {result.index}")
    done = len(result.reports)
    print(f"{done} of {done + len(result.failed)} reports written", file=sys.stderr)
    return 1 if result.failed else 0
