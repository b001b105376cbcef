"""CBS boundaries from PDOK (WFS, with the OGC API as fallback), cached, and joined to the figures.

The raw GeoJSON (all pages merged) is cached under ``data/raw/pdok/<level>_<year>.geojson`` with its
provenance; a GeoParquet in EPSG:28992 derived from it under ``data/processed/boundaries/`` makes
loading fast. The boundary year must be the figures' classification year (indeling 2024 ↔ 2024).
A join reports every code that did not match; nothing is dropped silently.
"""

from __future__ import annotations

import io
import json
import logging
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, get_args
from urllib.parse import urljoin, urlsplit

import geopandas as gpd
import pandas as pd
import shapely

from . import fmt
from .cache import Cache, CacheEntry, utc_now
from .config import DEFAULT_PDOK_URL, Settings
from .errors import BadInputError, InvalidDataError, MissingDataError, SourceUnreachableError, name_not_resolved, short_reason
from .odata import transient_errors

if TYPE_CHECKING:
    import requests

log = logging.getLogger(__name__)

Level = Literal["gemeente", "wijk", "buurt", "provincie", "ggdregio"]
LEVELS: tuple[str, ...] = get_args(Level)

PUBLISHER = "CBS/PDOK"
RD_NEW = "EPSG:28992"
DEFAULT_OGC_URL = "https://api.pdok.nl"
WFS_PATH = "/cbs/gebiedsindelingen/{year}/wfs/v1_0"
OGC_ITEMS_PATH = "/cbs/gebiedsindelingen/ogc/v1/collections/{layer}/items"
TYPE_PREFIX = "gebiedsindelingen:"
OGC_PAGE = 1000
_MAX_PAGES = 10_000
_DERIVED_FORMAT = 2  # 2: with a gemeentecode column, so one gemeente's wijken/buurten are read alone


Sleep = Callable[[float], None]


def layer_name(level: str) -> str:
    """'gemeente' → 'gemeente_gegeneraliseerd' (PDOK's generalised layer)."""
    return f"{level}_gegeneraliseerd"


def ogc_base_url(settings: Settings) -> str:
    """PDOK's OGC API lives on api.pdok.nl; an overridden EENZAAMHEID_PDOK_URL serves both services."""
    return DEFAULT_OGC_URL if settings.pdok_url == DEFAULT_PDOK_URL else settings.pdok_url


def gemeente_of(code: str) -> str:
    """The gemeentecode a gemeente, wijk or buurt code belongs to: 'BU03630001' → 'GM0363'."""
    code = code.strip().upper()
    return f"GM{code[2:6]}" if code[:2] in ("GM", "WK", "BU") and len(code) >= 6 else code


# -- loading ---------------------------------------------------------------------------------------


def load_boundaries(
    settings: Settings, *, level: Level, year: int, gemeenten: Sequence[str] | None = None, sleep: Sleep = time.sleep,
) -> gpd.GeoDataFrame:
    """CBS's generalised boundaries of ``level`` for ``year``: columns statcode, statnaam, geometry (EPSG:28992).

    From the cache when there (``settings.refresh`` fetches again; ``settings.offline`` never touches
    the network). ``gemeenten`` (codes) keeps only those gemeenten, or their wijken/buurten: the whole
    layer is still fetched and cached once, but only these are read from it. ``gdf.attrs["bron"]`` holds
    the provenance.
    """
    if level not in LEVELS:
        raise BadInputError(f"unknown boundary level {level!r}", hint=f"use one of: {', '.join(LEVELS)}")
    year = int(year)
    layer = layer_name(level)
    raw_cache, processed = Cache(settings.raw_dir), Cache(settings.processed_dir)
    raw = raw_cache.get_or_fetch(
        raw_cache.path("pdok", f"{level}_{year}.geojson"),
        lambda: _download(settings, level, year, sleep),
        what=f"PDOK boundaries {layer} {year}",
        offline=settings.offline,
        refresh=settings.refresh,
    )
    derived = processed.get_or_fetch(
        processed.path("boundaries", f"{level}_{year}.parquet"),
        lambda: _derive(raw, level, year),
        what=f"boundaries {layer} {year} as GeoParquet",
        is_current=lambda meta: meta.get("raw_sha256") == raw.meta["sha256"] and meta.get("format") == _DERIVED_FORMAT,
    )
    wanted = None if gemeenten is None else sorted({gemeente_of(str(code)) for code in gemeenten})
    gdf = gpd.read_parquet(io.BytesIO(derived.payload), columns=["statcode", "statnaam", "geometry"],
                           filters=None if wanted is None else [("gemeentecode", "in", wanted)])
    gdf.attrs["bron"] = {
        "publisher": PUBLISHER,
        "layer": layer,
        "level": level,
        "year": year,
        "url": raw.meta.get("url"),
        "service": raw.meta.get("service"),
        "features": len(gdf),
        "fetched_at": raw.meta.get("fetched_at"),
        "demo": bool(raw.meta.get("demo") or settings.demo),
    }
    return gdf


