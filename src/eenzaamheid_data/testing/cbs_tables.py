"""Builders of CBS-shaped tables for the OData replica: invented numbers in the sources' real shape.

Each builder returns a ``ReplicaTable`` shaped as described in ``docs/data-sources.md`` (sections 1–3):

- ``rivm_health_table``: the RIVM/GGD'en/CBS "Gezondheid per wijk en buurt" tables on dataderden
  (50150NED, 50120NED style). Dimensions ``Leeftijd`` (20300/53115/80200), ``Marges``
  (MW00000/MOG0095/MBG0095), ``WijkenEnBuurten`` (GeoDimension, keys right-padded to 10 characters)
  and ``Perioden`` (``2022JJ00``); attributes ``Gemeentenaam_1``, ``SoortRegio_2``, ``Codering_3``;
  health topics in topic groups, among them a group "Eenzaamheid" with the four loneliness topics
  (``Eenzaam_25``, ``SterkEenzaam_26``, ``EmotioneelEenzaam_27``, ``SociaalEenzaam_28`` in the 50150NED
  style; ``Eenzaam_27``, ``ErnstigZeerErnstigEenzaam_28``, ``EmotioneelEenzaam_29``,
  ``SociaalEenzaam_30`` in the 50120NED style).
- ``gebieden_table``: "Gebieden in Nederland <year>" (dimension ``RegioS``; ``Code_1``, ``Naam_2``,
  ``SorteringNaam_3`` and then code/name pairs per classification, found by their code prefix).
- ``kerncijfers_table``: "Kerncijfers wijken en buurten <year>" (inhabitants, age bands, stedelijkheid).
- ``cbs_eenzaamheid_table``: CBS 85766NED "Eenzaamheid; persoonskenmerken" (national, by age band).

What is **[check]** in data-sources.md stays unverified here too: the topic keys and their suffixes, the
dimension order, the padding widths, the ``Position`` numbering in DataProperties (here: one running
number, equal to ``ID``), the filler health topics (names partly taken from third-party code, partly
invented) and the categories of 85766NED's ``MateVanEenzaamheid`` dimension (keys and titles invented).

Everything is deterministic: every number derives from a hash of a code, never from unseeded randomness.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from ..demo_world import unit
from .odata_replica import ReplicaTable

KeyStyle = Literal["50150NED", "50120NED"]
ValuesFn = Callable[["Region", str, int, str], "float | None"]

AGE_GROUPS: tuple[tuple[str, str], ...] = (
    ("20300", "18 jaar of ouder"),
    ("53115", "18 tot 65 jaar"),
    ("80200", "65 jaar of ouder"),
)
MARGINS: tuple[tuple[str, str], ...] = (
    ("MW00000", "Waarde"),
    ("MOG0095", "Ondergrens 95%-interval"),
    ("MBG0095", "Bovengrens 95%-interval"),
)
INDICATORS = ("eenzaam", "sterk_eenzaam", "emotioneel_eenzaam", "sociaal_eenzaam")
REGION_KEY_WIDTH = 10
GEBIEDEN_KEY_WIDTH = 8
NAME_WIDTH = 40

# (stem, title, description) of the four loneliness topics per key style; suffixes follow from the fillers.
_LONELINESS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "50150NED": (
        ("Eenzaam", "Eenzaam", "Score 3 of hoger op de eenzaamheidsschaal van De Jong-Gierveld."),
        ("SterkEenzaam", "Sterk eenzaam", "Score 9 of hoger op de eenzaamheidsschaal van De Jong-Gierveld."),
        ("EmotioneelEenzaam", "Emotioneel eenzaam", "Score 2 of hoger op de subschaal emotionele eenzaamheid."),
        ("SociaalEenzaam", "Sociaal eenzaam", "Score 2 of hoger op de subschaal sociale eenzaamheid (vanaf 2016)."),
    ),
    "50120NED": (
        ("Eenzaam", "Eenzaam", "Score 3 of hoger op de eenzaamheidsschaal van De Jong-Gierveld."),
        ("ErnstigZeerErnstigEenzaam", "(Zeer) ernstig eenzaam", "Score 9 of hoger op de eenzaamheidsschaal van De Jong-Gierveld."),
        ("EmotioneelEenzaam", "Emotioneel eenzaam", "Score 2 of hoger op de subschaal emotionele eenzaamheid."),
        ("SociaalEenzaam", "Sociaal eenzaam", "Score 2 of hoger op de subschaal sociale eenzaamheid (vanaf 2016)."),
    ),
}

# Health topics before the loneliness group: (group title, ((stem, title), ...)). Some stems appear in
# third-party code that reads 50150NED; the rest are invented fillers that give the right suffixes.
_HEALTH_BEFORE: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ("Gezondheid en beperkingen", (
        ("GoedErvarenGezondheid", "Goed ervaren gezondheid"),
        ("EenOfMeerLangdurigeAandoeningen", "Eén of meer langdurige aandoeningen"),
        ("LangdurigBeperkt", "Beperkt vanwege gezondheid"),
        ("BeperkingInHoren", "Beperking in horen"),
        ("BeperkingInZien", "Beperking in zien"),
        ("BeperkingInMobiliteit", "Beperking in mobiliteit"),
        ("EenOfMeerLichamelijkeBeperkingen", "Eén of meer lichamelijke beperkingen"),
        ("ErnstigBeperktInActiviteiten", "Ernstig beperkt in activiteiten"),
    )),
    ("Mentale gezondheid", (
        ("GoedeMentaleGezondheid", "Goede mentale gezondheid"),
        ("MatigRisicoAngststoornisOfDepressie", "Matig risico op angststoornis of depressie"),
        ("HoogRisicoAngststoornisOfDepressie", "Hoog risico op angststoornis of depressie"),
        ("PsychischeKlachten", "Psychische klachten"),
        ("VeelStressAfg4Weken", "Veel stress afgelopen 4 weken"),
        ("HeelVeelStressAfg4Weken", "Heel veel stress afgelopen 4 weken"),
        ("Slaapproblemen", "Slaapproblemen"),
        ("Somberheid", "Vaak somber"),
        ("WeinigGeluk", "Weinig gelukkig"),
        ("MatigeVeerkracht", "Matige veerkracht"),
        ("LageVeerkracht", "Lage veerkracht"),
        ("WeinigRegieOverHetEigenLeven", "Weinig regie over het eigen leven"),
        ("MatigVeelRegieOverHetEigenLeven", "Matig veel regie over het eigen leven"),
    )),
)
# 50120NED has two topics more before the loneliness group (Eenzaam_27 instead of Eenzaam_25).
_HEALTH_BEFORE_50120_EXTRA: tuple[tuple[str, str], ...] = (
    ("ErnstigeBeperkingInMobiliteit", "Ernstige beperking in mobiliteit"),
    ("BeperkingInHorenZienOfMobiliteit", "Beperking in horen, zien of mobiliteit"),
)
# Topics after the loneliness group, used for ``extra_topics``; beyond this list generic ones follow.
_HEALTH_AFTER: tuple[tuple[str, str, str], ...] = (
    ("Sociale omgeving", "KrijgtSteunVanAnderen", "Krijgt steun van anderen"),
    ("Sociale omgeving", "Mantelzorger", "Mantelzorger"),
    ("Sociale omgeving", "Vrijwilligerswerk", "Vrijwilligerswerk"),
    ("Sociale omgeving", "MoeiteMetRondkomen", "Moeite met rondkomen"),
    ("Leefstijl", "Overgewicht", "Overgewicht"),
    ("Leefstijl", "ErnstigOvergewichtObesitas", "Ernstig overgewicht (obesitas)"),
    ("Leefstijl", "RooktTabak", "Rookt tabak"),
    ("Leefstijl", "DagelijksRoker", "Dagelijkse roker"),
    ("Leefstijl", "OvermatigDrinken", "Overmatige drinker"),
    ("Leefstijl", "ZwareDrinker", "Zware drinker"),
    ("Leefstijl", "VoldoetAanAlcoholrichtlijn", "Voldoet aan de alcoholrichtlijn"),
    ("Leefstijl", "VoldoetAanDeBeweegrichtlijn", "Voldoet aan de beweegrichtlijn"),
    ("Wonen", "TevredenMetDeWoning", "Tevreden met de woning"),
    ("Wonen", "TevredenMetDeWoonomgeving", "Tevreden met de woonomgeving"),
)

_FIRST_LONELINESS_SUFFIX = {"50150NED": 25, "50120NED": 27}
_DEFAULT_PERIODS = (2012, 2016, 2020, 2022, 2024)
_LEVEL_NAMES = {"NL": "Land", "GM": "Gemeente", "WK": "Wijk", "BU": "Buurt"}


@dataclass(frozen=True)
class Region:
    """One region of a table's geo dimension: ``NL01``, ``GM0363``, ``WK036300`` or ``BU03630000``."""

    code: str
    name: str
    gemeentecode: str | None = None
    gemeentenaam: str | None = None

    @property
    def prefix(self) -> str:
        return self.code[:2]

    @property
    def parent_code(self) -> str | None:
        """The wijk of a buurt, the gemeente of a wijk, ``None`` above."""
        if self.prefix == "BU":
            return "WK" + self.code[2:8]
        if self.prefix == "WK":
            return "GM" + self.code[2:6]
        return None


