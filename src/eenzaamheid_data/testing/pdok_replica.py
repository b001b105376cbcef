"""A local stand-in for PDOK's CBS boundary services, served over real HTTP on 127.0.0.1.

It answers the two paths the package uses, in their real shape:

- WFS 2.0 GetFeature: ``/cbs/gebiedsindelingen/{year}/wfs/v1_0?service=WFS&request=GetFeature&
  typeName={layer}_gegeneraliseerd&outputFormat=json`` with ``count``/``startIndex`` paging, at most
  ``page_limit`` features per answer, HTTP 400 for an unknown type name (type names may carry the
  ``gebiedsindelingen:`` prefix; ``exception_status=200`` answers it as MapServer does, an XML exception
  report with HTTP 200) and 404 for a year it does not have;
- OGC API Features: ``/cbs/gebiedsindelingen/ogc/v1/collections/{layer}_gegeneraliseerd/items?f=json&
  jaarcode={year}&limit=…`` paging with ``limit`` (at most 1000) and ``next`` links, HTTP 400 when a
  ``filter`` parameter is given (as the real one does) and 404 for an unknown collection or year.

Faults can be injected (a dropped connection, HTTP 500, a slow answer) and every request is logged.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal
from urllib.parse import parse_qsl, urlencode, urlsplit

TYPE_PREFIX = "gebiedsindelingen:"
SUFFIX = "_gegeneraliseerd"
OGC_MAX_LIMIT = 1000
OGC_DEFAULT_LIMIT = 10

_WFS_PATH = re.compile(r"^/cbs/gebiedsindelingen/(\d{4})/wfs/v1_0/?$")
_OGC_ITEMS = re.compile(r"^/cbs/gebiedsindelingen/ogc/v1/collections/([^/]+)/items/?$")

FaultKind = Literal["drop", "500", "slow"]


@dataclass(frozen=True)
class RequestRecord:
    """One request the replica answered (or dropped)."""

    path: str
    query: dict[str, str]
    status: int | None  # None when the connection was dropped
    fault: str | None = None


@dataclass
class _Fault:
    kind: FaultKind
    path_contains: str
    times: int
    delay: float


class _Layer:
    """One (layer, year) FeatureCollection with its features pre-serialised for fast paging."""

    def __init__(self, name: str, year: int, collection: Mapping[str, Any]) -> None:
        self.name = name
        self.year = year
        self.crs = collection.get("crs")
        self.features = list(collection.get("features", []))
        self._wfs: list[str] | None = None
        self._ogc: list[str] | None = None

    def wfs_features(self) -> list[str]:
        if self._wfs is None:
            self._wfs = [json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in self.features]
        return self._wfs

    def ogc_features(self) -> list[str]:
        if self._ogc is None:
            out = []
            for number, feature in enumerate(self.features, start=1):
                props = dict(feature.get("properties") or {})
                props["jaarcode"] = self.year
                item = {"type": "Feature", "id": str(props.get("id", number)), "geometry": feature.get("geometry"), "properties": props}
                out.append(json.dumps(item, ensure_ascii=False, separators=(",", ":")))
            self._ogc = out
        return self._ogc

    def content_crs(self) -> str | None:
        """The CRS URI an OGC API server would name in its Content-Crs header."""
        name = str(((self.crs or {}).get("properties") or {}).get("name", ""))
        if not name:
            return None
        if "28992" in name:
            return "http://www.opengis.net/def/crs/EPSG/0/28992"
        if "CRS84" in name.upper() or "4326" in name:
            return "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
        return name


def _base_layer(name: str) -> str:
    name = name.strip()
    if name.lower().startswith(TYPE_PREFIX):
        name = name[len(TYPE_PREFIX):]
    return name[: -len(SUFFIX)] if name.endswith(SUFFIX) else name


class PDOKReplica:
    """PDOK's CBS boundary services on 127.0.0.1 (an OS-chosen port) for the given layers.

    ``layers`` maps (layer, year) — layer as ``"gemeente"`` or ``"gemeente_gegeneraliseerd"`` — to a
    FeatureCollection. ``require_prefix=True`` makes the WFS accept only ``gebiedsindelingen:``-prefixed
    type names (as some PDOK versions do); ``services`` switches either service off (its paths then
    answer 404); ``exception_status`` is the HTTP status of an OWS exception report about a type name.
    """

    def __init__(
        self,
        layers: Mapping[tuple[str, int], Mapping[str, Any]],
        page_limit: int = 1000,
        *,
        require_prefix: bool = False,
        services: Collection[str] = ("wfs", "ogc"),
        exception_status: int = 400,
    ) -> None:
        self._layers = {(_base_layer(name), int(year)): _Layer(_base_layer(name), int(year), fc) for (name, year), fc in layers.items()}
        self.page_limit = int(page_limit)
        self.require_prefix = require_prefix
        self.services = frozenset(services)
        self.exception_status = int(exception_status)
        self._faults: list[_Fault] = []
        self._log: list[RequestRecord] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------------

    def start(self) -> "PDOKReplica":
        if self._server is not None:
            return self
        replica = self

        class Handler(_Handler):
            owner = replica

        server = _QuietServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="pdok-replica", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> "PDOKReplica":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT`` (the base URL for ``Settings.pdok_url``)."""
        if self._server is None:
            raise RuntimeError("the replica is not running; use it as a context manager")
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    # -- faults and the request log --------------------------------------------------------------

    def inject_fault(self, kind: FaultKind, path_contains: str = "", times: int = 1, delay: float = 0.0) -> None:
        """Make the next ``times`` requests whose path and query contain ``path_contains`` fail.

        ``drop`` closes the connection without an answer, ``500`` answers HTTP 500, ``slow`` waits
        ``delay`` seconds before answering normally.
        """
        if kind not in ("drop", "500", "slow"):
            raise ValueError(f"unknown fault {kind!r}; use drop, 500 or slow")
        with self._lock:
            self._faults.append(_Fault(kind, path_contains, int(times), float(delay)))

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    @property
    def requests(self) -> list[RequestRecord]:
        """Every request so far, oldest first."""
        with self._lock:
            return list(self._log)

    def paths(self) -> list[str]:
        """Path and query of every request so far."""
        return [r.path for r in self.requests]

    def _take_fault(self, target: str) -> _Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.times > 0 and fault.path_contains in target:
                    fault.times -= 1
                    return fault
        return None

    def _record(self, record: RequestRecord) -> None:
        with self._lock:
            self._log.append(record)

    # -- answers -----------------------------------------------------------------------------------

    def _years_of(self, layer: str) -> list[int]:
        return sorted(y for (name, y) in self._layers if name == layer)

    def answer(self, path: str, query: dict[str, str], base_url: str) -> tuple[int, dict[str, str], bytes]:
        """(status, headers, body) for one GET request."""
        if (match := _WFS_PATH.match(path)) and "wfs" in self.services:
            return self._wfs(int(match.group(1)), query)
        if (match := _OGC_ITEMS.match(path)) and "ogc" in self.services:
            return self._ogc_items(match.group(1), query, path, base_url)
        return _json(404, {"code": "NotFound", "description": f"no such path: {path}"})

    def _wfs(self, year: int, query: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        q = {k.lower(): v for k, v in query.items()}
        if not any(y == year for (_, y) in self._layers):
            return _json(404, {"code": "NotFound", "description": f"no gebiedsindelingen for {year}"})
        if q.get("service", "WFS").upper() != "WFS":
            return _ows_exception(400, "InvalidParameterValue", "service")
        request = q.get("request", "").lower()
        if request == "getcapabilities":
            return self._capabilities(year)
        if request != "getfeature":
            return _ows_exception(400, "OperationNotSupported", "request")
        type_name = q.get("typenames") or q.get("typename") or ""
        if self.require_prefix and not type_name.lower().startswith(TYPE_PREFIX):
            return _ows_exception(self.exception_status, "InvalidParameterValue", "typeName", f"unknown type name {type_name!r}")
        layer = self._layers.get((_base_layer(type_name), year))
        if layer is None or not type_name.strip().endswith(SUFFIX):
            return _ows_exception(self.exception_status, "InvalidParameterValue", "typeName", f"unknown type name {type_name!r}")
        try:
            start = int(q.get("startindex", 0))
            count = int(q["count"]) if "count" in q else self.page_limit
        except ValueError:
            return _ows_exception(400, "InvalidParameterValue", "count")
        features = layer.wfs_features()
        page = features[start : start + max(0, min(count, self.page_limit))]
        crs = f',"crs":{json.dumps(layer.crs)}' if layer.crs else ""
        body = (
            f'{{"type":"FeatureCollection","name":"{layer.name}{SUFFIX}"{crs},'
            f'"numberMatched":{len(features)},"numberReturned":{len(page)},"features":[' + ",".join(page) + "]}"
        )
        return 200, {"Content-Type": "application/json; subtype=geojson; charset=utf-8"}, body.encode("utf-8")

    def _capabilities(self, year: int) -> tuple[int, dict[str, str], bytes]:
        names = "".join(
            f"<FeatureType><Name>{TYPE_PREFIX}{name}{SUFFIX}</Name></FeatureType>"
            for (name, y) in sorted(self._layers) if y == year
        )
        xml = f'<?xml version="1.0"?><WFS_Capabilities version="2.0.0"><FeatureTypeList>{names}</FeatureTypeList></WFS_Capabilities>'
        return 200, {"Content-Type": "text/xml; charset=utf-8"}, xml.encode()

    def _ogc_items(self, collection: str, query: dict[str, str], path: str, base_url: str) -> tuple[int, dict[str, str], bytes]:
        if "filter" in query:
            return _json(400, {"code": "InvalidParameterValue", "description": "parameter 'filter' is not supported for this collection"})
        name = _base_layer(collection)
        if not collection.endswith(SUFFIX) or not self._years_of(name):
            return _json(404, {"code": "NotFound", "description": f"collection {collection} not found"})
        if "jaarcode" in query:
            try:
                years = [int(query["jaarcode"])]
            except ValueError:
                return _json(400, {"code": "InvalidParameterValue", "description": "jaarcode must be a year"})
            if years[0] not in self._years_of(name):
                return _json(404, {"code": "NotFound", "description": f"no {collection} features for jaarcode {years[0]}"})
        else:
            years = self._years_of(name)
        try:
            limit = min(int(query.get("limit", OGC_DEFAULT_LIMIT)), OGC_MAX_LIMIT, self.page_limit)
            offset = int(query.get("cursor", "0") or 0)
        except ValueError:
            return _json(400, {"code": "InvalidParameterValue", "description": "limit and cursor must be numbers"})
        if limit < 1:
            return _json(400, {"code": "InvalidParameterValue", "description": "limit must be at least 1"})
        features = [f for y in years for f in self._layers[(name, y)].ogc_features()]
        page = features[offset : offset + limit]
        links = [{"rel": "self", "type": "application/geo+json", "href": f"{base_url}{path}?{urlencode(query)}"}]
        if offset + limit < len(features):
            following = {**query, "cursor": str(offset + limit), "limit": str(limit)}
            links.append({"rel": "next", "type": "application/geo+json", "href": f"{base_url}{path}?{urlencode(following)}"})
        body = (
            '{"type":"FeatureCollection","timeStamp":"' + time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()) + '",'
            f'"links":{json.dumps(links)},"numberReturned":{len(page)},"features":[' + ",".join(page) + "]}"
        )
        headers = {"Content-Type": "application/geo+json; charset=utf-8"}
        crs = self._layers[(name, years[0])].content_crs()
        if crs:
            headers["Content-Crs"] = f"<{crs}>"
        return 200, headers, body.encode("utf-8")