class _Refused(Exception):
    """Internal: the server answered 4xx (not worth retrying)."""

    def __init__(self, status: int, url: str, detail: str) -> None:
        super().__init__(f"HTTP {status} for {url}: {detail}")
        self.status = status
        self.url = url


class _Incomplete(Exception):
    """Internal: the WFS announced more features than paging could get (it ignores startIndex)."""

    def __init__(self, announced: int, given: int) -> None:
        super().__init__(f"the WFS announced {announced} features but gave {given}")


class _Http:
    """GET JSON with a timeout and retries with exponential backoff on dropped connections and 5xx."""

    def __init__(self, settings: Settings, sleep: Sleep) -> None:
        import requests

        self.settings = settings
        self.sleep = sleep
        self.session = requests.Session()
        self.retryable = (*transient_errors(), ValueError)  # ValueError: requests' own 'not JSON' included
        self.session.headers["User-Agent"] = "eenzaamheid-data (+https://github.com/)"
        self.session.headers["Accept"] = "application/geo+json, application/json;q=0.9"

    def get_json(self, url: str, what: str) -> tuple[dict[str, Any], Mapping[str, str]]:
        """The JSON object at ``url``; ``_Refused`` for a 4xx or an OGC exception report (WFS servers send
        those with HTTP 200 too); retried on dropped connections, 5xx and bodies cut short."""
        attempts = self.settings.retries + 1
        problem = ""
        for attempt in range(1, attempts + 1):
            try:
                response = self.session.get(url, timeout=self.settings.timeout)
                if 400 <= response.status_code < 500:
                    raise _Refused(response.status_code, url, response.text[:200])
                if response.status_code >= 500:
                    problem = f"HTTP {response.status_code}"
                else:
                    if _is_exception_report(response):
                        raise _Refused(response.status_code, url, _exception_text(response.text))
                    document = response.json()
                    if not isinstance(document, dict):
                        raise InvalidDataError(f"{what}: {url} did not answer with a JSON object")
                    return document, response.headers
            except self.retryable as err:
                problem = short_reason(err)
                if name_not_resolved(err):
                    break  # no network, or a wrong host: trying again in a few seconds does not help
            if attempt < attempts:
                delay = min(self.settings.backoff * 2 ** (attempt - 1), 30.0)
                log.warning("%s: %s; retry %d of %d in %.0f s", what, problem, attempt, attempts - 1, delay)
                self.sleep(delay)
        raise SourceUnreachableError(
            f"{urlsplit(url).netloc} did not answer for {what} after {fmt.count(attempt, 'attempt', 'attempts')} ({problem})",
            hint="check the network or EENZAAMHEID_PDOK_URL; try again later",
        )

    def close(self) -> None:
        self.session.close()



def _is_exception_report(response: requests.Response) -> bool:
    """An OWS/WMS exception report (XML) instead of data: MapServer answers an unknown type name so, with HTTP 200."""
    kind = response.headers.get("Content-Type", "").lower()
    head = response.text[:600] if ("xml" in kind or response.content[:1] == b"<") else ""
    return "ExceptionReport" in head or "ServiceException" in head


def _exception_text(text: str) -> str:
    found = re.search(r"<(?:\w+:)?(?:ExceptionText|ServiceException)[^>]*>(.*?)</", text, flags=re.DOTALL)
    return (found.group(1).strip() if found else text[:200]) or "exception report"


