"""The one catalogue of user-facing text, Dutch first, English second.

Pages, errors, maps and the CLI look up text here by key, so a translation is
one edit in one place and a test can check that both languages are complete.
"""

from __future__ import annotations

from typing import Any, Literal, get_args

Lang = Literal["nl", "en"]
LANGUAGES: tuple[Lang, ...] = get_args(Lang)

# key: (Dutch, English). Placeholders use str.format names.
CATALOGUE: dict[str, tuple[str, str]] = {
    # --- app frame -------------------------------------------------------
    "app.title": ("ABCD-kaart", "ABCD map"),
    "app.tagline": (
        "Wat de buurt al heeft: talenten, clubs, plekken en initiatieven.",
        "What the neighbourhood already has: talents, clubs, places and initiatives.",
    ),
    "app.wijk": ("Wijk", "Neighbourhood"),
    "app.language": ("Taal", "Language"),
    "app.example_data": ("voorbeeld", "example"),
    "app.example_notice": (
        "Deze wijk bevat {n} voorbeelden (verzonnen, om de kaart te laten zien). "
        "Verwijder ze met `abcd examples remove`.",
        "This neighbourhood holds {n} example assets (invented, to show the map). "
        "Remove them with `abcd examples remove`.",
    ),
    "page.map": ("Kaart", "Map"),
    "page.add": ("Toevoegen", "Add"),
    "page.list": ("Lijst", "List"),
    "page.about": ("Over", "About"),
    "page.gaps": ("Gatenkaart", "Gap map"),
    "page.investments": ("Investeringen", "Investments"),
    "page.presentation": ("Presentatie", "Presentation"),
    "app.actor": ("Jouw naam", "Your name"),
    "app.actor_help": (
        "Komt in de wijzigingsgeschiedenis bij wat je toevoegt of wijzigt.",
        "Recorded in the change history of what you add or change.",
    ),
    "app.example_badge": (
        "Dit is een voorbeeld: verzonnen om te laten zien hoe de kaart werkt.",
        "This is an example: invented to show how the map works.",
    ),
    # --- Kaart ---------------------------------------------------------------
    "map.title": ("Kaart van {wijk}", "Map of {wijk}"),
    "map.search": ("Zoeken", "Search"),
    "map.search_hint": ("naam of beschrijving", "name or description"),
    "map.filter": ("Categorieën", "Categories"),
    "map.count": ("{shown} van {total} assets op de kaart.", "{shown} of {total} assets on the map."),
    "map.empty": (
        "Nog niets in kaart gebracht in {wijk}. Begin op de pagina Toevoegen.",
        "Nothing mapped in {wijk} yet. Start on the Add page.",
    ),
    "map.selected": ("Gekozen op de kaart", "Chosen on the map"),
    "map.click_hint": ("Tik op een punt op de kaart voor de details.", "Tap a point on the map for its details."),
    "map.residents": ("{population} inwoners (CBS 2024)", "{population} residents (CBS 2024)"),
    "map.locate": ("Mijn locatie", "My location"),
    "map.locate_failed": (
        "Je locatie is niet gevonden. Sta locatie toe in je browser, of tik op de kaart.",
        "Your location was not found. Allow location in your browser, or tap the map.",
    ),
    # --- Toevoegen -----------------------------------------------------------
    "add.title": ("Toevoegen in {wijk}", "Add in {wijk}"),
    "add.help": (
        "Tik op de kaart waar het is, of druk op 📍 voor je huidige locatie. Kies dan een categorie en sla op.",
        "Tap the map where it is, or press 📍 for your current location. Then pick a category and save.",
    ),
    "add.tap_first": ("Tik eerst op de kaart (of gebruik 📍).", "First tap the map (or use 📍)."),
    "add.point": ("Plek: {lat:.6f}, {lon:.6f}", "Location: {lat:.6f}, {lon:.6f}"),
    "add.choose_category": ("Kies een categorie.", "Choose a category."),
    "add.save": ("Opslaan", "Save"),
    "add.saved": ("'{name}' staat op de kaart.", "'{name}' is on the map."),
    "add.save_elsewhere": ("Opslaan in {wijk}", "Save in {wijk}"),
    "add.cancel": ("Annuleren", "Cancel"),
    "add.clear_point": ("Andere plek kiezen", "Choose another location"),
    "add.name_hint": ("bijv. Naaiclub van Fatima", "e.g. Fatima's sewing club"),
    "add.description_hint": (
        "Wat is het, wie doet mee, wanneer?",
        "What is it, who takes part, when?",
    ),
    # --- Lijst ---------------------------------------------------------------
    "list.search": ("Zoeken", "Search"),
    "list.search_hint": ("naam of beschrijving", "name or description"),
    "list.categories": ("Categorieën", "Categories"),
    "list.show_deleted": ("Toon verwijderde assets", "Show deleted assets"),
    "list.updated": ("Bijgewerkt", "Updated"),
    "list.count": ("{shown} van {total} getoond.", "{shown} of {total} shown."),
    "list.empty": ("Geen assets gevonden.", "No assets found."),
    "list.choose": ("Bewerken", "Edit"),
    "list.choose_hint": ("Kies een asset", "Choose an asset"),
    "list.save": ("Wijzigingen opslaan", "Save changes"),
    "list.saved": ("'{name}' is opgeslagen.", "'{name}' was saved."),
    "list.delete": ("Verwijderen", "Delete"),
    "list.undo": ("'{name}' is verwijderd. Ongedaan maken", "'{name}' was deleted. Undo"),
    "list.is_deleted": ("'{name}' is verwijderd.", "'{name}' is deleted."),
    "list.restore": ("Herstellen", "Restore"),
    "list.restored": ("'{name}' is hersteld.", "'{name}' was restored."),
    "list.history": ("Geschiedenis", "History"),
    "history.action": ("Actie", "Action"),
    "history.when": ("Wanneer", "When"),
    "history.changes": ("Wijzigingen", "Changes"),
    "history.create": ("aangemaakt", "created"),
    "history.update": ("gewijzigd", "changed"),
    "history.delete": ("verwijderd", "deleted"),
    "history.restore": ("hersteld", "restored"),
    "history.erase": ("gewist", "erased"),
    "history.deleted": ("verwijderd", "deleted"),
    # --- Over ----------------------------------------------------------------
    "about.title": ("Over deze kaart", "About this map"),
    "about.abcd": (
        "**Asset Based Community Development (ABCD)** begint bij wat een buurt al heeft: de talenten van "
        "bewoners, clubs, ontmoetingsplekken, bewonersinitiatieven, instellingen, de lokale economie en "
        "verhalen, niet bij haar problemen. Bewoners, de coöperatie en de gemeente brengen die samen in "
        "kaart, \"van de gemeenschap naar buiten\": *niets meer zonder bewoners*. De gemeente ziet zo waar "
        "bewoners al veel zelf doen en waar zij meer kan steunen.",
        "**Asset Based Community Development (ABCD)** starts from what a neighbourhood already has: its "
        "residents' gifts, clubs, meeting places, resident initiatives, institutions, local economy and "
        "stories, not from its problems. Residents, the cooperative and the municipality map them together, "
        "\"from the community outwards\": *nothing without residents*. The municipality sees where residents "
        "already do a lot themselves and where it can support more.",
    ),
    "about.privacy_title": ("Jouw gegevens", "Your data"),
    "about.privacy": (
        "De gegevens zijn van de bewoners. Er staan geen huisadressen op de kaart; contactgegevens zijn "
        "privé en gaan niet mee in exports.",
        "The data belongs to the residents. No home addresses appear on the map; contact details are "
        "private and are left out of exports.",
    ),
    "about.sources_title": ("Bronnen", "Sources"),
    "about.sources": (
        "- Wijk- en buurtgrenzen: CBS en Kadaster, *Wijk- en Buurtkaart 2024* (CC BY 4.0).\n"
        "- Inwoners: CBS, *Kerncijfers wijken en buurten 2024* (CC BY 4.0).\n"
        "- Straten: © OpenStreetMap-bijdragers (ODbL 1.0).\n"
        "- Assets: ingevoerd door bewoners en buurtwerkers. Voorbeelden zijn verzonnen en als voorbeeld gemarkeerd.",
        "- Neighbourhood boundaries: CBS and Kadaster, *Wijk- en Buurtkaart 2024* (CC BY 4.0).\n"
        "- Residents: CBS, *Kerncijfers wijken en buurten 2024* (CC BY 4.0).\n"
        "- Streets: © OpenStreetMap contributors (ODbL 1.0).\n"
        "- Assets: entered by residents and community builders. Examples are invented and marked as examples.",
    ),
    "about.export_title": ("Exporteren", "Export"),
    "about.export": (
        "Download de assets van {wijk}: GeoJSON en GeoPackage openen in QGIS, CSV in Excel, en de "
        "HTML-kaart werkt ook zonder internet. Contactgegevens gaan niet mee.",
        "Download the assets of {wijk}: GeoJSON and GeoPackage open in QGIS, CSV in Excel, and the "
        "HTML map also works without internet. Contact details are left out.",
    ),
    "about.format": ("Formaat", "Format"),
    "about.export_html": ("Kaart (HTML, offline)", "Map (HTML, offline)"),
    "about.prepare": ("Export maken", "Prepare export"),
    "about.download": ("Download {format}", "Download {format}"),
    "about.cli": (
        "Vanaf de opdrachtregel: `abcd export assets.geojson --wijk bospolder-tussendijken` "
        "(ook `.gpkg`, `.csv`, `.html`).",
        "From the command line: `abcd export assets.geojson --wijk bospolder-tussendijken` "
        "(also `.gpkg`, `.csv`, `.html`).",
    ),
    # --- categories --------------------------------------------------------
    "category.person": ("Talent van een bewoner", "Resident's talent"),
    "category.association": ("Vereniging of club", "Association or club"),
    "category.initiative": ("Bewonersinitiatief", "Resident initiative"),
    "category.institution": ("Instelling", "Institution"),
    "category.meeting_place": ("Ontmoetingsplek", "Meeting place"),
    "category.place": ("Plek (park, speeltuin, plein)", "Place (park, playground, square)"),
    "category.business": ("Lokale economie", "Local business"),
    "category.story": ("Verhaal of erfgoed", "Story or heritage"),
    "category_help.person": ("talent van een bewoner", "a resident's gift or skill"),
    "category_help.association": (
        "vereniging, club, informele groep",
        "association, club, informal group",
    ),
    "category_help.initiative": ("bewonersinitiatief", "resident initiative"),
    "category_help.institution": (
        "school, bibliotheek, welzijn, religieuze instelling",
        "school, library, welfare, place of worship",
    ),
    "category_help.meeting_place": ("ontmoetingsplek, buurthuis", "meeting place, community centre"),
    "category_help.place": ("park, speeltuin, tuin, plein", "park, playground, garden, square"),
    "category_help.business": ("winkel, werkplaats, markt", "shop, workshop, market"),
    "category_help.story": ("verhaal, erfgoed, herinnering", "story, heritage, memory"),
    "role.standard": ("standaard ontmoetingsplek (gemeente)", "standard meeting place (municipality)"),
    "role.resident": ("door bewoners gestart", "started by residents"),
    "role.other": ("anders", "other"),
    "source.field": ("veldwerk", "field work"),
    "source.import": ("import", "import"),
    "source.osm": ("OpenStreetMap", "OpenStreetMap"),
    "source.example": ("voorbeeld (verzonnen)", "example (invented)"),
    # --- field names (used in validation messages and forms) --------------
    "field.id": ("id", "id"),
    "field.name": ("naam", "name"),
    "field.category": ("categorie", "category"),
    "field.description": ("beschrijving", "description"),
    "field.lon": ("lengtegraad", "longitude"),
    "field.lat": ("breedtegraad", "latitude"),
    "field.geometry": ("locatie", "location"),
    "field.area": ("gebied of route", "area or route"),
    "field.wijk": ("wijk", "neighbourhood"),
    "field.resident_led": ("door bewoners geleid", "resident-led"),
    "field.meeting_place_role": ("soort ontmoetingsplek", "kind of meeting place"),
    "field.contact": ("contact (privé)", "contact (private)"),
    "field.source": ("bron", "source"),
    "field.version": ("versie", "version"),
    "field.by": ("door", "by"),
    # --- validation --------------------------------------------------------
    "error.required": ("Het veld '{field}' is verplicht.", "The field '{field}' is required."),
    "error.blank": (
        "Het veld '{field}' is leeg; vul een waarde in.",
        "The field '{field}' is blank; please fill it in.",
    ),
    "error.too_long": (
        "Het veld '{field}' is te lang ({length} tekens); maximaal {max} tekens.",
        "The field '{field}' is too long ({length} characters); at most {max}.",
    ),
    "error.choice": (
        "Onbekende waarde {value!r} voor '{field}'; toegestaan: {allowed}.",
        "Unknown value {value!r} for '{field}'; allowed: {allowed}.",
    ),
    "error.not_a_number": (
        "'{field}' moet een getal zijn, maar is {value!r}.",
        "'{field}' must be a number, but is {value!r}.",
    ),
    "error.not_finite": (
        "'{field}' moet een eindig getal zijn, maar is {value!r}.",
        "'{field}' must be a finite number, but is {value!r}.",
    ),
    "error.lat_range": (
        "Breedtegraad {value!r} ligt buiten -90..90. Zijn dit RD-coördinaten (meters) in plaats van graden?",
        "Latitude {value!r} is outside -90..90. Are these RD coordinates (metres) instead of degrees?",
    ),
    "error.lon_range": (
        "Lengtegraad {value!r} ligt buiten -180..180. Zijn dit RD-coördinaten (meters) in plaats van graden?",
        "Longitude {value!r} is outside -180..180. Are these RD coordinates (metres) instead of degrees?",
    ),
    "error.not_in_nl": (
        "Het punt ({lat}, {lon}) ligt niet in Nederland. Zijn breedte- en lengtegraad verwisseld?",
        "The point ({lat}, {lon}) is not in the Netherlands. Are latitude and longitude swapped?",
    ),
    "error.bool": (
        "'{field}' moet ja of nee zijn, maar is {value!r}.",
        "'{field}' must be yes or no, but is {value!r}.",
    ),
    "error.not_for_category": (
        "'{field}' hoort niet bij de categorie '{category}'.",
        "'{field}' does not belong to the category '{category}'.",
    ),
    "error.geometry_type": (
        "'{field}' moet een {expected} zijn, maar is een {value}.",
        "'{field}' must be a {expected}, but is a {value}.",
    ),
    "error.geometry_invalid": (
        "'{field}' is geen geldige geometrie ({reason}).",
        "'{field}' is not a valid geometry ({reason}).",
    ),
    "error.geometry_empty": ("'{field}' is leeg.", "'{field}' is empty."),
    "error.bad_date": (
        "'{field}' is geen geldige datum: {value!r} (verwacht JJJJ-MM-DD).",
        "'{field}' is not a valid date: {value!r} (expected YYYY-MM-DD).",
    ),
    "error.bad_uuid": ("'{field}' is geen geldig id: {value!r}.", "'{field}' is not a valid id: {value!r}."),
    "error.outside_wijk": (
        "Het punt ligt buiten {wijk}.",
        "The point lies outside {wijk}.",
    ),
    "error.outside_wijk_in": (
        "Het punt ligt buiten {wijk}, in {actual}.",
        "The point lies outside {wijk}, in {actual}.",
    ),
    "error.outside_all": (
        "Het punt ligt buiten {wijk} en buiten alle bekende wijken van Rotterdam.",
        "The point lies outside {wijk} and outside every known Rotterdam neighbourhood.",
    ),
    "error.unknown_wijk": (
        "Onbekende wijk {value!r}. Bekend zijn bijvoorbeeld: {known}.",
        "Unknown neighbourhood {value!r}. Known are for example: {known}.",
    ),
    "error.wijk_no_geometry": (
        "De buurt {value!r} heeft geen grens in de CBS-kaart en kan niet gekozen worden.",
        "The neighbourhood {value!r} has no boundary in the CBS map and cannot be chosen.",
    ),
    "error.not_found": ("Geen asset met id {value!r}.", "No asset with id {value!r}."),
    "error.deleted": (
        "Asset {value!r} is verwijderd; herstel het eerst.",
        "Asset {value!r} is deleted; restore it first.",
    ),
    "error.not_deleted": ("Asset {value!r} is niet verwijderd.", "Asset {value!r} is not deleted."),
    "error.conflict": (
        "Iemand anders heeft '{name}' intussen gewijzigd (versie {stored}, jij bewerkte versie {given}). "
        "Er is niets overschreven; laad het opnieuw en probeer het nog eens.",
        "Someone else changed '{name}' in the meantime (version {stored}, you edited version {given}). "
        "Nothing was overwritten; reload and try again.",
    ),
    "error.row": ("Rij {row}: {message}", "Row {row}: {message}"),
    "error.nothing_imported": (
        "{message} Er is niets geïmporteerd.",
        "{message} Nothing was imported.",
    ),
    "error.file_missing": ("Bestand niet gevonden: {path}.", "File not found: {path}."),
    "error.file_format": (
        "Onbekend bestandstype {suffix!r}; gebruik {allowed}.",
        "Unknown file type {suffix!r}; use {allowed}.",
    ),
    "error.file_unreadable": (
        "Het bestand {path} kan niet gelezen worden: {reason}.",
        "The file {path} cannot be read: {reason}.",
    ),
    "error.file_too_large": (
        "Het bestand is te groot ({size} MB); maximaal {max} MB.",
        "The file is too large ({size} MB); at most {max} MB.",
    ),
    "error.too_many_rows": (
        "Het bestand heeft {count} rijen; maximaal {max} per import.",
        "The file has {count} rows; at most {max} per import.",
    ),
    "error.json_too_deep": (
        "Het bestand {path} is te diep genest (meer dan {max} niveaus); dit is geen gewone GeoJSON.",
        "The file {path} is nested too deeply (more than {max} levels); this is not ordinary GeoJSON.",
    ),
    "error.json_syntax": (
        "Het bestand {path} is geen geldige JSON (regel {line}, kolom {col}: {msg}).",
        "The file {path} is not valid JSON (line {line}, column {col}: {msg}).",
    ),
    "error.not_geojson": (
        "Het bestand {path} is geen GeoJSON met features (FeatureCollection).",
        "The file {path} is not GeoJSON with features (FeatureCollection).",
    ),
    "error.empty_file": ("Het bestand bevat geen rijen.", "The file contains no rows."),
    "error.csv_columns": (
        "De CSV heeft geen kolommen 'lat' en 'lon' (of 'latitude'/'longitude') en geen kolom 'wkt'. "
        "Gevonden: {columns}.",
        "The CSV has no 'lat' and 'lon' columns (or 'latitude'/'longitude') and no 'wkt' column. Found: {columns}.",
    ),
    "error.not_utf8": (
        "Het bestand is geen UTF-8-tekst; sla het op als UTF-8 (CSV UTF-8 in Excel).",
        "The file is not UTF-8 text; save it as UTF-8 (CSV UTF-8 in Excel).",
    ),
    "error.no_crs": (
        "Het bestand noemt geen coördinatenstelsel en de coördinaten lijken geen graden.",
        "The file names no coordinate system and the coordinates do not look like degrees.",
    ),
    "error.export_format": (
        "Onbekend exportformaat {suffix!r}; gebruik {allowed}.",
        "Unknown export format {suffix!r}; use {allowed}.",
    ),
    "error.duplicate_id": (
        "Het id {value!r} komt meer dan eens voor in het bestand.",
        "The id {value!r} occurs more than once in the file.",
    ),
    # --- CLI ---------------------------------------------------------------
    "cli.imported": ("{count} assets geïmporteerd in {wijk}.", "{count} assets imported into {wijk}."),
    "cli.updated": ("{count} bestaande assets bijgewerkt.", "{count} existing assets updated."),
    "cli.unchanged": (
        "{count} rijen ongewijzigd gelaten (al zo opgeslagen, of verwijderd).",
        "{count} rows left unchanged (already stored like this, or deleted).",
    ),
    "cli.exported": ("{count} assets geëxporteerd naar {path}.", "{count} assets exported to {path}."),
    "cli.examples_loaded": (
        "{count} voorbeeldassets geladen in {wijk} (gemarkeerd als voorbeeld).",
        "{count} example assets loaded into {wijk} (marked as examples).",
    ),
    "cli.examples_present": (
        "Voorbeelden staan al in {wijk}; niets gedaan.",
        "Examples are already in {wijk}; nothing done.",
    ),
    "cli.examples_removed": ("{count} voorbeeldassets verwijderd.", "{count} example assets removed."),
    "cli.db_ready": ("Database klaar: {url} (schema {revision}).", "Database ready: {url} (schema {revision})."),
    "cli.wijk_loaded": (
        "Wijk {name} geladen: {streets} straatsegmenten, {population} inwoners.",
        "Neighbourhood {name} loaded: {streets} street segments, {population} residents.",
    ),
    # --- map ---------------------------------------------------------------
    "map.boundary": ("Wijkgrens", "Neighbourhood boundary"),
    "map.streets": ("Straten", "Streets"),
    "map.legend": ("Legenda", "Legend"),
    "map.example": ("Voorbeeld, verzonnen", "Example, invented"),
    "map.source": ("Bron", "Source"),
    "map.category": ("Categorie", "Category"),
    "map.description": ("Beschrijving", "Description"),
    "map.resident_led": ("door bewoners geleid", "resident-led"),
    "map.not_resident_led": ("niet door bewoners geleid", "not resident-led"),
    "map.new_point": ("Nieuwe plek", "New location"),
    "map.tiles": ("Achtergrondkaart", "Background map"),
    "map.attribution": (
        "Wijkgrenzen: CBS en Kadaster, Wijk- en Buurtkaart 2024; inwoners: CBS Kerncijfers wijken en buurten 2024 "
        "(CC BY 4.0). Straten: © OpenStreetMap-bijdragers (ODbL).",
        "Boundaries: CBS and Kadaster, Wijk- en Buurtkaart 2024; residents: CBS Kerncijfers wijken en buurten 2024 "
        "(CC BY 4.0). Streets: © OpenStreetMap contributors (ODbL).",
    ),
    "geom.area_or_line": ("vlak of lijn", "polygon or line"),
    "yes": ("ja", "yes"),
    "no": ("nee", "no"),
}


