"""The fictitious demo world: invented gemeenten, wijken, buurten, people and loneliness figures.

Deterministic (every number derives from a hash of a code), clearly invented (codes GM90xx, names such
as "Voorbeeldstad"), and shaped so the demo shows what the package can do: a big city above the
national figure, a GGD-regio with a single gemeente, two gemeenten with the same name (Lindeloo),
names with an apostrophe and accents, suppressed buurt figures.
"""

from __future__ import annotations

import functools
import hashlib
import math
from dataclasses import dataclass, field

DEMO_MARK = "fictieve voorbeelddata"
CLASSIFICATION_YEAR = 2024
PERIODS = (2012, 2016, 2020, 2022, 2024)
INDICATORS = ("eenzaam", "sterk_eenzaam", "emotioneel_eenzaam", "sociaal_eenzaam")
AGES = ("18+", "18-64", "65+")


def unit(*parts: object) -> float:
    """A deterministic number in [0, 1) from its arguments."""
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


@dataclass(frozen=True)
class Provincie:
    code: str
    name: str


@dataclass(frozen=True)
class GGDRegio:
    code: str
    name: str


@dataclass(frozen=True)
class Area:
    """A gemeente, wijk or buurt of the demo world."""

    code: str
    name: str
    gemeentecode: str
    inhabitants: int
    share_65plus: float  # percent of all inhabitants
    stedelijkheid: int  # 1 (very urban) … 5 (not urban)
    children: tuple["Area", ...] = field(default=(), repr=False)


PROVINCIES = (Provincie("PV90", "Voorbeeldland (fictief)"), Provincie("PV91", "Proefkust (fictief)"))
GGD_REGIOS = (
    GGDRegio("GG9001", "GGD Voorbeeldland Noord (fictief)"),
    GGDRegio("GG9002", "GGD Voorbeeldland Zuid (fictief)"),
    GGDRegio("GG9003", "GGD Proefkust (fictief)"),
    GGDRegio("GG9004", "GGD Oefeneiland (fictief)"),
)

# code, name, provincie, GGD-regio, inhabitants, stedelijkheid, number of wijken
_GEMEENTEN: tuple[tuple[str, str, str, str, int, int, int], ...] = (
    ("GM9001", "Voorbeeldstad", "PV90", "GG9001", 312_000, 1, 10),
    ("GM9002", "Proefdorp", "PV90", "GG9001", 14_500, 4, 3),
    ("GM9003", "Oefenwoude", "PV90", "GG9001", 27_300, 3, 4),
    ("GM9004", "Modelhaven", "PV90", "GG9001", 58_900, 2, 6),
    ("GM9005", "Schetsveen", "PV90", "GG9001", 9_800, 5, 3),
    ("GM9006", "'s-Proefhage", "PV90", "GG9001", 121_000, 1, 8),
    ("GM9007", "Lindeloo (VL.)", "PV90", "GG9002", 22_400, 4, 4),
    ("GM9008", "Fictiedam", "PV90", "GG9002", 44_100, 2, 5),
    ("GM9009", "Denkhoven", "PV90", "GG9002", 31_700, 3, 4),
    ("GM9010", "Droomwijk", "PV90", "GG9002", 18_200, 4, 3),
    ("GM9011", "Voorbeeldbroek", "PV90", "GG9002", 12_600, 5, 3),
    ("GM9012", "Súdproef", "PV90", "GG9002", 35_800, 3, 5),
    ("GM9013", "Oefenrade", "PV90", "GG9002", 16_900, 4, 3),
    ("GM9014", "Modelwoude", "PV91", "GG9003", 73_500, 2, 6),
    ("GM9015", "Schetsdam", "PV91", "GG9003", 25_600, 3, 4),
    ("GM9016", "Fictiehoven", "PV91", "GG9003", 41_200, 2, 5),
    ("GM9017", "Denkveen", "PV91", "GG9003", 11_300, 5, 3),
    ("GM9018", "Lindeloo (PK.)", "PV91", "GG9003", 19_700, 4, 3),
    ("GM9019", "Proefhaven aan Zee", "PV91", "GG9003", 28_800, 3, 4),
    ("GM9020", "Oefenstad", "PV91", "GG9003", 96_400, 1, 7),
    ("GM9021", "Schetsberg", "PV91", "GG9003", 8_700, 5, 3),
    ("GM9022", "Droomhaven", "PV91", "GG9003", 33_900, 3, 4),
    ("GM9023", "Denkdorp", "PV91", "GG9003", 15_100, 4, 3),
    ("GM9024", "Oefeneiland", "PV91", "GG9004", 13_200, 5, 3),
)

_WIJK_NAMES = (
    "Centrum", "Noord", "Oost", "Zuid", "West", "De Akkers", "Het Veld", "Buitengebied",
    "Havenkwartier", "Oude Dorp", "Nieuwland", "Parkwijk",
)
_BUURT_NAMES = (
    "Kerkbuurt", "Molenbuurt", "Stationsbuurt", "Bloemenbuurt", "Schoolbuurt", "Dijkbuurt",
    "Vogelbuurt", "Bomenbuurt", "Marktbuurt", "Sluisbuurt",
)