def _download(settings: Settings, level: str, year: int, sleep: Sleep) -> tuple[bytes, dict[str, Any]]:
    """All features of one layer and year: WFS first, the OGC API when the WFS has nothing or fails."""
    layer = layer_name(level)
    what = f"PDOK {layer} {year}"
    http = _Http(settings, sleep)
    try:
        wfs_problem: BaseException
        try:
            features, crs, url = _fetch_wfs(http, settings.pdok_url, layer, year, what)
            if features:
                return _raw_payload(features, crs, url, "wfs", layer, level, year, settings)
            wfs_problem = _Refused(404, url, "no features")
        except (_Refused, _Incomplete, SourceUnreachableError) as err:
            wfs_problem = err
        log.info("%s: WFS gave nothing whole (%s); trying the OGC API", what, short_reason(wfs_problem))
        ogc_problem: _Refused | SourceUnreachableError | None = None
        try:
            features, crs, url = _fetch_ogc(http, ogc_base_url(settings), layer, year, what)
            if features:
                return _raw_payload(features, crs, url, "ogc", layer, level, year, settings)
        except (_Refused, SourceUnreachableError) as err:
            ogc_problem = err
        if isinstance(wfs_problem, _Incomplete):
            raise InvalidDataError(
                f"{what}: {wfs_problem}, and the OGC API did not give the layer either "
                f"({short_reason(ogc_problem) if ogc_problem else 'no features'})",
                hint="nothing was cached; try again later, or run `eenzaamheid check-sources`",
            )
        if isinstance(ogc_problem, SourceUnreachableError):
            if isinstance(wfs_problem, SourceUnreachableError):
                ogc_problem.message = f"{wfs_problem.message}; the OGC API neither ({ogc_problem.message})"
            raise ogc_problem
        if isinstance(wfs_problem, SourceUnreachableError):
            raise wfs_problem
        raise _no_such_layer(level, year, ogc_problem)
    finally:
        http.close()


def _no_such_layer(level: str, year: int, err: _Refused | None) -> MissingDataError:
    # The command line has checked the year against the figures by now: the source lacks the layer (exit 1).
    detail = f" (HTTP {err.status})" if err else ""
    return MissingDataError(
        f"PDOK has no {layer_name(level)} boundaries for {year}{detail}",
        hint="the boundary year must be the figures' classification year (indeling), e.g. 2024 for table 50150NED",
    )


# How the WFS may want the layer named: the documented form first, then with the workspace prefix,
# then the WFS 2.0 parameter name. A form is only tried when the one before was refused or empty.
_WFS_FORMS: tuple[tuple[str, str], ...] = (("typeName", ""), ("typeName", TYPE_PREFIX), ("typeNames", TYPE_PREFIX), ("typeNames", ""))


def _wfs_url(base: str, year: int, parameter: str, type_name: str) -> str:
    return (
        f"{base}{WFS_PATH.format(year=year)}?service=WFS&version=2.0.0&request=GetFeature"
        f"&{parameter}={type_name}&outputFormat=json"
    )


def _feature_key(feature: Mapping[str, Any]) -> str:
    props = feature.get("properties") or {}
    return str(props.get("statcode") or feature.get("id") or json.dumps(feature.get("geometry"))[:200])


def _fetch_wfs(http: _Http, base: str, layer: str, year: int, what: str) -> tuple[list[dict], str | None, str]:
    """WFS GetFeature, paged with count/startIndex when the server caps the answer."""
    refused: _Refused | None = None
    empty_url: str | None = None
    for parameter, prefix in _WFS_FORMS:
        url = _wfs_url(base, year, parameter, prefix + layer)
        try:
            first, _ = http.get_json(url, what)
        except _Refused as err:
            refused = err
            log.debug("%s: %s=%s refused (%s); trying the next form", what, parameter, prefix + layer, err)
            continue
        features = list(first.get("features") or [])
        if not features:
            empty_url = empty_url or url
            continue
        matched = _as_int(first.get("numberMatched", first.get("totalFeatures")))
        page = len(features)
        seen = {_feature_key(f) for f in features}
        for _ in range(_MAX_PAGES):
            if matched is not None and len(features) >= matched:
                break
            doc, _ = http.get_json(f"{url}&count={page}&startIndex={len(features)}", what)
            more = [f for f in (doc.get("features") or []) if _feature_key(f) not in seen]
            if not more:  # the end, or a server that ignores startIndex
                break
            seen.update(_feature_key(f) for f in more)
            features += more
            if matched is None and len(more) < page:
                break
        if matched is not None and len(features) < matched:
            raise _Incomplete(matched, len(features))  # never cache a layer known to be short
        return features, _crs_name(first.get("crs")), url
    if empty_url is not None:
        return [], None, empty_url
    assert refused is not None
    raise refused


