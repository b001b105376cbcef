"""analysis: known answers computed by hand on small tidy frames (the arithmetic is in the comments)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest

from eenzaamheid_data import analysis, fmt
from eenzaamheid_data.errors import BadInputError, MissingDataError, UnknownRegionError

NAN = math.nan
TABLE = "50150NED"


# -- hand-made frames with every column of the tidy table --------------------------------------------------


def row(code: str, jaar: int, leeftijd: str, indicator: str, waarde: float, lo: float, hi: float, *,
        naam: str | None = None, tabel: str = TABLE) -> dict[str, Any]:
    niveau = {"NL": "nederland", "GM": "gemeente", "WK": "wijk", "BU": "buurt"}[code[:2]]
    return {
        "regiocode": code, "regionaam": naam or code, "niveau": niveau,
        "gemeentecode": None if niveau == "nederland" else "GM" + code[2:6],
        "jaar": jaar, "leeftijd": leeftijd, "indicator": indicator,
        "waarde": waarde, "ondergrens": lo, "bovengrens": hi, "tabel": tabel,
    }


def tidy(rows: list[dict[str, Any]], *, demo: bool = False) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=analysis.TIDY_COLUMNS)
    frame["jaar"] = frame["jaar"].astype("int64")
    frame.attrs["bron"] = {"publisher": "test", "table": TABLE, "years": sorted(set(frame["jaar"])), "demo": demo}
    return frame


def gemeenten_frame(rows: list[tuple[str, str, str, str]]) -> pd.DataFrame:
    """(gemeentecode, gemeentenaam, ggdregiocode, provinciecode)."""
    return pd.DataFrame(
        [(c, n, p, f"Provincie {p}", g, f"GGD {g}") for c, n, g, p in rows],
        columns=["gemeentecode", "gemeentenaam", "provinciecode", "provincienaam", "ggdregiocode", "ggdregionaam"],
    )


def population_frame(rows: list[tuple[str, float, float, float]], *, extra: dict[str, dict[str, Any]] | None = None) -> pd.DataFrame:
    """(regiocode, inwoners_18plus, inwoners_18_64, inwoners_65plus); other columns filled in plausibly."""
    records = []
    for code, p18, p1864, p65 in rows:
        niveau = {"NL": "nederland", "GM": "gemeente", "WK": "wijk", "BU": "buurt"}[code[:2]]
        record = {
            "regiocode": code, "regionaam": code, "niveau": niveau, "gemeentecode": None if niveau == "nederland" else "GM" + code[2:6],
            "inwoners": (p18 if not math.isnan(p18) else 0) * 1.25, "inwoners_18plus": p18, "inwoners_18_64": p1864,
            "inwoners_65plus": p65, "aandeel_65plus": 20.0, "stedelijkheid": 3, "jaar": 2024, "tabel": "85984NED",
        }
        record.update((extra or {}).get(code, {}))
        records.append(record)
    frame = pd.DataFrame(records)
    frame["stedelijkheid"] = frame["stedelijkheid"].astype("Int64")
    return frame


# -- compare: the non-overlap rule ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "own, ref, expected",
    [
        ((50.0, 45.0, 55.0), (40.0, 38.0, 44.9), "hoger"),  # 45.0 > 44.9: no overlap
        ((50.0, 45.0, 55.0), (40.0, 38.0, 45.0), "niet aantoonbaar verschillend"),  # touching at 45.0 = overlap
        ((35.0, 30.0, 40.0), (45.0, 40.1, 50.0), "lager"),  # 40.0 < 40.1
        ((35.0, 30.0, 40.0), (45.0, 40.0, 50.0), "niet aantoonbaar verschillend"),  # touching at 40.0
        ((50.0, 45.0, 55.0), (44.9, NAN, NAN), "hoger"),  # reference without interval: 45.0 > 44.9
        ((50.0, 45.0, 55.0), (45.0, NAN, NAN), "niet aantoonbaar verschillend"),  # lower bound touches the value
        ((50.0, 45.0, 55.0), (55.1, NAN, NAN), "lager"),  # 55.0 < 55.1
        ((50.0, 45.0, 55.0), (50.0, 48.0, 52.0), "niet aantoonbaar verschillend"),
        ((NAN, NAN, NAN), (50.0, 48.0, 52.0), "onbekend"),  # missing value
        ((50.0, NAN, NAN), (40.0, 38.0, 42.0), "onbekend"),  # value without interval cannot be tested
        ((50.0, 45.0, 55.0), (NAN, NAN, NAN), "onbekend"),  # missing reference
    ],
)
def test_compare_non_overlap_rule(own: tuple[float, float, float], ref: tuple[float, float, float], expected: str) -> None:
    values = tidy([row("GM0001", 2022, "18+", "eenzaam", *own)])
    reference = tidy([row("NL01", 2022, "18+", "eenzaam", *ref)])
    out = analysis.compare(values, reference)
    assert out["verschil"].tolist() == [expected]
    assert out[["ref_waarde", "ref_ondergrens", "ref_bovengrens"]].iloc[0].tolist() == pytest.approx(list(ref), nan_ok=True)


def test_compare_matches_on_keys_keeps_index_and_leaves_inputs_alone() -> None:
    values = tidy([
        row("GM0001", 2022, "18+", "eenzaam", 50, 47, 53),
        row("GM0001", 2022, "65+", "eenzaam", 50, 47, 53),
        row("GM0001", 2020, "18+", "eenzaam", 50, 47, 53),  # no reference for 2020
    ]).set_index(pd.Index([10, 11, 12]))
    before = values.copy()
    reference = tidy([
        row("NL01", 2022, "18+", "eenzaam", 46, 45.5, 46.5),  # 47 > 46.5 → hoger
        row("NL01", 2022, "65+", "eenzaam", 52, 51.5, 52.5),  # 53 ≥ 51.5 → overlap
    ])
    out = analysis.compare(values, reference)
    assert list(out.index) == [10, 11, 12]
    assert out["verschil"].tolist() == ["hoger", "niet aantoonbaar verschillend", "onbekend"]
    assert math.isnan(out.loc[12, "ref_waarde"])
    pd.testing.assert_frame_equal(values, before)


def test_compare_with_one_reference_row_and_duplicate_references() -> None:
    values = tidy([row("GM0001", 2022, "18+", "eenzaam", 50, 47, 53), row("GM0002", 2022, "18+", "eenzaam", 40, 38, 42)])
    out = analysis.compare(values, values.iloc[[0]], on=())
    assert out["verschil"].tolist() == ["niet aantoonbaar verschillend", "lager"]  # 42 < 47
    with pytest.raises(BadInputError, match="more than one row"):
        analysis.compare(values, values)
    with pytest.raises(BadInputError, match="lacks the columns"):
        analysis.compare(values.drop(columns="ondergrens"), values.iloc[[0]])


def test_method_difference_states_the_rule() -> None:
    text = analysis.METHOD_DIFFERENCE
    assert "niet overlappen" in text and "raken" in text and "niet aantoonbaar verschillend" in text and "onbekend" in text


# -- aggregate_regions -----------------------------------------------------------------------------------------


@pytest.fixture()
def region_world() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """GG01: GM0001 + GM0002 (+ GM0006 without a value); GG02: only GM0003; GG03: GM0004 (no value) + GM0005 (no population)."""
    gemeenten = gemeenten_frame([
        ("GM0001", "Een", "GG01", "PV20"), ("GM0002", "Twee", "GG01", "PV20"), ("GM0006", "Zes", "GG01", "PV21"),
        ("GM0003", "Drie", "GG02", "PV21"), ("GM0004", "Vier", "GG03", "PV21"), ("GM0005", "Vijf", "GG03", "PV21"),
    ])
    figures = tidy([
        row("NL01", 2022, "18+", "eenzaam", 49, 48.7, 49.3),
        row("GM0001", 2022, "18+", "eenzaam", 40, 38, 42),
        row("GM0002", 2022, "18+", "eenzaam", 50, 46, 54),
        row("GM0006", 2022, "18+", "eenzaam", NAN, NAN, NAN),
        row("GM0003", 2022, "18+", "eenzaam", 30, 27, 34),  # asymmetric interval
        row("GM0004", 2022, "18+", "eenzaam", NAN, NAN, NAN),
        row("GM0005", 2022, "18+", "eenzaam", 45, 40, 50),
        row("GM0001", 2022, "65+", "eenzaam", 40, 38, 42),
        row("GM0002", 2022, "65+", "eenzaam", 50, 46, 54),
        row("GM0007", 2022, "18+", "eenzaam", 60, 55, 65),  # not in the classification
    ])
    population = population_frame([
        ("NL01", 14e6, 10e6, 4e6),
        ("GM0001", 1000, 900, 100), ("GM0002", 3000, 2900, 100), ("GM0006", 500, 400, 100),
        ("GM0003", 700, 500, 200), ("GM0004", 800, 600, 200), ("GM0005", NAN, NAN, NAN),
    ])
    return figures, gemeenten, population


def test_aggregate_weighted_mean_and_widest_interval(region_world: tuple[pd.DataFrame, ...]) -> None:
    figures, gemeenten, population = region_world
    out = analysis.aggregate_regions(figures, gemeenten, population, by="ggdregio")
    assert list(out.columns) == [*analysis.TIDY_COLUMNS, "afgeleid", "n_gemeenten", "n_ontbrekend"]
    gg01 = out[(out["regiocode"] == "GG01") & (out["leeftijd"] == "18+")].iloc[0]
    # weights 18+: 1000 and 3000 → mean = (1000·40 + 3000·50) / 4000 = 190000 / 4000 = 47.5
    assert gg01["waarde"] == pytest.approx(47.5)
    # se_i = (hi − lo) / (2·1.96): 4/3.92 and 8/3.92; half-width = 1.96 · Σ w·se / Σw (correlation 1, the widest)
    #      = (1000·2 + 3000·4) / 4000 = 14000 / 4000 = 3.5
    assert gg01["ondergrens"] == pytest.approx(47.5 - 3.5, abs=1e-9)
    assert gg01["bovengrens"] == pytest.approx(47.5 + 3.5, abs=1e-9)
    # GM0006 has no value: left out of the weights and counted
    assert (gg01["n_gemeenten"], gg01["n_ontbrekend"]) == (3, 1)
    assert gg01["niveau"] == "ggdregio" and gg01["regionaam"] == "GGD GG01" and bool(gg01["afgeleid"]) and gg01["tabel"] == TABLE
    assert pd.isna(gg01["gemeentecode"]) and gg01["jaar"] == 2022
    # 65+ uses inwoners_65plus: 100 and 100 → (40 + 50) / 2 = 45; half = (100·2 + 100·4) / 200 = 3.0
    gg01_65 = out[(out["regiocode"] == "GG01") & (out["leeftijd"] == "65+")].iloc[0]
    assert gg01_65["waarde"] == pytest.approx(45.0)
    assert gg01_65["bovengrens"] - gg01_65["waarde"] == pytest.approx(3.0, abs=1e-9)
    # as wide as averaging the bounds: (38·1 + 46·3)/4 = 44.0 (independence gave 44.46, too narrow)
    assert gg01["ondergrens"] == pytest.approx(44.0, abs=1e-9)
    assert out.attrs["niet_ingedeeld"] == ["GM0007"]
    assert "afgeleid" in out.attrs["methode"]


def test_aggregate_single_gemeente_region_keeps_its_value_and_interval(region_world: tuple[pd.DataFrame, ...]) -> None:
    figures, gemeenten, population = region_world
    out = analysis.aggregate_regions(figures, gemeenten, population, by="ggdregio")
    gg02 = out[(out["regiocode"] == "GG02") & (out["leeftijd"] == "18+")].iloc[0]
    # exactly 30 [27, 34] — not the symmetric 30 ± 3.5 the standard-error route would give
    assert (gg02["waarde"], gg02["ondergrens"], gg02["bovengrens"]) == (30.0, 27.0, 34.0)
    assert (gg02["n_gemeenten"], gg02["n_ontbrekend"]) == (1, 0)


def test_aggregate_region_with_all_gemeenten_missing_is_nan_not_zero(region_world: tuple[pd.DataFrame, ...]) -> None:
    figures, gemeenten, population = region_world
    out = analysis.aggregate_regions(figures, gemeenten, population, by="ggdregio")
    gg03 = out[(out["regiocode"] == "GG03") & (out["leeftijd"] == "18+")].iloc[0]
    # GM0004 has no value, GM0005 no population: nothing left to weigh
    assert gg03[["waarde", "ondergrens", "bovengrens"]].isna().all()
    assert (gg03["n_gemeenten"], gg03["n_ontbrekend"]) == (2, 2)
    # and for 65+ no gemeente of GG02/GG03 has a row at all: missing, never 0
    gg02_65 = out[(out["regiocode"] == "GG02") & (out["leeftijd"] == "65+")].iloc[0]
    assert math.isnan(gg02_65["waarde"]) and gg02_65["n_ontbrekend"] == 1


def test_aggregate_by_provincie(region_world: tuple[pd.DataFrame, ...]) -> None:
    figures, gemeenten, population = region_world
    out = analysis.aggregate_regions(figures, gemeenten, population, by="provincie")
    assert set(out["regiocode"]) == {"PV20", "PV21"} and set(out["niveau"]) == {"provincie"}
    pv21 = out[(out["regiocode"] == "PV21") & (out["leeftijd"] == "18+")].iloc[0]
    # PV21 = GM0006 (no value), GM0003 (30, w 700), GM0004 (no value), GM0005 (no population) → only GM0003
    assert (pv21["waarde"], pv21["ondergrens"], pv21["bovengrens"], pv21["n_gemeenten"], pv21["n_ontbrekend"]) == (30.0, 27.0, 34.0, 4, 3)
    with pytest.raises(BadInputError, match="ggdregio"):
        analysis.aggregate_regions(figures, gemeenten, population, by="corop")  # type: ignore[arg-type]


def test_aggregate_refuses_figures_of_two_tables(region_world: tuple[pd.DataFrame, ...]) -> None:
    figures, gemeenten, population = region_world
    mixed = figures.copy()
    mixed.loc[0, "tabel"] = "50120NED"
    with pytest.raises(BadInputError, match="more than one table"):
        analysis.aggregate_regions(mixed, gemeenten, population, by="ggdregio")


# -- age_breakdown ---------------------------------------------------------------------------------------------


def _full(code: str, jaar: int, values: dict[tuple[str, str], tuple[float, float, float]], **kw: Any) -> list[dict[str, Any]]:
    return [row(code, jaar, age, ind, *v, **kw) for (age, ind), v in values.items()]


PUBLISHED_NL_2022 = {"eenzaam": 49.0, "sterk_eenzaam": 14.0, "emotioneel_eenzaam": 30.0, "sociaal_eenzaam": 35.0}


@pytest.fixture()
def breakdown_world() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    nl = {(a, i): (v + d, v + d - 0.3, v + d + 0.3) for a, d in (("18+", 0.0), ("18-64", -1.0), ("65+", 3.0))
          for i, v in PUBLISHED_NL_2022.items()}
    rows = _full("NL01", 2022, nl, naam="Nederland")
    rows += _full("NL01", 2024, {k: (v[0] + 1, v[1] + 1, v[2] + 1) for k, v in nl.items()}, naam="Nederland")
    gem = {(a, i): (v + 5, v + 3, v + 7) for (a, i), (v, _, _) in nl.items()}  # 18+ eenzaam 54 [52, 56]
    gem[("65+", "sterk_eenzaam")] = (NAN, NAN, NAN)
    rows += _full("GM0001", 2022, gem, naam="Voorbeeldstad")
    rows += _full("GM0002", 2022, {k: (v[0] - 5, v[1] - 5, v[2] - 5) for k, v in nl.items()}, naam="Proefdorp")
    figures = tidy(rows)
    gemeenten = gemeenten_frame([("GM0001", "Voorbeeldstad", "GG01", "PV20"), ("GM0002", "Proefdorp", "GG01", "PV20")])
    population = population_frame([("GM0001", 3000, 2000, 1000), ("GM0002", 1000, 700, 300)])
    regional = analysis.aggregate_regions(figures, gemeenten, population, by="ggdregio")
    return figures, gemeenten, regional


def test_age_breakdown_reproduces_the_published_national_figures(breakdown_world: tuple[pd.DataFrame, ...]) -> None:
    figures, gemeenten, regional = breakdown_world
    out = analysis.age_breakdown(figures, gemeenten, regional, "GM0001", jaar=2022)
    nl = out[(out["gebied"] == "nederland") & (out["leeftijd"] == "18+")].set_index("indicator")["waarde"]
    assert nl.to_dict() == PUBLISHED_NL_2022  # exactly: 49, 14, 30, 35
    assert set(out.loc[out["gebied"] == "nederland", "regiocode"]) == {"NL01"}


def test_age_breakdown_shape_order_and_comparisons(breakdown_world: tuple[pd.DataFrame, ...]) -> None:
    figures, gemeenten, regional = breakdown_world
    out = analysis.age_breakdown(figures, gemeenten, regional, "gm0001 ")  # code normalised
    assert list(out.columns) == ["gebied", "regiocode", "regionaam", "jaar", "leeftijd", "indicator", "waarde", "ondergrens",
                                 "bovengrens", "verschil_nl", "verschil_ggd"]
    assert len(out) == 3 * 3 * 4 and out["gebied"].tolist()[::12] == ["gemeente", "ggdregio", "nederland"]
    assert set(out["jaar"]) == {2022}  # latest year of the gemeente (Nederland also has 2024)
    gem = out[out["gebied"] == "gemeente"].set_index(["leeftijd", "indicator"])
    # 18+ eenzaam: 54 [52, 56] vs NL 49 [48.7, 49.3] → 52 > 49.3 → hoger
    assert gem.loc[("18+", "eenzaam"), "verschil_nl"] == "hoger"
    # GGD = (3000·54 + 1000·44)/4000 = 206000/4000 = 51.5 (GM0002: 44 [43.7, 44.3]);
    # half = (3000·2 + 1000·0.3)/4000 = 6300/4000 = 1.575 (the widest interval) → [49.925, 53.075]
    ggd = out[(out["gebied"] == "ggdregio") & (out["leeftijd"] == "18+") & (out["indicator"] == "eenzaam")].iloc[0]
    assert ggd["waarde"] == pytest.approx(51.5)
    assert (ggd["ondergrens"], ggd["bovengrens"]) == (pytest.approx(51.5 - 1.575, abs=1e-9), pytest.approx(51.5 + 1.575, abs=1e-9))
    assert gem.loc[("18+", "eenzaam"), "verschil_ggd"] == "niet aantoonbaar verschillend"  # 52 ≤ 53.075: overlap
    assert ggd["verschil_nl"] == "hoger"  # 49.925 > 49.3
    # missing stays missing
    assert math.isnan(gem.loc[("65+", "sterk_eenzaam"), "waarde"]) and gem.loc[("65+", "sterk_eenzaam"), "verschil_nl"] == "onbekend"
    # a region is not compared with itself
    assert out.loc[out["gebied"] == "nederland", ["verschil_nl", "verschil_ggd"]].isna().all().all()
    assert out.loc[out["gebied"] == "ggdregio", "verschil_ggd"].isna().all()


def test_age_breakdown_bad_input(breakdown_world: tuple[pd.DataFrame, ...]) -> None:
    figures, gemeenten, regional = breakdown_world
    with pytest.raises(UnknownRegionError) as err:
        analysis.age_breakdown(figures, gemeenten, regional, "GM0011")
    assert "GM0001" in err.value.suggestions
    with pytest.raises(BadInputError, match="2022"):
        analysis.age_breakdown(figures, gemeenten, regional, "GM0001", jaar=2016)


def test_age_breakdown_without_regional_rows_keeps_the_ggd_missing(breakdown_world: tuple[pd.DataFrame, ...]) -> None:
    figures, gemeenten, regional = breakdown_world
    out = analysis.age_breakdown(figures, gemeenten, regional.iloc[0:0], "GM0001")
    ggd = out[out["gebied"] == "ggdregio"]
    assert ggd["waarde"].isna().all() and set(ggd["regiocode"]) == {"GG01"} and set(ggd["regionaam"]) == {"GGD GG01"}
    assert set(out.loc[out["gebied"] == "gemeente", "verschil_ggd"]) == {"onbekend"}


# -- trend -----------------------------------------------------------------------------------------------------


@pytest.fixture()
def trend_figures() -> pd.DataFrame:
    return tidy([
        row("GM0001", 2012, "18+", "eenzaam", 40, 38, 42),
        row("GM0001", 2016, "18+", "eenzaam", 45, 43, 47),  # 43 > 42 → gestegen
        row("GM0001", 2020, "18+", "eenzaam", 46, 44, 48),  # 44 ≤ 47 → niet aantoonbaar veranderd
        row("GM0001", 2022, "18+", "eenzaam", 42, 41, 43.9),  # 43.9 < 44 → gedaald
        row("GM0001", 2024, "18+", "eenzaam", 44, 43.9, 46),  # touching 43.9 → niet aantoonbaar veranderd
        row("GM0001", 2012, "18-64", "eenzaam", 39, 37, 41),
        row("GM0001", 2016, "18+", "sociaal_eenzaam", NAN, NAN, NAN),
        row("GM0001", 2020, "18+", "sociaal_eenzaam", 30, 28, 32),  # its first figure: nothing before it
        row("NL01", 2024, "18+", "eenzaam", 49, 48.7, 49.3),
    ])


def test_trend_changes_and_the_19plus_years(trend_figures: pd.DataFrame) -> None:
    out = analysis.trend(trend_figures, "GM0001")
    assert list(out.columns) == ["jaar", "indicator", "waarde", "ondergrens", "bovengrens", "leeftijdsgrens", "verandering",
                                 "leeftijdsgrens_gewijzigd"]
    eenzaam = out[out["indicator"] == "eenzaam"]
    assert eenzaam["jaar"].tolist() == [2012, 2016, 2020, 2022, 2024]
    assert eenzaam["leeftijdsgrens"].tolist() == ["19+", "19+", "18+", "18+", "18+"]
    assert eenzaam["leeftijdsgrens_gewijzigd"].tolist() == [False, False, True, False, False]  # 2016 (19+) → 2020 (18+)
    assert eenzaam["verandering"].tolist()[1:] == ["gestegen", "niet aantoonbaar veranderd", "gedaald", "niet aantoonbaar veranderd"]
    assert pd.isna(eenzaam["verandering"].iloc[0])  # nothing to compare the first year with
    sociaal = out[out["indicator"] == "sociaal_eenzaam"].set_index("jaar")
    assert math.isnan(sociaal.loc[2012, "waarde"])  # not measured: a missing row, never 0
    assert pd.isna(sociaal.loc[2020, "verandering"])  # the first figure, after years without: nothing to compare with
    assert (sociaal.loc[[2012, 2016, 2022], "verandering"] == "onbekend").all()  # a year without a figure
    assert out.attrs["regionaam"] == "GM0001" and out.attrs["leeftijd"] == "18+"


def test_trend_age_group_and_bad_input(trend_figures: pd.DataFrame) -> None:
    young = analysis.trend(trend_figures, "GM0001", leeftijd="18-64")
    assert young.loc[young["indicator"] == "eenzaam", "leeftijdsgrens"].tolist() == ["19-64", "19-64", "18-64", "18-64", "18-64"]
    assert young.loc[young["jaar"] > 2012, "waarde"].isna().all()  # only 2012 has an 18-64 figure
    assert analysis.age_limit("65+", 2012) == "65+"
    with pytest.raises(BadInputError, match="18\\+, 18-64, 65\\+"):
        analysis.trend(trend_figures, "GM0001", leeftijd="19+")
    with pytest.raises(UnknownRegionError):
        analysis.trend(trend_figures, "GM0404")
    mixed = trend_figures.copy()
    mixed.loc[0, "tabel"] = "50120NED"
    with pytest.raises(BadInputError, match="more than one table"):
        analysis.trend(mixed, "GM0001")
    assert "één" in analysis.METHOD_TREND and "19 jaar" in analysis.METHOD_TREND


# -- similar_gemeenten -------------------------------------------------------------------------------------------


def test_similar_gemeenten_standardised_distance() -> None:
    # features (stedelijkheid, log10 inwoners, aandeel 65+): A (1, 4, 20), B (1, 4, 20), C (3, 4, 20), D (3, 6, 30);
    # E lacks aandeel_65plus and is left out before the z-scores.
    # stedelijkheid: mean 2, sd 1 → z = −1, −1, 1, 1
    # log10: 4, 4, 4, 6: mean 4.5, sd √0.75 = 0.866 → z = −0.577 ×3, 1.732; aandeel 65+ alike
    # from A: B 0; C √(2²) = 2; D √(2² + 2.309² + 2.309²) = √14.667 = 3.8297
    population = population_frame(
        [(c, 1, 1, 1) for c in ("NL01", "GM0001", "GM0002", "GM0003", "GM0004", "GM0005")],
        extra={
            "GM0001": {"regionaam": "A", "stedelijkheid": 1, "inwoners": 10_000, "aandeel_65plus": 20.0},
            "GM0002": {"regionaam": "B", "stedelijkheid": 1, "inwoners": 10_000, "aandeel_65plus": 20.0},
            "GM0003": {"regionaam": "C", "stedelijkheid": 3, "inwoners": 10_000, "aandeel_65plus": 20.0},
            "GM0004": {"regionaam": "D", "stedelijkheid": 3, "inwoners": 1_000_000, "aandeel_65plus": 30.0},
            "GM0005": {"regionaam": "E", "stedelijkheid": 2, "inwoners": 50_000, "aandeel_65plus": NAN},
        },
    )
    out = analysis.similar_gemeenten(population, "GM0001", k=2)
    assert list(out.columns) == ["regiocode", "regionaam", "afstand", "inwoners", "aandeel_65plus", "stedelijkheid"]
    assert out["regiocode"].tolist() == ["GM0002", "GM0003"]
    assert out["afstand"].tolist() == pytest.approx([0.0, 2.0])
    everyone = analysis.similar_gemeenten(population, "GM0001", k=10)
    assert everyone["regiocode"].tolist() == ["GM0002", "GM0003", "GM0004"]  # NL01 is not a gemeente; E excluded
    assert everyone["afstand"].iloc[-1] == pytest.approx(math.sqrt(4 + 2 * (2 / math.sqrt(0.75)) ** 2), abs=1e-9)
    assert everyone.attrs["uitgesloten"] == ["GM0005"]
    with pytest.raises(MissingDataError, match="GM0005 has no aandeel_65plus"):
        analysis.similar_gemeenten(population, "GM0005")
    with pytest.raises(UnknownRegionError):
        analysis.similar_gemeenten(population, "GM0999")
    with pytest.raises(BadInputError):
        analysis.similar_gemeenten(population, "GM0001", k=0)


# -- people_counts ---------------------------------------------------------------------------------------------------


def test_people_counts_rounding_and_missing() -> None:
    figures = tidy([
        row("NL01", 2024, "18+", "eenzaam", 49.0, 48.7, 49.3),
        row("GM0001", 2024, "18+", "eenzaam", 40.95, 38.9, 43.1),
        row("GM0001", 2024, "65+", "eenzaam", 52.3, 48.0, 56.6),
        row("GM0001", 2024, "18-64", "eenzaam", 38.0, 36.0, 40.0),  # population missing
        row("GM0001", 2024, "18+", "sterk_eenzaam", NAN, NAN, NAN),  # percentage missing
        row("WK000101", 2024, "18+", "eenzaam", 50.0, 45.0, 55.0),  # wijk without population
        row("GM0001", 2022, "18+", "eenzaam", 40.0, 38.0, 42.0),
    ])
    population = population_frame([("NL01", 14_000_000, 10_000_000, 4_000_000), ("GM0001", 30_000, NAN, 850)])
    out = analysis.people_counts(figures, population, gemeentecode="GM0001")
    assert set(out["jaar"]) == {2024} and set(out["regiocode"]) == {"GM0001", "WK000101"}
    lonely = out[(out["regiocode"] == "GM0001") & (out["leeftijd"] == "18+") & (out["indicator"] == "eenzaam")].iloc[0]
    # 40.95% × 30,000 = 12,285 → hundreds → 12,300; 38.9% → 11,670 → 11,700; 43.1% → 12,930 → 12,900
    assert lonely["aantal"] == pytest.approx(12_285)
    assert (lonely["aantal_ondergrens"], lonely["aantal_bovengrens"]) == (pytest.approx(11_670), pytest.approx(12_930))
    assert lonely["aantal_tekst"] == "ongeveer 12.300" and lonely["interval_tekst"] == "11.700 tot 12.900"
    assert lonely["inwoners"] == 30_000
    old = out[(out["regiocode"] == "GM0001") & (out["leeftijd"] == "65+")].iloc[0]
    assert old["aantal_tekst"] == "ongeveer 440"  # 52.3% × 850 = 444.55 → tens → 440
    for missing in (out[out["leeftijd"] == "18-64"].iloc[0], out[out["indicator"] == "sterk_eenzaam"].iloc[0], out[out["regiocode"] == "WK000101"].iloc[0]):
        assert math.isnan(missing["aantal"]) and missing["aantal_tekst"] == "geen gegevens" and missing["interval_tekst"] == "geen gegevens"
    everyone = analysis.people_counts(figures, population, jaar=2024)
    nl = everyone[everyone["regiocode"] == "NL01"].iloc[0]
    assert everyone["regiocode"].iloc[0] == "NL01" and nl["aantal_tekst"] == "ongeveer 6.860.000"  # 49% × 14 mln; thousands
    with pytest.raises(UnknownRegionError):
        analysis.people_counts(figures, population, gemeentecode="GM0404")
    with pytest.raises(BadInputError, match="2022, 2024"):
        analysis.people_counts(figures, population, jaar=2019)


def test_vectorised_people_rounding_equals_fmt() -> None:
    values = np.array([0.4, 5.0, 15.0, 25.0, 994.9, 995.0, 999.6, 1_050.0, 12_345.0, 99_950.0, 99_949.0, 123_500.0, 124_500.0, 6_860_000.0])
    rounded = analysis._round_people(values)
    assert rounded.tolist() == [fmt.round_people(v) for v in values]
    texts = analysis._people_texts(rounded)
    assert ["ongeveer " + t for t in texts] == [fmt.people(v) for v in values]


# -- compare_all -----------------------------------------------------------------------------------------------------


def test_compare_all_three_gemeenten() -> None:
    ages = {("18+", 0.0), ("18-64", -1.0), ("65+", 3.0)}
    rows = [row("NL01", 2022, a, i, 40 + d, 39.5 + d, 40.5 + d) for a, d in ages for i in analysis.INDICATORS]
    rows += [row("NL01", 2024, a, i, 41 + d, 40.5 + d, 41.5 + d) for a, d in ages for i in analysis.INDICATORS]
    for code, shift in (("GM0001", 5.0), ("GM0002", 0.0), ("GM0003", -5.0)):
        rows += [row(code, y, a, i, 40 + d + shift, 38 + d + shift, 42 + d + shift) for y in (2022, 2024) for a, d in ages for i in analysis.INDICATORS]
    figures = tidy(rows)
    gemeenten = gemeenten_frame([("GM0001", "Een", "GG01", "PV20"), ("GM0002", "Twee", "GG01", "PV20"), ("GM0003", "Drie", "GG02", "PV20")])
    population = population_frame([("GM0001", 1000, 800, 200), ("GM0002", 1000, 800, 200), ("GM0003", 1000, 800, 200)])
    regional = analysis.aggregate_regions(figures, gemeenten, population, by="ggdregio")
    out = analysis.compare_all(figures, gemeenten, regional, jaar=2022)
    assert out.shape == (3 * 3 * 4, len(analysis.TIDY_COLUMNS) + 3)
    assert list(out.columns)[-3:] == ["ggdregiocode", "verschil_nl", "verschil_ggd"]
    by_code = out.groupby("regiocode")
    # GM0001: 45 [43, 47] vs NL 40 [39.5, 40.5] → hoger; GM0003: 35 [33, 37] → lager; GM0002: 40 [38, 42] → overlap
    assert {c: set(g["verschil_nl"]) for c, g in by_code} == {"GM0001": {"hoger"}, "GM0002": {"niet aantoonbaar verschillend"}, "GM0003": {"lager"}}
    # GG01 = mean of 45 and 40 = 42.5, half = √(2² + 2²)/2 = 1.414 → [41.09, 43.91]: GM0001 43 ≤ 43.91 overlap, GM0002 42 ≥ 41.09 overlap
    # GG02 holds only GM0003: identical intervals overlap
    assert set(out["verschil_ggd"]) == {"niet aantoonbaar verschillend"}
    latest = analysis.compare_all(figures, gemeenten, regional)
    assert set(latest["jaar"]) == {2024}
    with pytest.raises(BadInputError, match="2022, 2024"):
        analysis.compare_all(figures, gemeenten, regional, jaar=2020)


# -- aandachtsgebieden ------------------------------------------------------------------------------------------------


def test_aandachtsgebieden_lists_only_wijken_whose_interval_lies_above_the_reference_interval() -> None:
    wijken = tidy([
        row("WK000101", 2024, "18+", "eenzaam", 58.1, 54.0, 62.2, naam="Centrum"),  # 54.0 > 49.0 → listed
        row("WK000102", 2024, "18+", "eenzaam", 55.0, 51.0, 61.0, naam="Noord"),  # touches the gemeente's 51.0 → not above
        row("WK000103", 2024, "18+", "eenzaam", 56.0, 48.0, 64.0, naam="Haven"),  # high value, wide interval → not listed
        row("WK000104", 2024, "18+", "eenzaam", NAN, NAN, NAN, naam="Duinen"),  # missing
        row("WK000105", 2024, "18+", "eenzaam", 53.0, 51.5, 56.0, naam="Wijk 5"),  # 51.5 > 51.0 → listed second
        row("WK000108", 2024, "18+", "eenzaam", 54.0, 50.0, 58.0, naam="Kade"),  # above the gemeente's 49.0, not its interval
        row("WK000106", 2024, "65+", "eenzaam", 70.0, 65.0, 75.0, naam="Oud"),  # another age group
        row("WK000107", 2022, "18+", "eenzaam", 70.0, 65.0, 75.0, naam="Vroeger"),  # another year
    ])
    gemeente = tidy([row("GM0001", 2024, "18+", "eenzaam", 49.0, 47.0, 51.0, naam="Voorbeeldstad"),
                     row("GM0001", 2024, "65+", "eenzaam", 60.0, 58.0, 62.0, naam="Voorbeeldstad")])
    out = analysis.aandachtsgebieden(wijken, gemeente)
    assert out["regiocode"].tolist() == ["WK000101", "WK000105"]  # sorted by lower bound, highest first
    assert out["toelichting"].tolist() == [
        "Wijk Centrum: 58,1% (95%-interval 54,0–62,2%), hoger dan de gemeente: 49,0% (95%-interval 47,0–51,0%)",
        "Wijk 5: 53,0% (95%-interval 51,5–56,0%), hoger dan de gemeente: 49,0% (95%-interval 47,0–51,0%)",
    ]
    assert out["ref_waarde"].tolist() == [49.0, 49.0] and set(out["ref_regiocode"]) == {"GM0001"}
    assert out.attrs["n_getoetst"] == 5 and out.attrs["n_ontbrekend"] == 1
    national = tidy([row("NL01", 2024, "18+", "eenzaam", 53.5, 53.3, 53.7, naam="Nederland")])
    vs_nl = analysis.aandachtsgebieden(wijken, national)
    assert vs_nl["regiocode"].tolist() == ["WK000101"]  # 54.0 > 53.7; 51.5 and 50.0 are not
    assert vs_nl["toelichting"].iloc[0].endswith("hoger dan Nederland: 53,5% (95%-interval 53,3–53,7%)")
    no_interval = national.assign(ondergrens=NAN, bovengrens=NAN)  # a reference without an interval: its value counts
    assert analysis.aandachtsgebieden(wijken, no_interval)["regiocode"].tolist() == ["WK000101"]  # 54.0 > 53.5
    with pytest.raises(BadInputError, match="eenzaam, sterk_eenzaam"):
        analysis.aandachtsgebieden(wijken, gemeente, indicator="alleen")
    with pytest.raises(BadInputError, match="2022, 2024"):
        analysis.aandachtsgebieden(wijken, gemeente, jaar=2023)


def test_aandachtsgebieden_each_wijk_against_its_own_gemeente() -> None:
    wijken = tidy([row("WK000101", 2024, "18+", "eenzaam", 58.0, 54.0, 62.0), row("WK000201", 2024, "18+", "eenzaam", 58.0, 54.0, 62.0),
                   row("BU00020101", 2024, "18+", "eenzaam", 70.0, 60.0, 80.0, naam="Dorpskern")])
    gemeenten = tidy([row("GM0001", 2024, "18+", "eenzaam", 50.0, 48.0, 52.0), row("GM0002", 2024, "18+", "eenzaam", 55.0, 53.0, 57.0)])
    out = analysis.aandachtsgebieden(wijken, gemeenten)
    assert out["regiocode"].tolist() == ["BU00020101", "WK000101"]  # 60 > 57, 54 > 52; WK000201: 54 < 57
    assert out["toelichting"].iloc[0].startswith("Buurt Dorpskern: 70,0%")
    # one gemeente as the reference: wijken of other gemeenten are not compared with it
    only_one = analysis.aandachtsgebieden(wijken, gemeenten[gemeenten["regiocode"] == "GM0001"])
    assert only_one["regiocode"].tolist() == ["WK000101"] and only_one.attrs["n_getoetst"] == 1


# -- national_age_bands -----------------------------------------------------------------------------------------------


def test_national_age_bands_ordered_with_source() -> None:
    bands = ["75+", "15–25", "totaal", "45–55", "25–35", "65–75", "35–45", "55–65"]
    frame = pd.DataFrame({"leeftijdsband": bands, "indicator": "eenzaam", "jaar": 2023, "waarde": np.arange(8.0) + 40,
                          "ondergrens": np.arange(8.0) + 39, "bovengrens": np.arange(8.0) + 41, "tabel": "85766NED"})
    frame = pd.concat([frame, frame.assign(jaar=2019, waarde=NAN)], ignore_index=True)
    out = analysis.national_age_bands(frame)
    assert out["leeftijdsband"].tolist() == ["15–25", "25–35", "35–45", "45–55", "55–65", "65–75", "75+"]
    assert set(out["jaar"]) == {2023}
    assert out["bron"].iloc[0] == "CBS, Sociale samenhang en welzijn (15 jaar en ouder) — andere meting dan de Gezondheidsmonitor"
    assert out.attrs["totaal"]["waarde"] == 42.0
    with pytest.raises(BadInputError, match="eenzaam"):
        analysis.national_age_bands(frame, indicator="sterk_eenzaam")
    with pytest.raises(BadInputError, match="2019, 2023"):
        analysis.national_age_bands(frame, jaar=2020)
