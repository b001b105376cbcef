"""Gemeenten, their provincie and GGD-regio, and finding a gemeente by what people type."""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from .config import Settings
from .errors import AmbiguousRegionError, BadInputError, SourceChangedError, UnknownRegionError
from .odata import ODataCatalog

log = logging.getLogger(__name__)

GEBIEDEN_TABLES: dict[int, str] = {2020: "84721NED", 2022: "85067NED", 2023: "85385NED", 2024: "85755NED", 2025: "86059NED"}
"""CBS "Gebieden in Nederland <jaar>" per classification year (ids other than 2022 still need a live check)."""

_DIMENSION_TYPES = ("Dimension", "GeoDimension", "TimeDimension")

GEMEENTEN_COLUMNS = ["gemeentecode", "gemeentenaam", "provinciecode", "provincienaam", "ggdregiocode", "ggdregionaam"]

# Names people use that differ from CBS's official name.
ALIASES: dict[str, str] = {
    "den haag": "s gravenhage",
    "the hague": "s gravenhage",
    "den bosch": "s hertogenbosch",
    "nuenen": "nuenen gerwen en nederwetten",
    "tietjerksteradeel": "tytsjerksteradiel",
    "dantumadeel": "dantumadiel",
    "sudwest friesland": "sudwest fryslan",
}


@dataclass(frozen=True)
class Merger:
    old_name: str
    old_code: str | None
    new_name: str
    new_code: str
    date: str


# Municipal reorganisations since 2019 (CBS gemeentelijke indelingen). Codes of dissolved gemeenten
# are listed where certain; the lookup works on names either way.
MERGERS: tuple[Merger, ...] = (
    *(Merger(n, c, "Voorne aan Zee", "GM1992", "2023-01-01") for n, c in (("Brielle", "GM0501"), ("Hellevoetsluis", "GM0530"), ("Westvoorne", "GM0614"))),
    *(Merger(n, c, "Dijk en Waard", "GM1980", "2022-01-01") for n, c in (("Heerhugowaard", "GM0398"), ("Langedijk", "GM0416"))),
    *(Merger(n, c, "Maashorst", "GM1991", "2022-01-01") for n, c in (("Landerd", "GM1685"), ("Uden", "GM0856"))),
    *(
        Merger(n, c, "Land van Cuijk", "GM1982", "2022-01-01")
        for n, c in (("Boxmeer", "GM0756"), ("Cuijk", "GM1684"), ("Grave", "GM0786"), ("Mill en Sint Hubert", "GM0815"), ("Sint Anthonis", "GM1702"))
    ),
    Merger("Beemster", "GM0370", "Purmerend", "GM0439", "2022-01-01"),
    Merger("Weesp", "GM0457", "Amsterdam", "GM0363", "2022-03-24"),
    *(Merger(n, c, "Eemsdelta", "GM1979", "2021-01-01") for n, c in (("Appingedam", "GM0003"), ("Delfzijl", "GM0010"), ("Loppersum", "GM0024"))),
    *(Merger(n, None, "Groningen", "GM0014", "2019-01-01") for n in ("Haren", "Ten Boer")),
    *(Merger(n, None, "Het Hogeland", "GM1966", "2019-01-01") for n in ("Bedum", "De Marne", "Eemsmond", "Winsum")),
    *(Merger(n, None, "Westerkwartier", "GM1969", "2019-01-01") for n in ("Grootegast", "Leek", "Marum", "Zuidhorn")),
    *(Merger(n, None, "Noardeast-Fryslân", "GM1970", "2019-01-01") for n in ("Dongeradeel", "Ferwerderadiel", "Kollumerland en Nieuwkruisland")),
    *(Merger(n, None, "Molenlanden", "GM1978", "2019-01-01") for n in ("Giessenlanden", "Molenwaard")),
    *(Merger(n, None, "Vijfheerenlanden", "GM1961", "2019-01-01") for n in ("Leerdam", "Zederik", "Vianen")),
    *(Merger(n, None, "Hoeksche Waard", "GM1963", "2019-01-01") for n in ("Binnenmaas", "Cromstrijen", "Korendijk", "Oud-Beijerland", "Strijen")),
    *(Merger(n, None, "Altena", "GM1959", "2019-01-01") for n in ("Aalburg", "Werkendam", "Woudrichem")),
    *(Merger(n, None, "West Betuwe", "GM1960", "2019-01-01") for n in ("Geldermalsen", "Lingewaal", "Neerijnen")),
    *(Merger(n, None, "Beekdaelen", "GM1954", "2019-01-01") for n in ("Nuth", "Onderbanken", "Schinnen")),
    Merger("Haarlemmerliede en Spaarnwoude", None, "Haarlemmermeer", "GM0394", "2019-01-01"),
    Merger("Noordwijkerhout", None, "Noordwijk", "GM0575", "2019-01-01"),
)


