"""National loneliness by finer age band from CBS's own survey (table 85766NED).

A different survey ("Sociale samenhang en welzijn", ages 15+) and a different measurement from the
Gezondheidsmonitor: never put the two on one axis without saying so (``attrs["bron"]["survey"]``).
"""

from __future__ import annotations

import re

import pandas as pd

from .config import Settings
from .errors import SourceChangedError
from .odata import ODataCatalog
from .rivm import _resolve_margins

DEFAULT_TABLE = "85766NED"
SURVEY = "CBS, Sociale samenhang en welzijn (15 jaar en ouder)"
COLUMNS = ["leeftijdsband", "indicator", "jaar", "waarde", "ondergrens", "bovengrens", "tabel"]
_INDICATORS = {
    "Eenzaamheid": "eenzaam",
    "Eenzaam": "eenzaam",
    "SocialeEenzaamheid": "sociaal_eenzaam",
    "EmotioneleEenzaamheid": "emotioneel_eenzaam",
    "ErnstigEenzaam": "sterk_eenzaam",
    "SterkEenzaam": "sterk_eenzaam",
    "ErnstigZeerErnstigEenzaam": "sterk_eenzaam",
}


def _band(title: str) -> str | None:
    title = title.strip().lower()
    if m := re.fullmatch(r"(\d+) tot (\d+) jaar", title):
        return f"{m.group(1)}–{m.group(2)}"
    if m := re.fullmatch(r"(\d+) jaar (?:of|en) ouder", title):
        return f"{m.group(1)}+"
    if title.startswith("totaal"):
        return "totaal"
    return None


def load_age_bands(settings: Settings | None = None, *, table: str = DEFAULT_TABLE) -> pd.DataFrame:
    """Loneliness per age band (15–25 … 75+) and the total, with 95% intervals where published."""
    settings = settings or Settings.from_env()
    source = ODataCatalog(settings.cbs_url, settings, publisher="CBS")
    info = source.table_info(table)
    props = source.data_properties(table)
    dims = [p["Key"] for p in props if p.get("Type") in ("Dimension", "TimeDimension")]
    topics = {p["Key"]: _INDICATORS.get(re.sub(r"_\d+$", "", p["Key"])) for p in props if p.get("Type") == "Topic"}
    topics = {k: v for k, v in topics.items() if v}
    kenmerken = next((d for d in dims if d.lower().startswith("kenmerken")), None)
    periods = next((p["Key"] for p in props if p.get("Type") == "TimeDimension"), "Perioden")
    margins_dim = next((d for d in dims if d.lower().startswith("marges")), None)
    if kenmerken is None or not topics:
        raise SourceChangedError(f"{table}: expected a Kenmerken dimension and loneliness topics", hint="run `eenzaamheid check-sources`")
    bands = {r["Key"]: _band(str(r.get("Title", ""))) for r in source.records(table, kenmerken)}
    bands = {k: b for k, b in bands.items() if b}
    margins = _resolve_margins(table, source.records(table, margins_dim)) if margins_dim else {}
    years = {r["Key"]: int(str(r["Key"]).strip()[:4]) for r in source.records(table, periods) if "JJ" in str(r["Key"])}
    band_filter = "(" + " or ".join(f"{kenmerken} eq '{k}'" for k in bands) + ")"
    rows = source.records(table, "TypedDataSet", filters=band_filter, label="leeftijd")
    raw = pd.DataFrame.from_records(rows)
    other_dims = [d for d in dims if d not in (kenmerken, periods, margins_dim)]
    frame = pd.DataFrame(
        {
            "leeftijdsband": raw[kenmerken].map(bands),
            "jaar": raw[periods].map(years),
            "marge": raw[margins_dim].map(margins) if margins_dim else "waarde",
            **{d: raw[d].astype(str).str.strip() for d in other_dims},
            **{ind: pd.to_numeric(raw[key], errors="coerce") for key, ind in topics.items()},
        }
    ).dropna(subset=["leeftijdsband", "jaar", "marge"])
    long = frame.melt(id_vars=["leeftijdsband", "jaar", "marge", *other_dims], var_name="indicator", value_name="v")
    wide = long.pivot_table(index=["leeftijdsband", "indicator", "jaar", *other_dims], columns="marge", values="v", dropna=False).reset_index()
    for col in ("waarde", "ondergrens", "bovengrens"):
        if col not in wide:
            wide[col] = float("nan")
    wide.columns.name = None
    wide["jaar"] = wide["jaar"].astype("int64")
    wide["tabel"] = table
    wide = wide[[*COLUMNS[:3], *other_dims, *COLUMNS[3:]]].sort_values(["indicator", "jaar", "leeftijdsband"], ignore_index=True)
    wide.attrs["bron"] = {
        "publisher": "CBS",
        "survey": SURVEY,
        "table": table,
        "title": str(info.get("Title", "")).strip(),
        "years": sorted(set(years.values())),
        "modified": info.get("Modified"),
        "fetched_at": source.get(table, "TypedDataSet", filters=band_filter, label="leeftijd").meta.get("fetched_at"),
        "demo": settings.demo,
    }
    return wide
