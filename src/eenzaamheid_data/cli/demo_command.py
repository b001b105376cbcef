"""``eenzaamheid demo``: the whole path on the shipped fictitious data, without network.

Serves the demo world on 127.0.0.1, then runs the same code as for real data: fetch and clean the
figures, write the tidy table, draw a gemeente map, and write the factsheet of one demo gemeente.
The last line printed is the path of the report.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..config import Settings
from . import types


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "demo",
        help="build the demo report from the shipped fictitious data (no network needed)",
        description="Fetch, clean, map and report on the shipped fictitious demo data (fictieve voorbeelddata), "
        "through the same code as real data. Ends with the path of the demo report.",
    )
    parser.add_argument("--output-dir", type=types.path, default=Path("reports/demo"), metavar="DIR", help="where to write (default: reports/demo)")
    parser.add_argument("--gemeente", type=types.text, default=None, metavar="NAME_OR_CODE", help="the demo gemeente to report on (default: the first)")
    parser.add_argument("--no-slides", dest="slides", action="store_false", help="skip the 16:9 PNG slides")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    from .. import demo, geo, maps, rivm
    from ..report.batch import generate_report, load_gemeenten_for, resolve_targets
    from ..report.render import prepare_output_dir
    from .data_commands import with_age_group, write_table

    with demo.serve(settings) as s:
        gemeenten, classification_year = load_gemeenten_for(s)  # the name is checked before anything is written
        resolve_targets(gemeenten, [args.gemeente or demo.DEMO_GEMEENTE], classification_year=classification_year)
        out = prepare_output_dir(args.output_dir)
        figures = rivm.load_figures(s, table=demo.RIVM_TABLE, level="gemeente")
        print(rivm.summary_line(figures), file=sys.stderr)
        table_path = out / "eenzaamheid_demo_gemeenten.csv"
        write_table(with_age_group(figures), table_path)
        print(f"tidy table: {table_path}", file=sys.stderr)

        year = int(figures["jaar"].max())
        boundaries = geo.load_boundaries(s, level="gemeente", year=int(figures.attrs["bron"]["classification_year"]))
        fig, _ = maps.make_map(figures, boundaries, indicator="eenzaam", year=year, age="65+", level="gemeente")
        map_path = maps.save_figure(fig, out / f"kaart_eenzaam_65plus_{year}.png")
        print(f"map: {map_path}", file=sys.stderr)

        report = generate_report(s, args.gemeente or demo.DEMO_GEMEENTE, output_dir=out, slides=args.slides)
    print(report)
    return 0
