"""A local replica of the CBS OData v3 feed (dataderden.cbs.nl / opendata.cbs.nl), served over real HTTP.

It answers what the ``cbsodata`` client and the package ask for, in the services' own shape:

- ``/ODataFeed/odata/{table}`` (and ``/ODataApi/odata/…``): the service document listing the table's
  entity sets (``TableInfos``, ``UntypedDataSet``, ``TypedDataSet``, ``DataProperties``,
  ``CategoryGroups`` and one per dimension);
- ``/ODataFeed/odata/{table}/{name}``: one entity set, with ``$filter``, ``$select``, ``$top``,
  ``$skip`` and ``$inlinecount``, paged with ``odata.nextLink`` (the link carries the whole query,
  because the client follows it without adding anything);
- ``/ODataCatalog/Tables``: the catalog's list of tables.

``$filter`` is parsed (no ``eval``) for the OData v3 subset that matters here: ``eq ne gt ge lt le``,
``and or not``, parentheses, string literals with ``''`` escapes, numbers, ``true``/``false``/``null``
and the functions ``startswith endswith substringof trim tolower toupper length indexof``. Comparison
is exact, as on the real service: ``WijkenEnBuurten eq 'GM0363'`` does not match the padded key
``'GM0363    '`` (that is why clients use ``startswith``). Unknown tables and entity sets answer 404,
a malformed query or an unknown property 400, each with an OData-style JSON error body.

Faults can be injected (dropped or truncated answers, HTTP 500/503, slow answers) and every request
is recorded with its status and the number of body bytes sent.
"""

from __future__ import annotations

import json
import logging
import math
import re
import socket
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal, Self
from urllib.parse import parse_qsl, quote, unquote, unquote_plus, urlsplit

log = logging.getLogger(__name__)

FaultKind = Literal["drop", "truncate", "500", "503", "slow"]
FAULT_KINDS: tuple[str, ...] = ("drop", "truncate", "500", "503", "slow")

DIMENSION_TYPES = ("Dimension", "GeoDimension", "TimeDimension")
VALUE_TYPES = ("Topic", "GeoDetail")
DATA_SETS = ("TypedDataSet", "UntypedDataSet")
METADATA_SETS = ("TableInfos", "DataProperties", "CategoryGroups")
UNTYPED_WIDTH = 10
"""Width the UntypedDataSet right-aligns numbers to (wider values are not cut)."""

_FEED = re.compile(r"^/(ODataFeed|ODataApi)/odata/([^/]+)(?:/([^/]*))?/?$", re.IGNORECASE)
_CATALOG = re.compile(r"^/ODataCatalog/Tables/?$", re.IGNORECASE)
_SYSTEM_OPTIONS = {"$format", "$filter", "$select", "$top", "$skip", "$inlinecount"}
_INDEX_CACHE_SIZE = 64
_JSON = "application/json; charset=utf-8"


# -- the tables ------------------------------------------------------------------------------------


@dataclass
class ReplicaTable:
    """Everything one CBS OData v3 table serves.

    ``rows`` are the TypedDataSet rows (``ID``, one key column per dimension, one column per topic);
    the UntypedDataSet is derived from them. Mutate a table before the replica serves it, not while.
    """

    table_id: str
    info: dict[str, Any]
    data_properties: list[dict[str, Any]]
    dimensions: dict[str, list[dict[str, Any]]]
    rows: list[dict[str, Any]]
    category_groups: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        declared = [p["Key"] for p in self.data_properties if p.get("Type") in DIMENSION_TYPES]
        if sorted(declared) != sorted(self.dimensions):
            raise ValueError(
                f"{self.table_id}: DataProperties declares dimensions {declared}, "
                f"but dimension tables are given for {sorted(self.dimensions)}"
            )

    @property
    def dimension_keys(self) -> list[str]:
        """Dimension names in DataProperties order."""
        return [p["Key"] for p in self.data_properties if p.get("Type") in DIMENSION_TYPES]

    @property
    def topics(self) -> list[dict[str, Any]]:
        """The value columns of DataProperties, in order: its Topic entries and GeoDetail entries (the
        attribute columns such as ``Gemeentenaam_1`` that some CBS tables type as GeoDetail)."""
        return [p for p in self.data_properties if p.get("Type") in VALUE_TYPES]

    @property
    def columns(self) -> list[str]:
        """Columns of the data sets: ``ID``, the dimensions, then the topics."""
        return ["ID", *self.dimension_keys, *(t["Key"] for t in self.topics)]

    def entity_names(self) -> list[str]:
        """The entity sets the service document lists, in the real service's order."""
        return ["TableInfos", "UntypedDataSet", "TypedDataSet", "DataProperties", "CategoryGroups", *self.dimension_keys]

    def untyped_row(self, row: Mapping[str, Any]) -> dict[str, Any]:
        """One TypedDataSet row as the UntypedDataSet sends it (topics as right-aligned strings)."""
        formats = _untyped_formats(self)
        return {c: formats[c](row.get(c)) if c in formats else row.get(c) for c in self.columns}