# -- shared pieces ------------------------------------------------------------------------------------


class _Properties:
    """DataProperties in CBS's shape: dimensions, topic groups and topics with running IDs."""

    def __init__(self) -> None:
        self.entries: list[dict[str, Any]] = []
        self.topic_count = 0

    def _add(self, odata_type: str, **fields: Any) -> int:
        number = len(self.entries)
        self.entries.append({"odata.type": f"Cbs.OData.{odata_type}", "ID": number, "Position": number, **fields})
        return number

    def dimension(self, key: str, title: str, kind: str = "Dimension", description: str = "", **extra: Any) -> None:
        self._add(kind, ParentID=None, Type=kind, Key=key, Title=title, Description=description, **extra)

    def group(self, title: str, parent: int | None = None) -> int:
        key = "".join(w[:1].upper() + w[1:] for w in title.replace("'", "").replace("-", " ").split())
        return self._add("TopicGroup", ParentID=parent, Type="TopicGroup", Key=key, Title=title, Description="")

    def topic(
        self, stem: str, title: str, *, parent: int | None, datatype: str = "Double", unit: str = "%",
        decimals: int = 1, description: str = "",
    ) -> str:
        self.topic_count += 1
        key = f"{stem}_{self.topic_count}"
        presentation = "None" if datatype == "String" else "Relative" if unit == "%" else "Absolute"
        self._add(
            "Topic", ParentID=parent, Type="Topic", Key=key, Title=title, Description=description,
            ReleasePolicy=False, Datatype=datatype, Unit=unit, Decimals=decimals, Default="Missing",
            PresentationType=presentation,
        )
        return key


def _table_info(
    table_id: str, title: str, short_title: str, *, catalog: str, period: str, modified: str, summary: str, source: str
) -> dict[str, Any]:
    return {
        "ID": 0, "Title": title, "ShortTitle": short_title, "Identifier": table_id, "Summary": summary,
        "Modified": modified, "ReasonDelivery": "Actualisering", "ExplanatoryText": "", "Language": "nl",
        "Catalog": catalog, "Frequency": "Perjaar", "Period": period, "ShortDescription": summary,
        "Description": f"{title}. {summary}", "DefaultPresentation": "", "DefaultSelection": "",
        "GraphTypes": "Table,Bar,Map", "OutputStatus": "Regulier", "Source": source,
        "MetaDataModified": modified, "SearchPriority": "2",
    }


def _pad(text: str, width: int) -> str:
    return text.ljust(width)