class Term(str):
    """A parameter value that is itself a catalogue key, translated when shown.

    Errors keep ``field=Term("field.name")`` so the field is named in the
    reader's language, not the one the error was raised in.
    """


def t(key: str, lang: Lang = "nl", /, **params: Any) -> str:
    """Text for ``key`` in ``lang``, with ``params`` filled in.

    An unknown key returns the key itself, so a missing translation shows up
    on screen instead of crashing a page; ``tests/test_i18n.py`` keeps the
    catalogue complete.

    >>> t("page.map", "en")
    'Map'
    >>> t("error.required", "nl", field="naam")
    "Het veld 'naam' is verplicht."
    """
    pair = CATALOGUE.get(key)
    if pair is None:
        return key
    text = pair[1] if lang == "en" else pair[0]
    if not params:
        return text
    return text.format(**{k: _shown(v, lang) for k, v in params.items()})


def _shown(value: Any, lang: Lang) -> Any:
    """A parameter as shown in ``lang``: terms and nested errors are translated too."""
    if isinstance(value, Term):
        return t(value, lang)
    message = getattr(value, "message", None)
    if callable(message):
        return message(lang)
    return value


def normalise_lang(value: object) -> Lang:
    """``'en'`` for anything English-like, else Dutch (the default)."""
    return "en" if str(value).lower().startswith("en") else "nl"