def _json(status: int, payload: Any) -> tuple[int, dict[str, str], bytes]:
    return status, {"Content-Type": "application/json"}, json.dumps(payload).encode()


def _ows_exception(status: int, code: str, locator: str, text: str = "") -> tuple[int, dict[str, str], bytes]:
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?><ows:ExceptionReport xmlns:ows="http://www.opengis.net/ows/1.1" version="2.0.0">'
        f'<ows:Exception exceptionCode="{code}" locator="{locator}"><ows:ExceptionText>{text or code}</ows:ExceptionText>'
        "</ows:Exception></ows:ExceptionReport>"
    )
    return status, {"Content-Type": "text/xml; charset=utf-8"}, xml.encode()


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:  # noqa: ANN401
        pass  # a client that gave up (timeout) or a dropped connection is part of the test, not news


class _Handler(BaseHTTPRequestHandler):
    owner: PDOKReplica
    protocol_version = "HTTP/1.0"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002, ANN401
        pass

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        parts = urlsplit(self.path)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        target = self.path
        fault = self.owner._take_fault(target)
        if fault is not None and fault.kind == "drop":
            self.owner._record(RequestRecord(target, query, None, "drop"))
            self.close_connection = True
            return
        if fault is not None and fault.kind == "500":
            self.owner._record(RequestRecord(target, query, 500, "500"))
            self._send(*_json(500, {"code": "InternalServerError", "description": "injected fault"}))
            return
        if fault is not None and fault.kind == "slow":
            time.sleep(fault.delay)
        host = self.headers.get("Host") or f"127.0.0.1:{self.server.server_address[1]}"
        status, headers, body = self.owner.answer(parts.path, query, f"http://{host}")
        self.owner._record(RequestRecord(target, query, status, fault.kind if fault else None))
        self._send(status, headers, body)

    def _send(self, status: int, headers: Mapping[str, str], body: bytes) -> None:
        try:
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

