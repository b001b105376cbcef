"""The static Dutch text of the factsheet, written for officials (taalniveau B1 waar het kan).

Written in our own words. Only data-driven text lives in ``content``; this module holds what is the
same for every gemeente: explanations, the steps of a local approach, the building blocks, the
checklist of partners, links and the method notes.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Item:
    """A titled piece of text (a step, a building block, a kind of support, a domain)."""

    key: str
    titel: str
    tekst: str


@dataclass(frozen=True)
class Link:
    """A plain link for reading on; ``url`` is shown in print as well."""

    titel: str
    url: str
    tekst: str


TITLE = "Eenzaamheid in {naam}"
SUBTITLE = "Feiten en cijfers voor de startconferentie"

INTRO = (
    "Dit overzicht laat zien hoeveel inwoners van {naam} zich eenzaam voelen, bij welke leeftijden en in "
    "welke wijken. Het is bedoeld als start voor het gesprek met partners: wat zien jullie, wat kunnen "
    "jullie samen doen?"
)

DEMO_BANNER = (
    "Let op: dit zijn fictieve voorbeelddata. De gemeenten, de wijken en alle cijfers zijn verzonnen. "
    "Gebruik dit overzicht alleen om te zien hoe het eruitziet."
)

INDICATOR_UITLEG: dict[str, str] = {
    "eenzaam": "Iemand mist contact met andere mensen. Dat kan licht zijn of sterk.",
    "sterk_eenzaam": "Iemand mist contact met anderen heel erg. Dit is een deel van de groep 'eenzaam'.",
    "emotioneel_eenzaam": "Iemand mist een hechte, persoonlijke band, bijvoorbeeld met een partner of een goede vriend.",
    "sociaal_eenzaam": "Iemand mist een bredere groep mensen om zich heen, zoals vrienden, buren of collega's.",
}

INTERVAL_UITLEG = (
    "Elk cijfer is een schatting en dus nooit helemaal precies. Daarom staat er een 95%-interval bij: een "
    "ondergrens en een bovengrens. Het echte percentage ligt vrijwel zeker (met 95% zekerheid) tussen die "
    "twee getallen. Hoe minder inwoners een gebied heeft, hoe breder het interval."
)

VERSCHIL_UITLEG = (
    "'Hoger' of 'lager' betekent dat het verschil aantoonbaar is. Staat er 'niet aantoonbaar verschillend', dan "
    "kan het verschil ook door toeval komen: we weten dan niet of er een echt verschil is."
)

CHART_DESCRIBED = "Uitleg en cijfers staan eronder."
"""After a chart's short name (its text alternative): the summary and the table under it describe it."""

SCROLL_HINT = "Veeg of schuif opzij om de hele figuur te zien →"
"""Under a chart on a narrow screen, where the chart keeps a legible size and scrolls sideways."""

VERSCHIL_WOORDEN: dict[str, str] = {
    "hoger": "hoger",
    "lager": "lager",
    "niet aantoonbaar verschillend": "niet aantoonbaar verschillend",
    "onbekend": "niet te vergelijken",
}

SUPPORT_INTRO = (
    "Eenzaamheid heeft veel oorzaken. Daarom past niet bij iedereen dezelfde hulp. Er zijn zeven soorten "
    "ondersteuning. Waar de cijfers van {naam} een aanknopingspunt geven, staat een suggestie. Dit zijn "
    "geen adviezen: bespreek met partners wat past bij jullie inwoners."
)

SUPPORT_KINDS: tuple[Item, ...] = (
    Item("praktisch", "Praktische ondersteuning",
         "Hulp bij wat mensen tegenhoudt om mee te doen, zoals vervoer, geldzorgen, een beperking of moeite met de computer."),
    Item("vaardigheden", "Sociale vaardigheden",
         "Leren hoe je contact legt en houdt, bijvoorbeeld in een cursus of met een coach."),
    Item("ontmoeting", "Ontmoetingsmogelijkheden",
         "Plekken en activiteiten waar mensen elkaar zonder drempel tegenkomen, dichtbij huis."),
    Item("persoonlijk", "Persoonlijk en betekenisvol contact",
         "Contact van mens tot mens dat ertoe doet, zoals een maatje, een vast bezoek of een goed gesprek."),
    Item("rol", "Een gewaardeerde rol",
         "Iets betekenen voor een ander, bijvoorbeeld als vrijwilliger, buur of mantelzorger."),
    Item("bezigheden", "Bezigheden",
         "Zinvolle dingen om te doen, zoals werk, een opleiding, een hobby of een club."),
    Item("verwachtingen", "Realistische verwachtingen",
         "Anders leren kijken naar contact: wat mag je van anderen verwachten, en wat heb je al?"),
)