def _periods_dimension(years: Sequence[int]) -> list[dict[str, Any]]:
    return [{"Key": f"{y}JJ00", "Title": str(y), "Description": None, "Status": "Definitief"} for y in years]


def _category_rows(items: Sequence[tuple[str, str]], group: int | None = None, width: int = 0) -> list[dict[str, Any]]:
    return [{"Key": _pad(k, width), "Title": t, "Description": None, "CategoryGroupID": group} for k, t in items]


def _region_rows(regions: Sequence[Region], width: int) -> list[dict[str, Any]]:
    return [
        {"Key": _pad(r.code, width), "Title": r.name, "Description": None, "DetailRegionCode": r.code}
        for r in regions
    ]


def _bounds(value: float | None, half_width: float, decimals: int = 1) -> tuple[float | None, float | None, float | None]:
    """(value, lower, upper) rounded, the interval clipped to 0–100; all None when the value is."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None, None, None
    value = round(float(value), decimals)
    return value, round(max(0.0, value - half_width), decimals), round(min(100.0, value + half_width), decimals)


# -- RIVM Gezondheidsmonitor ---------------------------------------------------------------------------

_NL_2022 = {"eenzaam": 49.0, "sterk_eenzaam": 14.0, "emotioneel_eenzaam": 30.0, "sociaal_eenzaam": 35.0}
_PLAUSIBLE = {"eenzaam": (35.0, 60.0), "sterk_eenzaam": (8.0, 20.0), "emotioneel_eenzaam": (25.0, 35.0), "sociaal_eenzaam": (28.0, 40.0)}
_YEAR_FACTOR = {2012: 0.92, 2016: 0.94, 2020: 0.99, 2022: 1.0, 2024: 0.985}
_AGE_FACTOR = {"20300": 1.0, "53115": 0.985, "80200": 1.05}


class DefaultHealthValues:
    """Plausible, deterministic loneliness estimates: ``(region, age_key, year, indicator) -> percent | None``.

    Nederland 18+ in 2022 is 49 / 14 / 30 / 35 % (eenzaam, sterk, emotioneel, sociaal); gemeenten,
    wijken and buurten vary around it (a lonely gemeente is lonely in all four), within 35–60, 8–20,
    25–35 and 28–40 %. Sociaal eenzaam is missing before 2016; a few buurten are suppressed entirely.
    """

    def __init__(self) -> None:
        self._offsets: dict[str, float] = {}
        self._suppressed: dict[str, bool] = {}

    def __call__(self, region: Region, age_key: str, year: int, indicator: str) -> float | None:
        if (indicator == "sociaal_eenzaam" and year < 2016) or self.suppressed(region.code):
            return None
        low, high = _PLAUSIBLE[indicator]
        base = _NL_2022[indicator] * _YEAR_FACTOR.get(year, 1.0) * _AGE_FACTOR.get(age_key.strip(), 1.0)
        value = base + self.offset(region.code) * (high - low)
        return round(min(high, max(low, value)), 1)

    def suppressed(self, code: str) -> bool:
        """About one buurt in twelve has no published figures."""
        if code not in self._suppressed:
            self._suppressed[code] = code.startswith("BU") and unit(code, "suppressed") < 0.08
        return self._suppressed[code]

    def offset(self, code: str) -> float:
        """How far the region lies from Nederland, as a fraction of the plausible range (about ±0.5)."""
        if code not in self._offsets:
            prefix = code[:2]
            if prefix == "GM":
                self._offsets[code] = (unit(code, "level") - 0.5) * 0.6
            elif prefix in ("WK", "BU"):
                parent = "GM" + code[2:6] if prefix == "WK" else "WK" + code[2:8]
                self._offsets[code] = self.offset(parent) + (unit(code, "level") - 0.5) * 0.25
            else:
                self._offsets[code] = 0.0
        return self._offsets[code]


def default_half_width(region: Region) -> float:
    """Half the 95% interval in percentage points: small for Nederland, large for a buurt."""
    u = unit(region.code, "interval")
    width = {"NL": 0.6, "GM": 1.5 + 2.5 * u, "WK": 3.5 + 3.0 * u, "BU": 5.5 + 5.0 * u}.get(region.prefix, 2.0)
    return round(width, 1)


def _rivm_properties(key_style: str, classification_year: int, extra_topics: int) -> tuple[list[dict[str, Any]], dict[str, str], list[str]]:
    """DataProperties, {indicator: topic key} and the filler topic keys (in order)."""
    props = _Properties()
    props.dimension("Leeftijd", "Leeftijd", description="Leeftijd op het moment van de enquête.")
    props.dimension("Marges", "Marges", description="Waarde en grenzen van het 95%-betrouwbaarheidsinterval.")
    props.dimension("WijkenEnBuurten", "Wijken en buurten", "GeoDimension",
                    description=f"Regionale indeling {classification_year}.", MapYear=classification_year, ReleasePolicy=False)
    props.dimension("Perioden", "Perioden", "TimeDimension", description="Jaar van de Gezondheidsmonitor.")

    regio = props.group("Regiokenmerken")
    props.topic("Gemeentenaam", "Gemeentenaam", parent=regio, datatype="String", unit="", decimals=0)
    props.topic("SoortRegio", "Soort regio", parent=regio, datatype="String", unit="", decimals=0)
    props.topic("Codering", "Codering", parent=regio, datatype="String", unit="", decimals=0)

    fillers: list[str] = []
    for g, (group_title, topics) in enumerate(_HEALTH_BEFORE):
        group = props.group(group_title)
        items = topics + (_HEALTH_BEFORE_50120_EXTRA if key_style == "50120NED" and g == 0 else ())
        fillers += [props.topic(stem, title, parent=group, decimals=0) for stem, title in items]

    group = props.group("Eenzaamheid")
    assert props.topic_count + 1 == _FIRST_LONELINESS_SUFFIX[key_style], "filler topics out of step with the key style"
    loneliness = {
        indicator: props.topic(stem, title, parent=group, decimals=1, description=description)
        for indicator, (stem, title, description) in zip(INDICATORS, _LONELINESS[key_style])
    }
    groups: dict[str, int] = {}
    for i in range(extra_topics):
        group_title, stem, title = (
            _HEALTH_AFTER[i] if i < len(_HEALTH_AFTER) else ("Overige indicatoren", f"Indicator{i + 1}", f"Indicator {i + 1}")
        )
        if group_title not in groups:
            groups[group_title] = props.group(group_title)
        fillers.append(props.topic(stem, title, parent=groups[group_title], decimals=0))
    return props.entries, loneliness, fillers


def rivm_health_table(
    table_id: str,
    regions: Sequence[Region],
    *,
    key_style: KeyStyle,
    periods: Sequence[int] = _DEFAULT_PERIODS,
    classification_year: int = 2024,
    values: ValuesFn | None = None,
    half_width: Callable[[Region], float] | None = None,
    pad_keys: bool = True,
    extra_topics: int = 0,
    title: str | None = None,
    modified: str = "2025-06-30T02:00:00",
) -> ReplicaTable:
    """A "Gezondheid per wijk en buurt" table (dataderden) for ``regions``.

    ``values(region, age_key, year, indicator)`` gives the point estimate (indicator one of
    ``INDICATORS``, age_key unpadded); ``half_width(region)`` half the 95% interval. A None value
    makes all three margins None. ``extra_topics`` adds filler topics after the loneliness group
    (the real table has about 60 topics).
    """
    if key_style not in _LONELINESS:
        raise ValueError(f"unknown key_style {key_style!r}; use 50150NED or 50120NED")
    values = values or DefaultHealthValues()
    half_width = half_width or default_half_width
    width = REGION_KEY_WIDTH if pad_keys else 0
    properties, loneliness, fillers = _rivm_properties(key_style, classification_year, extra_topics)
    attributes = [p["Key"] for p in properties if p.get("Type") == "Topic"][:3]
    years_text = "/".join(map(str, periods))
    title = title or f"Gezondheid per wijk en buurt; {years_text} (indeling {classification_year})"
    info = _table_info(
        table_id, title, "Gezondheid per wijk en buurt", catalog="RIVM", period=", ".join(map(str, periods)),
        modified=modified, source="RIVM, GGD'en en CBS (Gezondheidsmonitor Volwassenen en Ouderen)",
        summary="Modelmatige schattingen van gezondheid, leefstijl en eenzaamheid per gemeente, wijk en buurt.",
    )
    dimensions = {
        "Leeftijd": _category_rows(AGE_GROUPS),
        "Marges": _category_rows(MARGINS),
        "WijkenEnBuurten": _region_rows(regions, width),
        "Perioden": _periods_dimension(periods),
    }
    rows = _rivm_rows(regions, periods, width, attributes, loneliness, fillers, values, half_width)
    return ReplicaTable(table_id, info, properties, dimensions, rows)


def _rivm_rows(
    regions: Sequence[Region], periods: Sequence[int], width: int, attributes: Sequence[str],
    loneliness: dict[str, str], fillers: Sequence[str], values: ValuesFn, half_width: Callable[[Region], float],
) -> list[dict[str, Any]]:
    """Rows in dimension order (Leeftijd, Marges, WijkenEnBuurten, Perioden; the last varies fastest)."""
    per_region = []
    for region in regions:
        attribute_values = {
            attributes[0]: _pad(region.gemeentenaam or region.name, NAME_WIDTH),
            attributes[1]: _pad(_LEVEL_NAMES.get(region.prefix, "Onbekend"), 10),
            attributes[2]: region.code,
        }
        hw = float(half_width(region))
        per_region.append((region, _pad(region.code, width), attribute_values, hw, int(unit(region.code, "fillers") * 16)))
    fill_cache: dict[tuple[int, int, str, int], tuple[dict[str, float], ...]] = {}
    rows: list[dict[str, Any]] = []
    for age_key, _ in AGE_GROUPS:
        by_margin: tuple[list[dict[str, Any]], ...] = tuple([] for _ in MARGINS)
        for region, key, attribute_values, hw, bucket in per_region:
            for year in periods:
                period = f"{year}JJ00"
                lonely = [(k, _bounds(values(region, age_key, year, ind), hw)) for ind, k in loneliness.items()]
                cache_key = (bucket, year, age_key, round(hw))
                if cache_key not in fill_cache:
                    fill_cache[cache_key] = _filler_values(fillers, *cache_key)
                fill = fill_cache[cache_key]
                for m, (margin, _) in enumerate(MARGINS):
                    row = {"ID": 0, "Leeftijd": age_key, "Marges": margin, "WijkenEnBuurten": key, "Perioden": period}
                    row.update(attribute_values)
                    row.update(fill[m])
                    row.update((k, triple[m]) for k, triple in lonely)
                    by_margin[m].append(row)
        for margin_rows in by_margin:
            rows.extend(margin_rows)
    for number, row in enumerate(rows):
        row["ID"] = number
    return rows


_WHOLE = [float(i) for i in range(101)]  # shared float objects keep big tables smaller in memory


def _filler_values(fillers: Sequence[str], bucket: int, year: int, age_key: str, spread: int) -> tuple[dict[str, float], ...]:
    """Whole percentages for the filler topics: (values, lower bounds, upper bounds), one dict each."""
    age_shift = {"20300": 0, "53115": -2, "80200": 5}.get(age_key, 0)
    out: tuple[dict[str, float], ...] = ({}, {}, {})
    for t, key in enumerate(fillers):
        centre = 8 + (t * 37 + 11) % 75
        wobble = ((bucket * 0.37 + t * 0.731 + (year - 2012) * 0.037) % 1.0 - 0.5) * 16
        value = int(min(97, max(2, round(centre + wobble + age_shift))))
        out[0][key] = _WHOLE[value]
        out[1][key] = _WHOLE[max(0, value - spread)]
        out[2][key] = _WHOLE[min(100, value + spread)]
    return out


# -- Gebieden in Nederland -------------------------------------------------------------------------------

GemeenteTuple = tuple[str, str, str, str, str, str]
"""(gemeentecode, gemeentenaam, provinciecode, provincienaam, ggdcode, ggdnaam)."""

# (group title, code prefix, name template, number of areas); GG and PV come from the caller.
_CLASSIFICATIONS: tuple[tuple[str, str, str, int], ...] = (
    ("Arbeidsmarktregio's", "AM", "Arbeidsmarktregio {n}", 35),
    ("Arrondissementen (rechtsgebieden)", "AR", "Arrondissement {n}", 11),
    ("COROP-gebieden", "CR", "COROP-gebied {n}", 40),
    ("COROP-subgebieden", "CS", "COROP-subgebied {n}", 52),
    ("COROP-plusgebieden", "CP", "COROP-plusgebied {n}", 49),
    ("GGD-regio's", "GG", "", 0),
    ("Jeugdzorgregio's", "JZ", "Jeugdzorgregio {n}", 42),
    ("Kamer van Koophandel", "KK", "KvK-regio {n}", 6),
    ("Landbouwgebieden", "LB", "Landbouwgebied {n}", 66),
    ("Landbouwgebieden (groepen)", "LG", "Landbouwgebiedgroep {n}", 14),
    ("Landsdelen", "LD", "", 4),
    ("Provincies", "PV", "", 0),
    ("Regionale eenheden (politie)", "RE", "Regionale eenheid {n}", 10),
    ("Ressorten (rechtsgebieden)", "RS", "Ressort {n}", 4),
    ("Veiligheidsregio's", "VR", "Veiligheidsregio {n}", 25),
    ("Zorgkantoorregio's", "ZK", "Zorgkantoorregio {n}", 31),
)
# Extra classifications ``shift_columns`` puts in front, so every later pair moves.
_SHIFT_CLASSIFICATIONS: tuple[tuple[str, str, str, int], ...] = (
    ("RPA-gebieden", "RP", "RPA-gebied {n}", 36),
    ("Wgr-samenwerkingsgebieden", "WG", "Wgr-samenwerkingsgebied {n}", 30),
    ("Toezichtsgebieden", "TG", "Toezichtsgebied {n}", 10),
    ("Politiedistricten", "PD", "Politiedistrict {n}", 40),
)
_LANDSDELEN = {"LD01": "Noord-Nederland", "LD02": "Oost-Nederland", "LD03": "West-Nederland", "LD04": "Zuid-Nederland"}
CODE_WIDTH = 10


def _sort_name(name: str) -> str:
    """CBS's sorting name: "'s-Gravenhage" sorts as "Gravenhage ('s-)"."""
    for article in ("'s-", "'t "):
        if name.startswith(article):
            return f"{name[len(article):]} ({article.strip()})"
    return name


def _landsdeel(provinciecode: str) -> str:
    digits = "".join(c for c in provinciecode if c.isdigit())
    number = int(digits) if digits else 0
    return "LD01" if number <= 22 else "LD02" if number <= 25 else "LD03" if number <= 28 else "LD04"


def _classification_value(gemeente: GemeenteTuple, prefix: str, template: str, count: int) -> tuple[str, str]:
    code, _, pv, pv_name, gg, gg_name = gemeente
    if prefix == "PV":
        return pv, pv_name
    if prefix == "GG":
        return gg, gg_name
    if prefix == "LD":
        ld = _landsdeel(pv)
        return ld, _LANDSDELEN[ld]
    if prefix in ("CR", "CS", "CP"):  # COROP areas lie inside a provincie
        pv_number = int("".join(c for c in pv if c.isdigit()) or 0)
        n = (pv_number * 4 + int(unit(code, prefix) * 3)) % count + 1
    else:
        n = int(unit(code, prefix) * count) + 1
    return f"{prefix}{n:02d}", template.format(n=n)


def gebieden_table(
    table_id: str, year: int, gemeenten: Sequence[GemeenteTuple], shift_columns: int = 0,
    *, modified: str = "2025-03-14T02:00:00",
) -> ReplicaTable:
    """A "Gebieden in Nederland <year>" table: per gemeente its code and name in every classification.

    ``shift_columns`` puts that many extra code/name pairs before the usual ones, so every later pair
    moves (clients must find a pair by the prefix of its codes, not by its column number).
    """
    props = _Properties()
    props.dimension("RegioS", "Regio's", "GeoDimension", description=f"Gemeentelijke indeling op 1 januari {year}.", MapYear=year, ReleasePolicy=False)
    group = props.group("Gemeenten")
    code_key = props.topic("Code", "Code", parent=group, datatype="String", unit="", decimals=0)
    name_key = props.topic("Naam", "Naam", parent=group, datatype="String", unit="", decimals=0)
    sort_key = props.topic("SorteringNaam", "Sortering naam", parent=group, datatype="String", unit="", decimals=0)
    extra = [_SHIFT_CLASSIFICATIONS[i] if i < len(_SHIFT_CLASSIFICATIONS) else (f"Extra indeling {i + 1}", f"X{chr(65 + i % 26)}", "Extra gebied {n}", 9) for i in range(shift_columns)]
    pairs: list[tuple[str, str, tuple[str, str, str, int]]] = []
    for classification in (*extra, *_CLASSIFICATIONS):
        group = props.group(classification[0])
        pairs.append((
            props.topic("Code", "Code", parent=group, datatype="String", unit="", decimals=0),
            props.topic("Naam", "Naam", parent=group, datatype="String", unit="", decimals=0),
            classification,
        ))
    rows: list[dict[str, Any]] = []
    for number, gemeente in enumerate(gemeenten):
        code, name = gemeente[0], gemeente[1]
        row: dict[str, Any] = {
            "ID": number, "RegioS": _pad(code, GEBIEDEN_KEY_WIDTH), code_key: _pad(code, CODE_WIDTH),
            name_key: _pad(name, NAME_WIDTH), sort_key: _pad(_sort_name(name), NAME_WIDTH),
        }
        for c_key, n_key, (_, prefix, template, count) in pairs:
            c_value, n_value = _classification_value(gemeente, prefix, template, count)
            row[c_key], row[n_key] = _pad(c_value, CODE_WIDTH), _pad(n_value, NAME_WIDTH)
        rows.append(row)
    info = _table_info(
        table_id, f"Gebieden in Nederland {year}", f"Gebieden in Nederland {year}", catalog="CBS", period=str(year),
        modified=modified, source="CBS",
        summary=f"Indeling van gemeenten in regionale gebieden op 1 januari {year}.",
    )
    regio_rows = [{"Key": _pad(g[0], GEBIEDEN_KEY_WIDTH), "Title": g[1], "Description": None, "DetailRegionCode": g[0]} for g in gemeenten]
    return ReplicaTable(table_id, info, props.entries, {"RegioS": regio_rows}, rows)


# -- Kerncijfers wijken en buurten -------------------------------------------------------------------------

_AGE_BANDS = ("k_0Tot15Jaar", "k_15Tot25Jaar", "k_25Tot45Jaar", "k_45Tot65Jaar", "k_65JaarOfOuder")
_CIVIL = ("Ongehuwd", "Gehuwd", "Gescheiden", "Verweduwd")
_COUNT_STEMS = ("AantalInwoners", "Mannen", "Vrouwen", *_AGE_BANDS, *_CIVIL, "HuishoudensTotaal", "Eenpersoonshuishoudens")


def _split_exact(total: int, shares: Sequence[float]) -> list[int]:
    """``total`` split by ``shares`` into whole numbers that add up exactly (largest remainder)."""
    raw = [total * s / sum(shares) for s in shares]
    parts = [math.floor(x) for x in raw]
    for i in sorted(range(len(raw)), key=lambda i: raw[i] - parts[i], reverse=True)[: total - sum(parts)]:
        parts[i] += 1
    return parts


def _leaf_counts(code: str, total: int) -> dict[str, int]:
    """Counts for one region from its number of inhabitants; every split adds up to the total."""
    u = [unit(code, "kerncijfers", i) for i in range(6)]
    ages = _split_exact(total, [0.12 + 0.08 * u[0], 0.10 + 0.06 * u[1], 0.20 + 0.10 * u[2], 0.24 + 0.06 * u[3], 0.12 + 0.16 * u[4]])
    men = round(total * (0.48 + 0.03 * u[5]))
    civil = _split_exact(total, [0.48 + 0.06 * u[1], 0.36 + 0.05 * u[2], 0.08 + 0.03 * u[3], 0.05 + 0.03 * u[4]])
    households = round(total / (1.8 + 0.7 * u[0])) if total else 0
    single = round(households * (0.30 + 0.25 * u[5]))
    return dict(zip(_COUNT_STEMS, [total, men, total - men, *ages, *civil, households, single]))


def _default_inhabitants(region: Region) -> int:
    u = unit(region.code, "inwoners")
    return {"NL": 17_900_000, "GM": int(5_000 + u**2 * 300_000), "WK": int(800 + u * 15_000)}.get(region.prefix, int(60 + u * 3_500))


def _address_density(code: str, counts: dict[str, int]) -> int:
    """Omgevingsadressendichtheid (addresses per km²): bigger places tend to be denser."""
    size = math.log10(max(counts["AantalInwoners"], 10))
    return int(150 + unit(code, "oad") * 1200 + max(0.0, size - 3.0) * 450)


def _stedelijkheid(density: int) -> int:
    """CBS's classes: 1 = zeer sterk stedelijk (≥ 2500 addresses/km²) … 5 = niet stedelijk (< 500)."""
    return 1 if density >= 2500 else 2 if density >= 1500 else 3 if density >= 1000 else 4 if density >= 500 else 5


def _kerncijfers_counts(regions: Sequence[Region], inhabitants: Callable[[Region], int] | None) -> dict[str, dict[str, int]]:
    """Counts per region code. Without ``inhabitants``, parents are the sums of the children given."""
    if inhabitants is not None:
        return {r.code: _leaf_counts(r.code, int(inhabitants(r))) for r in regions}
    children: dict[str, list[Region]] = {}
    for r in regions:
        parent = r.parent_code if r.prefix in ("WK", "BU") else "NL" if r.prefix == "GM" else None
        if parent:
            children.setdefault(parent, []).append(r)
    counts: dict[str, dict[str, int]] = {}

    def build(region: Region) -> dict[str, int]:
        if region.code not in counts:
            kids = children.get("NL" if region.prefix == "NL" else region.code, [])
            if kids:
                summed = [build(k) for k in kids]
                counts[region.code] = {s: sum(c[s] for c in summed) for s in _COUNT_STEMS}
            else:
                counts[region.code] = _leaf_counts(region.code, _default_inhabitants(region))
        return counts[region.code]

    for region in regions:
        build(region)
    return counts


def kerncijfers_table(
    table_id: str, year: int, regions: Sequence[Region], inhabitants: Callable[[Region], int] | None = None,
    *, modified: str = "2025-05-02T02:00:00",
) -> ReplicaTable:
    """A "Kerncijfers wijken en buurten <year>" table for ``regions`` (no Perioden dimension).

    Age bands, men/women and civil status add up to the inhabitants of each region. Without
    ``inhabitants``, a gemeente is the sum of its wijken (where given), a wijk of its buurten and
    NL01 of all gemeenten; with it, each region's own number is used as given.
    """
    props = _Properties()
    props.dimension("WijkenEnBuurten", "Wijken en buurten", "GeoDimension", description=f"Regionale indeling {year}.", MapYear=year, ReleasePolicy=False)
    regio = props.group("Regioaanduiding")
    text: dict[str, Any] = {"datatype": "String", "unit": "", "decimals": 0}
    count: dict[str, Any] = {"datatype": "Long", "unit": "aantal", "decimals": 0}
    keys = {
        "Gemeentenaam": props.topic("Gemeentenaam", "Gemeentenaam", parent=regio, **text),
        "SoortRegio": props.topic("SoortRegio", "Soort regio", parent=regio, **text),
        "Codering": props.topic("Codering", "Codering", parent=regio, **text),
        "Indeling": props.topic("IndelingswijzigingWijkenEnBuurten", "Indelingswijziging wijken en buurten", parent=regio, **text),
    }
    bevolking = props.group("Bevolking")
    for stem, title in (("AantalInwoners", "Aantal inwoners"), ("Mannen", "Mannen"), ("Vrouwen", "Vrouwen")):
        keys[stem] = props.topic(stem, title, parent=bevolking, **count)
    leeftijd = props.group("Leeftijdsgroepen", parent=bevolking)
    for stem, title in zip(_AGE_BANDS, ("0 tot 15 jaar", "15 tot 25 jaar", "25 tot 45 jaar", "45 tot 65 jaar", "65 jaar of ouder")):
        keys[stem] = props.topic(stem, title, parent=leeftijd, **count)
    civil = props.group("Burgerlijke staat", parent=bevolking)
    for stem in _CIVIL:
        keys[stem] = props.topic(stem, stem, parent=civil, **count)
    huishoudens = props.group("Huishoudens")
    keys["HuishoudensTotaal"] = props.topic("HuishoudensTotaal", "Huishoudens totaal", parent=huishoudens, **count)
    keys["Eenpersoonshuishoudens"] = props.topic("Eenpersoonshuishoudens", "Eenpersoonshuishoudens", parent=huishoudens, **count)
    keys["GemiddeldeHuishoudensgrootte"] = props.topic(
        "GemiddeldeHuishoudensgrootte", "Gemiddelde huishoudensgrootte", parent=huishoudens, datatype="Double", unit="aantal", decimals=2
    )
    stedelijk = props.group("Stedelijkheid")
    keys["MateVanStedelijkheid"] = props.topic("MateVanStedelijkheid", "Mate van stedelijkheid", parent=stedelijk, datatype="Long", unit="code", decimals=0)
    keys["Omgevingsadressendichtheid"] = props.topic("Omgevingsadressendichtheid", "Omgevingsadressendichtheid", parent=stedelijk, datatype="Long", unit="per km2", decimals=0)

    counts = _kerncijfers_counts(regions, inhabitants)
    rows = []
    for number, region in enumerate(regions):
        c = counts[region.code]
        density = _address_density(region.code, c)
        row: dict[str, Any] = {
            "ID": number,
            "WijkenEnBuurten": _pad(region.code, REGION_KEY_WIDTH),
            keys["Gemeentenaam"]: _pad(region.gemeentenaam or region.name, NAME_WIDTH),
            keys["SoortRegio"]: _pad(_LEVEL_NAMES.get(region.prefix, "Onbekend"), 10),
            keys["Codering"]: _pad(region.code, REGION_KEY_WIDTH),
            keys["Indeling"]: _pad("." if region.prefix in ("NL", "GM") else "1", 10),
            **{keys[s]: c[s] for s in _COUNT_STEMS},
            keys["GemiddeldeHuishoudensgrootte"]: round(c["AantalInwoners"] / c["HuishoudensTotaal"], 2) if c["HuishoudensTotaal"] else None,
            keys["MateVanStedelijkheid"]: _stedelijkheid(density),
            keys["Omgevingsadressendichtheid"]: density,
        }
        rows.append(row)
    info = _table_info(
        table_id, f"Kerncijfers wijken en buurten {year}", f"Kerncijfers wijken en buurten {year}", catalog="CBS",
        period=str(year), modified=modified, source="CBS",
        summary="Kerncijfers over bevolking, huishoudens en stedelijkheid per gemeente, wijk en buurt.",
    )
    return ReplicaTable(table_id, info, props.entries, {"WijkenEnBuurten": _region_rows(regions, REGION_KEY_WIDTH)}, rows)


# -- CBS Eenzaamheid; persoonskenmerken ----------------------------------------------------------------------

# key, title, category group, eenzaam in 2019 (percent)
_KENMERKEN: tuple[tuple[str, str, int, float], ...] = (
    ("T009002", "Totaal personen", 1, 30.5),
    ("3000", "Mannen", 2, 29.5),
    ("4000", "Vrouwen", 2, 31.5),
    ("53105", "15 tot 25 jaar", 3, 39.0),
    ("53500", "25 tot 35 jaar", 3, 33.0),
    ("53700", "35 tot 45 jaar", 3, 29.0),
    ("53800", "45 tot 55 jaar", 3, 29.0),
    ("53900", "55 tot 65 jaar", 3, 28.0),
    ("54000", "65 tot 75 jaar", 3, 26.5),
    ("21700", "75 jaar of ouder", 3, 38.0),
)
_KENMERK_WIDTH = 7
_NATIONAL_YEAR_SHIFT = {2019: 0.0, 2020: 1.0, 2021: 3.0, 2022: 1.5, 2023: 1.0, 2024: 0.5}
_NATIONAL_TOPICS = (
    ("Eenzaamheid", "Eenzaamheid", 1.0),
    ("SocialeEenzaamheid", "Sociale eenzaamheid", 0.85),
    ("EmotioneleEenzaamheid", "Emotionele eenzaamheid", 0.65),
)
# MateVanEenzaamheid: key, title, share of the lonely (None: the total, 0: not lonely); only the
# De Jong-Gierveld scale (Eenzaamheid_1) has the finer degrees.
_DEGREES: tuple[tuple[str, str, float | None], ...] = (
    ("A052500", "Niet eenzaam", 0.0),
    ("A052503", "Totaal eenzaam", None),
    ("A052506", "Matig eenzaam", 0.67),
    ("A052509", "Ernstig tot zeer ernstig eenzaam", 0.33),
)


def cbs_eenzaamheid_table(
    table_id: str = "85766NED", periods: Sequence[int] = (2019, 2020, 2021, 2022, 2023, 2024),
    *, modified: str = "2025-04-16T02:00:00",
) -> ReplicaTable:
    """CBS "Eenzaamheid; persoonskenmerken" (opendata, population 15+): national figures by age and sex.

    Dimensions ``Marges``, ``Kenmerken``, ``MateVanEenzaamheid`` and ``Perioden`` (as data-sources.md
    lists them); topics ``Eenzaamheid_1``, ``SocialeEenzaamheid_2``, ``EmotioneleEenzaamheid_3``, each a
    percentage of the category of ``MateVanEenzaamheid``. The young and the oldest are loneliest.
    Category keys and titles of ``MateVanEenzaamheid`` are invented (**[check]**).
    """
    props = _Properties()
    props.dimension("Marges", "Marges", description="Waarde en grenzen van het 95%-betrouwbaarheidsinterval.")
    props.dimension("Kenmerken", "Persoonskenmerken")
    props.dimension("MateVanEenzaamheid", "Mate van eenzaamheid")
    props.dimension("Perioden", "Perioden", "TimeDimension")
    group = props.group("Eenzaamheid")
    topic_keys = [(props.topic(stem, title, parent=group, decimals=1), factor) for stem, title, factor in _NATIONAL_TOPICS]
    rows: list[dict[str, Any]] = []
    for margin_index, (margin, _) in enumerate(MARGINS):
        for key, _, group_id, base in _KENMERKEN:
            hw = 0.8 if group_id == 1 else 1.1 if group_id == 2 else 2.2
            for degree, _, share in _DEGREES:
                for year in periods:
                    row: dict[str, Any] = {
                        "ID": len(rows), "Marges": margin, "Kenmerken": _pad(key, _KENMERK_WIDTH),
                        "MateVanEenzaamheid": degree, "Perioden": f"{year}JJ00",
                    }
                    eenzaam = base + _NATIONAL_YEAR_SHIFT.get(year, 0.0)
                    for t, (topic_key, factor) in enumerate(topic_keys):
                        lonely = eenzaam * factor
                        if share is None:
                            value, width = lonely, round(hw * max(factor, 0.5), 1)
                        elif share == 0.0:
                            value, width = 100.0 - lonely, round(hw * max(factor, 0.5), 1)
                        elif t == 0:
                            value, width = eenzaam * share, round(hw * max(share, 0.5), 1)
                        else:
                            value, width = None, 0.0
                        row[topic_key] = _bounds(value, width)[margin_index]
                    rows.append(row)
    category_groups = [
        {"ID": 1, "DimensionKey": "Kenmerken", "Title": "Totaal", "Description": None, "ParentID": None},
        {"ID": 2, "DimensionKey": "Kenmerken", "Title": "Geslacht", "Description": None, "ParentID": None},
        {"ID": 3, "DimensionKey": "Kenmerken", "Title": "Leeftijd", "Description": None, "ParentID": None},
    ]
    dimensions = {
        "Marges": _category_rows(MARGINS),
        "Kenmerken": [
            {"Key": _pad(k, _KENMERK_WIDTH), "Title": t, "Description": None, "CategoryGroupID": g} for k, t, g, _ in _KENMERKEN
        ],
        "MateVanEenzaamheid": [{"Key": k, "Title": t, "Description": None, "CategoryGroupID": None} for k, t, _ in _DEGREES],
        "Perioden": _periods_dimension(periods),
    }
    info = _table_info(
        table_id, "Eenzaamheid; persoonskenmerken", "Eenzaamheid; persoonskenmerken", catalog="CBS",
        period=", ".join(map(str, periods)), modified=modified, source="CBS, Sociale samenhang en welzijn",
        summary="Eenzaamheid van personen van 15 jaar of ouder naar persoonskenmerken.",
    )
    return ReplicaTable(table_id, info, props.entries, dimensions, rows, category_groups)


# -- realistic sizes --------------------------------------------------------------------------------------


def realistic_regions(
    n_gemeenten: int = 342, wijken_per_gemeente: int = 10, buurten_per_wijk: int = 4, prefix_start: int = 1,
    *, include_nederland: bool = True,
) -> list[Region]:
    """Invented but real-looking regions (GM0001, WK000100, BU00010000, …): about 17,000 by default."""
    if not (0 <= wijken_per_gemeente <= 100 and 0 <= buurten_per_wijk <= 100):
        raise ValueError("at most 100 wijken per gemeente and 100 buurten per wijk fit CBS's codes")
    if prefix_start < 0 or prefix_start + n_gemeenten > 10_000:
        raise ValueError("gemeente numbers must fit in four digits")
    regions = [Region("NL01", "Nederland")] if include_nederland else []
    for g in range(prefix_start, prefix_start + n_gemeenten):
        gm, gm_name = f"GM{g:04d}", f"Gemeente {g:04d}"
        regions.append(Region(gm, gm_name, gm, gm_name))
        for w in range(wijken_per_gemeente):
            regions.append(Region(f"WK{g:04d}{w:02d}", f"Wijk {w:02d} {gm_name}", gm, gm_name))
            regions.extend(
                Region(f"BU{g:04d}{w:02d}{b:02d}", f"Buurt {b:02d} wijk {w:02d} {gm_name}", gm, gm_name)
                for b in range(buurten_per_wijk)
            )
    return regions


def gemeente_tuples(regions: Sequence[Region]) -> list[GemeenteTuple]:
    """Invented provincie and GGD-regio for every gemeente in ``regions`` (input for ``gebieden_table``)."""
    out: list[GemeenteTuple] = []
    for region in regions:
        if region.prefix != "GM":
            continue
        pv = 20 + int(unit(region.code, "provincie") * 12)
        gg = int(unit(region.code, "ggd") * 25) + 1
        out.append((region.code, region.name, f"PV{pv}", f"Provincie {pv}", f"GG{gg:04d}", f"GGD-regio {gg}"))
    return out
