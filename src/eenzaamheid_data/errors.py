"""The package's exceptions. Messages say what went wrong and what would work.

The command line turns each into one line on stderr and its ``exit_code``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence


class EenzaamheidError(Exception):
    """Base class; ``hint`` says what to do about it."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}; {self.hint}" if self.hint else self.message  # one sentence (hints start in lower case)


class BadInputError(EenzaamheidError, ValueError):
    """Something the user asked for does not exist or does not fit (exit code 2)."""

    exit_code = 2


class UnknownRegionError(BadInputError, LookupError):
    """A gemeente (or GGD-regio, provincie) name or code that matches nothing."""

    def __init__(self, query: str, suggestions: Sequence[str] = (), *, kind: str = "gemeente", known: Sequence[str] = ()) -> None:
        self.query = query
        self.suggestions = list(suggestions)
        if self.suggestions:
            hint = "did you mean: " + ", ".join(self.suggestions) + "?"
        elif known:  # nothing close, and few enough to list them all (the 25 GGD-regio's)
            hint = "choose one of: " + ", ".join(known)
        elif kind == "gemeente":
            hint = "run `eenzaamheid gemeenten --search TEXT` to find the gemeente"
        else:
            hint = "run `eenzaamheid gemeenten` to list every gemeente with its provincie and GGD-regio"
        super().__init__(f"unknown {kind} {query!r}", hint=hint)


class AmbiguousRegionError(BadInputError, LookupError):
    """A name that fits more than one gemeente (Bergen NH / Bergen L), or more than one GGD-regio."""

    def __init__(self, query: str, candidates: Sequence[str], *, kind: str = "gemeente") -> None:
        self.query = query
        self.candidates = list(candidates)
        super().__init__(
            f"{query!r} fits more than one {kind}",
            hint="say which: " + "; ".join(self.candidates),
        )


class UnknownTableError(BadInputError):
    """A table id the source does not have."""


class SourceUnreachableError(EenzaamheidError, ConnectionError):
    """The source did not answer after retries, and no usable cached copy exists."""


class NotCachedError(EenzaamheidError):
    """``offline`` was asked for, but the cache lacks what is needed."""


class InvalidDataError(EenzaamheidError):
    """The source sent data that breaks the contract; ``rows`` holds the offending rows."""

    def __init__(self, message: str, *, rows: object = None, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.rows = rows


class MissingDataError(EenzaamheidError):
    """Something this needs is not in the source (a suppressed figure, boundaries not published); other results stand."""


class NoFiguresError(MissingDataError):
    """The figures' table has no row for a gemeente that CBS's list of gemeenten has (``table`` names it)."""

    def __init__(self, message: str, *, hint: str | None = None, table: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.table = table


class SourceChangedError(InvalidDataError):
    """The source's metadata no longer matches what the package expects (a key or code is gone)."""


def name_not_resolved(err: BaseException) -> bool:
    """Whether a network error is a host name that does not resolve (no network, or a typo in the URL): another
    try a few seconds later does not help, unlike a dropped connection."""
    seen: set[int] = set()
    stack: list[object] = [err]
    while stack:
        item = stack.pop()
        if item is None or id(item) in seen:
            continue
        seen.add(id(item))
        if type(item).__name__ in ("NameResolutionError", "gaierror"):
            return True
        stack += [getattr(item, "reason", None), getattr(item, "__cause__", None), getattr(item, "__context__", None),
                  *[a for a in getattr(item, "args", ()) if isinstance(a, BaseException)]]
    return False


def short_reason(err: BaseException, limit: int = 200) -> str:
    """A network error in a few readable words: the innermost cause (a refused connection, a name that does
    not resolve), without urllib3's object reprs, cut at a word."""
    reason: object = err
    inner = err.args[0] if getattr(err, "args", None) else None
    if hasattr(inner, "reason"):  # requests' ConnectionError wraps urllib3's MaxRetryError, which holds the cause
        reason = inner.reason  # type: ignore[union-attr]
    text = str(reason).strip()
    text = re.sub(r"<[\w.]+ object at 0x[0-9a-f]+>:?\s*", "", text)
    text = text.splitlines()[0].strip() if text else type(reason).__name__
    if len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0] + " …"
    return text