NO_POINTER = "De cijfers geven hier geen aanwijzing. Deze vorm van ondersteuning kan toch nodig zijn."

STEPS_INTRO = (
    "Een lokale aanpak van eenzaamheid gaat meestal in zes stappen. Dit overzicht hoort bij stap 2. "
    "De startconferentie is stap 3."
)

STEPS: tuple[Item, ...] = (
    Item("1", "Verkennen en draagvlak zoeken",
         "Ga na wat er al gebeurt tegen eenzaamheid en wie daaraan werkt. Zorg dat bestuurders en partners "
         "het onderwerp belangrijk vinden en er tijd en geld voor willen vrijmaken."),
    Item("2", "Feiten en cijfers verzamelen",
         "Breng in kaart hoeveel inwoners eenzaam zijn, wie het vooral zijn en waar ze wonen. Dit overzicht "
         "is daarvoor een begin. Vul het aan met wat inwoners, vrijwilligers en professionals zelf zien."),
    Item("3", "Partners verbinden op een startconferentie",
         "Breng de mensen en organisaties bij elkaar die iets kunnen betekenen. Deel de cijfers, wissel "
         "ervaringen uit en spreek af wie wat gaat doen."),
    Item("4", "Een plan van aanpak maken",
         "Kies samen een paar doelen en groepen om mee te beginnen. Leg vast wat er gebeurt, wie het doet, "
         "wanneer, en met welk geld."),
    Item("5", "Uitvoeren",
         "Ga aan de slag met wat is afgesproken. Houd contact met de partners en stel de aanpak bij als iets "
         "niet werkt."),
    Item("6", "Evalueren en borgen",
         "Kijk op vaste momenten of de aanpak werkt, vraag het ook aan inwoners, en zorg dat wat goed werkt "
         "blijft bestaan, ook na de eerste jaren."),
)

BLOCKS_INTRO = "Een aanpak die blijft werken, rust op zes bouwstenen:"

BUILDING_BLOCKS: tuple[Item, ...] = (
    Item("weten", "Weten", "Iedereen die met inwoners werkt, weet wat eenzaamheid is en herkent de signalen."),
    Item("vinden", "Vinden", "Eenzame inwoners worden op tijd gezien, ook als ze zelf niet om hulp vragen."),
    Item("ondersteunen", "Ondersteunen", "Er is passende hulp en een passend aanbod, en inwoners worden er ook echt naartoe begeleid."),
    Item("kwaliteit", "Kwaliteit bieden", "Het aanbod sluit aan bij wat inwoners nodig hebben, en vrijwilligers en professionals zijn er goed op voorbereid."),
    Item("samenwerken", "Samenwerken", "Gemeente, organisaties, ondernemers en inwoners weten van elkaar wat ze doen en trekken samen op."),
    Item("informeren", "Informeren", "Inwoners en professionals weten waar ze terechtkunnen, en over eenzaamheid praten is gewoon."),
)

INVITE_INTRO = (
    "Eenzaamheid raakt aan veel terreinen. Gebruik deze lijst om na te gaan of elk terrein vertegenwoordigd is "
    "op de startconferentie. Vink aan wie je hebt uitgenodigd."
)

DOMAINS: tuple[Item, ...] = (
    Item("gemeente", "Gemeente", "Beleid voor welzijn, wonen, werk en inkomen; wijkteams."),
    Item("zelforganisaties", "Zelforganisaties, zoals ouderenbonden", "Ook organisaties van migranten, jongeren of mensen met een beperking."),
    Item("ondernemers", "Ondernemers", "Winkels, horeca, kappers en andere bedrijven in de buurt."),
    Item("integratie", "Integratie", "Taalhuis, vluchtelingenwerk, inburgering."),
    Item("schulden", "Schulden en armoede", "Schuldhulp, voedselbank, budgetcoaches."),
    Item("zorg", "Zorg en welzijn", "Huisartsen, wijkverpleging, welzijnswerk, thuiszorg, GGD."),
    Item("wonen", "Woningcorporaties", "Huismeesters en buurtconsulenten."),
    Item("cultuur", "Kunst, cultuur en bibliotheken", "Bibliotheek, muziekschool, theater, musea."),
    Item("geloof", "Geloofsgemeenschappen", "Kerken, moskeeën en andere gemeenschappen."),
    Item("sport", "Sport", "Sportclubs en buurtsportcoaches."),
    Item("onderwijs", "Onderwijs", "Scholen, mbo, hogescholen en universiteiten."),
    Item("financieel", "Financiële sector", "Banken en verzekeraars."),
)