def _split(total: int, n: int, *salt: object) -> list[int]:
    weights = [0.5 + unit(*salt, i) for i in range(n)]
    parts = [int(total * w / sum(weights)) for w in weights]
    parts[0] += total - sum(parts)
    return parts


def build_gemeenten() -> tuple[Area, ...]:
    """All demo gemeenten with their wijken and buurten."""
    out = []
    for code, name, _, _, inhabitants, sted, n_wijken in _GEMEENTEN:
        digits = code[2:]
        share = 16 + 12 * unit(code, "65") + (4 if sted >= 4 else 0)
        wijken = []
        for w, w_inh in enumerate(_split(inhabitants, n_wijken, code)):
            wcode = f"WK{digits}{w:02d}"
            n_buurten = 2 + int(unit(wcode, "n") * 3)
            buurten = tuple(
                Area(
                    f"BU{digits}{w:02d}{b:02d}",
                    f"{_BUURT_NAMES[(w * 3 + b) % len(_BUURT_NAMES)]} {_WIJK_NAMES[w % len(_WIJK_NAMES)]}",
                    code,
                    b_inh,
                    max(3.0, share + 14 * (unit(wcode, b) - 0.5)),
                    sted,
                )
                for b, b_inh in enumerate(_split(w_inh, n_buurten, wcode))
            )
            wijken.append(Area(wcode, _WIJK_NAMES[w % len(_WIJK_NAMES)], code, w_inh, max(4.0, share + 10 * (unit(wcode) - 0.5)), sted, buurten))
        out.append(Area(code, name, code, inhabitants, share, sted, tuple(wijken)))
    return tuple(out)


def gemeente_regions() -> list[tuple[str, str, str, str, str, str]]:
    """(code, name, provinciecode, provincienaam, ggdcode, ggdnaam) per gemeente."""
    prov = {p.code: p.name for p in PROVINCIES}
    ggd = {g.code: g.name for g in GGD_REGIOS}
    return [(c, n, p, prov[p], g, ggd[g]) for c, n, p, g, *_ in _GEMEENTEN]


_BASE = {"eenzaam": 47.0, "sterk_eenzaam": 12.5, "emotioneel_eenzaam": 29.0, "sociaal_eenzaam": 34.0}
_YEAR = {2012: -4.0, 2016: -3.0, 2020: 1.0, 2022: 2.0, 2024: 0.5}
_AGE = {"18+": 0.0, "18-64": -0.8, "65+": 2.4}


def estimate(area: Area, age: str, year: int, indicator: str, level: str) -> float | None:
    """The demo's point estimate (percent), or None where it is suppressed."""
    if indicator == "sociaal_eenzaam" and year < 2016:
        return None
    if level == "buurt" and area.inhabitants < 700:
        return None
    scale = _BASE[indicator] / _BASE["eenzaam"]
    urban = {1: 4.5, 2: 2.0, 3: 0.0, 4: -1.5, 5: -2.5}[area.stedelijkheid]
    local = 8 * (unit(area.gemeentecode, indicator) - 0.5)
    if level in ("wijk", "buurt"):
        local += _part_offsets()[area.code, indicator]
    age_effect = _AGE[age] * (1.6 if area.share_65plus > 24 else 1.0)
    value = _BASE[indicator] + scale * (urban + local + _YEAR[year] + age_effect)
    return round(min(max(value, 1.0), 95.0), 1)


def _centred(raw: dict[Area, float]) -> dict[Area, float]:
    """Offsets whose mean, weighted by inhabitants, is 0: parts spread around their whole, as in a real
    gemeente (not all above it)."""
    total = sum(a.inhabitants for a in raw)
    mean = sum(a.inhabitants * v for a, v in raw.items()) / total if total else 0.0
    return {a: v - mean for a, v in raw.items()}


@functools.cache
def _part_offsets() -> dict[tuple[str, str], float]:
    """Per (wijk or buurt code, indicator): its offset from the gemeente; a buurt's is its wijk's plus its own."""
    offsets: dict[tuple[str, str], float] = {}
    for gemeente in build_gemeenten():
        for indicator in INDICATORS:
            wijken = _centred({w: 12 * (unit(w.code, indicator) - 0.5) for w in gemeente.children})
            for wijk, offset in wijken.items():
                offsets[wijk.code, indicator] = offset
                for buurt, own in _centred({b: 8 * (unit(b.code, indicator) - 0.5) for b in wijk.children}).items():
                    offsets[buurt.code, indicator] = offset + own
    return offsets


def half_width(area: Area, level: str) -> float:
    """Half the 95% interval: wide for small areas, as model estimates are."""
    if level == "nederland":
        return 0.4
    return round(min(12.0, 1.2 + 260 / math.sqrt(max(area.inhabitants, 50))), 1)
