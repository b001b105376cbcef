"""Printable Dutch factsheets per gemeente for the startconferentie: HTML, PDF and slides.

``build_content`` gathers every number and text of one gemeente into a ``GemeenteReport``;
``render_html`` / ``write_report`` / ``write_pdf`` / ``write_slides`` turn it into files;
``generate_report`` / ``generate_reports`` do the whole run from ``Settings``.
Nothing is imported eagerly: the submodules pull in matplotlib and Jinja2.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "BatchResult",
    "GemeenteReport",
    "build_content",
    "generate_report",
    "generate_reports",
    "render_html",
    "slugify",
    "write_index",
    "write_pdf",
    "write_report",
    "write_slides",
]

_WHERE = {
    "GemeenteReport": "content",
    "build_content": "content",
    "render_html": "render",
    "slugify": "render",
    "write_index": "render",
    "write_pdf": "render",
    "write_report": "render",
    "write_slides": "render",
    "BatchResult": "batch",
    "generate_report": "batch",
    "generate_reports": "batch",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        from importlib import import_module

        return getattr(import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
