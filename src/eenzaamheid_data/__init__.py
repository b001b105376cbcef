"""eenzaamheid-data: the facts on loneliness per Dutch gemeente, wijk and age group.

The short public API; maps, analysis, charts and reports are modules of their own
(``from eenzaamheid_data import maps, analysis``).
"""

from .config import Settings
from .errors import (
    AmbiguousRegionError,
    BadInputError,
    EenzaamheidError,
    InvalidDataError,
    MissingDataError,
    NotCachedError,
    SourceChangedError,
    SourceUnreachableError,
    UnknownRegionError,
    UnknownTableError,
)
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .national import load_age_bands
    from .population import load_population
    from .regions import GemeenteLookup, load_gemeenten
    from .rivm import load_figures

__version__ = "0.1.0"

# The loaders pull in pandas and pyarrow: imported on first use, so `import eenzaamheid_data` (and the
# command's start, before its Ctrl-C handling is in place) stays light.
_LAZY = {"load_age_bands": "national", "load_population": "population", "GemeenteLookup": "regions",
         "load_gemeenten": "regions", "load_figures": "rivm"}


def __getattr__(name: str) -> Any:  # noqa: ANN401 - PEP 562
    if name in _LAZY:
        from importlib import import_module

        value = getattr(import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])

__all__ = [
    "AmbiguousRegionError",
    "BadInputError",
    "EenzaamheidError",
    "GemeenteLookup",
    "InvalidDataError",
    "MissingDataError",
    "NotCachedError",
    "Settings",
    "SourceChangedError",
    "SourceUnreachableError",
    "UnknownRegionError",
    "UnknownTableError",
    "load_age_bands",
    "load_figures",
    "load_gemeenten",
    "load_population",
]