def normalise(text: str) -> str:
    """Lower case, no accents, punctuation as spaces, single spaces: "'s-Gravenhage" → "s gravenhage"."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-z0-9]+", " ", text.lower())
    text = re.sub(r"^gemeente ", "", text.strip())
    return re.sub(r" gemeente$", "", text).strip()


def _base(name: str) -> str:
    """The name without a qualifier: "Bergen (NH.)" → "bergen"."""
    return normalise(re.sub(r"\s*\(.*?\)\s*", " ", name))


@dataclass(frozen=True)
class Match:
    code: str
    name: str
    note: str | None = None


class GemeenteLookup:
    """Find a gemeente by code or name; copes with case, accents, spacing, aliases, old names."""

    def __init__(self, gemeenten: pd.DataFrame, *, classification_year: int | None = None) -> None:
        self.frame = gemeenten.reset_index(drop=True)
        self.year = classification_year
        self._names = dict(zip(self.frame["gemeentecode"], self.frame["gemeentenaam"]))
        self._full: dict[str, set[str]] = {}
        self._base: dict[str, set[str]] = {}
        for row in self.frame.itertuples(index=False):
            code, name = row.gemeentecode, row.gemeentenaam
            self._full.setdefault(normalise(name), set()).add(code)
            self._base.setdefault(_base(name), set()).add(code)
            prov = getattr(row, "provincienaam", None)
            if isinstance(prov, str) and prov:
                self._full.setdefault(f"{_base(name)} {normalise(prov)}", set()).add(code)

    def resolve(self, text: str) -> str:
        """The gemeentecode for ``text``; a note (e.g. about a merger) is logged."""
        match = self.match(text)
        if match.note:
            log.warning("%s", match.note)
        return match.code

    def match(self, text: str) -> Match:
        query = text.strip()
        if not query:
            raise BadInputError("empty gemeente name", hint="give a name such as 'Utrecht' or a code such as GM0344")
        if code := _as_code(query):
            if code in self._names:
                return Match(code, self._names[code])
            if merged := self._merged(lambda m: m.old_code == code):
                return merged
            raise UnknownRegionError(query, self._suggest(query))
        key = ALIASES.get(normalise(query), normalise(query))
        for index in (self._full, self._base):
            codes = index.get(key)
            if codes and len(codes) == 1:
                code = next(iter(codes))
                return Match(code, self._names[code])
            if codes:
                raise AmbiguousRegionError(query, [f"{self._names[c]} ({c})" for c in sorted(codes)])
        if merged := self._merged(lambda m: normalise(m.old_name) == key):
            return merged
        raise UnknownRegionError(query, self._suggest(query))

    def search(self, text: str | None = None) -> pd.DataFrame:
        """Gemeenten whose name or code contains ``text`` (all when empty); else the one an alias or old
        name stands for ("Den Haag", "Weesp"). Nothing found raises ``UnknownRegionError`` with the closest
        names as suggestions."""
        if not text:
            return self.frame
        key = normalise(text)
        names = self.frame["gemeentenaam"].map(normalise)
        hit = names.str.contains(key, regex=False) | self.frame["gemeentecode"].str.contains(text.strip().upper(), regex=False)
        if key in ALIASES:
            hit |= names == ALIASES[key]
        if hit.any():
            return self.frame[hit]
        try:
            match = self.match(text)
        except BadInputError:  # ambiguous or unknown: the closest names are suggested below
            match = None
        if match is not None:
            if match.note:
                log.warning("%s", match.note)
            return self.frame[self.frame["gemeentecode"] == match.code]
        raise UnknownRegionError(text.strip(), self._suggest(text, limit=5))

    def _merged(self, predicate) -> Match | None:  # noqa: ANN001 - a small private predicate
        for merger in MERGERS:
            if predicate(merger) and merger.new_code in self._names:
                note = f"{merger.old_name} merged into {merger.new_name} ({merger.new_code}) on {merger.date}; showing {merger.new_name}"
                return Match(merger.new_code, self._names[merger.new_code], note)
        return None

    def _suggest(self, text: str, limit: int = 3) -> list[str]:
        from rapidfuzz import fuzz, process  # only for names that did not match

        choices = {code: normalise(name) for code, name in self._names.items()}
        found = process.extract(normalise(text), choices, scorer=fuzz.WRatio, limit=limit, score_cutoff=60)
        suggestions = [f"{self._names[code]} ({code})" for _, _, code in found]
        for merger in MERGERS:
            if normalise(merger.new_name) == normalise(text) and merger.new_code not in self._names:
                suggestions.insert(0, f"{merger.new_name} did not exist yet in this classification (formed {merger.date} from {merger.old_name} and others)")
                break
        return suggestions


def _as_code(text: str) -> str | None:
    match = re.fullmatch(r"(?:GM)?\s*(\d{1,4})", text.strip().upper())
    return f"GM{int(match.group(1)):04d}" if match else None


# -- CBS "Gebieden in Nederland" ------------------------------------------------------------------


def gebieden_table(year: int) -> str:
    if year not in GEBIEDEN_TABLES:
        raise BadInputError(
            f"no 'Gebieden in Nederland' table known for {year}",
            hint="known years: " + ", ".join(map(str, sorted(GEBIEDEN_TABLES))),
        )
    return GEBIEDEN_TABLES[year]


def load_gemeenten(settings: Settings | None = None, *, year: int, table: str | None = None) -> pd.DataFrame:
    """Every gemeente of classification ``year`` with its provincie and GGD-regio (codes and names)."""
    settings = settings or Settings.from_env()
    chosen = table is None
    table = table or gebieden_table(year)
    source = ODataCatalog(settings.cbs_url, settings, publisher="CBS")
    info = source.table_info(table, expected=f"Gebieden in Nederland {year}" if chosen else None)
    title = str(info.get("Title", "")).strip()
    if "gebieden in nederland" not in title.lower() or (str(year) not in title and not settings.demo):
        raise SourceChangedError(
            f"{table} is {title!r}, not 'Gebieden in Nederland {year}'",
            hint="the table id for this year has changed; pass table= or update GEBIEDEN_TABLES",
        )
    props = source.data_properties(table)
    dimensions = [p for p in props if p.get("Type") in _DIMENSION_TYPES]
    region_dim = next((p["Key"] for p in dimensions if p.get("Type") == "GeoDimension"), None) or next(
        (p["Key"] for p in dimensions), "RegioS"
    )
    # Every column of the data set in DataProperties order (the order of the ID numbers; ``Position`` is
    # not relied on). The code/name columns are Topics here; GeoDetail is accepted as well.
    ordered = sorted(props, key=lambda p: p["ID"] if isinstance(p.get("ID"), int) else 10**9)  # stable: list order without IDs
    topics = [p["Key"] for p in ordered if p.get("Type") not in (*_DIMENSION_TYPES, "TopicGroup") and p.get("Key")]
    data_entry = source.get(table, "TypedDataSet", filters=f"startswith({region_dim},'GM')", label="gemeenten")
    rows = data_entry.json()
    names = {
        str(r["Key"]).strip(): str(r.get("Title", "")).strip()
        for r in source.dimension(table, region_dim, filters="startswith(Key,'GM')", label="gemeenten").json()
    }
    data = pd.DataFrame.from_records(rows)
    if region_dim not in data:
        raise SourceChangedError(f"{table}: the data set lacks its region column {region_dim!r}")
    for col in data.columns:
        if data[col].dtype == object or pd.api.types.is_string_dtype(data[col]):
            data[col] = data[col].map(lambda v: (v.strip() or None) if isinstance(v, str) else v)
    data = data[data[region_dim].astype(str).str.startswith("GM")]
    pairs = {prefix: _code_name_pair(data, topics, prefix, table) for prefix in ("PV", "GG")}
    # The gemeente's own code/name pair (Code_1, Naam_2) holds the plain name; the region dimension's
    # title may carry a suffix that tells it from a provincie ("Utrecht (gemeente)").
    try:
        own = _code_name_pair(data, topics, "GM", table)
        own_names = dict(zip(data[own[0]], data[own[1]]))
    except SourceChangedError:
        own_names = {}
    frame = pd.DataFrame(
        {
            "gemeentecode": data[region_dim],
            "gemeentenaam": data[region_dim].map(lambda c: own_names.get(c) or names.get(c)),
            "provinciecode": data[pairs["PV"][0]],
            "provincienaam": data[pairs["PV"][1]],
            "ggdregiocode": data[pairs["GG"][0]],
            "ggdregionaam": data[pairs["GG"][1]],
        }
    ).sort_values("gemeentecode", ignore_index=True)
    frame["gemeentenaam"] = frame["gemeentenaam"].fillna(frame["gemeentecode"])
    frame.attrs["bron"] = {
        "publisher": "CBS", "table": table, "title": title, "year": year,
        "modified": info.get("Modified"), "fetched_at": data_entry.meta.get("fetched_at"), "demo": settings.demo,
    }
    return frame


def _code_name_pair(data: pd.DataFrame, topics: Sequence[str], prefix: str, table: str) -> tuple[str, str]:
    """The (code column, name column) whose codes all start with ``prefix`` — found by value, not position.

    The name column is the next column of the data set; blanks (a classification that leaves a gemeente
    out) are allowed, but every gemeente must have a provincie and a GGD-regio.
    """
    pattern = re.compile(rf"^{prefix}\d+$")
    for i, col in enumerate(topics):
        if col not in data:
            continue
        values = data[col].dropna().astype(str).str.strip()
        if len(values) == len(data) and len(values) and values.map(lambda v: bool(pattern.match(v))).all():
            following = [c for c in topics[i + 1:] if c in data]
            if following:
                return col, following[0]
    raise SourceChangedError(
        f"{table}: no column with a {prefix}-code for every gemeente found",
        hint="the table's layout changed; run `eenzaamheid check-sources`",
    )