def _fetch_ogc(http: _Http, base: str, layer: str, year: int, what: str) -> tuple[list[dict], str | None, str]:
    """OGC API Features items, following ``next`` links (the API rejects server-side filters)."""
    first_url = f"{base}{OGC_ITEMS_PATH.format(layer=layer)}?f=json&jaarcode={year}&limit={OGC_PAGE}"
    url: str | None = first_url
    features: list[dict] = []
    crs: str | None = None
    seen: set[str] = set()
    while url and url not in seen and len(seen) < _MAX_PAGES:
        seen.add(url)
        doc, headers = http.get_json(url, what)
        crs = crs or (headers.get("Content-Crs") or "").strip("<> ") or None
        more = list(doc.get("features") or [])
        features += more
        href = next((link.get("href") for link in doc.get("links") or [] if link.get("rel") == "next"), None) if more else None
        url = urljoin(url, href) if href else None
    # the API filters by jaarcode; should a server ignore it, keep only this year's features
    features = [f for f in features if _as_int((f.get("properties") or {}).get("jaarcode"), year) == year]
    return features, crs, first_url


def probe_layer(settings: Settings, *, level: str, year: int, sleep: Sleep = time.sleep) -> str:
    """Ask PDOK for one feature of a layer (WFS, else the OGC API), uncached; say which form answered.

    Raises ``InvalidDataError`` when the features lack ``statcode``/``statnaam`` and ``MissingDataError``
    when neither service has the layer for ``year``. Used by ``eenzaamheid check-sources``.
    """
    layer = layer_name(level)
    what = f"PDOK {layer} {year}"
    http = _Http(settings, sleep)
    problems: list[str] = []
    try:
        for parameter, prefix in _WFS_FORMS:
            url = _wfs_url(settings.pdok_url, year, parameter, prefix + layer) + "&count=1"
            try:
                doc, _ = http.get_json(url, what)
            except _Refused as err:
                problems.append(f"WFS {parameter}={prefix + layer}: HTTP {err.status}")
                continue
            except SourceUnreachableError as err:
                problems.append(f"WFS: {err.message}")
                break
            features = doc.get("features") or []
            if features:
                return _describe_first(features[0], f"WFS {parameter}={prefix + layer}", what)
            problems.append(f"WFS {parameter}={prefix + layer}: no features")
        url = f"{ogc_base_url(settings)}{OGC_ITEMS_PATH.format(layer=layer)}?f=json&jaarcode={year}&limit=1"
        try:
            doc, _ = http.get_json(url, what)
        except _Refused as err:
            problems.append(f"OGC API: HTTP {err.status}")
            doc = {}
        features = doc.get("features") or []
        if features:
            return _describe_first(features[0], "OGC API", what) + f" (the WFS did not: {_summary(problems)})"
        problems.append("OGC API: no features")
        raise MissingDataError(f"{what}: no service has this layer ({_summary(problems)})")
    finally:
        http.close()


def _summary(problems: Sequence[str]) -> str:
    """'WFS typeName=…: HTTP 404; …' shortened when every form failed the same way."""
    endings = {p.rsplit(": ", 1)[-1] for p in problems if p.startswith("WFS ")}
    if len(endings) == 1 and sum(p.startswith("WFS ") for p in problems) > 1:
        rest = [p for p in problems if not p.startswith("WFS ")]
        return "; ".join([f"WFS: {endings.pop()} for every type name form", *rest])
    return "; ".join(problems)


def _describe_first(feature: Mapping[str, Any], service: str, what: str) -> str:
    props = feature.get("properties") or {}
    missing = [p for p in ("statcode", "statnaam") if p not in props]
    if missing:
        raise InvalidDataError(f"{what}: features lack {missing} (properties: {sorted(props)})")
    return f"{service} answers; first feature {str(props['statcode']).strip()} {str(props['statnaam']).strip()}"


def _as_int(value: Any, default: int | None = None) -> int | None:  # noqa: ANN401
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _crs_name(member: Any) -> str | None:  # noqa: ANN401
    if isinstance(member, Mapping):
        name = (member.get("properties") or {}).get("name")
        return str(name) if name else None
    return None


