"""Finding a gemeente by what people type."""

from __future__ import annotations

import pandas as pd
import pytest

from eenzaamheid_data.errors import AmbiguousRegionError, BadInputError, UnknownRegionError
from eenzaamheid_data.regions import GemeenteLookup, normalise


@pytest.fixture()
def lookup() -> GemeenteLookup:
    frame = pd.DataFrame(
        [
            ("GM0363", "Amsterdam", "Noord-Holland"),
            ("GM0518", "'s-Gravenhage", "Zuid-Holland"),
            ("GM0796", "'s-Hertogenbosch", "Noord-Brabant"),
            ("GM0373", "Bergen (NH.)", "Noord-Holland"),
            ("GM0893", "Bergen (L.)", "Limburg"),
            ("GM0164", "Hengelo (O.)", "Overijssel"),
            ("GM1900", "Súdwest-Fryslân", "Fryslân"),
            ("GM1980", "Dijk en Waard", "Noord-Holland"),
            ("GM0014", "Groningen (gemeente)", "Groningen"),
        ],
        columns=["gemeentecode", "gemeentenaam", "provincienaam"],
    )
    return GemeenteLookup(frame, classification_year=2024)


@pytest.mark.parametrize(
    "text, code",
    [
        ("GM0363", "GM0363"),
        ("gm363", "GM0363"),
        ("363", "GM0363"),
        ("  AMSTERDAM ", "GM0363"),
        ("Den Haag", "GM0518"),
        ("s-Gravenhage", "GM0518"),
        ("'s Gravenhage", "GM0518"),
        ("Den Bosch", "GM0796"),
        ("Bergen NH", "GM0373"),
        ("Bergen (L.)", "GM0893"),
        ("bergen limburg", "GM0893"),
        ("Hengelo", "GM0164"),
        ("Sudwest-Fryslan", "GM1900"),
        ("súdwest   fryslân", "GM1900"),
        ("Groningen", "GM0014"),
    ],
)
def test_resolves_names_and_codes(lookup: GemeenteLookup, text: str, code: str) -> None:
    assert lookup.resolve(text) == code


def test_ambiguous_name_asks_which(lookup: GemeenteLookup) -> None:
    with pytest.raises(AmbiguousRegionError) as info:
        lookup.resolve("Bergen")
    assert info.value.exit_code == 2
    assert "Bergen (NH.) (GM0373)" in str(info.value) and "Bergen (L.) (GM0893)" in str(info.value)


def test_old_name_of_merged_gemeente_says_what_it_merged_into(lookup: GemeenteLookup) -> None:
    match = lookup.match("Heerhugowaard")
    assert match.code == "GM1980"
    assert "merged into Dijk en Waard" in match.note
    assert lookup.match("GM0416").code == "GM1980"  # Langedijk's old code


def test_misspelt_name_gets_suggestions(lookup: GemeenteLookup) -> None:
    with pytest.raises(UnknownRegionError) as info:
        lookup.resolve("Amsterdm")
    assert info.value.suggestions[0] == "Amsterdam (GM0363)"
    assert "did you mean" in str(info.value)


def test_unknown_code_and_empty_input(lookup: GemeenteLookup) -> None:
    with pytest.raises(UnknownRegionError):
        lookup.resolve("GM9999")
    with pytest.raises(BadInputError):
        lookup.resolve("   ")


def test_search(lookup: GemeenteLookup) -> None:
    assert list(lookup.search("berg")["gemeentecode"]) == ["GM0373", "GM0893"]
    with pytest.raises(UnknownRegionError) as near:
        lookup.search("amsterdm")
    assert near.value.suggestions[0] == "Amsterdam (GM0363)"
    assert len(lookup.search(None)) == 9


def test_normalise() -> None:
    assert normalise("'s-Gravenhage") == "s gravenhage"
    assert normalise("Gemeente Súdwest-Fryslân") == "sudwest fryslan"
