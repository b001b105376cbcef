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
from .national import load_age_bands
from .population import load_population
from .regions import GemeenteLookup, load_gemeenten
from .rivm import load_figures

__version__ = "0.1.0"

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
