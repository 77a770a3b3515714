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
    "page.admin": ("Beheer", "Admin"),
    "admin.moderation_title": ("Goedkeuren in {wijk}", "Approval in {wijk}"),
    "admin.moderation": (
        "Nieuwe assets in deze wijk eerst goedkeuren",
        "New assets in this neighbourhood need approval first",
    ),
    "admin.pending_count": ("{n} assets wachten op goedkeuring.", "{n} assets await approval."),
    "admin.accounts": ("Accounts", "Accounts"),
    "admin.wijken": ("Wijken", "Neighbourhoods"),
    "admin.all_wijken": ("alle", "all"),
    "admin.locked": ("Geblokkeerd tot", "Locked until"),
    "admin.add_user": ("Account toevoegen", "Add account"),
    "admin.password_help": (
        "Minstens 10 tekens. Leeg laten voor inloggen met een organisatie-account (de naam is dan het e-mailadres).",
        "At least 10 characters. Leave empty for organisation log-in (the name is then the e-mail address).",
    ),
    "admin.wijken_help": (
        "Wijk-codes gescheiden door komma's; leeg = alle wijken.",
        "Neighbourhood slugs separated by commas; empty = all.",
    ),
    "admin.change_user": ("Account wijzigen", "Change account"),
    "admin.remove_user": ("Account verwijderen", "Remove account"),
    "admin.apply": ("Toepassen", "Apply"),
    "auth.login": ("Inloggen", "Log in"),
    "auth.logout": ("Uitloggen", "Log out"),
    "auth.sso": ("Inloggen met je organisatie-account", "Log in with your organisation account"),
    "auth.logged_in": ("Ingelogd als **{user}** ({role}).", "Logged in as **{user}** ({role})."),
    "auth.login_needed": (
        "Hiervoor moet je inloggen, in de zijbalk (nodig: {permission}).",
        "Please log in first, in the sidebar (needed: {permission}).",
    ),
    "auth.not_allowed": (
        "Je rol geeft hier geen toegang (nodig: {permission}).",
        "Your role gives no access here (needed: {permission}).",
    ),
    "page.add": ("Toevoegen", "Add"),
    "page.list": ("Lijst", "List"),
    "page.about": ("Over", "About"),
    "page.gaps": ("Gatenkaart", "Gap map"),
    "page.investments": ("Investeringen", "Investments"),
    "page.presentation": ("Presentatie", "Presentation"),
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
    "map.people_title": ("Bewoners met een talent, per buurt", "Residents with a gift, per buurt"),
    "map.people_count": ("aantal", "number"),
    "map.locate_failed": (
        "Je locatie is niet gevonden. Sta locatie toe in je browser, of tik op de kaart.",
        "Your location was not found. Allow location in your browser, or tap the map.",
    ),
    # --- Toevoegen -----------------------------------------------------------
    "add.title": ("Toevoegen in {wijk}", "Add in {wijk}"),
    "add.help": (
        "Tik op de kaart waar het is, of druk op de locatieknop (onder + en −) voor je huidige plek. "
        "Kies dan een categorie en sla op.",
        "Tap the map where it is, or press the location button (under + and −) for where you are. "
        "Then pick a category and save.",
    ),
    "add.tap_first": (
        "Tik eerst op de kaart (of gebruik de locatieknop).",
        "First tap the map (or use the location button).",
    ),
    "add.point": ("Plek: {lat:.6f}, {lon:.6f}", "Location: {lat:.6f}, {lon:.6f}"),
    "add.choose_category": ("Kies een categorie.", "Choose a category."),
    "add.save": ("Opslaan", "Save"),
    "add.saved_pending": (
        "'{name}' is opgeslagen en wacht op goedkeuring door een coördinator.",
        "'{name}' was saved and awaits approval by a coordinator.",
    ),
    "add.person_privacy": (
        "Een bewoner komt nooit met een woonadres op de kaart: koppel het talent aan een club, plek of "
        "initiatief, of bewaar het alleen op buurtniveau. Toestemming is verplicht.",
        "A resident never appears with a home address: link the gift to a club, place or initiative, or keep "
        "it at buurt level only. Consent is required.",
    ),
    "add.buurt_only": ("alleen de buurt (geen plek)", "only the buurt (no location)"),
    "add.consent_purpose": (
        "Talent zichtbaar maken op de ABCD-kaart van de wijk",
        "Show the gift on the neighbourhood's ABCD map",
    ),
    "add.saved": ("'{name}' staat op de kaart.", "'{name}' is on the map."),
    "add.save_elsewhere": ("Opslaan in {wijk}", "Save in {wijk}"),
    "add.cancel": ("Annuleren", "Cancel"),
    "add.clear_point": ("Andere plek kiezen", "Choose another location"),
    "add.name_hint": ("bijv. Naaiclub van Fatima", "e.g. Fatima's sewing club"),
    "add.description_hint": (
        "Wat is het, wie doet mee, wanneer?",
        "What is it, who takes part, when?",
    ),
    # --- Gatenkaart ---------------------------------------------------------
    "gaps.title": ("Gatenkaart van {wijk}", "Gap map of {wijk}"),
    "gaps.intro": (
        "Waar is geen bewonersinitiatief in de buurt? Daar zet de gemeente meer in, en daar is ruimte voor "
        "nieuwe initiatieven. Groen: evenveel of meer initiatieven dan gemiddeld in de wijk.",
        "Where is no resident initiative nearby? There the municipality supports more, and there is room for "
        "new initiatives. Green: as many initiatives as the neighbourhood's average, or more.",
    ),
    "gaps.distance": ("Afstand (meter)", "Distance (metres)"),
    "gaps.mode": ("Gemeten", "Measured"),
    "gaps.mode.straight": ("hemelsbreed", "straight line"),
    "gaps.mode.network": ("lopend over straat", "walking along streets"),
    "gaps.layer": ("Straten naar initiatieven in de buurt", "Streets by nearby initiatives"),
    "gaps.legend": ("Bewonersinitiatieven binnen bereik", "Resident initiatives within reach"),
    "gaps.class.needs_support": ("geen: hier meer steun", "none: more support here"),
    "gaps.class.below_average": ("minder dan gemiddeld", "below the average"),
    "gaps.class.at_or_above": ("gemiddeld of meer", "average or more"),
    "gaps.tooltip": ("{n} bewonersinitiatieven binnen bereik", "{n} resident initiatives within reach"),
    "gaps.unnamed": ("straat zonder naam", "unnamed street"),
    "gaps.share": ("Straatlengte zonder initiatief", "Street length without an initiative"),
    "gaps.mean": ("Gemiddeld per straatdeel", "Average per street segment"),
    "gaps.segments": ("Straatdelen zonder initiatief", "Street segments without an initiative"),
    "gaps.initiatives": ("Bewonersinitiatieven in de wijk", "Resident initiatives in the neighbourhood"),
    "gaps.streets": ("Straten, meeste steun nodig eerst", "Streets, most support needed first"),
    "gaps.no_streets": (
        "Voor deze wijk zijn geen straten bekend.",
        "No streets are known for this neighbourhood.",
    ),
    "gaps.download_csv": ("Download straten (CSV)", "Download streets (CSV)"),
    "gaps.download_geojson": ("Download straatdelen (GeoJSON)", "Download street segments (GeoJSON)"),
    "gaps.col.street": ("straat", "street"),
    "gaps.col.segments": ("straatdelen", "segments"),
    "gaps.col.length_m": ("lengte (m)", "length (m)"),
    "gaps.col.length_needs_support_m": ("lengte zonder initiatief (m)", "length without initiative (m)"),
    "gaps.col.initiatives": ("initiatieven (max)", "initiatives (max)"),
    "gaps.col.nearest_initiative_m": ("dichtstbijzijnde (m)", "nearest (m)"),
    "gaps.col.needs_support": ("meer steun", "more support"),
    "gaps.col.share_needs_support": ("aandeel zonder initiatief", "share without initiative"),
    "cli.gaps_written": (
        "{segments} straatdelen geanalyseerd ({mode}, {distance} m); {share} van de straatlengte heeft geen "
        "bewonersinitiatief binnen bereik. Geschreven: {path}.",
        "{segments} street segments analysed ({mode}, {distance} m); {share} of the street length has no "
        "resident initiative within reach. Written: {path}.",
    ),
    "error.gaps_args": (
        "Geef --wijk, of --streets en --assets samen.",
        "Give --wijk, or --streets and --assets together.",
    ),
    "error.gaps_input": ("De gatenanalyse kan niet: {reason}", "The gap analysis cannot run: {reason}"),
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
    "list.pending": ("Dit asset wacht op goedkeuring.", "This asset awaits approval."),
    "list.approve": ("Goedkeuren", "Approve"),
    "list.consent": (
        "Toestemming gegeven op {date}, vastgelegd door {by}, voor: {purpose}.",
        "Consent given on {date}, recorded by {by}, for: {purpose}.",
    ),
    "list.erase_title": ("Bewoner wissen (AVG)", "Erase resident (GDPR)"),
    "list.erase_help": (
        "Wist deze bewoner en alle persoonsgegevens, ook in de geschiedenis. Dit kan niet ongedaan worden.",
        "Erases this resident and all personal data, also in the history. This cannot be undone.",
    ),
    "list.erase_confirm": ("Ja, wis deze bewoner definitief", "Yes, erase this resident for good"),
    "list.erase": ("Wissen", "Erase"),
    "list.erased": ("De bewoner is gewist.", "The resident was erased."),
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
        'kaart, "van de gemeenschap naar buiten": *niets meer zonder bewoners*. De gemeente ziet zo waar '
        "bewoners al veel zelf doen en waar zij meer kan steunen.",
        "**Asset Based Community Development (ABCD)** starts from what a neighbourhood already has: its "
        "residents' gifts, clubs, meeting places, resident initiatives, institutions, local economy and "
        "stories, not from its problems. Residents, the cooperative and the municipality map them together, "
        '"from the community outwards": *nothing without residents*. The municipality sees where residents '
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
    # --- trust: roles, accounts, people -----------------------------------
    "role_name.public": ("publiek", "public"),
    "role_name.officer": ("gemeente", "municipal officer"),
    "role_name.builder": ("buurtwerker", "community builder"),
    "role_name.coordinator": ("coördinator", "coordinator"),
    "permission.view_map": ("de kaart bekijken", "view the map"),
    "permission.view_people": ("bewoners en hun talenten zien", "see residents and their gifts"),
    "permission.view_contact": ("contactgegevens zien", "see contact details"),
    "permission.view_pending": ("assets zien die wachten op goedkeuring", "see assets awaiting approval"),
    "permission.edit_assets": ("assets bewerken", "edit assets"),
    "permission.view_gaps": ("de gatenkaart bekijken", "view the gap map"),
    "permission.view_investments": ("investeringen bekijken", "view investments"),
    "permission.edit_investments": ("investeringen invoeren", "record investments"),
    "permission.import": ("bestanden importeren", "import files"),
    "permission.export_personal": ("persoonsgegevens exporteren", "export personal data"),
    "permission.moderate": ("nieuwe assets goedkeuren", "approve new assets"),
    "permission.manage_users": ("accounts beheren", "manage accounts"),
    "permission.erase": ("persoonsgegevens wissen", "erase personal data"),
    "error.forbidden": (
        "Je hebt hiervoor geen rechten (rol: {role}; nodig: {permission}).",
        "You are not allowed to do this (role: {role}; needed: {permission}).",
    ),
    "error.login_failed": ("Naam of wachtwoord klopt niet.", "Name or password is not correct."),
    "error.login_locked": (
        "Te veel mislukte pogingen. Dit account is {minutes} minuten geblokkeerd.",
        "Too many failed attempts. This account is locked for {minutes} minutes.",
    ),
    "error.password_short": (
        "Het wachtwoord is te kort; gebruik minstens {min} tekens.",
        "The password is too short; use at least {min} characters.",
    ),
    "error.last_coordinator": (
        "{value!r} is de laatste coördinator; maak eerst iemand anders coördinator.",
        "{value!r} is the last coordinator; make someone else coordinator first.",
    ),
    "error.user_exists": ("Het account {value!r} bestaat al.", "The account {value!r} already exists."),
    "error.user_not_found": ("Geen account {value!r}.", "No account {value!r}."),
    "error.future_date": (
        "'{field}' ligt in de toekomst: {value}.",
        "'{field}' lies in the future: {value}.",
    ),
    "error.minor_without_parent": (
        "Deze bewoner is jonger dan {age}: dan is toestemming van een ouder of voogd nodig.",
        "This resident is younger than {age}: a parent's or guardian's consent is needed.",
    ),
    "error.person_needs_consent": (
        "Een bewoner kan alleen met toestemming op de kaart (datum, wie het vastlegde, doel).",
        "A resident can only be mapped with consent (date, who recorded it, purpose).",
    ),
    "error.erase_busy": (
        "De bewoner is gewist. De database was bezet, dus oude kopieën in het logbestand zijn nog niet "
        "opgeruimd: voer `abcd compact` uit als niemand de app gebruikt.",
        "The resident was erased. The database was busy, so old copies in its log file are not cleaned up "
        "yet: run `abcd compact` when nobody is using the app.",
    ),
    "error.person_category": (
        "Asset {value!r} is een bewoner en blijft dat; wis de bewoner als die niet op de kaart hoort.",
        "Asset {value!r} is a resident and stays one; erase the resident if they should not be on the map.",
    ),
    "error.not_a_person": ("Asset {value!r} is geen bewoner.", "Asset {value!r} is not a resident."),
    "error.linked_not_found": (
        "De gekoppelde plek, club of initiatief {value!r} bestaat niet in deze wijk.",
        "The linked place, club or initiative {value!r} does not exist in this neighbourhood.",
    ),
    "field.username": ("gebruikersnaam", "user name"),
    "field.password": ("wachtwoord", "password"),
    "field.role": ("rol", "role"),
    "field.consent": ("toestemming", "consent"),
    "field.consent_date": ("datum toestemming", "date of consent"),
    "field.consent_recorded_by": ("toestemming vastgelegd door", "consent recorded by"),
    "field.consent_purpose": ("doel van de toestemming", "purpose of the consent"),
    "field.consent_text_version": ("versie toestemmingstekst", "version of the consent text"),
    "field.under_16": ("jonger dan 16", "younger than 16"),
    "field.parent_consent": ("toestemming ouder of voogd", "consent of parent or guardian"),
    "field.linked_asset_id": ("gekoppeld aan", "linked to"),
    "field.status": ("status", "status"),
    "field.buurt": ("buurt", "buurt"),
    # --- CLI ---------------------------------------------------------------
    "cli.imported": ("{count} assets geïmporteerd in {wijk}.", "{count} assets imported into {wijk}."),
    "cli.updated": ("{count} bestaande assets bijgewerkt.", "{count} existing assets updated."),
    "cli.unchanged": (
        "{count} rijen ongewijzigd gelaten (al zo opgeslagen, of verwijderd).",
        "{count} rows left unchanged (already stored like this, or deleted).",
    ),
    "cli.first_account": (
        "Eerste account aangemaakt: '{username}' (coördinator), wachtwoord: {password}\n"
        "Bewaar het wachtwoord; wijzig het met `abcd users password {username}`.",
        "First account created: '{username}' (coordinator), password: {password}\n"
        "Keep the password; change it with `abcd users password {username}`.",
    ),
    "cli.people_relocated": (
        "{count} bewoners van een exacte plek naar hun buurt verplaatst (ook in de geschiedenis).",
        "{count} residents moved from an exact point to their buurt (in the history too).",
    ),
    "cli.compacted": ("Database herschreven.", "Database rewritten."),
    "cli.users_done": ("Account {username!r} bijgewerkt.", "Account {username!r} updated."),
    "cli.password_prompt": ("Wachtwoord: ", "Password: "),
    "cli.password_again": ("Nog een keer: ", "Again: "),
    "cli.person_erased": (
        "Bewoner {id} gewist, met alle persoonsgegevens in de geschiedenis. Let op: back-ups van vóór "
        "het wissen bevatten deze gegevens nog; vervang of vernietig ze.",
        "Resident {id} erased, with every personal field in the history. Note: backups made before the "
        "erasure still hold this data; replace or destroy them.",
    ),
    "error.password_mismatch": ("De wachtwoorden zijn niet gelijk.", "The passwords do not match."),
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
    # --- trust: backups, uploads, hostile files ---------------------------
    "error.backup_postgres": (
        "abcd backup en abcd restore werken alleen met de SQLite-database; deze database is {backend}. "
        "Maak een back-up met pg_dump en zet hem terug met pg_restore.",
        "abcd backup and abcd restore work with the SQLite database only; this database is {backend}. "
        "Back it up with pg_dump and restore it with pg_restore.",
    ),
    "error.backup_memory": (
        "Een database in het geheugen heeft geen bestand om te back-uppen of terug te zetten.",
        "An in-memory database has no file to back up or restore.",
    ),
    "error.backup_no_database": (
        "Er is geen database om te back-uppen: {path} bestaat niet.",
        "There is no database to back up: {path} does not exist.",
    ),
    "error.backup_same_file": (
        "{path} is de database zelf; kies een ander bestand.",
        "{path} is the database itself; choose another file.",
    ),
    "error.backup_failed": (
        "De back-up is niet gelukt ({reason}); er is niets veranderd.",
        "The backup failed ({reason}); nothing was changed.",
    ),
    "error.restore_not_sqlite": (
        "{path} is geen abcd-database (geen SQLite-bestand); er is niets vervangen.",
        "{path} is not an abcd database (not an SQLite file); nothing was replaced.",
    ),
    "error.restore_corrupt": (
        "{path} is beschadigd ({reason}); er is niets vervangen.",
        "{path} is damaged ({reason}); nothing was replaced.",
    ),
    "error.restore_no_schema": (
        "{path} is geen abcd-database (ontbreekt: {missing}); er is niets vervangen.",
        "{path} is not an abcd database (missing: {missing}); nothing was replaced.",
    ),
    "error.restore_unknown_revision": (
        "{path} heeft schemaversie {revision}, die deze versie van abcd niet kent (gemaakt door een nieuwere "
        "versie?); er is niets vervangen.",
        "{path} has schema revision {revision}, which this version of abcd does not know (made by a newer "
        "version?); nothing was replaced.",
    ),
    "error.file_archive": (
        "Een archief ({suffix}) wordt niet uitgepakt. Pak het zelf uit en importeer het bestand dat erin zit "
        "({allowed}).",
        "An archive ({suffix}) is not unpacked. Unpack it yourself and import the file inside ({allowed}).",
    ),
    "error.not_gpkg": (
        "Het bestand {path} is geen GeoPackage (geen SQLite-database). Een zip-bestand? Pak het eerst uit.",
        "The file {path} is not a GeoPackage (not an SQLite database). A zip file? Unpack it first.",
    ),
    "error.gpkg_no_layer": (
        "Het GeoPackage {path} heeft geen laag met punten, lijnen of vlakken.",
        "The GeoPackage {path} has no layer with points, lines or polygons.",
    ),
    "error.gpkg_view": (
        "De laag {layer} in {path} is een databaseview of virtuele tabel; sla de laag op als gewone tabel "
        "(in QGIS: Exporteren, Objecten opslaan als).",
        "The layer {layer} in {path} is a database view or virtual table; save the layer as a plain table "
        "(in QGIS: Export, Save Features As).",
    ),
    "error.control_chars": (
        "Het veld '{field}' bevat een onzichtbaar stuurteken ({char}); haal het weg.",
        "The field '{field}' contains an invisible control character ({char}); remove it.",
    ),
    "cli.backup_done": (
        "Back-up gemaakt: {path} ({assets} assets, {size} MB, in {seconds} s).",
        "Backup written: {path} ({assets} assets, {size} MB, in {seconds} s).",
    ),
    "cli.restored": (
        "Database teruggezet uit {path} ({assets} assets, schema {revision}). De vervangen database is bewaard "
        "als {kept}.",
        "Database restored from {path} ({assets} assets, schema {revision}). The replaced database was kept as {kept}.",
    ),
    "cli.restored_new": (
        "Database teruggezet uit {path} ({assets} assets, schema {revision}); er was nog geen database.",
        "Database restored from {path} ({assets} assets, schema {revision}); there was no database yet.",
    ),
    "geom.not_finite": (
        "de coördinaten zijn geen eindige getallen (NaN of oneindig)",
        "the coordinates are not finite numbers (NaN or infinity)",
    ),
    "list.import_title": ("Importeren", "Import"),
    "list.import_help": (
        "Een GeoJSON-, GeoPackage- of CSV-bestand (maximaal {max} MB, {rows} rijen). Elke rij wordt eerst "
        "gecontroleerd: één foute rij en er wordt niets geïmporteerd.",
        "A GeoJSON, GeoPackage or CSV file (at most {max} MB, {rows} rows). Every row is checked first: one "
        "bad row and nothing is imported.",
    ),
    "list.import_file": ("Bestand", "File"),
    "list.import_button": ("Importeren", "Import"),
    "list.import_done": (
        "{created} assets geïmporteerd, {updated} bijgewerkt, {unchanged} ongewijzigd.",
        "{created} assets imported, {updated} updated, {unchanged} unchanged.",
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
    # --- strengths portrait: presentation, report, poster (taalniveau B1) ---
    "static.buurt_boundary": ("Buurtgrens", "Buurt boundary"),
    "static.people_per_buurt": ("aantal per buurt", "count per buurt"),
    "report.title": ("Wat {wijk} heeft", "What {wijk} has"),
    "report.subtitle": ("De sterke kanten van de wijk op een rij", "The strengths of the neighbourhood at a glance"),
    "report.made_on": ("Gemaakt op {date} met de ABCD-kaart.", "Made on {date} with the ABCD map."),
    "report.residents": ("In {wijk} wonen {population} mensen.", "{population} people live in {wijk}."),
    "report.intro": (
        "Bewoners en buurtwerkers zetten samen op een kaart wat de wijk al heeft: talenten, clubs, plekken "
        "en initiatieven. Dit verslag laat zien wat er nu op de kaart staat.",
        "Residents and community workers map together what the neighbourhood already has: talents, clubs, "
        "places and initiatives. This report shows what is on the map now.",
    ),
    "report.map_title": ("De kaart", "The map"),
    "report.map_caption": (
        "Elk rondje is iets wat de wijk heeft. De kleur en het teken laten zien wat voor soort het is. "
        "Talenten van bewoners staan niet als punt op de kaart: we tellen ze per buurt.",
        "Each circle is something the neighbourhood has. The colour and the sign show what kind it is. "
        "Residents' talents are not shown as points: we count them per buurt.",
    ),
    "report.has_title": ("Wat de wijk heeft", "What the neighbourhood has"),
    "report.has_intro": (
        "Op de kaart staan {count} plekken, groepen en initiatieven.",
        "The map shows {count} places, groups and initiatives.",
    ),
    "report.new_since": ("Nieuw sinds {date}: {count}.", "New since {date}: {count}."),
    "report.col_kind": ("Soort", "Kind"),
    "report.col_count": ("Aantal", "Number"),
    "report.col_buurt": ("Buurt", "Buurt"),
    "report.people_title": ("Talenten van bewoners", "Residents' talents"),
    "report.people_intro": (
        "We tellen talenten van bewoners per buurt. Namen en adressen blijven privé. "
        "Is het aantal kleiner dan 5? Dan staat er <5.",
        "We count residents' talents per buurt (a CBS area). Names and addresses stay private. "
        "If the number is below 5, it says <5.",
    ),
    "report.initiatives_title": ("Bewonersinitiatieven", "Resident initiatives"),
    "report.initiatives_none": (
        "Er staan nog geen bewonersinitiatieven op de kaart.",
        "No resident initiatives are on the map yet.",
    ),
    "report.meeting_title": ("Ontmoetingsplekken", "Meeting places"),
    "report.meeting_none": (
        "Er staan nog geen ontmoetingsplekken op de kaart.",
        "No meeting places are on the map yet.",
    ),
    "report.investment_title": ("Geld voor ontmoetingsplekken", "Money for meeting places"),
    "report.investment_intro": (
        "In {year} ging er {total} naar ontmoetingsplekken in de wijk.",
        "In {year}, {total} went to meeting places in the neighbourhood.",
    ),
    "report.investment_per_1000": ("Dat is {amount} per 1.000 inwoners.", "That is {amount} per 1,000 residents."),
    "report.investment_no_standard": (
        "Er staat nog geen standaard ontmoetingsplek op de kaart.",
        "There is no standard meeting place on the map yet.",
    ),
    "report.col_place_kind": ("Soort ontmoetingsplek", "Kind of meeting place"),
    "report.col_places": ("Plekken", "Places"),
    "report.col_money": ("Geld in {year}", "Money in {year}"),
    "report.own_title": ("Wat we zelf kunnen", "What we can do ourselves"),
    "report.help_title": ("Waar we hulp bij vragen", "Where we ask for help"),
    "report.fill_in": ("Nog niet ingevuld. Schrijf het hier op:", "Not filled in yet. Write it down here:"),
    "report.more": ("En nog {count} andere.", "And {count} more."),
    "report.sources_title": ("Bronnen", "Sources"),
    "report.source_boundaries": (
        "Wijk- en buurtgrenzen: CBS en Kadaster, Wijk- en Buurtkaart 2024 (CC BY 4.0).",
        "Neighbourhood and buurt boundaries: CBS and Kadaster, Wijk- en Buurtkaart 2024 (CC BY 4.0).",
    ),
    "report.source_residents": (
        "Aantal inwoners: CBS, Kerncijfers wijken en buurten 2024 (CC BY 4.0).",
        "Number of residents: CBS, Kerncijfers wijken en buurten 2024 (CC BY 4.0).",
    ),
    "report.source_streets": (
        "Straten: © OpenStreetMap-bijdragers (ODbL 1.0).",
        "Streets: © OpenStreetMap contributors (ODbL 1.0).",
    ),
    "report.source_assets": (
        "Plekken, groepen en initiatieven: ingevoerd door bewoners en buurtwerkers met de ABCD-kaart.",
        "Places, groups and initiatives: entered by residents and community workers with the ABCD map.",
    ),
    "report.source_examples": (
        "Namen met '(voorbeeld)' zijn verzonnen. Ze laten zien hoe de kaart werkt.",
        "Names marked '(example)' are invented. They show how the map works.",
    ),
    "report.empty_title": ("Er staat nog niets op de kaart", "Nothing is on the map yet"),
    "report.empty": (
        "Er staat nog niets op de kaart van {wijk}. Zo begin je:",
        "Nothing has been mapped in {wijk} yet. This is how to start:",
    ),
    "report.empty_step1": ("Open de ABCD-kaart en kies de wijk {wijk}.", "Open the ABCD map and choose {wijk}."),
    "report.empty_step2": (
        "Ga naar Toevoegen. Tik op de kaart waar iets is. Kies wat het is en sla het op.",
        "Go to Add. Tap the map where something is. Choose what it is and save it.",
    ),
    "report.empty_step3": (
        "Heb je al een lijst? Zet die in één keer op de kaart: abcd import lijst.csv --wijk {slug}",
        "Do you already have a list? Put it on the map in one go: abcd import list.csv --wijk {slug}",
    ),
    "report.empty_step4": ("Maak daarna dit verslag opnieuw.", "Then make this report again."),
    "report.page": ("Bladzijde {page} van {pages}", "Page {page} of {pages}"),
    "report.footer": ("{wijk} · ABCD-kaart · {date}", "{wijk} · ABCD map · {date}"),
    "poster.subtitle": (
        "Talenten, clubs, plekken en initiatieven. Stand van {date}.",
        "Talents, clubs, places and initiatives. As of {date}.",
    ),
    "poster.on_map": ("op de kaart", "on the map"),
    "poster.initiatives": ("bewonersinitiatieven", "resident initiatives"),
    "poster.meeting_places": ("ontmoetingsplekken", "meeting places"),
    "poster.new_since": ("nieuw sinds {date}", "new since {date}"),
    "poster.call": (
        "Doe mee: zet op de kaart wat jouw buurt heeft.",
        "Join in: put on the map what your neighbourhood has.",
    ),
    "present.title": ("Wat {wijk} heeft", "What {wijk} has"),
    "present.tagline": (
        "De sterke kanten van de wijk: voor een bijeenkomst, op papier of in een nieuwsbrief.",
        "The neighbourhood's strengths: for a meeting, on paper or in a newsletter.",
    ),
    "present.mode": ("Weergave", "View"),
    "present.mode_overview": ("Overzicht", "Overview"),
    "present.mode_story": ("Stap voor stap", "Step by step"),
    "present.since": ("Nieuw sinds", "New since"),
    "present.beamer": ("Groot scherm", "Big screen"),
    "present.beamer_help": (
        "Verbergt de zijbalk en maakt alles groter, voor een beamer.",
        "Hides the sidebar and makes everything larger, for a projector.",
    ),
    "present.on_map": ("Op de kaart", "On the map"),
    "present.on_map_help": (
        "Plekken, groepen en initiatieven. Talenten van bewoners tellen we per buurt.",
        "Places, groups and initiatives. Residents' talents are counted per buurt.",
    ),
    "present.initiatives": ("Bewonersinitiatieven", "Resident initiatives"),
    "present.resident_led": ("{count} door bewoners geleid", "{count} resident-led"),
    "present.meeting_places": ("Ontmoetingsplekken", "Meeting places"),
    "present.new_since": ("Nieuw sinds {date}", "New since {date}"),
    "present.people_in": ("Talenten in {buurt}", "Talents in {buurt}"),
    "present.people_note": (
        "Talenten van bewoners tonen we alleen als aantal per buurt. Namen blijven privé. "
        "Minder dan 5 staat er als <5.",
        "Residents' talents are shown only as a count per buurt. Names stay private. Fewer than 5 shows as <5.",
    ),
    "present.per_category": ("Per soort", "Per kind"),
    "present.growth": ("Zo groeit de kaart", "How the map grows"),
    "present.growth_total": ("op de kaart", "on the map"),
    "present.highlights": ("Uitgelicht", "Highlights"),
    "present.step": ("Stap {step} van {steps}", "Step {step} of {steps}"),
    "present.prev": ("Vorige", "Previous"),
    "present.next": ("Volgende", "Next"),
    "present.together": ("Samen verder", "Going on together"),
    "present.together_empty": (
        "Vul onder 'Delen en printen' in wat jullie zelf kunnen en waar jullie hulp bij vragen.",
        "Under 'Share and print', fill in what you can do yourselves and where you ask for help.",
    ),
    "present.share": ("Delen en printen", "Share and print"),
    "present.share_help": (
        "Wat je hier invult, komt in het verslag. Het wordt niet opgeslagen.",
        "What you fill in here goes into the report. It is not stored.",
    ),
    "present.own_hint": (
        "Bijvoorbeeld: buren koken samen en delen de maaltijd.",
        "For example: neighbours cook together and share the meal.",
    ),
    "present.help_hint": (
        "Bijvoorbeeld: een ruimte voor de naaiclub op zaterdag.",
        "For example: a room for the sewing club on Saturdays.",
    ),
    "present.download_report": ("Verslag (PDF, A4)", "Report (PDF, A4)"),
    "present.download_poster_png": ("Poster (PNG, A3)", "Poster (PNG, A3)"),
    "present.download_poster_pdf": ("Poster (PDF, A3)", "Poster (PDF, A3)"),
    "present.empty": (
        "Er staat nog niets op de kaart van {wijk}. Begin op de pagina Toevoegen, "
        "of zet een lijst op de kaart met `abcd import`.",
        "Nothing has been mapped in {wijk} yet. Start on the Add page, or put a list on the map with `abcd import`.",
    ),
    "present.none_yet": ("Nog niets van deze soort op de kaart.", "Nothing of this kind on the map yet."),
    "present.more": ("En nog {count} andere.", "And {count} more."),
    "cli.report_saved": (
        "Verslag van {wijk} opgeslagen in {path}.",
        "Report of {wijk} saved to {path}.",
    ),
    "cli.poster_saved": ("Poster van {wijk} opgeslagen in {path}.", "Poster of {wijk} saved to {path}."),
    # --- Investeringen: money and space for meeting places ----------------
    "invest.title": ("Investeringen in {wijk}", "Investments in {wijk}"),
    "invest.intro": (
        "Per wijk investeert de gemeente in één standaard ontmoetingsplek, en maakt zij met geld en ruimte plaats "
        "voor kleine ontmoetingsplekken die bewoners zelf beginnen.",
        "In every neighbourhood the municipality invests in one standard meeting place, and makes room, with money "
        "and space, for small meeting places that residents start themselves.",
    ),
    "invest.all_years": ("alle jaren", "all years"),
    "invest.figures_title": ("De wijk naast het stadsgemiddelde", "The neighbourhood next to the city average"),
    "invest.city_average": ("Stadsgemiddelde ({count} wijken)", "City average ({count} neighbourhoods)"),
    "invest.average_help": (
        "Gemiddelde over alle {level} met inwoners. Bedragen, plekken en inwoners: gemiddeld per wijk; cijfers per "
        "1.000 inwoners: totaal van de stad gedeeld door alle inwoners.",
        "Average over all {level} with residents. Amounts, places and residents: mean per neighbourhood; figures per "
        "1,000 residents: the city's total divided by all its residents.",
    ),
    "invest.entry_title": ("Investering vastleggen", "Record an investment"),
    "invest.map_title": ("Ontmoetingsplekken", "Meeting places"),
    "invest.map_layer": ("Ontmoetingsplekken naar investering", "Meeting places by investment"),
    "invest.map_hint": (
        "Hoe groter de cirkel, hoe meer geld de plek kreeg. Oranje: standaard ontmoetingsplek; groen: door "
        "bewoners gestart. Tik op een plek om haar te kiezen, of kies hieronder uit de lijst.",
        "The bigger the circle, the more money the place received. Orange: standard meeting place; green: started "
        "by residents. Tap a place to choose it, or pick it from the list below.",
    ),
    "invest.map_legend": (
        "Hoe groter de cirkel, hoe meer geld de plek kreeg. Oranje: standaard ontmoetingsplek; groen: door "
        "bewoners gestart.",
        "The bigger the circle, the more money the place received. Orange: standard meeting place; green: started "
        "by residents.",
    ),
    "invest.no_places": (
        "Er staan nog geen ontmoetingsplekken in {wijk}. Voeg er een toe op de pagina Toevoegen "
        "(categorie Ontmoetingsplek).",
        "There are no meeting places in {wijk} yet. Add one on the Add page (category Meeting place).",
    ),
    "invest.choose_place": ("Kies een ontmoetingsplek", "Choose a meeting place"),
    "invest.amount_hint": ("bijv. 25.000 of 2500,50", "e.g. 25000 or 2500.50"),
    "invest.save": ("Investering opslaan", "Save investment"),
    "invest.saved": ("{amount} voor '{name}' is vastgelegd.", "{amount} for '{name}' was recorded."),
    "invest.ledger_title": ("Grootboek van {wijk}", "Ledger of {wijk}"),
    "invest.ledger_empty": ("Nog geen investeringen vastgelegd.", "No investments recorded yet."),
    "invest.show_deleted": ("Toon verwijderde investeringen", "Show deleted investments"),
    "invest.choose_entry": ("Bewerken", "Edit"),
    "invest.choose_entry_hint": ("Kies een investering", "Choose an investment"),
    "invest.chart_title": ("Geld per jaar", "Money per year"),
    "invest.chart_empty": ("Nog geen investeringen om te tonen.", "No investments to show yet."),
    "invest.chart.standard": ("standaard ontmoetingsplek", "standard meeting place"),
    "invest.chart.resident": ("door bewoners gestart", "started by residents"),
    "invest.city_title": ("De hele stad: {level}", "The whole city: {level}"),
    "invest.city_help": (
        "Elke ontmoetingsplek en elk bewonersinitiatief telt in precies één wijk. De signalen vergelijken met het "
        "stadsgemiddelde per 1.000 inwoners.",
        "Every meeting place and every resident initiative counts in exactly one neighbourhood. The signals compare "
        "with the city average per 1,000 residents.",
    ),
    "invest.download": ("Download als CSV", "Download as CSV"),
    "invest.amount_forms": (
        "25000, 25000,50, 25.000,50 of € 25.000",
        "25000, 25000.50, 25.000,50 or € 25.000",
    ),
    "invest.quantity_forms": ("12, 12,5 of 1.250,5", "12, 12.5 or 1.250,5"),
    "invest.col.inwoners": ("inwoners", "residents"),
    "invest.col.standard_places": ("standaardplekken", "standard places"),
    "invest.col.resident_places": ("bewonersplekken", "resident places"),
    "invest.col.eur_total": ("totaal (€)", "total (€)"),
    "invest.col.eur_standard": ("naar standaardplek (€)", "to standard place (€)"),
    "invest.col.eur_resident": ("naar bewonersplekken (€)", "to resident places (€)"),
    "invest.col.eur_per_1000": ("€ per 1.000 inwoners", "€ per 1,000 residents"),
    "invest.col.space_m2_per_1000": ("m² per 1.000 inwoners", "m² per 1,000 residents"),
    "invest.col.initiatives_per_1000": (
        "bewonersinitiatieven per 1.000 inwoners",
        "resident initiatives per 1,000 residents",
    ),
    "invest.col.signals": ("signalen", "signals"),
    "invest.flag.no_standard": ("geen standaard ontmoetingsplek", "no standard meeting place"),
    "invest.flag.several_standard": (
        "{count} standaard ontmoetingsplekken (de norm is één)",
        "{count} standard meeting places (the norm is one)",
    ),
    "invest.flag.no_population": (
        "geen inwoners bekend: geen cijfers per 1.000 inwoners",
        "no residents known: no figures per 1,000 residents",
    ),
    "invest.flag.high_investment_low_activity": (
        "veel investering, weinig bewonersinitiatief (t.o.v. het stadsgemiddelde)",
        "high investment, little resident initiative (compared with the city average)",
    ),
    "invest.flag.low_investment_high_activity": (
        "weinig investering, veel bewonersinitiatief (t.o.v. het stadsgemiddelde)",
        "little investment, much resident initiative (compared with the city average)",
    ),
    "funder.gemeente": ("gemeente", "municipality"),
    "funder.woningcorporatie": ("woningcorporatie", "housing association"),
    "funder.fonds": ("fonds", "foundation"),
    "funder.bewoners": ("bewoners", "residents"),
    "funder.anders": ("anders", "other"),
    "kind.eenmalig": ("eenmalig", "one-off"),
    "kind.jaarlijks": ("jaarlijks", "yearly"),
    "level.wijk": (
        "wijken (Bospolder-Tussendijken en de overige CBS-buurten)",
        "neighbourhoods (Bospolder-Tussendijken and the other CBS buurten)",
    ),
    "level.cbs_wijk": ("CBS-wijken", "CBS wijken"),
    "level.cbs_buurt": ("CBS-buurten", "CBS buurten"),
    "field.meeting_place": ("ontmoetingsplek", "meeting place"),
    "field.meeting_place_id": ("id van de ontmoetingsplek", "meeting place id"),
    "field.date": ("datum", "date"),
    "field.amount_eur": ("bedrag (euro)", "amount (euro)"),
    "field.funder": ("financier", "funder"),
    "field.kind": ("soort bijdrage", "kind of contribution"),
    "field.space_m2": ("ruimte in natura (m²)", "space in kind (m²)"),
    "field.hours_per_week": ("uren per week in natura", "hours per week in kind"),
    "field.note": ("notitie", "note"),
    "field.year": ("jaar", "year"),
    "error.number_format": (
        "'{field}': {value!r} is geen geldig getal. Schrijf bijvoorbeeld {expected}.",
        "'{field}': {value!r} is not a valid number. Write for example {expected}.",
    ),
    "error.number_ambiguous": (
        "'{field}': {value!r} is dubbelzinnig: een punt of komma met precies drie cijfers erachter kan een "
        "duizendtal of drie decimalen zijn. Schrijf bijvoorbeeld {expected}.",
        "'{field}': {value!r} is ambiguous: a dot or comma followed by exactly three digits may group thousands "
        "or start three decimals. Write for example {expected}.",
    ),
    "error.number_decimals": (
        "'{field}': {value!r} heeft meer dan {max} decimalen.",
        "'{field}': {value!r} has more than {max} decimals.",
    ),
    "error.number_too_large": (
        "'{field}': {value!r} is groter dan het maximum ({max}).",
        "'{field}': {value!r} is larger than the maximum ({max}).",
    ),
    "error.negative": (
        "'{field}' mag niet negatief zijn, maar is {value!r}.",
        "'{field}' must not be negative, but is {value!r}.",
    ),
    "error.nothing_given": (
        "Een investering heeft een bedrag, ruimte (m²) of uren in natura nodig.",
        "An investment needs an amount, space (m²) or hours in kind.",
    ),
    "error.date_range": (
        "'{field}': {value} ligt niet tussen {min} en {max}.",
        "'{field}': {value} is not between {min} and {max}.",
    ),
    "error.not_a_meeting_place": (
        "'{name}' is geen ontmoetingsplek maar een '{category}'; investeringen horen bij ontmoetingsplekken.",
        "'{name}' is not a meeting place but a '{category}'; investments belong to meeting places.",
    ),
    "error.meeting_place_deleted": (
        "De ontmoetingsplek '{name}' is verwijderd; herstel haar eerst.",
        "The meeting place '{name}' is deleted; restore it first.",
    ),
    "error.meeting_place_unknown_id": (
        "Geen ontmoetingsplek met id {value!r}.",
        "No meeting place with id {value!r}.",
    ),
    "error.meeting_place_unknown": (
        "Geen ontmoetingsplek {value!r} in {wijk}. Bekend zijn: {known}.",
        "No meeting place {value!r} in {wijk}. Known are: {known}.",
    ),
    "error.meeting_place_ambiguous": (
        "Er zijn {count} ontmoetingsplekken {value!r} in {wijk}; gebruik de kolom meeting_place_id ({ids}).",
        "There are {count} meeting places {value!r} in {wijk}; use the meeting_place_id column ({ids}).",
    ),
    "error.meeting_place_other_wijk": (
        "De ontmoetingsplek '{name}' ligt in {actual}, niet in {wijk}.",
        "The meeting place '{name}' lies in {actual}, not in {wijk}.",
    ),
    "error.meeting_place_mismatch": (
        "Het id {value!r} hoort bij '{actual}', niet bij '{name}'.",
        "The id {value!r} belongs to '{actual}', not to '{name}'.",
    ),
    "error.investment_not_found": ("Geen investering met id {value!r}.", "No investment with id {value!r}."),
    "error.investment_deleted": (
        "Investering {value!r} is verwijderd; herstel haar eerst.",
        "Investment {value!r} is deleted; restore it first.",
    ),
    "error.investment_not_deleted": (
        "Investering {value!r} is niet verwijderd.",
        "Investment {value!r} is not deleted.",
    ),
    "error.unknown_columns": (
        "Onbekende kolommen: {columns}. Toegestaan: {allowed}.",
        "Unknown columns: {columns}. Allowed: {allowed}.",
    ),
    "error.missing_columns": (
        "De CSV mist de kolommen {columns}. Gevonden: {found}.",
        "The CSV lacks the columns {columns}. Found: {found}.",
    ),
    "error.extra_cells": (
        "Deze rij heeft meer cellen dan kolommen. Staat er een '{columns}' in een waarde zonder aanhalingstekens, "
        "zoals een bedrag 25.000,50? Gebruik ; als scheidingsteken of zet de waarde tussen aanhalingstekens.",
        "This row has more cells than columns. Is there a '{columns}' inside an unquoted value, such as an amount "
        "25.000,50? Use ; as the separator or quote the value.",
    ),
    "cli.investments_imported": (
        "{count} investeringen geïmporteerd ({total}) in {wijk}.",
        "{count} investments imported ({total}) into {wijk}.",
    ),
    "cli.investments_summary": (
        "Overzicht van {count} {level} geschreven naar {path}.",
        "Summary of {count} {level} written to {path}.",
    ),
    "cli.investments_average": (
        "Stadsgemiddelde over {count} wijken met inwoners: {eur} per 1.000 inwoners, "
        "{initiatives} bewonersinitiatieven per 1.000 inwoners.",
        "City average over {count} neighbourhoods with residents: {eur} per 1,000 residents, "
        "{initiatives} resident initiatives per 1,000 residents.",
    ),
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