def _untyped_formats(table: ReplicaTable) -> dict[str, Callable[[Any], Any]]:
    return {t["Key"]: _untyped_formatter(t) for t in table.topics}


def _untyped_formatter(topic: Mapping[str, Any]) -> Callable[[Any], Any]:
    """How the UntypedDataSet writes one topic: numbers right-aligned, a missing value as '.'."""
    datatype = str(topic.get("Datatype") or "Double")
    decimals = int(topic.get("Decimals") or 0)
    if datatype == "String":
        return lambda v: "".rjust(UNTYPED_WIDTH) if v is None else str(v)

    def fmt(value: Any) -> str:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return ".".rjust(UNTYPED_WIDTH)
        if datatype in ("Long", "Int32", "Integer", "Short", "Byte"):
            return str(int(value)).rjust(UNTYPED_WIDTH)
        return f"{float(value):.{decimals}f}".rjust(UNTYPED_WIDTH)

    return fmt


# -- errors ------------------------------------------------------------------------------------------


class ODataError(Exception):
    """An answer other than 200, with the message the OData error body carries."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _error_body(message: str) -> bytes:
    payload = {"odata.error": {"code": "", "message": {"lang": "en-US", "value": message}}}
    return json.dumps(payload, ensure_ascii=False).encode("utf-8")


# -- $filter: tokenizer, parser, evaluator -------------------------------------------------------------

# Value types the checker knows; "any" where the replica cannot tell (a metadata column that is all null).
_EDM = {"string": "Edm.String", "number": "Edm.Double", "bool": "Edm.Boolean", "null": "null", "any": "Edm.Object"}
_COMPARISONS = ("eq", "ne", "gt", "ge", "lt", "le")
_KEYWORDS = {"and", "or", "not", *_COMPARISONS}
_TOKEN = re.compile(
    r"""(?P<ws>\s+)
      | (?P<punct>[(),])
      | (?P<num>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?[mMdDfFlL]?)
      | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
    """,
    re.VERBOSE,
)


@dataclass(frozen=True)
class _Token:
    kind: str  # "(", ")", ",", "str", "num", "name", "end"
    value: Any
    pos: int


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    while pos < len(text):
        if text[pos] == "'":
            value, pos = _string_literal(text, pos)
            tokens.append(_Token("str", value, pos))
            continue
        match = _TOKEN.match(text, pos)
        if match is None:
            raise ODataError(400, f"Syntax error: character '{text[pos]}' is not valid at position {pos} in '{text}'.")
        kind = match.lastgroup or ""
        if kind == "punct":
            tokens.append(_Token(match.group(), match.group(), pos))
        elif kind == "num":
            tokens.append(_Token("num", _number(match.group()), pos))
        elif kind == "name":
            tokens.append(_Token("name", match.group(), pos))
        pos = match.end()
    tokens.append(_Token("end", None, len(text)))
    return tokens


def _string_literal(text: str, start: int) -> tuple[str, int]:
    """The literal starting at the quote at ``start`` (``''`` is one quote) and the position after it."""
    out: list[str] = []
    pos = start + 1
    while pos < len(text):
        if text[pos] == "'":
            if text.startswith("''", pos):
                out.append("'")
                pos += 2
                continue
            return "".join(out), pos + 1
        out.append(text[pos])
        pos += 1
    raise ODataError(400, f"There is an unterminated string literal at position {start} in '{text}'.")


def _number(text: str) -> int | float:
    body = text.rstrip("mMdDfFlL")
    return float(body) if any(c in body for c in ".eE") or text[-1:] in "mMdDfF" else int(body)


Evaluator = Callable[[Mapping[str, Any]], Any]


@dataclass(frozen=True)
class _Node:
    evaluate: Evaluator
    type: str


def _str_fn(fn: Callable[..., Any]) -> Callable[..., Any]:
    """A string function with OData's null propagation: a null argument gives null."""
    return lambda *args: None if any(a is None for a in args) else fn(*args)


