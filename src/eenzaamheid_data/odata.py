"""One CBS OData v3 catalog (dataderden or opendata), reached through the real ``cbsodata`` client.

Adds what the client lacks: a timeout on every request, retries with backoff on dropped connections
and 5xx answers, errors that say what to do, and a raw cache of every answer with its provenance.
This is the one place that knows the protocol; a v4 backend would sit beside it with the same verbs.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

from . import fmt
from .cache import Cache, CacheEntry, age_text
from .config import Settings
from .errors import InvalidDataError, SourceChangedError, SourceUnreachableError, UnknownTableError, name_not_resolved, short_reason

log = logging.getLogger(__name__)

# cbsodata keeps the http/https choice in a module-level option; hold it still while a call runs.
_CLIENT_LOCK = threading.RLock()


def transient_errors() -> tuple[type[BaseException], ...]:
    """Failures worth another try: dropped connections, time-outs, bodies cut short (so not JSON)."""
    import requests  # the HTTP stack is imported only when something is fetched: cached runs do without it

    return (
        requests.ConnectionError,
        requests.Timeout,
        requests.exceptions.ChunkedEncodingError,
        requests.exceptions.ContentDecodingError,
        json.JSONDecodeError,
    )


Progress = Callable[[str], None]


def _http_status(err: BaseException) -> int | None:
    for e in (err, err.__cause__):
        response = getattr(e, "response", None)
        if response is not None:
            return int(response.status_code)
    return None


def _server_message(err: BaseException) -> str:
    for e in (err, err.__cause__):
        response = getattr(e, "response", None)
        if response is not None:
            try:
                body = response.json()
                return str(body.get("odata.error", {}).get("message", {}).get("value") or body)[:300]
            except ValueError:
                return response.text[:300]
    return str(err)


@contextmanager
def _client_scheme(use_https: bool) -> Iterator[None]:
    import cbsodata

    with _CLIENT_LOCK:
        previous = cbsodata.options.use_https
        cbsodata.options.use_https = use_https
        try:
            yield
        finally:
            cbsodata.options.use_https = previous


class ODataCatalog:
    """A CBS OData v3 catalog at ``base_url`` (scheme + host + port), cached under ``settings.raw_dir``."""

    def __init__(
        self,
        base_url: str,
        settings: Settings,
        *,
        publisher: str,
        sleep: Callable[[float], None] = time.sleep,
        progress: Progress | None = None,
    ) -> None:
        parts = urlsplit(base_url)
        self.base_url = base_url
        self.host = parts.netloc
        self.use_https = parts.scheme == "https"
        self.settings = settings
        self.publisher = publisher
        self.cache = Cache(settings.raw_dir)
        self._sleep = sleep
        self._progress = progress

    # -- the protocol -------------------------------------------------------------------------

    def _call(self, table: str, name: str, *, filters: str | None, select: Sequence[str] | None) -> list[dict]:
        """One cbsodata call (all pages), retried; the table's service document when ``name`` is ''."""
        import cbsodata
        import requests

        what = f"{table}/{name}" if name else table
        attempts = self.settings.retries + 1
        retryable = transient_errors()
        for attempt in range(1, attempts + 1):
            try:
                with _client_scheme(self.use_https):
                    kwargs: dict[str, Any] = {"catalog_url": self.host, "timeout": self.settings.timeout}
                    if filters:
                        kwargs["filters"] = filters
                    if select:
                        kwargs["select"] = list(select)
                    # get_meta forwards filters/select to the same paging download the client uses
                    # for data sets; asking for the set by name sidesteps the typed/untyped flag swap.
                    return cbsodata.get_meta(table, name, **kwargs)
            except requests.HTTPError as err:
                status = _http_status(err)
                if status == 404:
                    # TableInfos is asked for first: a 404 there means the table itself is not there
                    part = f" with {name!r}" if name and name != "TableInfos" else ""
                    raise UnknownTableError(f"{self.host} has no table {table!r}{part}", hint=_table_hint(table)) from None
                if status == 400:
                    raise SourceChangedError(
                        f"{self.host} refused the query for {what}: {_server_message(err)}",
                        hint="the table's layout may have changed; run `eenzaamheid check-sources`",
                    ) from None
                if status is not None and status < 500:
                    raise SourceUnreachableError(f"{self.host} answered HTTP {status} for {what}") from None
                problem: BaseException = err
            except retryable as err:
                problem = err
                if name_not_resolved(err):
                    break  # no network, or a wrong host: trying again in a few seconds does not help
            except (requests.RequestException, KeyError, TypeError, AttributeError) as err:
                # an answer that is not OData v3 JSON ({"value": [...], "odata.nextLink": absolute URL})
                raise SourceChangedError(
                    f"{self.host} answered {what} in a shape the OData v3 client cannot read ({type(err).__name__}: {short_reason(err)})",
                    hint="check the endpoint setting; run `eenzaamheid check-sources`",
                ) from None
            if attempt < attempts:
                delay = min(self.settings.backoff * 2 ** (attempt - 1), 30.0)
                log.warning("%s: %s; retry %d of %d in %.0f s", what, short_reason(problem), attempt, attempts - 1, delay)
                self._sleep(delay)
        tried = fmt.count(attempt, "attempt", "attempts")
        raise SourceUnreachableError(
            f"{self.base_url} did not answer for {what} after {tried} ({short_reason(problem)})",
            hint="check the network or the endpoint setting; try again later",
        )

    # -- cached verbs ---------------------------------------------------------------------------

    def get(
        self,
        table: str,
        name: str,
        *,
        filters: str | None = None,
        select: Sequence[str] | None = None,
        label: str = "",
    ) -> CacheEntry:
        """Records of ``table/name`` (a data set, dimension or metadata table), from the cache if there.

        The entry's ``json()`` is the list of records exactly as the source sent them.
        """
        query = {"filters": filters, "select": list(select) if select else None}
        digest = hashlib.sha256(json.dumps(query, sort_keys=True).encode()).hexdigest()[:12]
        stem = name or "_service"
        path = self.cache.path(self.host.replace(":", "_"), table, f"{stem}-{digest}.json" if filters or select else f"{stem}.json")
        what = f"{table} {name or 'service document'}" + (f" ({label})" if label else "")

        def fetch() -> tuple[bytes, dict[str, Any]]:
            if self._progress:
                self._progress(f"fetching {what} from {self.host}")
            started = time.monotonic()
            records = self._call(table, name, filters=filters, select=select)
            if self._progress:
                self._progress(f"  {len(records)} rows in {time.monotonic() - started:.1f} s")
            meta = {
                "publisher": self.publisher,
                "catalog": self.base_url,
                "table": table,
                "entity": name,
                "query": query,
                "rows": len(records),
                "seconds": round(time.monotonic() - started, 3),
                "demo": self.settings.demo,
            }
            return json.dumps(records, ensure_ascii=False, separators=(",", ":")).encode(), meta

        return self.cache.get_or_fetch(path, fetch, what=what, offline=self.settings.offline, refresh=self.settings.refresh)

    def records(self, table: str, name: str, **kwargs: Any) -> list[dict]:
        return self.get(table, name, **kwargs).json()

    def dimension(self, table: str, name: str, *, filters: str, label: str = "") -> CacheEntry:
        """Rows (Key, Title, …) of a dimension, filtered on the server.

        Should the server refuse a ``$filter`` on a dimension (HTTP 400; data-sources.md documents
        filtering for the data sets), the whole dimension is fetched instead: callers look rows up by
        their key, so extra rows do no harm.
        """
        try:
            return self.get(table, name, filters=filters, label=label)
        except SourceChangedError as err:
            log.warning("%s: %s refused a filter on %s (%s); fetching the whole dimension", self.host, table, name, err.message)
            return self.get(table, name, label=f"{label}, unfiltered" if label else "unfiltered")

    def table_info(self, table: str, *, expected: str | None = None) -> dict[str, Any]:
        """The TableInfos row: Title, ShortTitle, Modified, Period, … (``expected``: see ``table_info_entry``)."""
        rows = self.table_info_entry(table, expected=expected).json()
        if not rows:
            raise InvalidDataError(f"{table}: TableInfos is empty on {self.host}")
        return rows[0]

    def table_info_entry(self, table: str, *, expected: str | None = None) -> CacheEntry:
        """The cached TableInfos of ``table``.

        ``expected`` names the table when the package knows its id itself ('Gebieden in Nederland 2022'):
        then a missing table means the source changed (exit 1), not that the user asked for a wrong one.
        """
        try:
            return self.get(table, "TableInfos")
        except UnknownTableError as err:
            if expected is None:
                raise
            raise SourceChangedError(
                f"{self.host} has no table {table!r}, the id this package knows for {expected!r}",
                hint="CBS may have replaced it; run `eenzaamheid check-sources` and report it, so that the package "
                     "learns the new id (in Python, table= takes an id)",
            ) from err

    def entity_names(self, table: str) -> list[str]:
        """Names the table's service document lists (TableInfos, TypedDataSet, dimensions, …)."""
        return [row["name"] for row in self.records(table, "")]

    def data_properties(self, table: str) -> list[dict]:
        return self.records(table, "DataProperties")



def _table_hint(table: str) -> str:
    from .rivm import KNOWN_TABLES  # late import: rivm builds on this module

    known = ", ".join(f"{t} ({y})" for t, y in KNOWN_TABLES.items())
    return f"known Gezondheidsmonitor tables: {known}" if table not in KNOWN_TABLES else "check the endpoint setting"


def cached_age(entry: CacheEntry) -> str:
    return age_text(entry.meta.get("fetched_at"))
