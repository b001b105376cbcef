"""The ``eenzaamheid`` command line: one thin layer over the library API.

Exit codes: 0 done; 1 source unreachable with nothing cached (or another failure); 2 bad input.
Errors of the package become one line on stderr, never a traceback (``-v`` shows more).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from .. import __version__
from ..config import Settings
from ..errors import EenzaamheidError
from ..program import INTERRUPTED
from . import data_commands


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="eenzaamheid",
        description="Loneliness figures per gemeente, wijk and age group: fetch, map, report.",
    )
    parser.add_argument("-v", "--verbose", action="count", default=0, help="show more (-vv: debug)")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    data_commands.register(sub)
    for module in _optional_commands():
        module.register(sub)
    return parser


def _optional_commands() -> list:
    """Command modules of the maps and report layers (imported lazily: they pull in matplotlib)."""
    from . import demo_command, map_command, report_command

    return [map_command, report_command, demo_command]


def common_options(parser: argparse.ArgumentParser) -> None:
    """--offline / --refresh / --demo, shared by every command that reads data."""
    group = parser.add_argument_group("data")
    group.add_argument("--offline", action="store_true", help="never touch the network; use the cache only")
    group.add_argument("--refresh", action="store_true", help="fetch again even when cached")
    group.add_argument("--demo", action="store_true", help="use the shipped fictitious demo data (fictieve voorbeelddata)")


def settings_from_args(args: argparse.Namespace) -> Settings:
    return Settings.from_env(
        offline=getattr(args, "offline", False) or None,
        refresh=getattr(args, "refresh", False) or None,
    )


def _configure_logging(verbosity: int) -> None:
    level = logging.WARNING if verbosity == 0 else logging.INFO if verbosity == 1 else logging.DEBUG
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s" if verbosity else "note: %(message)s"))
    package = logging.getLogger("eenzaamheid_data")
    package.handlers[:] = [handler]
    package.setLevel(level)
    package.propagate = False


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    _configure_logging(args.verbose)
    settings: Settings | None = None
    try:
        settings = settings_from_args(args)
        return int(args.run(args, settings) or 0)
    except EenzaamheidError as err:
        if args.verbose > 1:
            raise
        print(f"error: {err.message}", file=sys.stderr)
        if err.hint:
            print(f"hint: {err.hint}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print(INTERRUPTED, file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except OSError as err:  # a file that could not be read or written (disk full, no permission): say which
        if args.verbose > 1:
            raise
        where = f": {err.filename}" if err.filename else ""
        print(f"error: {err.strerror or err}{where}", file=sys.stderr)
        if settings is not None and err.filename and _inside(str(err.filename), settings.data_dir):
            print(f"hint: the data folder {settings.data_dir} cannot be written; set EENZAAMHEID_DATA_DIR to a folder "
                  "you can write to", file=sys.stderr)
            return 2
        return 1


def _inside(path: str, folder: Path) -> bool:
    try:
        return Path(path).resolve().is_relative_to(Path(folder).resolve())
    except (OSError, ValueError):
        return False


if __name__ == "__main__":  # pragma: no cover
    from ..program import run

    run()
