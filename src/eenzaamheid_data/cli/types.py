"""Argument types of the command line: an empty value is refused where argparse parses it (exit 2)."""

from __future__ import annotations

import argparse
from pathlib import Path


def text(value: str) -> str:
    """A name, code or id: not empty (``--table ""`` would silently mean the default)."""
    value = value.strip()
    if not value:
        raise argparse.ArgumentTypeError("must not be empty")
    return value


def path(value: str) -> Path:
    """A file or folder: not empty (``--output-dir ""`` would silently mean the current folder)."""
    if not value.strip():
        raise argparse.ArgumentTypeError("must not be empty; give a file or folder name")
    return Path(value)


def age(value: str) -> str:
    """An age group as the tables write it: '18–64' (an en dash, as the docs print it) and '65 +' become
    '18-64' and '65+'."""
    return text(value).replace("–", "-").replace("—", "-").replace("−", "-").replace(" ", "")