LINKS_INTRO = "Hier vind je aanpakken en voorbeelden om verder te lezen:"

# The development machines have no internet: every address below needs a live check before release.
LINKS: tuple[Link, ...] = (
    Link("Databank Effectieve sociale interventies (Movisie)",
         "https://www.movisie.nl/databank-effectieve-sociale-interventies",
         "Erkende aanpakken tegen eenzaamheid, met wat bekend is over hoe goed ze werken."),
    # TODO(live check): exact address of the Etalage van Maatschappelijke Initiatieven; the Movisie home
    # page is used until it is confirmed.
    Link("Etalage van Maatschappelijke Initiatieven",
         "https://www.movisie.nl",
         "Voorbeelden uit de praktijk die (nog) niet erkend zijn, maar wel inspireren. Zoek op de site van Movisie naar 'Etalage'."),
    # TODO(live check): deep links to the two toolkits on eentegeneenzaamheid.nl; the home page is used
    # until they are confirmed.
    Link("Eén tegen eenzaamheid: toolkit voor bedrijven en organisaties",
         "https://www.eentegeneenzaamheid.nl",
         "Wat een bedrijf of organisatie zelf kan doen, voor klanten, leden en medewerkers."),
    Link("Eén tegen eenzaamheid: een lokale coalitie vormen",
         "https://www.eentegeneenzaamheid.nl",
         "Hoe je partners verbindt in een lokale coalitie tegen eenzaamheid."),
    # TODO(live check): the Betrokken buurten toolkit and werkboek (LSA bewoners); address seen in 2020.
    Link("Betrokken buurten: toolkit en werkboek",
         "https://www.lsabewoners.nl/zorg/betrokken-buurten-tegen-eenzaamheid/",
         "Voor bewonersinitiatieven die eenzaamheid in hun buurt willen verminderen."),
)

TREND_NOTE = (
    "Alle jaren komen uit dezelfde tabel en zijn op dezelfde manier geschat. 'Gestegen' of 'gedaald' staat er alleen "
    "als het verschil met de vorige meting aantoonbaar is. Tot en met 2016 ging het om inwoners van 19 jaar en ouder, "
    "daarna om 18 jaar en ouder: vergelijk 2016 en 2020 daarom voorzichtig."
)
PRINTED_TABLES = frozenset({"leeftijd", "trend", "kaart", "aantallen", "vergelijkbaar", "landelijk"})
"""Charts whose numbers are printed under them (on screen they fold away): every chart whose intervals (or, for the
trend and the map, values) it shows only as drawing, so every figure on paper has its interval in numbers too (the
age chart's GGD-regio and the national chart's bands had none, found by a review)."""
MAP_HIGHLIGHT_LABEL = "Dikke rand: vraagt aandacht"
# Under the map, on the page and the slide: a dark colour alone is no finding.
MAP_FLAGGED_NOTE = "Alleen een wijk met een dikke rand heeft een aantoonbaar hoger cijfer dan de gemeente als geheel."
MAP_NONE_FLAGGED = "Geen enkele wijk heeft een aantoonbaar hoger cijfer dan de gemeente als geheel."
TREND_AGE_BREAK = "let op: andere leeftijdsgrens dan bij de vorige meting"
PEOPLE_NOTE = "Het aantal is het percentage maal het aantal inwoners, afgerond. Het is een schatting."
AGE_19PLUS_NOTE = ("Let op: in {jaar} telde de Gezondheidsmonitor inwoners vanaf 19 jaar. Daarom gaat dit rapport over "
                   "inwoners van 19 jaar en ouder en van 19 tot 65 jaar; vanaf 2020 is dat 18 jaar.")
NATIONAL_OTHER_YEAR = "Let op: deze landelijke cijfers zijn van {landelijk}; de rest van dit rapport gaat over {jaar}."
PEOPLE_OTHER_YEAR_SHORT = "Geschat met het aantal inwoners van {inwoners} en het percentage van {jaar}."
PEOPLE_OTHER_YEAR = ("Let op: het aantal inwoners is dat van {inwoners}, het percentage dat van {jaar}. Het aantal is dus "
                     "een schatting voor nu, met het percentage van toen.")
