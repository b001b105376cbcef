"""The numbers behind the facts: comparisons, regional aggregates, age groups, trends, neighbours, people.

Pure functions on the package's frames (see docs/ARCHITECTURE.md); each returns a tidy DataFrame and
never changes its inputs. Every comparison follows one rule (``METHOD_DIFFERENCE``): "hoger" or
"lager" only when the 95% intervals do not overlap. Missing stays missing (NaN, "onbekend",
"geen gegevens"), never 0. The ``METHOD_*`` texts are the Dutch method notes that go with each result.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from . import fmt
from .errors import BadInputError, MissingDataError, UnknownRegionError

INDICATORS: tuple[str, ...] = ("eenzaam", "sterk_eenzaam", "emotioneel_eenzaam", "sociaal_eenzaam")
AGES: tuple[str, ...] = ("18+", "18-64", "65+")
VALUE_COLUMNS: list[str] = ["waarde", "ondergrens", "bovengrens"]
TIDY_COLUMNS: list[str] = [
    "regiocode", "regionaam", "niveau", "gemeentecode", "jaar", "leeftijd", "indicator", *VALUE_COLUMNS, "tabel",
]
POPULATION_BY_AGE: dict[str, str] = {"18+": "inwoners_18plus", "18-64": "inwoners_18_64", "65+": "inwoners_65plus"}
Z95 = 1.96

HOGER, LAGER, GELIJK, ONBEKEND = "hoger", "lager", "niet aantoonbaar verschillend", "onbekend"
VERSCHILLEN: tuple[str, ...] = (HOGER, LAGER, GELIJK, ONBEKEND)
GESTEGEN, GEDAALD, ONVERANDERD = "gestegen", "gedaald", "niet aantoonbaar veranderd"
VERANDERINGEN: tuple[str, ...] = (GESTEGEN, GEDAALD, ONVERANDERD, ONBEKEND)

YEARS_19PLUS: tuple[int, ...] = (2012, 2016)
"""Survey years in which the Gezondheidsmonitor covered ages 19 and over (later: 18 and over)."""

NATIONAL_SURVEY = "CBS, Sociale samenhang en welzijn (15 jaar en ouder)"
NATIONAL_SOURCE_NOTE = f"{NATIONAL_SURVEY} — andere meting dan de Gezondheidsmonitor"

_LEVEL_ORDER = {"nederland": 0, "provincie": 1, "ggdregio": 2, "gemeente": 3, "wijk": 4, "buurt": 5}
_GEBIED_ORDER = {"gemeente": 0, "ggdregio": 1, "nederland": 2}
_REGION_COLUMNS = {
    "ggdregio": ("ggdregiocode", "ggdregionaam"),
    "provincie": ("provinciecode", "provincienaam"),
}

METHOD_DIFFERENCE = (
    "Verschillen worden getoetst met de 95%-intervallen. Een cijfer heet alleen 'hoger' of 'lager' dan een "
    "ander cijfer als de twee 95%-intervallen elkaar niet overlappen; intervallen die elkaar precies raken, "
    "gelden als overlappend. Heeft het vergelijkingscijfer geen interval, dan moet het hele interval boven "
    "(of onder) die waarde liggen. In alle andere gevallen is de uitkomst 'niet aantoonbaar verschillend'. "
    "Deze regel is voorzichtig: een echt verschil wordt soms gemist, maar zelden ten onrechte gemeld. "
    "Ontbreekt een cijfer of zijn interval, dan is de uitkomst 'onbekend'."
)

METHOD_AGGREGATE = (
    "De cijfers voor GGD-regio's en provincies zijn afgeleid: een gemiddelde van de schattingen van de "
    "gemeenten, gewogen naar het aantal inwoners in de leeftijdsgroep (CBS, Kerncijfers wijken en buurten). "
    "Het 95%-interval is het ruimst mogelijke: alsof de schattingen van alle gemeenten dezelfde kant op "
    "afwijken (standaardfout van het gewogen gemiddelde = Σ w × se / Σ w, met per gemeente se = (bovengrens − "
    "ondergrens) / (2 × 1,96)). De modelschattingen van gemeenten hangen met elkaar samen, maar niemand weet "
    "precies hoe sterk; met dit ruime interval staat er nooit 'hoger' of 'lager' dan de GGD-regio op grond van "
    "een te smal interval. Daarom, en omdat ze geen eigen schatting zijn, heten deze cijfers 'afgeleid' "
    "(in de rapporten: 'gemiddelde van de GGD-regio'). Gemeenten zonder cijfer, interval of inwonertal tellen niet mee; "
    "ontbreken ze allemaal, dan heeft de regio geen cijfer. Een regio met één gemeente krijgt "
    "precies het cijfer en interval van die gemeente."
)

METHOD_TREND = (
    "Een trend vergelijkt alleen jaren uit één en dezelfde tabel van de Gezondheidsmonitor: elke tabel schat "
    "alle jaren opnieuw op dezelfde gemeentelijke indeling, zodat de grenzen vergelijkbaar zijn. Cijfers uit "
    "verschillende tabellen (50150NED, 50120NED, 50090NED) horen niet in één trend. In 2012 en 2016 ging de "
    "Gezondheidsmonitor over inwoners van 19 jaar en ouder, daarna over 18 jaar en ouder; een verandering "
    "tussen 2016 en 2020 staat daarom met 'let op' in de tabel. 'Gestegen' of 'gedaald' betekent dat de "
    "95%-intervallen van twee opeenvolgende peiljaren elkaar niet overlappen; anders is het cijfer 'niet "
    "aantoonbaar veranderd'."
)

METHOD_SIMILAR = (
    "Vergelijkbare gemeenten zijn gekozen op drie kenmerken uit CBS Kerncijfers wijken en buurten: "
    "stedelijkheid (1 = zeer sterk stedelijk, 5 = niet stedelijk), het aantal inwoners (op een logaritmische "
    "schaal: 10.000 en 20.000 liggen even ver uit elkaar als 100.000 en 200.000) en het aandeel 65-plussers. "
    "Elk kenmerk is gestandaardiseerd (z-score over alle gemeenten) en de afstand is de gewone (euclidische) "
    "afstand tussen twee gemeenten op die drie z-scores. Gemeenten waarvan een kenmerk ontbreekt, doen niet "
    "mee. Vergelijkbaar betekent: lijkt op deze drie kenmerken, niet: lijkt in alles."
)

METHOD_PEOPLE = (
    "Geschat aantal inwoners = percentage / 100 × aantal inwoners in de leeftijdsgroep (CBS, Kerncijfers "
    "wijken en buurten). Het 95%-interval van het aantal komt van dat van het percentage; het inwonertal is als "
    "vaststaand behandeld. Aantallen zijn afgerond: op tientallen onder 1.000, op honderdtallen onder "
    "100.000 en daarboven op duizendtallen."
)

METHOD_AANDACHT = (
    "Een wijk of buurt vraagt aandacht als haar cijfer hoger is dan dat van de gemeente als geheel, "
    "volgens dezelfde regel als elke andere vergelijking hier: de twee 95%-intervallen overlappen "
    "elkaar niet. Dit is geen rangorde: een wijk die niet genoemd wordt, kan ook een hoog cijfer hebben, met een "
    "interval dat te breed is om dat aan te tonen."
)


# -- checks and small helpers ------------------------------------------------------------------------------


def _require(frame: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise BadInputError(
            f"{what} lacks the columns {missing}",
            hint=f"pass a frame with the columns {list(columns)} (see docs/ARCHITECTURE.md)",
        )


def _check_choice(value: Any, valid: Iterable[Any], what: str) -> None:  # noqa: ANN401
    valid = list(valid)
    if value not in valid:
        raise BadInputError(f"unknown {what} {value!r}", hint="valid: " + ", ".join(map(str, valid)))


def _resolve_year(frame: pd.DataFrame, jaar: int | None, what: str) -> int:
    """``jaar`` checked against the years in ``frame``; None → the latest year that has a value (else the latest)."""
    years = sorted(int(y) for y in pd.unique(frame["jaar"].dropna()))
    if not years:
        raise BadInputError(f"no figures for {what}", hint="check the selection (region, age group, indicator)")
    if jaar is None:
        with_value = frame.loc[frame["waarde"].notna(), "jaar"] if "waarde" in frame else frame["jaar"]
        return int(with_value.max()) if len(with_value) else years[-1]
    try:
        jaar = int(jaar)
    except (TypeError, ValueError):
        raise BadInputError(f"jaar {jaar!r} is not a year", hint="valid: " + ", ".join(map(str, years))) from None
    _check_choice(jaar, years, f"jaar for {what}")
    return jaar


def _unknown_region(code: str, known: Iterable[str], *, kind: str = "gemeente") -> UnknownRegionError:
    known = [str(k) for k in known if isinstance(k, str)]
    return UnknownRegionError(code, difflib.get_close_matches(code, known, n=3, cutoff=0.6), kind=kind)


def _code(value: str) -> str:
    return str(value).strip().upper()


def _float_array(values: Any) -> np.ndarray:  # noqa: ANN401
    return pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype="float64")


def _bron(*frames: pd.DataFrame) -> dict[str, Any]:
    for frame in frames:
        if frame is not None and frame.attrs.get("bron"):
            return dict(frame.attrs["bron"])
    return {}


def verdicts(
    value: Any, low: Any, high: Any, ref: Any, ref_low: Any, ref_high: Any,  # noqa: ANN401
    labels: tuple[str, str, str, str] = (HOGER, LAGER, GELIJK, ONBEKEND),
) -> np.ndarray:
    """The non-overlap rule, vectorised (the package's one implementation; maps use it too): labels[0] above,
    [1] below, [2] overlapping, [3] not testable (a value or interval missing). A reference without an
    interval is compared by its value."""
    value, low, high = _float_array(value), _float_array(low), _float_array(high)
    ref, ref_low, ref_high = _float_array(ref), _float_array(ref_low), _float_array(ref_high)
    has_interval = ~np.isnan(ref_low) & ~np.isnan(ref_high)
    above = np.where(has_interval, ref_high, ref)
    below = np.where(has_interval, ref_low, ref)
    unknown = np.isnan(value) | np.isnan(low) | np.isnan(high) | np.isnan(ref)
    with np.errstate(invalid="ignore"):
        # strict inequalities: intervals that only touch are not different
        return np.select([unknown, low > above, high < below], [labels[3], labels[0], labels[1]], default=labels[2])


# -- comparing --------------------------------------------------------------------------------------------


def compare(values: pd.DataFrame, reference: pd.DataFrame, *, on: Sequence[str] = ("jaar", "leeftijd", "indicator")) -> pd.DataFrame:
    """``values`` with the matching reference figure (``ref_waarde``, ``ref_ondergrens``, ``ref_bovengrens``)
    and ``verschil``: "hoger", "lager", "niet aantoonbaar verschillend" or "onbekend" (``METHOD_DIFFERENCE``).

    ``reference`` must have one row per ``on`` key; with ``on=()`` it must be a single row, used for all.
    """
    on = list(on)
    _require(values, [*on, *VALUE_COLUMNS], "values")
    _require(reference, [*on, *VALUE_COLUMNS], "reference")
    ref = reference[[*on, *VALUE_COLUMNS]].rename(columns={c: f"ref_{c}" for c in VALUE_COLUMNS})
    base = values.drop(columns=[*ref.columns.difference(on), "verschil"], errors="ignore")
    if on:
        if ref.duplicated(on).any():
            raise BadInputError(
                f"the reference has more than one row per {', '.join(on)}",
                hint="select one region (and table) for the reference",
            )
        out = base.merge(ref, on=on, how="left", validate="many_to_one")
        out.index = values.index
    else:
        if len(ref) != 1:
            raise BadInputError(f"expected one reference row, got {len(ref)}", hint="select one year, age group and indicator")
        out = base.assign(**{c: ref[c].iloc[0] for c in ref.columns})
    out["verschil"] = verdicts(out["waarde"], out["ondergrens"], out["bovengrens"],
                                out["ref_waarde"], out["ref_ondergrens"], out["ref_bovengrens"])
    out.attrs = dict(values.attrs)
    out.attrs["methode"] = METHOD_DIFFERENCE
    return out


# -- GGD-regio's and provincies -------------------------------------------------------------------------------


def _population_long(population: pd.DataFrame) -> pd.DataFrame:
    """One row per (regiocode, leeftijd) with ``inwoners`` of that age group."""
    _require(population, ["regiocode", *POPULATION_BY_AGE.values()], "population")
    pop = population[["regiocode", *POPULATION_BY_AGE.values()]]
    if pop["regiocode"].duplicated().any():
        dup = sorted(pop.loc[pop["regiocode"].duplicated(), "regiocode"].astype(str).unique())[:5]
        raise BadInputError(f"population has more than one row for {dup}", hint="pass the population of one year")
    long = pop.melt(id_vars="regiocode", var_name="kolom", value_name="inwoners")
    long["leeftijd"] = long["kolom"].map({v: k for k, v in POPULATION_BY_AGE.items()})
    long["inwoners"] = pd.to_numeric(long["inwoners"], errors="coerce").astype("float64")
    return long[["regiocode", "leeftijd", "inwoners"]]


def _single_table(figures: pd.DataFrame) -> str:
    tables = sorted(map(str, pd.unique(figures["tabel"].dropna())))
    if len(tables) > 1:
        raise BadInputError(f"the figures come from more than one table: {tables}", hint="use the figures of one table at a time")
    return tables[0] if tables else ""


def aggregate_regions(
    figures: pd.DataFrame,
    gemeenten: pd.DataFrame,
    population: pd.DataFrame,
    *,
    by: Literal["ggdregio", "provincie"],
) -> pd.DataFrame:
    """Population-weighted averages of the gemeente estimates per GGD-regio or provincie (``METHOD_AGGREGATE``).

    Rows like the tidy table (``niveau`` = ``by``, ``gemeentecode`` NA) plus ``afgeleid`` (True),
    ``n_gemeenten`` (gemeenten of the region) and ``n_ontbrekend`` (of which left out: no value,
    interval or population). ``attrs["niet_ingedeeld"]`` lists gemeenten with figures but no region.
    """
    _check_choice(by, _REGION_COLUMNS, "by")
    code_col, name_col = _REGION_COLUMNS[by]
    _require(figures, TIDY_COLUMNS, "figures")
    _require(gemeenten, ["gemeentecode", code_col, name_col], "gemeenten")
    gem = figures.loc[figures["niveau"] == "gemeente", ["regiocode", "jaar", "leeftijd", "indicator", *VALUE_COLUMNS]]
    tabel = _single_table(figures)
    members = gemeenten[["gemeentecode", code_col, name_col]].dropna(subset=[code_col]).drop_duplicates("gemeentecode")

    # Every gemeente of every region for every (jaar, leeftijd, indicator): absent figures count as missing.
    keys = gem[["jaar", "leeftijd", "indicator"]].drop_duplicates()
    grid = members.merge(keys, how="cross")
    grid = grid.merge(gem.rename(columns={"regiocode": "gemeentecode"}), on=["gemeentecode", "jaar", "leeftijd", "indicator"], how="left")
    grid = grid.merge(_population_long(population).rename(columns={"regiocode": "gemeentecode"}), on=["gemeentecode", "leeftijd"], how="left")

    v, lo, hi, w = (grid[c].to_numpy(dtype="float64") for c in ("waarde", "ondergrens", "bovengrens", "inwoners"))
    used = ~(np.isnan(v) | np.isnan(lo) | np.isnan(hi) | np.isnan(w)) & (w > 0)
    w = np.where(used, w, 0.0)
    se = np.where(used, (hi - lo) / (2 * Z95), 0.0)
    parts = pd.DataFrame({
        "regiocode": grid[code_col].astype(str), "regionaam": grid[name_col].astype(str),
        "jaar": grid["jaar"], "leeftijd": grid["leeftijd"], "indicator": grid["indicator"],
        "sw": w, "swv": w * np.where(used, v, 0.0), "swse": w * se, "n_used": used.astype("int64"),
        # with exactly one gemeente used, these sums are that gemeente's own figures
        "v1": np.where(used, v, 0.0), "lo1": np.where(used, lo, 0.0), "hi1": np.where(used, hi, 0.0),
    })
    agg = parts.groupby(["regiocode", "regionaam", "jaar", "leeftijd", "indicator"], as_index=False, sort=False).agg(
        sw=("sw", "sum"), swv=("swv", "sum"), swse=("swse", "sum"), n_used=("n_used", "sum"),
        n_gemeenten=("n_used", "size"), v1=("v1", "sum"), lo1=("lo1", "sum"), hi1=("hi1", "sum"),
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = agg["swv"] / agg["sw"]
        # The widest interval any correlation between the gemeenten allows (correlation 1): how strongly the
        # model estimates hang together is not published, and assuming independence made it far too narrow.
        half = Z95 * agg["swse"] / agg["sw"]
    one, none = agg["n_used"] == 1, agg["n_used"] == 0
    out = pd.DataFrame({
        "regiocode": agg["regiocode"], "regionaam": agg["regionaam"], "niveau": by, "gemeentecode": None,
        "jaar": agg["jaar"].astype("int64"), "leeftijd": agg["leeftijd"], "indicator": agg["indicator"],
        "waarde": np.where(one, agg["v1"], mean), "ondergrens": np.where(one, agg["lo1"], mean - half),
        "bovengrens": np.where(one, agg["hi1"], mean + half), "tabel": tabel, "afgeleid": True,
        "n_gemeenten": agg["n_gemeenten"].astype("int64"), "n_ontbrekend": (agg["n_gemeenten"] - agg["n_used"]).astype("int64"),
    })
    out.loc[none, VALUE_COLUMNS] = np.nan
    out = _sort_tidy(out)
    out.attrs["bron"] = _bron(figures)
    out.attrs["methode"] = METHOD_AGGREGATE
    out.attrs["niet_ingedeeld"] = sorted(set(gem["regiocode"].astype(str)) - set(members["gemeentecode"].astype(str)))
    return out


def _sort_tidy(frame: pd.DataFrame, extra: Sequence[str] = ()) -> pd.DataFrame:
    order = {
        "niveau": lambda s: s.map(_LEVEL_ORDER),
        "gebied": lambda s: s.map(_GEBIED_ORDER),
        "leeftijd": lambda s: s.map({a: i for i, a in enumerate(AGES)}),
        "indicator": lambda s: s.map({a: i for i, a in enumerate(INDICATORS)}),
    }
    by = [c for c in (*extra, "niveau", "regiocode", "jaar", "leeftijd", "indicator") if c in frame.columns]
    return frame.sort_values(by, key=lambda s: order[s.name](s) if s.name in order else s, kind="stable").reset_index(drop=True)


# -- one gemeente --------------------------------------------------------------------------------------------


def _gemeente(gemeenten: pd.DataFrame, gemeentecode: str) -> pd.Series:
    code = _code(gemeentecode)
    rows = gemeenten[gemeenten["gemeentecode"].astype(str) == code]
    if rows.empty:
        raise _unknown_region(code, [*gemeenten["gemeentecode"], *gemeenten.get("gemeentenaam", [])])
    return rows.iloc[0]


def _block(rows: pd.DataFrame, gebied: str, regiocode: str, regionaam: str, jaar: int) -> pd.DataFrame:
    """The 3 ages × 4 indicators of one region (NaN where the figures have no row)."""
    grid = pd.MultiIndex.from_product([AGES, INDICATORS], names=["leeftijd", "indicator"])
    values = rows.drop_duplicates(["leeftijd", "indicator"]).set_index(["leeftijd", "indicator"])[VALUE_COLUMNS]
    block = values.reindex(grid).reset_index()
    block.insert(0, "gebied", gebied)
    block.insert(1, "regiocode", regiocode)
    block.insert(2, "regionaam", regionaam)
    block.insert(3, "jaar", jaar)
    return block


def age_breakdown(
    figures: pd.DataFrame,
    gemeenten: pd.DataFrame,
    regional: pd.DataFrame,
    gemeentecode: str,
    *,
    jaar: int | None = None,
) -> pd.DataFrame:
    """The 4 indicators × ages 18+, 18-64, 65+ for one gemeente, its GGD-regio and Nederland.

    Columns ``gebied, regiocode, regionaam, jaar, leeftijd, indicator, waarde, ondergrens, bovengrens,
    verschil_nl, verschil_ggd``. The gemeente is compared with both; the GGD-regio (derived, see
    ``METHOD_AGGREGATE``) with Nederland; comparisons of a region with itself are NA.
    """
    _require(figures, TIDY_COLUMNS, "figures")
    row = _gemeente(gemeenten, gemeentecode)
    code = str(row["gemeentecode"])
    own = figures[figures["regiocode"] == code]
    if own.empty:
        raise BadInputError(
            f"no figures for {row.get('gemeentenaam', code)} ({code}) in table {_bron(figures).get('table', '?')}",
            hint="check the table's classification year against the gemeente code",
        )
    jaar = _resolve_year(own, jaar, code)
    ggdcode = str(row["ggdregiocode"]) if "ggdregiocode" in row and pd.notna(row["ggdregiocode"]) else ""
    ggd_rows = regional[(regional["regiocode"] == ggdcode) & (regional["jaar"] == jaar)] if len(regional) else regional
    nl_rows = figures[(figures["niveau"] == "nederland") & (figures["jaar"] == jaar)]
    ggd_name = str(ggd_rows["regionaam"].iloc[0]) if len(ggd_rows) else str(row.get("ggdregionaam", ggdcode))
    gem = _block(own[own["jaar"] == jaar], "gemeente", code, str(own["regionaam"].iloc[0]), jaar)
    ggd = _block(ggd_rows, "ggdregio", ggdcode, ggd_name, jaar)
    nl = _block(nl_rows, "nederland", str(nl_rows["regiocode"].iloc[0]) if len(nl_rows) else "NL01", "Nederland", jaar)

    key = ("jaar", "leeftijd", "indicator")
    vs_nl = compare(pd.concat([gem, ggd], ignore_index=True), nl, on=key)["verschil"]
    vs_ggd = compare(gem, ggd, on=key)["verschil"]
    out = pd.concat([gem, ggd, nl], ignore_index=True)
    out["jaar"] = out["jaar"].astype("int64")
    out["verschil_nl"] = pd.Series(pd.NA, index=out.index, dtype="object")
    out["verschil_ggd"] = pd.Series(pd.NA, index=out.index, dtype="object")
    out.loc[: len(vs_nl) - 1, "verschil_nl"] = vs_nl.to_numpy()
    out.loc[: len(vs_ggd) - 1, "verschil_ggd"] = vs_ggd.to_numpy()
    out.attrs["bron"] = _bron(figures)
    out.attrs["methode"] = METHOD_DIFFERENCE
    out.attrs["ggd_enkel"] = int((gemeenten["ggdregiocode"] == ggdcode).sum()) == 1 if "ggdregiocode" in gemeenten else False
    return out


def compare_all(
    figures: pd.DataFrame,
    gemeenten: pd.DataFrame,
    regional: pd.DataFrame,
    *,
    jaar: int | None = None,
) -> pd.DataFrame:
    """Every gemeente × age × indicator of one year, compared with Nederland and with its GGD-regio.

    The gemeente rows of the tidy table plus ``ggdregiocode``, ``verschil_nl`` and ``verschil_ggd``.
    ``jaar=None`` → the latest year with figures.
    """
    _require(figures, TIDY_COLUMNS, "figures")
    _require(gemeenten, ["gemeentecode", "ggdregiocode"], "gemeenten")
    gem_all = figures[figures["niveau"] == "gemeente"]
    jaar = _resolve_year(gem_all, jaar, "the gemeenten")
    gem = gem_all[gem_all["jaar"] == jaar]
    lookup = gemeenten[["gemeentecode", "ggdregiocode"]].drop_duplicates("gemeentecode").rename(columns={"gemeentecode": "regiocode"})
    gem = gem.merge(lookup, on="regiocode", how="left")
    key = ["jaar", "leeftijd", "indicator"]
    nl = figures[(figures["niveau"] == "nederland") & (figures["jaar"] == jaar)]
    out = gem.assign(verschil_nl=compare(gem, nl, on=key)["verschil"].to_numpy())
    ggd = regional.loc[(regional["jaar"] == jaar) & (regional["niveau"] == "ggdregio") if "niveau" in regional else regional["jaar"] == jaar]
    ggd = ggd.rename(columns={"regiocode": "ggdregiocode"})
    out["verschil_ggd"] = compare(gem, ggd, on=["ggdregiocode", *key])["verschil"].to_numpy()
    out = _sort_tidy(out[[*TIDY_COLUMNS, "ggdregiocode", "verschil_nl", "verschil_ggd"]])
    out.attrs["bron"] = _bron(figures)
    out.attrs["methode"] = METHOD_DIFFERENCE
    return out


# -- trends -------------------------------------------------------------------------------------------------


def age_limit(leeftijd: str, jaar: int) -> str:
    """The ages a figure covers: 18+ was 19+ in 2012 and 2016 (and 18-64 was 19-64)."""
    if int(jaar) in YEARS_19PLUS and leeftijd.startswith("18"):
        return "19" + leeftijd[2:]
    return leeftijd


def trend(figures: pd.DataFrame, regiocode: str, *, leeftijd: str = "18+") -> pd.DataFrame:
    """All survey years of one table for one region: ``jaar, indicator, waarde, ondergrens, bovengrens,
    leeftijdsgrens, verandering, leeftijdsgrens_gewijzigd`` (``verandering`` vs the previous survey year:
    "gestegen", "gedaald", "niet aantoonbaar veranderd", "onbekend"; NA for the first year with a figure;
    ``leeftijdsgrens_gewijzigd`` marks a step from 19+ to 18+, to be read with care). See ``METHOD_TREND``.
    """
    _require(figures, TIDY_COLUMNS, "figures")
    _check_choice(leeftijd, AGES, "leeftijd")
    code = _code(regiocode)
    rows = figures[figures["regiocode"] == code]
    if rows.empty:
        raise _unknown_region(code, [*pd.unique(figures["regiocode"]), *pd.unique(figures["regionaam"])], kind="regio")
    tabel = _single_table(figures)
    rows = rows[rows["leeftijd"] == leeftijd]
    years = sorted(int(y) for y in pd.unique(figures["jaar"]))
    present = set(pd.unique(figures["indicator"]))
    indicators = [i for i in INDICATORS if i in present]
    grid = pd.MultiIndex.from_product([indicators, years], names=["indicator", "jaar"])
    out = rows.drop_duplicates(["indicator", "jaar"]).set_index(["indicator", "jaar"])[VALUE_COLUMNS].reindex(grid).reset_index()
    out = out[["jaar", "indicator", *VALUE_COLUMNS]]
    out["leeftijdsgrens"] = [age_limit(leeftijd, y) for y in out["jaar"]]  # a handful of years
    prev = out.groupby("indicator", sort=False)[VALUE_COLUMNS].shift(1)
    change = verdicts(out["waarde"], out["ondergrens"], out["bovengrens"], prev["waarde"], prev["ondergrens"],
                       prev["bovengrens"], labels=(GESTEGEN, GEDAALD, ONVERANDERD, ONBEKEND))
    change = change.astype(object)
    # The first measurement has nothing before it (sociaal eenzaam starts in 2016); a year without a figure
    # keeps "onbekend".
    known = out["waarde"].notna()
    known_before = known.groupby(out["indicator"], sort=False).cumsum() - known
    change[(known & (known_before == 0)).to_numpy()] = None
    out["verandering"] = pd.Series(change, index=out.index, dtype="object")
    previous_limit = out.groupby("indicator", sort=False)["leeftijdsgrens"].shift(1)
    out["leeftijdsgrens_gewijzigd"] = (previous_limit.notna() & (previous_limit != out["leeftijdsgrens"])).astype(bool)
    out["jaar"] = out["jaar"].astype("int64")
    out.attrs["bron"] = _bron(figures)
    out.attrs.update(regiocode=code, regionaam=str(figures.loc[figures["regiocode"] == code, "regionaam"].iloc[0]),
                     leeftijd=leeftijd, tabel=tabel, methode=METHOD_TREND)
    return out


# -- similar gemeenten ------------------------------------------------------------------------------------------


def similar_gemeenten(population: pd.DataFrame, gemeentecode: str, *, k: int = 5) -> pd.DataFrame:
    """The ``k`` gemeenten nearest to ``gemeentecode`` on stedelijkheid, log10(inwoners) and aandeel_65plus
    (standardised Euclidean distance, ``METHOD_SIMILAR``), nearest first.

    Columns ``regiocode, regionaam, afstand, inwoners, aandeel_65plus, stedelijkheid``. Gemeenten with a
    missing feature are left out and listed in ``attrs["uitgesloten"]``; when ``gemeentecode`` itself lacks
    one, ``MissingDataError`` says which.
    """
    _require(population, ["regiocode", "regionaam", "inwoners", "aandeel_65plus", "stedelijkheid"], "population")
    if not isinstance(k, (int, np.integer)) or isinstance(k, bool) or k < 1:
        raise BadInputError(f"k must be a positive whole number, got {k!r}", hint="for example k=5")
    code = _code(gemeentecode)
    gem = population[population["niveau"] == "gemeente"] if "niveau" in population else population[population["regiocode"].str.startswith("GM")]
    if code not in set(gem["regiocode"]):
        raise _unknown_region(code, [*gem["regiocode"], *gem["regionaam"]])
    inwoners = pd.to_numeric(gem["inwoners"], errors="coerce").astype("float64")
    features = pd.DataFrame({
        "stedelijkheid": pd.to_numeric(gem["stedelijkheid"], errors="coerce").astype("float64"),
        "log_inwoners": np.log10(inwoners.where(inwoners > 0)),
        "aandeel_65plus": pd.to_numeric(gem["aandeel_65plus"], errors="coerce").astype("float64"),
    }, index=gem.index)
    complete = features.notna().all(axis=1)
    excluded = sorted(gem.loc[~complete, "regiocode"].astype(str))
    if code in excluded:
        missing = [name for name, value in features.loc[gem["regiocode"] == code].iloc[0].items() if pd.isna(value)]
        raise MissingDataError(
            f"{code} has no {', '.join(missing).replace('log_inwoners', 'inwoners')} in the population table",
            hint="similar gemeenten cannot be chosen for it; the other results do not depend on this",
        )
    feats = features[complete]
    std = feats.std(ddof=0).replace(0.0, 1.0)  # a feature without spread adds no distance
    z = (feats - feats.mean()) / std
    target = z[gem.loc[complete, "regiocode"] == code].iloc[0]
    distance = np.sqrt(((z - target) ** 2).sum(axis=1))
    out = gem.loc[complete, ["regiocode", "regionaam"]].assign(
        afstand=distance, inwoners=inwoners[complete], aandeel_65plus=feats["aandeel_65plus"],
        stedelijkheid=gem.loc[complete, "stedelijkheid"],
    )
    out = out[out["regiocode"] != code].sort_values(["afstand", "regiocode"], kind="stable").head(k).reset_index(drop=True)
    own = gem[gem["regiocode"] == code].iloc[0]
    out.attrs.update(
        bron=_bron(population), methode=METHOD_SIMILAR, uitgesloten=excluded, gemeentecode=code,
        gemeente={"regiocode": code, "regionaam": str(own["regionaam"]), "inwoners": float(own["inwoners"]),
                  "aandeel_65plus": float(own["aandeel_65plus"]), "stedelijkheid": own["stedelijkheid"]},
    )
    return out


# -- numbers of people -------------------------------------------------------------------------------------------


def _round_people(values: np.ndarray) -> np.ndarray:
    """``fmt.round_people``, vectorised (tens below 1.000, hundreds below 100.000, then thousands)."""
    step = np.where(np.abs(values) < 1_000, 10.0, np.where(np.abs(values) < 100_000, 100.0, 1_000.0))
    return np.round(values / step) * step


def _people_texts(rounded: np.ndarray) -> pd.Series:
    """Dutch thousands for already rounded numbers; each distinct number is formatted once."""
    series = pd.Series(rounded)
    uniques = series.dropna().unique()
    return series.map(dict(zip(uniques, (fmt.number(u, 0) for u in uniques), strict=True))).astype("string")


def people_counts(
    figures: pd.DataFrame,
    population: pd.DataFrame,
    *,
    gemeentecode: str | None = None,
    jaar: int | None = None,
) -> pd.DataFrame:
    """Estimated numbers of people: percentage / 100 × inhabitants of the age group (``METHOD_PEOPLE``).

    The tidy rows of one year (of one gemeente and its wijken/buurten when ``gemeentecode`` is given)
    plus ``inwoners`` (of the age group), ``aantal``, ``aantal_ondergrens``, ``aantal_bovengrens``,
    ``aantal_tekst`` ("ongeveer 12.300") and ``interval_tekst`` ("11.000 tot 13.000"); NaN and
    "geen gegevens" where the percentage or the population is missing.
    """
    _require(figures, TIDY_COLUMNS, "figures")
    rows = figures[figures["niveau"].isin(["nederland", "gemeente", "wijk", "buurt"])]
    if gemeentecode is not None:
        code = _code(gemeentecode)
        rows = rows[rows["gemeentecode"] == code]
        if rows.empty:
            raise _unknown_region(code, pd.unique(figures["gemeentecode"].dropna()))
    jaar = _resolve_year(rows, jaar, "these regions")
    rows = rows[rows["jaar"] == jaar]
    out = rows[TIDY_COLUMNS].merge(_population_long(population), on=["regiocode", "leeftijd"], how="left")
    share = out["waarde"].to_numpy(dtype="float64") / 100
    base = out["inwoners"].to_numpy(dtype="float64")
    out["aantal"] = share * base
    out["aantal_ondergrens"] = out["ondergrens"].to_numpy(dtype="float64") / 100 * base
    out["aantal_bovengrens"] = out["bovengrens"].to_numpy(dtype="float64") / 100 * base
    count = _people_texts(_round_people(out["aantal"].to_numpy()))
    low = _people_texts(_round_people(out["aantal_ondergrens"].to_numpy()))
    high = _people_texts(_round_people(out["aantal_bovengrens"].to_numpy()))
    out["aantal_tekst"] = ("ongeveer " + count).fillna(fmt.MISSING).to_numpy()
    out["interval_tekst"] = (low + " tot " + high).fillna(fmt.MISSING).to_numpy()
    out = _sort_tidy(out)
    out.attrs["bron"] = _bron(figures)
    out.attrs["methode"] = METHOD_PEOPLE
    return out


# -- wijken that ask for attention ----------------------------------------------------------------------------------


def aandachtsgebieden(
    wijk_figures: pd.DataFrame,
    reference: pd.DataFrame,
    *,
    indicator: str = "eenzaam",
    leeftijd: str = "18+",
    jaar: int | None = None,
) -> pd.DataFrame:
    """Wijken (or buurten) whose figure is higher than the reference's by the non-overlap rule of ``verdicts``
    (``METHOD_AANDACHT``; a reference without an interval is compared by its value).

    ``reference`` holds the gemeente's rows (matched to each wijk by ``gemeentecode``) or Nederland's.
    Returns the wijk rows with ``ref_regiocode, ref_regionaam, ref_waarde, ref_ondergrens,
    ref_bovengrens`` and a Dutch ``toelichting``, highest lower bound first; no other wijken.
    """
    _require(wijk_figures, TIDY_COLUMNS, "wijk_figures")
    _require(reference, TIDY_COLUMNS, "reference")
    _check_choice(indicator, INDICATORS, "indicator")
    _check_choice(leeftijd, AGES, "leeftijd")
    areas = wijk_figures[wijk_figures["niveau"].isin(["wijk", "buurt"]) & (wijk_figures["indicator"] == indicator)
                         & (wijk_figures["leeftijd"] == leeftijd)]
    jaar = _resolve_year(areas, jaar, "the wijken")
    areas = areas[areas["jaar"] == jaar]
    ref = reference[(reference["indicator"] == indicator) & (reference["leeftijd"] == leeftijd) & (reference["jaar"] == jaar)]
    ref = ref.drop_duplicates("regiocode")[["regiocode", "regionaam", "niveau", *VALUE_COLUMNS]]
    ref = ref.rename(columns={c: f"ref_{c}" for c in ref.columns})
    if len(ref) == 1 and ref["ref_niveau"].iloc[0] != "gemeente":
        out = areas.merge(ref, how="cross")  # Nederland: one reference for every wijk
    else:  # a wijk is only ever compared with its own gemeente
        out = areas.merge(ref, left_on="gemeentecode", right_on="ref_regiocode", how="left")
    verdict = verdicts(out["waarde"], out["ondergrens"], out["bovengrens"], out["ref_waarde"], out["ref_ondergrens"], out["ref_bovengrens"])
    tested, hit = verdict != ONBEKEND, verdict == HOGER
    out = out[hit].sort_values(["ondergrens", "regiocode"], ascending=[False, True], kind="stable").reset_index(drop=True)
    out["toelichting"] = [_toelichting(r) for r in out.to_dict("records")]  # only the wijken found
    out = out[[*TIDY_COLUMNS, "ref_regiocode", "ref_regionaam", "ref_waarde", "ref_ondergrens", "ref_bovengrens", "toelichting"]]
    compared_with_nl = len(ref) == 1 and ref["ref_niveau"].iloc[0] == "nederland"
    methode = METHOD_AANDACHT.replace("de gemeente als geheel", "Nederland") if compared_with_nl else METHOD_AANDACHT
    out.attrs.update(bron=_bron(wijk_figures), methode=methode, n_getoetst=int(tested.sum()),
                     n_ontbrekend=int((~tested).sum()))
    return out


def _toelichting(row: dict[Any, Any]) -> str:
    kind = "Buurt" if row["niveau"] == "buurt" else "Wijk"
    name = str(row["regionaam"])
    label = name if name.lower().startswith(kind.lower() + " ") else f"{kind} {name}"
    where = "Nederland" if row["ref_niveau"] == "nederland" else "de gemeente"
    return (f"{label}: {fmt.pct(row['waarde'])} (95%-interval {fmt.pct_range(row['ondergrens'], row['bovengrens'])}), "
            f"hoger dan {where}: {fmt.pct_with_interval(row['ref_waarde'], row['ref_ondergrens'], row['ref_bovengrens'])}")


# -- the national survey by age band ------------------------------------------------------------------------------------


def _band_start(band: pd.Series) -> pd.Series:
    return pd.to_numeric(band.astype(str).str.extract(r"^(\d+)")[0], errors="coerce")


def national_age_bands(age_bands: pd.DataFrame, *, indicator: str = "eenzaam", jaar: int | None = None) -> pd.DataFrame:
    """CBS 85766NED by age band (15–25 … 75+) for one indicator and year, youngest first, with ``bron``.

    A different survey (Sociale samenhang en welzijn, 15+) and measurement than the Gezondheidsmonitor:
    never compare these with the gemeente figures without saying so. The total row ("totaal") is left out
    and kept in ``attrs["totaal"]``.
    """
    _require(age_bands, ["leeftijdsband", "indicator", "jaar", *VALUE_COLUMNS], "age_bands")
    _check_choice(indicator, sorted(pd.unique(age_bands["indicator"])), "indicator")
    rows = age_bands[age_bands["indicator"] == indicator]
    jaar = _resolve_year(rows, jaar, f"indicator {indicator}")
    rows = rows[rows["jaar"] == jaar]
    start = _band_start(rows["leeftijdsband"])
    bands = rows[start.notna().to_numpy()].assign(_start=start[start.notna()]).sort_values("_start", kind="stable")
    if bands["leeftijdsband"].duplicated().any():
        raise BadInputError("more than one row per age band", hint="select one value of the other dimensions of 85766NED first")
    survey = _bron(age_bands).get("survey", NATIONAL_SURVEY)
    out = bands.drop(columns="_start").reset_index(drop=True)
    out["bron"] = f"{survey} — andere meting dan de Gezondheidsmonitor"
    total = rows[rows["leeftijdsband"].astype(str).str.lower() == "totaal"]
    out.attrs.update(bron=_bron(age_bands), totaal=total[VALUE_COLUMNS].iloc[0].to_dict() if len(total) else None)
    return out