# name -> (argument types, result type, implementation)
_FUNCTIONS: dict[str, tuple[tuple[str, ...], str, Callable[..., Any]]] = {
    "startswith": (("string", "string"), "bool", _str_fn(lambda s, p: s.startswith(p))),
    "endswith": (("string", "string"), "bool", _str_fn(lambda s, p: s.endswith(p))),
    "substringof": (("string", "string"), "bool", _str_fn(lambda needle, s: needle in s)),
    "trim": (("string",), "string", _str_fn(lambda s: s.strip())),
    "tolower": (("string",), "string", _str_fn(lambda s: s.lower())),
    "toupper": (("string",), "string", _str_fn(lambda s: s.upper())),
    "length": (("string",), "number", _str_fn(len)),
    "indexof": (("string", "string"), "number", _str_fn(lambda s, p: s.find(p))),
}


def _compare(op: str, a: Any, b: Any) -> bool:
    if a is None or b is None:
        both = a is None and b is None
        return both if op == "eq" else (not both) if op == "ne" else False
    try:
        if op == "eq":
            return bool(a == b)
        if op == "ne":
            return bool(a != b)
        if op == "gt":
            return bool(a > b)
        if op == "ge":
            return bool(a >= b)
        if op == "lt":
            return bool(a < b)
        return bool(a <= b)
    except TypeError:
        return False


class _FilterParser:
    """Recursive descent over the tokens; builds closures over a row's field values.

    Precedence as in OData v3: ``not`` binds tightest, then comparisons, then ``and``, then ``or``.
    """

    def __init__(self, text: str, types: Mapping[str, str], type_name: str) -> None:
        self.text = text
        self.tokens = _tokenize(text)
        self.i = 0
        self.types = types
        self.type_name = type_name
        self.fields: list[str] = []

    def parse(self) -> tuple[Evaluator, tuple[str, ...]]:
        node = self._or()
        token = self._peek()
        if token.kind != "end":
            raise self._syntax(token)
        if node.type not in ("bool", "any", "null"):
            raise ODataError(400, f"Expression of type '{_EDM[node.type]}' expected to be 'Edm.Boolean' in $filter '{self.text}'.")
        return node.evaluate, tuple(self.fields)

    # -- grammar ---------------------------------------------------------------------------------

    def _or(self) -> _Node:
        left = self._and()
        while self._is_keyword("or"):
            token = self._next()
            right = self._and()
            self._need_bool("or", token, left, right)
            left = _Node(_or_fn(left.evaluate, right.evaluate), "bool")
        return left

    def _and(self) -> _Node:
        left = self._comparison()
        while self._is_keyword("and"):
            token = self._next()
            right = self._comparison()
            self._need_bool("and", token, left, right)
            left = _Node(_and_fn(left.evaluate, right.evaluate), "bool")
        return left

    def _comparison(self) -> _Node:
        left = self._unary()
        while self._peek().kind == "name" and self._peek().value in _COMPARISONS:
            token = self._next()
            right = self._unary()
            self._check_comparable(token, left, right)
            left = _Node(_cmp_fn(token.value, left.evaluate, right.evaluate), "bool")
        return left

    def _unary(self) -> _Node:
        if self._is_keyword("not"):
            token = self._next()
            operand = self._unary()
            self._need_bool("not", token, operand)
            return _Node(_not_fn(operand.evaluate), "bool")
        return self._primary()

    def _primary(self) -> _Node:
        token = self._next()
        if token.kind == "(":
            node = self._or()
            self._expect(")")
            return node
        if token.kind == "str":
            value = token.value
            return _Node(lambda r: value, "string")
        if token.kind == "num":
            number = token.value
            return _Node(lambda r: number, "number")
        if token.kind == "name" and token.value not in _KEYWORDS:
            if token.value in ("true", "false"):
                flag = token.value == "true"
                return _Node(lambda r: flag, "bool")
            if token.value == "null":
                return _Node(lambda r: None, "null")
            if self._peek().kind == "(":
                return self._call(token)
            return self._property(token)
        raise self._syntax(token)

    def _call(self, name: _Token) -> _Node:
        if name.value not in _FUNCTIONS:
            raise ODataError(400, f"Unknown function '{name.value}' at position {name.pos} in '{self.text}'.")
        self._expect("(")
        args: list[_Node] = []
        if self._peek().kind != ")":
            args.append(self._or())
            while self._peek().kind == ",":
                self._next()
                args.append(self._or())
        self._expect(")")
        arg_types, result, impl = _FUNCTIONS[name.value]
        if len(args) != len(arg_types) or any(a.type not in (want, "any", "null") for a, want in zip(args, arg_types)):
            raise ODataError(
                400, f"No function signature for the function with name '{name.value}' matches the specified arguments (position {name.pos})."
            )
        evaluators = [a.evaluate for a in args]
        return _Node(lambda r: impl(*(e(r) for e in evaluators)), result)

    def _property(self, token: _Token) -> _Node:
        name = token.value
        if name not in self.types:
            raise ODataError(400, f"No property '{name}' exists in type '{self.type_name}' at position {token.pos}.")
        if name not in self.fields:
            self.fields.append(name)
        return _Node(lambda r: r.get(name), self.types[name])

    # -- helpers ---------------------------------------------------------------------------------

    def _peek(self) -> _Token:
        return self.tokens[self.i]

    def _next(self) -> _Token:
        token = self.tokens[self.i]
        if token.kind != "end":
            self.i += 1
        return token

    def _is_keyword(self, word: str) -> bool:
        token = self._peek()
        return token.kind == "name" and token.value == word

    def _expect(self, kind: str) -> None:
        token = self._next()
        if token.kind != kind:
            raise ODataError(400, f"Syntax error: '{kind}' expected at position {token.pos} in '{self.text}'.")

    def _syntax(self, token: _Token) -> ODataError:
        return ODataError(400, f"Syntax error at position {token.pos} in '{self.text}'.")

    def _need_bool(self, op: str, token: _Token, *operands: _Node) -> None:
        if any(o.type not in ("bool", "any", "null") for o in operands):
            types = " and ".join(f"'{_EDM[o.type]}'" for o in operands)
            raise ODataError(400, f"Operator '{op}' incompatible with operand type(s) {types} at position {token.pos}.")

    def _check_comparable(self, token: _Token, left: _Node, right: _Node) -> None:
        known = {"string", "number", "bool"}
        if left.type in known and right.type in known and left.type != right.type:
            raise ODataError(
                400,
                f"Operator '{token.value}' incompatible with operand types '{_EDM[left.type]}' and "
                f"'{_EDM[right.type]}' at position {token.pos}.",
            )