PEOPLE_AGE_BASE = ("Let op: het percentage van {jaar} gaat over inwoners van 19 jaar en ouder, maar het aantal inwoners telt "
                   "vanaf 18 jaar. Het geschatte aantal is daardoor iets te hoog.")
SIMILAR_NOTE = (
    "Vergelijkbaar betekent hier: ongeveer even stedelijk, even groot en met een even groot aandeel 65-plussers. "
    "De gemeenten lijken dus niet in alles op elkaar."
)
INDEX_TITLE = "Eenzaamheid per gemeente"
INDEX_INTRO = (
    "Per gemeente een overzicht van de feiten en cijfers over eenzaamheid: stap 2 van een lokale aanpak, voor de "
    "startconferentie. Bekijk het in de browser, druk het af, of gebruik de dia's in een presentatie."
)
INDEX_TITLE_GGD = "Eenzaamheid in de gemeenten van {naam}"
INDEX_TITLE_ALL = "Eenzaamheid in alle gemeenten"
INDEX_EARLIER = (
    "Deze overzichten stonden al in deze map. Ze zijn nu niet opnieuw gemaakt. Ze kunnen over andere cijfers "
    "gaan: elk overzicht noemt zelf zijn bron en de datum waarop de cijfers zijn opgehaald."
)
# The index's reasons for a gemeente without a report, in Dutch; the English message follows for whoever fixes it.
FAILED_NO_FIGURES = "Tabel {table} heeft geen cijfers voor deze gemeente."
FAILED_NOT_LISTED = ("Tabel {table} heeft cijfers voor deze gemeente, maar ze staat niet in de lijst van gemeenten van CBS "
                     "voor {jaar}. Daardoor is niet bekend bij welke GGD-regio ze hoort.")
FAILED_WRITE = "Het bestand kon niet worden opgeslagen (is de schijf vol, of mag er niet geschreven worden?)."
FAILED_OTHER = "Er ging iets mis bij het maken van dit overzicht."
FAILED_TECHNICAL = "Technische melding (Engels)"
SIMILAR_MISSING = (
    "Voor {naam} ontbreekt bij CBS de stedelijkheid, het aantal inwoners of het aandeel 65-plussers. Daarom kunnen we "
    "hier geen vergelijkbare gemeenten laten zien. De andere cijfers in dit rapport hangen daar niet van af."
)
SIMILAR_NONE = "Er zijn geen andere gemeenten met de gegevens die nodig zijn om te vergelijken."
NATIONAL_NOTE = (
    "Deze cijfers komen uit een ander onderzoek van CBS, met een andere vragenlijst en mensen vanaf 15 jaar. "
    "Het komt op een lager percentage eenzamen uit dan de Gezondheidsmonitor, omdat het anders is opgezet. Vergelijk ze "
    "daarom niet direct met de cijfers van de gemeente: gebruik ze om te zien welke leeftijden vaker eenzaam zijn."
)

METHOD_NOTES: tuple[str, ...] = (
    "De cijfers zijn schattingen. RIVM, GGD'en en CBS maken ze met een rekenmodel. Het model gebruikt de "
    "antwoorden op de Gezondheidsmonitor Volwassenen en Ouderen (een grote vragenlijst) en gegevens over alle "
    "inwoners, zoals leeftijd, huishouden en inkomen. Zo ontstaat ook een cijfer voor gebieden waar maar weinig "
    "mensen de vragenlijst hebben ingevuld.",
    "Eenzaamheid is gemeten met elf vragen (de schaal van De Jong-Gierveld). Wie op 3 of meer vragen 'eenzaam' "
    "antwoordt, telt als eenzaam; wie dat op 9 of meer doet, als sterk eenzaam.",
    f"Emotioneel eenzaam: {INDICATOR_UITLEG['emotioneel_eenzaam']} Sociaal eenzaam: {INDICATOR_UITLEG['sociaal_eenzaam']}",
    INTERVAL_UITLEG,
    "Omdat het model vooral kijkt naar wie er in een gebied woont, zijn de cijfers niet geschikt om het effect "
    "van een lokale aanpak of project te meten. Gebruik daarvoor een eigen evaluatie.",
    "In 2012 en 2016 ging het om inwoners van 19 jaar en ouder, vanaf 2020 om 18 jaar en ouder. Vergelijk die "
    "jaren daarom voorzichtig.",
    "Het aantal inwoners dat eenzaam is, is berekend als percentage maal het aantal inwoners. Het is afgerond, "
    "want het is een schatting.",
)