def _raw_payload(
    features: list[dict], crs: str | None, url: str, service: str, layer: str, level: str, year: int, settings: Settings
) -> tuple[bytes, dict[str, Any]]:
    collection: dict[str, Any] = {"type": "FeatureCollection", "name": layer}
    if crs:
        collection["crs"] = {"type": "name", "properties": {"name": crs}}
    collection["features"] = features
    payload = json.dumps(collection, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    meta = {
        "publisher": PUBLISHER,
        "service": service,
        "url": url,
        "layer": layer,
        "level": level,
        "year": year,
        "features": len(features),
        "crs": crs,
        "fetched_at": utc_now(),
        "demo": settings.demo,
    }
    log.info("PDOK %s %d: %d features via %s", layer, year, len(features), service.upper())
    return payload, meta


# -- the derived GeoParquet ----------------------------------------------------------------------------


def _derive(raw: CacheEntry, level: str, year: int) -> tuple[bytes, dict[str, Any]]:
    gdf = boundaries_from_geojson(raw.payload, declared_crs=raw.meta.get("crs"), what=f"{layer_name(level)} {year}")
    source_crs = gdf.attrs.pop("source_crs", None)
    gdf["gemeentecode"] = gdf["statcode"].map(gemeente_of)
    buffer = io.BytesIO()
    gdf.to_parquet(buffer, index=False)
    meta = {
        "format": _DERIVED_FORMAT,
        "raw": str(raw.path),
        "raw_sha256": raw.meta["sha256"],
        "layer": layer_name(level),
        "year": year,
        "features": len(gdf),
        "source_crs": source_crs,
    }
    return buffer.getvalue(), meta


def boundaries_from_geojson(payload: bytes | str, *, declared_crs: str | None = None, what: str = "boundaries") -> gpd.GeoDataFrame:
    """A PDOK FeatureCollection → GeoDataFrame (statcode, statnaam, geometry) in EPSG:28992.

    Coordinates are RD New when the collection says EPSG:28992 or says nothing (PDOK's WFS JSON);
    CRS84/WGS84 ones (the OGC API's default, and lon/lat-looking coordinates without a CRS) are
    reprojected.
    """
    document = json.loads(payload)
    features = document.get("features") if isinstance(document, dict) else None
    if not isinstance(features, list):
        raise InvalidDataError(f"{what}: not a GeoJSON FeatureCollection")
    props = [f.get("properties") or {} for f in features]
    codes = [str(p.get("statcode") or "").strip() for p in props]
    if not all(codes):
        missing = sum(1 for c in codes if not c)
        raise InvalidDataError(
            f"{what}: {missing} of {len(codes)} features have no statcode",
            hint="PDOK's properties may have changed (expected statcode, statnaam); run `eenzaamheid check-sources`",
        )
    names = [str(p.get("statnaam") or c).strip() for p, c in zip(props, codes)]
    geometries = list(shapely.from_geojson([json.dumps(f["geometry"]) if f.get("geometry") else None for f in features]))
    source_crs = _source_crs(_crs_name(document.get("crs")) or declared_crs, geometries, what)
    gdf = gpd.GeoDataFrame({"statcode": codes, "statnaam": names}, geometry=geometries, crs=source_crs)
    if gdf.crs is not None and not gdf.crs.equals(RD_NEW):
        gdf = gdf.to_crs(RD_NEW)
    invalid = ~gdf.geometry.is_valid & gdf.geometry.notna()
    if invalid.any():
        gdf.loc[invalid, "geometry"] = shapely.make_valid(gdf.geometry[invalid].to_numpy())
    duplicated = gdf["statcode"].duplicated()
    if duplicated.any():
        log.warning("%s: duplicate statcodes kept once: %s", what, ", ".join(sorted(set(gdf.loc[duplicated, "statcode"]))))
        gdf = gdf[~duplicated]
    gdf = gdf.sort_values("statcode", ignore_index=True)
    gdf.attrs["source_crs"] = str(source_crs)
    return gdf


def _source_crs(name: str | None, geometries: Sequence[Any], what: str) -> str:  # noqa: ANN401
    """The CRS the coordinates are in: what the source says, else RD New unless they look like lon/lat."""
    if name:
        upper = name.upper()
        if "28992" in upper:
            return RD_NEW
        if "CRS84" in upper or upper.endswith(("4326", "4258", "4289")):
            return "OGC:CRS84"  # GeoJSON is always x=lon, y=lat, whatever the EPSG code says
        try:
            from pyproj import CRS

            return CRS.from_user_input(name).to_string()
        except Exception as err:  # noqa: BLE001 - pyproj raises its own CRSError
            raise InvalidDataError(f"{what}: unknown CRS {name!r}") from err
    present = [g for g in geometries if g is not None]
    if present:
        minx, miny, maxx, maxy = shapely.total_bounds(present)
        if -180 <= minx and maxx <= 180 and -90 <= miny and maxy <= 90:
            log.info("%s: no CRS given and the coordinates look like lon/lat; reading them as CRS84", what)
            return "OGC:CRS84"
    return RD_NEW


def within_gemeenten(boundaries: gpd.GeoDataFrame, gemeentecodes: Sequence[str]) -> gpd.GeoDataFrame:
    """The gemeenten, or the wijken/buurten of the gemeenten, with these codes."""
    wanted = {c.strip().upper() for c in gemeentecodes}
    keep = boundaries["statcode"].map(gemeente_of).isin(wanted)
    out = boundaries[keep].reset_index(drop=True)
    out.attrs = dict(boundaries.attrs)
    return out


# -- joining ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class JoinReport:
    """What did not match when figures were joined to boundaries (nothing is dropped silently)."""

    data_without_boundary: list[str]
    boundaries_without_data: list[str]
    names: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)

    @property
    def ok(self) -> bool:
        return not self.data_without_boundary and not self.boundaries_without_data

    def footnote(self, max_listed: int = 6) -> str:
        """Dutch, for under a map: '2 gebieden zonder grens: …; 1 grens zonder gegevens: …' ('' when all matched)."""
        parts = []
        if n := len(self.data_without_boundary):
            parts.append(f"{n} {'gebied' if n == 1 else 'gebieden'} zonder grens: {self._listing(self.data_without_boundary, max_listed)}")
        if n := len(self.boundaries_without_data):
            parts.append(f"{n} {'grens' if n == 1 else 'grenzen'} zonder gegevens: {self._listing(self.boundaries_without_data, max_listed)}")
        return "; ".join(parts)

    def _listing(self, codes: Sequence[str], max_listed: int) -> str:
        shown = [f"{self.names[c]} ({c})" if self.names.get(c) and self.names[c] != c else c for c in codes[:max_listed]]
        rest = len(codes) - len(shown)
        return ", ".join(shown) + (f" en {rest} andere" if rest > 0 else "")