def _or_fn(a: Evaluator, b: Evaluator) -> Evaluator:
    return lambda r: a(r) is True or b(r) is True


def _and_fn(a: Evaluator, b: Evaluator) -> Evaluator:
    return lambda r: a(r) is True and b(r) is True


def _not_fn(a: Evaluator) -> Evaluator:
    def evaluate(r: Mapping[str, Any]) -> bool | None:
        value = a(r)
        return None if value is None else not value

    return evaluate


def _cmp_fn(op: str, a: Evaluator, b: Evaluator) -> Evaluator:
    return lambda r: _compare(op, a(r), b(r))


def compile_filter(text: str, types: Mapping[str, str], type_name: str = "Cbs.OData.WebAPI.TypedDataSet") -> tuple[Evaluator, tuple[str, ...]]:
    """Parse an OData v3 ``$filter``: (predicate over a mapping of field values, the fields it reads).

    ``types`` maps every known property to "string", "number", "bool" or "any". Raises ODataError
    (status 400) for a syntax error, an unknown property or incompatible operand types.
    """
    return _FilterParser(text, types, type_name).parse()


# -- entity sets -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _EntitySet:
    """One servable collection: its columns, their types, the rows and how to read a cell."""

    key: tuple[str, str]  # (table id or "", entity set name) — the index cache key
    type_name: str
    metadata: str
    columns: tuple[str, ...]
    types: Mapping[str, str]
    rows: Sequence[Mapping[str, Any]]
    converters: Mapping[str, Callable[[Any], Any]] = field(default_factory=dict)

    def cell(self, row: Mapping[str, Any], column: str) -> Any:
        convert = self.converters.get(column)
        value = row.get(column)
        return convert(value) if convert else value

    def render(self, rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> list[dict[str, Any]]:
        if not self.converters:
            return [{c: row.get(c) for c in columns} for row in rows]
        return [{c: self.cell(row, c) for c in columns} for row in rows]


def _value_type(value: Any) -> str:
    if value is None:
        return "any"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    return "string"


def _inferred(rows: Sequence[Mapping[str, Any]], default_columns: Sequence[str] = ()) -> tuple[tuple[str, ...], dict[str, str]]:
    """Columns (in first-seen order) and their types for a metadata collection."""
    columns: dict[str, str] = {c: "any" for c in default_columns}
    for row in rows:
        for key, value in row.items():
            if columns.get(key, "any") == "any":
                columns[key] = _value_type(value)
    return tuple(columns), columns


def _data_set(table: ReplicaTable, name: str, metadata: str) -> _EntitySet:
    typed = name == "TypedDataSet"
    types: dict[str, str] = {"ID": "number", **{d: "string" for d in table.dimension_keys}}
    for topic in table.topics:
        numeric = typed and str(topic.get("Datatype") or "Double") != "String"
        types[topic["Key"]] = "number" if numeric else "string"
    converters = {} if typed else _untyped_formats(table)
    return _EntitySet(
        (table.table_id, name), f"Cbs.OData.WebAPI.{name}", metadata, tuple(table.columns), types, table.rows, converters
    )


_DIMENSION_COLUMNS = {
    "TimeDimension": ("Key", "Title", "Description", "Status"),
    "GeoDimension": ("Key", "Title", "Description", "DetailRegionCode"),
    "Dimension": ("Key", "Title", "Description", "CategoryGroupID"),
}


def _metadata_set(table: ReplicaTable, name: str, metadata: str) -> _EntitySet | None:
    if name == "TableInfos":
        rows: list[dict[str, Any]] = [table.info]
        defaults: tuple[str, ...] = ("ID", "Title", "ShortTitle", "Identifier", "Summary", "Modified")
    elif name == "DataProperties":
        rows, defaults = table.data_properties, ("ID", "Position", "ParentID", "Type", "Key", "Title", "Description")
    elif name == "CategoryGroups":
        rows, defaults = table.category_groups, ("ID", "DimensionKey", "Title", "Description", "ParentID")
    elif name in table.dimensions:
        kind = next(p.get("Type") for p in table.data_properties if p.get("Key") == name)
        rows, defaults = table.dimensions[name], _DIMENSION_COLUMNS.get(str(kind), _DIMENSION_COLUMNS["Dimension"])
    else:
        return None
    columns, types = _inferred(rows, defaults)
    return _EntitySet((table.table_id, name), f"Cbs.OData.WebAPI.{name}", metadata, columns, types, rows)


def catalog_row(table: ReplicaTable) -> dict[str, Any]:
    """The table's row in ``/ODataCatalog/Tables``."""
    info = table.info
    return {
        "Updated": info.get("Modified"),
        "ID": info.get("ID"),
        "Identifier": info.get("Identifier", table.table_id),
        "Title": info.get("Title"),
        "ShortTitle": info.get("ShortTitle"),
        "ShortDescription": info.get("ShortDescription", ""),
        "Summary": info.get("Summary"),
        "Modified": info.get("Modified"),
        "MetaDataModified": info.get("MetaDataModified", info.get("Modified")),
        "ReasonDelivery": info.get("ReasonDelivery", "Actualisering"),
        "ExplanatoryText": info.get("ExplanatoryText", ""),
        "Language": info.get("Language", "nl"),
        "Catalog": info.get("Catalog"),
        "Frequency": info.get("Frequency", "Perjaar"),
        "Period": info.get("Period"),
        "SummaryAndLinks": info.get("Summary"),
        "ApiUrl": "",
        "FeedUrl": "",
        "DefaultPresentation": info.get("DefaultPresentation", ""),
        "DefaultSelection": info.get("DefaultSelection", ""),
        "GraphTypes": info.get("GraphTypes", "Table"),
        "RecordCount": len(table.rows),
        "ColumnCount": len(table.columns),
        "SearchPriority": info.get("SearchPriority", "2"),
    }


# -- paging --------------------------------------------------------------------------------------------


def _nonnegative_int(query: Mapping[str, str], name: str) -> int | None:
    if name not in query:
        return None
    text = query[name].strip()
    if not text.isdigit():
        raise ODataError(400, f"Invalid integer value '{query[name]}' for query option '{name}'.")
    return int(text)


def _select(entity: _EntitySet, text: str | None) -> list[str]:
    if text is None or not text.strip() or text.strip() == "*":
        return list(entity.columns)
    chosen: list[str] = []
    for raw in text.split(","):
        name = raw.strip()
        if not name:
            raise ODataError(400, f"Syntax error in $select '{text}': empty property name.")
        if name == "*":
            return list(entity.columns)
        if name not in entity.types:
            raise ODataError(400, f"No property '{name}' exists in type '{entity.type_name}'.")
        if name not in chosen:
            chosen.append(name)
    return chosen


def _link(base: str, query: Mapping[str, str]) -> str:
    """``base`` with the query, percent-encoded (``$`` keys literal; quotes, commas and parentheses kept)."""
    return base + "?" + "&".join(f"{k}={quote(v, safe=chr(39) + ',()')}" for k, v in query.items())


# -- the server -------------------------------------------------------------------------------------------


@dataclass
class _Fault:
    kind: str
    path_contains: str
    times: int
    delay: float


class ODataReplica:
    """The CBS OData v3 feed for ``tables`` on 127.0.0.1 (an OS-chosen port).

    One server may hold tables of both catalogs; point both endpoint settings at ``url``. Use it as
    a context manager, or call ``start()``/``stop()``. ``requests`` lists every request (dicts with
    ``method``, ``path``, ``query``, ``target``, ``status``, ``bytes_sent``, ``fault``).
    """

    def __init__(self, tables: Iterable[ReplicaTable], page_size: int = 10000, *, verbose: bool = False) -> None:
        if page_size < 1:
            raise ValueError("page_size must be at least 1")
        self.tables: dict[str, ReplicaTable] = {}
        for table in tables:
            if table.table_id.upper() in (t.upper() for t in self.tables):
                raise ValueError(f"table {table.table_id} is given twice")
            self.tables[table.table_id] = table
        self.page_size = int(page_size)
        self.verbose = verbose
        self._lock = threading.Lock()
        self._faults: list[_Fault] = []
        self._log: list[dict[str, Any]] = []
        self._bytes = 0
        self._index_lock = threading.Lock()
        self._indexes: OrderedDict[tuple[str, str, str], Sequence[int]] = OrderedDict()
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------------------

    def start(self) -> Self:
        """Start serving (idempotent); returns self."""
        if self._server is not None:
            return self
        replica: ODataReplica = self

        class Handler(_Handler):
            owner = replica

        self._stopping.clear()
        server = _QuietServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, name="odata-replica", daemon=True)
        self._thread.start()
        log.debug("OData replica serving %s on %s", sorted(self.tables), self.url)
        return self

    def stop(self) -> None:
        """Stop serving; slow answers still waiting are released."""
        if self._server is None:
            return
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT`` — the base URL for the package's endpoint settings."""
        return f"http://{self.catalog_url}"

    @property
    def catalog_url(self) -> str:
        """``127.0.0.1:PORT`` — what ``cbsodata`` takes as ``catalog_url`` (with ``use_https=False``)."""
        if self._server is None:
            raise RuntimeError("the replica is not running; use it as a context manager or call start()")
        return f"127.0.0.1:{self._server.server_address[1]}"

    # -- faults and statistics -------------------------------------------------------------------------

    def inject_fault(self, kind: FaultKind, *, path_contains: str = "", times: int = 1, delay: float = 0.0) -> None:
        """Make the next ``times`` requests whose path and query contain ``path_contains`` fail.

        ``drop`` closes the connection without an answer; ``truncate`` sends the headers and half the
        body, then closes; ``500``/``503`` answer with that status; ``slow`` waits ``delay`` seconds,
        then answers normally. Faults are used in the order they were injected.
        """
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}; use one of {', '.join(FAULT_KINDS)}")
        with self._lock:
            self._faults.append(_Fault(kind, path_contains, int(times), float(delay)))

    def clear_faults(self) -> None:
        """Forget every fault not yet used."""
        with self._lock:
            self._faults.clear()

    @property
    def requests(self) -> list[dict[str, Any]]:
        """Every request so far, oldest first (copies)."""
        with self._lock:
            return [dict(r) for r in self._log]

    @property
    def bytes_sent(self) -> int:
        """Body bytes written to clients so far."""
        with self._lock:
            return self._bytes

    def reset_stats(self) -> None:
        """Forget the request log and the byte count."""
        with self._lock:
            self._log.clear()
            self._bytes = 0

    def _take_fault(self, target: str) -> _Fault | None:
        decoded = unquote_plus(target)
        with self._lock:
            for fault in self._faults:
                if fault.times > 0 and (fault.path_contains in target or fault.path_contains in decoded):
                    fault.times -= 1
                    return fault
        return None

    def _record(self, record: dict[str, Any]) -> None:
        with self._lock:
            self._log.append(record)

    def _account(self, record: dict[str, Any], status: int, sent: int) -> None:
        with self._lock:
            record["status"] = status
            record["bytes_sent"] += sent
            self._bytes += sent

    # -- answers -------------------------------------------------------------------------------------

    def answer(self, path: str, query: Mapping[str, str], base_url: str | None = None) -> tuple[int, bytes]:
        """(status, JSON body) for a GET of ``path`` with the decoded ``query``."""
        base = base_url or self.url
        try:
            unknown = sorted(k for k in query if k.startswith("$") and k not in _SYSTEM_OPTIONS)
            if unknown:
                raise ODataError(400, f"The query parameter '{unknown[0]}' begins with a system-reserved '$' character but is not recognized.")
            if _CATALOG.match(path):
                return 200, self._collection(self._catalog_set(base), query, f"{base}/ODataCatalog/Tables")
            match = _FEED.match(path)
            if match is None:
                raise ODataError(404, f"No resource at '{path}'.")
            service, table_id, name = match.group(1), match.group(2), match.group(3) or ""
            table = self._table(table_id)
            root = f"{base}/{service}/odata/{table.table_id}"
            if not name:
                return 200, self._service_document(table, root)
            entity = self._entity_set(table, name, root)
            return 200, self._collection(entity, query, f"{root}/{name}")
        except ODataError as err:
            return err.status, _error_body(err.message)

    def _table(self, table_id: str) -> ReplicaTable:
        for key, table in self.tables.items():
            if key.upper() == table_id.upper():  # the real services accept any case of the id
                return table
        raise ODataError(404, f"Resource not found for the segment '{table_id}'.")

    def _service_document(self, table: ReplicaTable, root: str) -> bytes:
        value = [{"name": n, "url": f"{root}/{n}"} for n in table.entity_names()]
        return _dumps({"odata.metadata": f"{root}/$metadata", "value": value})

    def _entity_set(self, table: ReplicaTable, name: str, root: str) -> _EntitySet:
        metadata = f"{root}/$metadata#Cbs.OData.WebAPI.{name}"
        if name in DATA_SETS:
            return _data_set(table, name, metadata)
        entity = _metadata_set(table, name, metadata)
        if entity is None:
            raise ODataError(404, f"Resource not found for the segment '{name}'.")
        return entity

    def _catalog_set(self, base: str) -> _EntitySet:
        rows = [catalog_row(t) for t in self.tables.values()]
        columns, types = _inferred(rows)
        return _EntitySet(("", "Tables"), "Cbs.OData.Catalog.Table", f"{base}/ODataCatalog/$metadata#Tables", columns, types, rows)

    def _collection(self, entity: _EntitySet, query: Mapping[str, str], link_base: str) -> bytes:
        filter_text = query.get("$filter")
        columns = _select(entity, query.get("$select"))
        top = _nonnegative_int(query, "$top")
        skip = _nonnegative_int(query, "$skip") or 0
        indexes = self._matching(entity, filter_text)
        end = len(indexes) if top is None else min(len(indexes), skip + top)
        page_end = min(end, skip + self.page_size)
        rows = entity.rows
        page = [rows[i] for i in indexes[skip:page_end]] if skip < end else []
        payload: dict[str, Any] = {"odata.metadata": entity.metadata}
        if query.get("$inlinecount", "").strip() == "allpages":
            payload["odata.count"] = str(len(indexes))
        payload["value"] = entity.render(page, columns)
        if page_end < end:
            following = {"$format": query.get("$format", "json")}
            for option in ("$filter", "$select", "$inlinecount"):
                if option in query:
                    following[option] = query[option]
            if top is not None:
                following["$top"] = str(end - page_end)
            following["$skip"] = str(page_end)
            payload["odata.nextLink"] = _link(link_base, following)
        return _dumps(payload)

    def _matching(self, entity: _EntitySet, filter_text: str | None) -> Sequence[int]:
        """Row numbers that pass the filter; computed once per (table, set, filter) and cached."""
        if filter_text is None or not filter_text.strip():
            return range(len(entity.rows))
        key = (*entity.key, filter_text)
        with self._index_lock:
            if key in self._indexes:
                self._indexes.move_to_end(key)
                return self._indexes[key]
        predicate, fields = compile_filter(filter_text, entity.types, entity.type_name)
        indexes = _evaluate(entity, predicate, fields)
        if entity.key[0]:  # the catalog list is rebuilt per request; no point caching it
            with self._index_lock:
                self._indexes[key] = indexes
                while len(self._indexes) > _INDEX_CACHE_SIZE:
                    self._indexes.popitem(last=False)
        return indexes

    def _serve(self, handler: _Handler) -> None:
        target = handler.path
        parts = urlsplit(target)
        path = unquote(parts.path)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        record: dict[str, Any] = {
            "method": handler.command, "path": path, "query": query, "target": target,
            "status": None, "bytes_sent": 0, "fault": None,
        }
        fault = self._take_fault(target)
        if fault is not None:
            record["fault"] = fault.kind
        self._record(record)  # logged on arrival, so the log keeps the order requests came in
        if fault is not None and fault.kind == "drop":
            if self.verbose:
                log.info("%s %s -> connection dropped (injected)", handler.command, target)
            handler.abort()
            return
        if fault is not None and fault.kind in ("500", "503"):
            status, body = int(fault.kind), _error_body(f"injected fault: HTTP {fault.kind}")
        else:
            if fault is not None and fault.kind == "slow":
                self._stopping.wait(fault.delay)
            if handler.command != "GET":
                status, body = 405, _error_body(f"The HTTP method '{handler.command}' is not allowed.")
            else:
                status, body = self._safe_answer(path, query)
        truncate = fault is not None and fault.kind == "truncate"
        to_send = len(body) // 2 if truncate else len(body)
        # Accounted before writing, so a client that has its answer always finds it in the log.
        self._account(record, status, to_send)
        if self.verbose:
            log.info("%s %s -> %s (%d bytes%s)", handler.command, target, status, to_send, f", fault {fault.kind}" if fault else "")
        written = handler.send(status, body, limit=to_send, extra={"Retry-After": "1"} if status == 503 else None)
        if written < to_send:
            self._account(record, status, written - to_send)

    def _safe_answer(self, path: str, query: Mapping[str, str]) -> tuple[int, bytes]:
        try:
            return self.answer(path, query)
        except Exception as err:  # a bug in the replica must show up as a 500, not a hang
            log.exception("OData replica failed on %s", path)
            return 500, _error_body(f"replica error: {err}")


