"""Invented, deterministic boundaries in RD New (EPSG:28992) for tests, the demo and the benchmarks.

``tessellate`` splits a bounding box into gemeenten, each gemeente into its wijken and each wijk into
its buurten, so the polygons nest exactly (a child is a Voronoi cell intersected with its parent).
The land is convex and every Voronoi cell is convex, so every polygon is a simple convex Polygon.
Nothing here is real geography; the same codes always give the same shapes.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

import numpy as np
import shapely
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry

from ..demo_world import unit

CodesTree = Mapping[str, Mapping[str, Sequence[str]]]
"""gemeentecode → wijkcode → buurtcodes (wijken and buurten may be empty)."""

BBox = tuple[float, float, float, float]

NETHERLANDS_BBOX: BBox = (13_000.0, 306_000.0, 278_000.0, 620_000.0)
"""Roughly the extent of the Netherlands in RD metres."""

DEMO_BBOX: BBox = (120_000.0, 420_000.0, 200_000.0, 500_000.0)

RUBRIEK = {"GM": "gemeente", "WK": "wijk", "BU": "buurt", "PV": "provincie", "GG": "ggdregio", "NL": "land"}

CRS_RD = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::28992"}}

# A convex "coastline": the bounding box with its corners cut, the north-west one deepest.
_LAND_OUTLINE = ((0.30, 0.0), (0.80, 0.0), (1.0, 0.22), (1.0, 0.86), (0.88, 1.0), (0.38, 1.0), (0.0, 0.55), (0.04, 0.22))


def land_shape(bbox: BBox) -> Polygon:
    """The convex, coast-like outline that ``tessellate`` fills."""
    minx, miny, maxx, maxy = bbox
    return Polygon([(minx + fx * (maxx - minx), miny + fy * (maxy - miny)) for fx, fy in _LAND_OUTLINE])


def tessellate(codes_tree: CodesTree, bbox: BBox, *, relax: int = 2) -> dict[str, Polygon]:
    """Polygons for every gemeente, wijk and buurt code in ``codes_tree``, nested exactly, in RD metres.

    Gemeenten are listed in a snake order across the land, so gemeenten with neighbouring positions in
    ``codes_tree`` (for example those of one provincie) tend to share borders.
    """
    polygons: dict[str, Polygon] = {}
    gemeenten = list(codes_tree)
    for gm, gm_cell in zip(gemeenten, _split(land_shape(bbox), len(gemeenten), "land", relax)):
        polygons[gm] = gm_cell
        wijken = codes_tree[gm]
        for wk, wk_cell in zip(wijken, _split(gm_cell, len(wijken), gm, relax)):
            polygons[wk] = wk_cell
            buurten = list(wijken[wk])
            for bu, bu_cell in zip(buurten, _split(wk_cell, len(buurten), wk, relax)):
                polygons[bu] = bu_cell
    return polygons


def _split(parent: Polygon, n: int, salt: str, relax: int) -> list[Polygon]:
    """``parent`` cut into ``n`` convex cells (Lloyd-relaxed Voronoi), in snake order."""
    if n <= 0:
        return []
    if n == 1:
        return [parent]
    points = _halton_points_inside(parent, n, salt)
    for _ in range(relax):
        points = shapely.get_coordinates(shapely.centroid(_cells(points, parent)))
    points = points[_snake_order(points, parent)]
    return list(_cells(points, parent))


def _cells(points: np.ndarray, parent: Polygon) -> np.ndarray:
    diagram = shapely.voronoi_polygons(shapely.multipoints(points), extend_to=parent, ordered=True)
    return shapely.intersection(shapely.get_parts(diagram), parent)


def _radical_inverse(index: np.ndarray, base: int) -> np.ndarray:
    result = np.zeros(index.shape, dtype=float)
    scale = 1.0 / base
    i = index.copy()
    while i.any():
        result += (i % base) * scale
        i //= base
        scale /= base
    return result


def _halton_points_inside(parent: Polygon, n: int, salt: str) -> np.ndarray:
    """The first ``n`` points of a shifted Halton sequence that fall inside ``parent``."""
    minx, miny, maxx, maxy = parent.bounds
    shift_x, shift_y = unit(salt, "x"), unit(salt, "y")
    count = 4 * n + 16
    while True:
        index = np.arange(1, count + 1)
        xs = minx + ((_radical_inverse(index, 2) + shift_x) % 1.0) * (maxx - minx)
        ys = miny + ((_radical_inverse(index, 3) + shift_y) % 1.0) * (maxy - miny)
        inside = shapely.contains_xy(parent, xs, ys)
        if inside.sum() >= n or count > 2**22:
            break
        count *= 4
    chosen = np.flatnonzero(inside)[:n]
    if len(chosen) < n:  # a sliver too thin to sample: fall back to points along its middle
        return shapely.get_coordinates(shapely.line_interpolate_point(parent.exterior, np.linspace(0, 1, n, endpoint=False), normalized=True))
    return np.column_stack([xs[chosen], ys[chosen]])


def _snake_order(points: np.ndarray, parent: Polygon) -> np.ndarray:
    """Indices ordering points in horizontal strips, alternating direction, from the north down."""
    minx, miny, maxx, maxy = parent.bounds
    n = len(points)
    strips = max(1, round(math.sqrt(n * (maxy - miny) / max(maxx - minx, 1e-9))))
    strip = np.minimum(((maxy - points[:, 1]) / max(maxy - miny, 1e-9) * strips).astype(int), strips - 1)
    along = np.where(strip % 2 == 0, points[:, 0], -points[:, 0])
    return np.lexsort((along, strip))


# -- PDOK-shaped GeoJSON ----------------------------------------------------------------------------


def rubriek_of(code: str) -> str:
    """'GM0363' → 'gemeente', 'WK036300' → 'wijk', …"""
    return RUBRIEK.get(code[:2].upper(), "onbekend")


def feature_collection(
    polygons: Mapping[str, BaseGeometry],
    names: Mapping[str, str],
    year: int,
    *,
    crs: bool = True,
    decimals: int = 3,
) -> dict[str, Any]:
    """A FeatureCollection shaped like PDOK's WFS answer (RD coordinates, ``statcode``/``statnaam``).

    ``crs=False`` leaves out the ``crs`` member (PDOK's JSON does not always carry one).
    """
    features = []
    for number, (code, geometry) in enumerate(polygons.items(), start=1):
        layer = rubriek_of(code)
        rounded = shapely.transform(geometry, lambda xy: np.round(xy, decimals))
        features.append(
            {
                "type": "Feature",
                "id": f"{layer}_gegeneraliseerd.{number}",
                "geometry": shapely.geometry.mapping(rounded),
                "properties": {
                    "id": number,
                    "statcode": code,
                    "jrstatcode": f"{year}{code}",
                    "statnaam": names.get(code, code),
                    "rubriek": layer,
                },
            }
        )
    collection: dict[str, Any] = {"type": "FeatureCollection"}
    if crs:
        collection["crs"] = CRS_RD
    collection["features"] = features
    return collection


def layers_from_polygons(polygons: Mapping[str, BaseGeometry], names: Mapping[str, str], year: int) -> dict[tuple[str, int], dict]:
    """One FeatureCollection per layer (gemeente, wijk, buurt, …) keyed as PDOKReplica wants them."""
    by_layer: dict[str, dict[str, BaseGeometry]] = {}
    for code, geometry in polygons.items():
        by_layer.setdefault(rubriek_of(code), {})[code] = geometry
    return {(layer, year): feature_collection(group, names, year) for layer, group in by_layer.items()}


# -- invented codes at realistic counts ---------------------------------------------------------------

_STEMS = ("Linde", "Esse", "Beuke", "Wilge", "Eike", "Berke", "Hazel", "Vlier", "Olme", "Iepe", "Sparre", "Dennen")
_ENDINGS = ("dam", "veen", "hoven", "woude", "rade", "broek", "horst", "dijk", "wijk", "loo", "kerk", "haven", "berg", "zijl")


def invented_codes(
    n_gemeenten: int = 342, n_wijken: int = 3_300, n_buurten: int = 14_000, *, salt: str = "nl"
) -> tuple[dict[str, dict[str, list[str]]], dict[str, str]]:
    """A codes tree and names at the given counts (defaults: the Netherlands' sizes), deterministic.

    Codes look like CBS codes (GM0001, WK000100, BU00010000); names are invented.
    """
    if not (0 < n_gemeenten <= 9_999 and n_gemeenten <= n_wijken <= 99 * n_gemeenten and n_wijken <= n_buurten <= 99 * n_wijken):
        raise ValueError("counts must satisfy 0 < gemeenten <= wijken <= buurten, at most 99 children each")
    gemeenten = [f"GM{i:04d}" for i in range(1, n_gemeenten + 1)]
    wijk_counts = _apportion(n_wijken, [0.3 + unit(salt, g) ** 3 * 4 for g in gemeenten])
    tree: dict[str, dict[str, list[str]]] = {}
    names: dict[str, str] = {}
    wijk_codes = []
    for i, (gm, count) in enumerate(zip(gemeenten, wijk_counts)):
        names[gm] = f"{_STEMS[i % len(_STEMS)]}{_ENDINGS[(i // len(_STEMS)) % len(_ENDINGS)]}" + (f" {i // (len(_STEMS) * len(_ENDINGS)) + 1}" if i >= len(_STEMS) * len(_ENDINGS) else "")
        tree[gm] = {}
        for w in range(count):
            wk = f"WK{gm[2:]}{w:02d}"
            tree[gm][wk] = []
            names[wk] = f"Wijk {w + 1} {names[gm]}"
            wijk_codes.append((gm, wk))
    buurt_counts = _apportion(n_buurten, [0.5 + unit(salt, wk) for _, wk in wijk_codes])
    for (gm, wk), count in zip(wijk_codes, buurt_counts):
        for b in range(count):
            bu = f"BU{wk[2:]}{b:02d}"
            tree[gm][wk].append(bu)
            names[bu] = f"Buurt {b + 1} van {names[wk]}"
    return tree, names


def _apportion(total: int, weights: Sequence[float], cap: int = 99) -> list[int]:
    """Split ``total`` into len(weights) integers ≥ 1 and ≤ cap, roughly by weight."""
    n = len(weights)
    counts = [1] * n
    rest = total - n
    share = sum(weights)
    for i, w in enumerate(weights):
        counts[i] += min(cap - 1, int(rest * w / share))
    i = 0
    while sum(counts) < total:  # hand out what rounding left, round-robin where there is room
        if counts[i % n] < cap:
            counts[i % n] += 1
        i += 1
    return counts


# -- the demo world's boundaries ----------------------------------------------------------------------


class _AreaLike(Protocol):
    code: str
    name: str
    children: tuple[Any, ...]


def demo_layers(
    gemeenten: Sequence[_AreaLike],
    provincies: Iterable[Any],
    ggd_regios: Iterable[Any],
    gemeente_regions: Sequence[tuple[str, str, str, str, str, str]],
    year: int,
    *,
    bbox: BBox = DEMO_BBOX,
) -> dict[tuple[str, int], dict]:
    """PDOK-shaped layers (gemeente, wijk, buurt, provincie, ggdregio) for a world of nested areas.

    ``gemeente_regions`` rows are (gemeentecode, naam, provinciecode, provincienaam, ggdcode, ggdnaam);
    provincies and GGD-regio's are the unions of their gemeenten.
    """
    tree = {g.code: {w.code: [b.code for b in w.children] for w in g.children} for g in gemeenten}
    names = {}
    for g in gemeenten:
        names[g.code] = g.name
        for w in g.children:
            names[w.code] = w.name
            for b in w.children:
                names[b.code] = b.name
    polygons: dict[str, BaseGeometry] = dict(tessellate(tree, bbox))
    names.update({p.code: p.name for p in provincies})
    names.update({g.code: g.name for g in ggd_regios})
    for position in (2, 4):  # provinciecode, ggdcode
        members: dict[str, list[BaseGeometry]] = {}
        for row in gemeente_regions:
            members.setdefault(row[position], []).append(polygons[row[0]])
        for code, parts in members.items():
            polygons[code] = shapely.union_all(parts)
    return layers_from_polygons(polygons, names, year)