def join_boundaries(
    figures: pd.DataFrame, boundaries: gpd.GeoDataFrame, *, on: str = "regiocode"
) -> tuple[gpd.GeoDataFrame, JoinReport]:
    """Boundaries with the figures' columns beside them, and a report of every code that did not match.

    ``figures`` holds one row per code (filter indicator, year and age first). Boundaries without
    figures stay, with missing values (drawn as "geen gegevens"); figures without a boundary cannot
    be drawn and are named in the report and the log.
    """
    if on not in figures.columns:
        raise BadInputError(f"the figures have no column {on!r}", hint=f"columns: {', '.join(map(str, figures.columns))}")
    data = figures.copy()
    data[on] = data[on].astype("string").str.strip()
    doubles = data[on][data[on].duplicated()].dropna().unique().tolist()
    if doubles:
        raise BadInputError(
            f"the figures hold more than one row for {', '.join(doubles[:5])}",
            hint="select one indicator, year and age group before joining",
        )
    codes = set(data[on].dropna())
    shapes = set(boundaries["statcode"])
    data_without = sorted(codes - shapes)
    shapes_without = sorted(shapes - codes)
    names: dict[str, str] = dict(zip(boundaries["statcode"], boundaries["statnaam"]))
    if "regionaam" in data.columns:
        unmatched = set(data_without)
        names.update({c: n.strip() for c, n in zip(data[on], data["regionaam"]) if isinstance(n, str) and c in unmatched})
    report = JoinReport(data_without, shapes_without, names)
    if n := len(data_without):
        log.warning("%s in the figures %s no boundary (not drawn): %s", fmt.count(n, "code", "codes"), "has" if n == 1 else "have",
                    ", ".join(data_without))
    if n := len(shapes_without):
        log.warning("%s %s no figures (drawn as 'geen gegevens'): %s", fmt.count(n, "boundary", "boundaries"), "has" if n == 1 else "have",
                    ", ".join(shapes_without))
    data = data.drop(columns=[c for c in ("statcode", "statnaam", "geometry") if c in data.columns and c != on])
    joined = boundaries.merge(data, how="left", left_on="statcode", right_on=on)
    joined = gpd.GeoDataFrame(joined, geometry="geometry", crs=boundaries.crs)
    joined.attrs = {"bron": dict(figures.attrs.get("bron", {})), "grenzen": dict(boundaries.attrs.get("bron", {}))}
    return joined, report