def _evaluate(entity: _EntitySet, predicate: Evaluator, fields: tuple[str, ...]) -> list[int]:
    """Row numbers where ``predicate`` holds; memoised on the values of the fields it reads."""
    rows = entity.rows
    if not fields:
        return list(range(len(rows))) if predicate({}) is True else []
    cell = entity.cell
    memo: dict[Any, bool] = {}
    out: list[int] = []
    if len(fields) == 1:
        (name,) = fields
        for i, row in enumerate(rows):
            value = cell(row, name)
            hit = memo.get(value)
            if hit is None:
                hit = memo[value] = predicate({name: value}) is True
            if hit:
                out.append(i)
        return out
    for i, row in enumerate(rows):
        values = tuple(cell(row, f) for f in fields)
        hit = memo.get(values)
        if hit is None:
            hit = memo[values] = predicate(dict(zip(fields, values))) is True
        if hit:
            out.append(i)
    return out


def _dumps(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class _QuietServer(ThreadingHTTPServer):
    allow_reuse_address = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that give up (timeouts) and injected drops are part of the tests, not news.
        log.debug("OData replica: connection from %s ended early: %r", client_address, sys.exc_info()[1])


class _Handler(BaseHTTPRequestHandler):
    owner: ODataReplica
    protocol_version = "HTTP/1.0"
    server_version = "ODataReplica/1.0"

    def log_message(self, format: str, *args: Any) -> None:
        pass  # requests are logged (when verbose) by the replica itself

    def do_GET(self) -> None:
        self.owner._serve(self)

    do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_GET

    def abort(self) -> None:
        """Close the connection without a byte of answer."""
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def send(self, status: int, body: bytes, *, limit: int, extra: Mapping[str, str] | None = None) -> int:
        """Send the answer with ``Content-Length: len(body)`` but only ``limit`` body bytes; bytes written."""
        try:
            self.send_response(status)
            self.send_header("Content-Type", _JSON)
            self.send_header("DataServiceVersion", "3.0;")
            for key, value in (extra or {}).items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body[:limit])
                self.wfile.flush()
        except (TimeoutError, BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            return 0
        if limit < len(body):
            self.abort()
        return limit if self.command != "HEAD" else 0
