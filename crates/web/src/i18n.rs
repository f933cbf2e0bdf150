//! Translations. Dutch is the default; English is one click away. Every text is a field of
//! [`Texts`], so a missing translation is a compile error, not a blank on a page.

use axum::http::HeaderMap;
use flexwonen_core::access::Role;
use flexwonen_core::geography::RegionKind;
use flexwonen_core::register::{HousingForm, LegalStatus, OrganisationKind, StayType};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Nl,
    En,
}

pub const LANG_COOKIE: &str = "fw_lang";

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Nl => "nl",
            Lang::En => "en",
        }
    }

    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "nl" => Some(Lang::Nl),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// `?lang=` wins, then the cookie, then Dutch.
    pub fn from_request(headers: &HeaderMap, query: Option<&str>) -> Lang {
        let from_query = query
            .and_then(|q| serde_urlencoded::from_str::<Vec<(String, String)>>(q).ok())
            .and_then(|pairs| pairs.into_iter().find(|(k, _)| k == "lang"))
            .and_then(|(_, v)| Lang::parse(&v));
        from_query.or_else(|| crate::auth::cookie(headers, LANG_COOKIE).and_then(Lang::parse)).unwrap_or(Lang::Nl)
    }

    pub fn texts(self) -> &'static Texts {
        match self {
            Lang::Nl => &NL,
            Lang::En => &EN,
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::Nl => Lang::En,
            Lang::En => Lang::Nl,
        }
    }
}

macro_rules! texts {
    ($($key:ident: $nl:expr, $en:expr;)*) => {
        pub struct Texts { $(pub $key: &'static str,)* }
        pub static NL: Texts = Texts { $($key: $nl,)* };
        pub static EN: Texts = Texts { $($key: $en,)* };
    };
}

texts! {
    service_name: "Register flexwonen", "Flexible housing register";
    skip_to_content: "Naar de inhoud", "Skip to content";
    nav_overview: "Overzicht", "Overview";
    nav_regions: "Regio's", "Regions";
    nav_locations: "Locaties", "Locations";
    nav_organisations: "Organisaties", "Organisations";
    sign_in: "Inloggen", "Sign in";
    sign_out: "Uitloggen", "Sign out";
    signed_in_as: "Ingelogd als", "Signed in as";
    other_language: "English", "Nederlands";
    demo_banner: "Let op: dit zijn synthetische demonstratiegegevens, geen echte locaties.", "Note: this is synthetic demonstration data, not real locations.";
    footer_sources: "Gemeentegrenzen en indelingen: CBS / PDOK (CC BY 4.0), vereenvoudiging cartomap/nl.", "Municipal boundaries and divisions: CBS / PDOK (CC BY 4.0), simplified by cartomap/nl.";
    footer_about: "flexwonen is open source. Cijfers tonen wat ze tellen en per wanneer.", "flexwonen is open source. Figures say what they count and as of when.";
    dashboard_title: "Huisvesting van arbeidsmigranten in Nederland", "Housing of labour migrants in the Netherlands";
    dashboard_intro: "Alle geregistreerde locaties en bedden, per woonvorm, status en verblijfsduur. Aantallen per gemeente op de kaart.", "All registered locations and beds, by housing form, status and length of stay. Numbers per municipality on the map.";
    as_of: "Stand per", "As of";
    source_register: "Bron: register flexwonen, alle geregistreerde locaties.", "Source: flexwonen register, all registered locations.";
    locations: "Locaties", "Locations";
    beds: "Bedden", "Beds";
    beds_in_service: "Bedden in gebruik", "Beds in service";
    beds_word: "bedden", "beds";
    none_word: "geen", "none";
    by_housing_form: "Naar woonvorm", "By housing form";
    by_legal_status: "Naar status", "By legal status";
    by_stay_type: "Naar verblijfsduur", "By length of stay";
    by_region: "Per regio van de campagne 2012", "Per region of the 2012 campaign";
    map_title: "Bedden per gemeente", "Beds per municipality";
    map_desc: "Kaart van Nederland met per gemeente het aantal geregistreerde bedden; donkerder is meer. De tabel met regio's geeft dezelfde cijfers als tekst.", "Map of the Netherlands showing the number of registered beds per municipality; darker means more. The table of regions gives the same figures as text.";
    region: "Regio", "Region";
    regions_title: "Regio's", "Regions";
    regions_intro: "Provincies, COROP-gebieden, arbeidsmarktregio's, de regio's van de campagne 2012 en eigen regio's. Een regio is een lijst gemeenten.", "Provinces, COROP areas, labour-market regions, the regions of the 2012 campaign and custom regions. A region is a list of municipalities.";
    municipalities: "Gemeenten", "Municipalities";
    municipality: "Gemeente", "Municipality";
    member_count: "Aantal gemeenten", "Number of municipalities";
    new_region: "Nieuwe regio", "New region";
    new_organisation: "Nieuwe organisatie", "New organisation";
    municipality_code: "Gemeente (CBS-code, alleen voor gemeenten)", "Municipality (CBS code, municipalities only)";
    name: "Naam", "Name";
    members: "Gemeenten in deze regio", "Municipalities in this region";
    members_hint: "Eén CBS-code per regel of gescheiden door komma's, bijvoorbeeld GM1783.", "One CBS code per line or separated by commas, for example GM1783.";
    save: "Opslaan", "Save";
    cancel: "Annuleren", "Cancel";
    create: "Aanmaken", "Create";
    edit: "Wijzigen", "Edit";
    change_members: "Gemeenten wijzigen", "Change municipalities";
    regions_of_municipality: "Regio's van deze gemeente", "Regions of this municipality";
    view_locations: "Bekijk de locaties", "View the locations";
    locations_title: "Locaties", "Locations";
    search: "Zoeken", "Search";
    search_hint: "Straat, plaats of postcode", "Street, place or postcode";
    filter: "Filteren", "Filter";
    all: "Alle", "All";
    sort: "Sorteren", "Sort";
    sort_address: "Adres", "Address";
    sort_municipality: "Gemeente", "Municipality";
    sort_beds_desc: "Meeste bedden", "Most beds";
    sort_beds_asc: "Minste bedden", "Fewest beds";
    sort_updated: "Laatst gewijzigd", "Last changed";
    results: "resultaten", "results";
    page: "Pagina", "Page";
    previous: "Vorige", "Previous";
    next: "Volgende", "Next";
    no_results: "Geen locaties gevonden.", "No locations found.";
    new_location: "Nieuwe locatie", "New location";
    address: "Adres", "Address";
    postcode: "Postcode", "Postcode";
    house_number: "Huisnummer", "House number";
    house_letter: "Huisletter", "House letter";
    house_addition: "Toevoeging", "Addition";
    street: "Straat", "Street";
    place: "Plaats", "Place";
    bag_vbo_id: "BAG-verblijfsobject-id", "BAG dwelling id";
    bag_hint: "16 cijfers; begint met de 4 cijfers van de gemeente en dan 01.", "16 digits; starts with the municipality's 4 digits, then 01.";
    housing_form: "Woonvorm (SNF)", "Housing form (SNF)";
    zoned_residential: "Bestemming wonen", "Zoned for living";
    floor_area: "Gebruiksoppervlakte (m²)", "Usable floor area (m²)";
    legal_status: "Status", "Legal status";
    stay_type: "Verblijfsduur", "Length of stay";
    operator: "Exploitant", "Operator";
    no_operator: "Onbekend / geen", "Unknown / none";
    facilities: "Voorzieningen", "Facilities";
    toilets: "Toiletten", "Toilets";
    showers: "Douches", "Showers";
    kitchens: "Keukens", "Kitchens";
    washing_machines: "Wasmachines", "Washing machines";
    position: "Ligging", "Position";
    rd_x: "RD x (m)", "RD x (m)";
    rd_y: "RD y (m)", "RD y (m)";
    position_hint: "Rijksdriehoeksmeting in meters; beide leeg laten als onbekend.", "Dutch national grid (RD New) in metres; leave both empty if unknown.";
    norm_facts: "Gegevens voor de normen", "Facts for the housing norms";
    new_build: "Nieuwbouw", "New build";
    in_use_since: "In gebruik sinds", "In use since";
    in_use_since_hint: "De datum waarop de locatie voor het eerst als woonruimte in gebruik is genomen, als jjjj-mm-dd; leeg laten als onbekend.", "The date the location was first taken into use as housing, as yyyy-mm-dd; leave empty if unknown.";
    conversion_permit: "Omzettingsvergunning aanwezig", "Conversion permit held";
    bedroom_sharing_agreed: "Tweepersoonskamers schriftelijk overeengekomen", "Sharing a bedroom by two agreed in writing";
    first_responsible: "Exploitant is eerstverantwoordelijke", "Operator is the first responsible party";
    yes: "ja", "yes";
    no: "nee", "no";
    rooms: "Kamers", "Rooms";
    area: "Oppervlakte (m²)", "Area (m²)";
    bed: "Bed", "Bed";
    label: "Naam", "Label";
    in_service: "In gebruik", "In service";
    out_of_service: "Buiten gebruik", "Out of service";
    reason: "Reden", "Reason";
    add_room: "Kamer toevoegen", "Add room";
    number_of_beds: "Aantal bedden", "Number of beds";
    edit_room: "Kamer wijzigen", "Edit room";
    delete_room: "Kamer verwijderen", "Delete room";
    new_beds_hint: "Nieuwe bedden: vul een naam in. Een bed zonder naam wordt niet aangemaakt; een bestaand bed zonder naam wordt verwijderd.", "New beds: enter a label. A bed without a label is not created; an existing bed left without a label is removed.";
    history: "Wijzigingen", "Change history";
    when: "Wanneer", "When";
    who: "Wie", "Who";
    what: "Wat", "What";
    changed_fields: "Gewijzigd", "Changed";
    action_create: "aangemaakt", "created";
    action_update: "gewijzigd", "changed";
    action_delete: "verwijderd", "deleted";
    delete_location: "Locatie verwijderen", "Delete location";
    delete_confirm: "Weet u het zeker? De locatie en al haar kamers en bedden worden verwijderd. De wijzigingshistorie blijft bewaard.", "Are you sure? The location and all its rooms and beds are removed. The change history is kept.";
    errors_title: "Er ging iets mis. Controleer de gemarkeerde velden.", "Something is wrong. Check the marked fields.";
    conflict: "Iemand anders heeft deze locatie intussen gewijzigd. Bekijk de nieuwe gegevens en doe uw wijziging opnieuw.", "Someone else changed this location in the meantime. Look at the new data and make your change again.";
    saved: "Opgeslagen.", "Saved.";
    username: "Gebruikersnaam", "Username";
    password: "Wachtwoord", "Password";
    login_failed: "Gebruikersnaam of wachtwoord klopt niet.", "Username or password is wrong.";
    login_intro: "Log in met uw account. Zonder account ziet u alleen totalen.", "Sign in with your account. Without an account you see totals only.";
    not_found_title: "Pagina niet gevonden", "Page not found";
    not_found_text: "Deze pagina bestaat niet, of u hebt er geen toegang toe.", "This page does not exist, or you have no access to it.";
    too_large_title: "Te groot", "Too large";
    too_large_text: "Het bestand of formulier is groter dan 1 MB. Maak het kleiner of verdeel het, en probeer het opnieuw.", "The file or form is larger than 1 MB. Make it smaller or split it, and try again.";
    forbidden_title: "Geen toegang", "No access";
    forbidden_text: "U hebt geen toegang tot deze pagina. Log in met een account dat dit mag zien.", "You have no access to this page. Sign in with an account that may see it.";
    error_title: "Er ging iets mis", "Something went wrong";
    error_text: "Er ging iets mis aan onze kant. Probeer het later opnieuw.", "Something went wrong on our side. Please try again later.";
    bad_form: "Het formulier is verlopen of ongeldig. Laad de pagina opnieuw en probeer het nog eens.", "The form has expired or is invalid. Reload the page and try again.";
    organisations_title: "Organisaties", "Organisations";
    kvk: "KvK-nummer", "KvK number";
    kind: "Soort", "Kind";
    aggregates_only: "U ziet totalen. Losse locaties zijn alleen zichtbaar voor wie daar toegang toe heeft.", "You see totals. Single locations are visible only to those with access.";
    grey_and_illegal: "Bedden grijs of illegaal", "Beds grey or illegal";
    // certificates
    nav_certificates: "Certificaten", "Certificates";
    nav_register: "Openbaar register", "Public register";
    cert_title: "Certificaten", "Certificates";
    cert_intro: "Keurmerken van organisaties die arbeidsmigranten huisvesten: SNF, SNF-inhuur en AKF, met hun geldigheid, status en statusgeschiedenis.", "Quality marks of organisations that house labour migrants: SNF, SNF hiring (inhuur) and AKF, with their validity, status and status history.";
    cert_organisation: "Organisatie", "Organisation";
    cert_scheme: "Keurmerk", "Scheme";
    cert_number: "Certificaatnummer", "Certificate number";
    cert_number_hint: "Letters, cijfers, punten en streepjes; hoogstens 40 tekens.", "Letters, digits, dots and hyphens; at most 40 characters.";
    cert_valid_from: "Geldig vanaf", "Valid from";
    cert_valid_until: "Geldig tot en met", "Valid until";
    cert_date_hint: "Datum als jjjj-mm-dd, bijvoorbeeld 2025-07-01.", "Date as yyyy-mm-dd, for example 2025-07-01.";
    cert_valid_until_hint: "Datum als jjjj-mm-dd; leeg laten als er geen einddatum is.", "Date as yyyy-mm-dd; leave empty if there is no end date.";
    cert_status: "Status", "Status";
    cert_status_active: "actief", "active";
    cert_status_suspended: "geschorst", "suspended";
    cert_status_withdrawn: "ingetrokken", "withdrawn";
    cert_none: "Geen certificaten gevonden.", "No certificates found.";
    cert_new: "Nieuw certificaat", "New certificate";
    cert_choose: "Kies…", "Choose…";
    cert_no_end: "geen einddatum", "no end date";
    cert_in_force_today: "Vandaag van kracht", "In force today";
    cert_history: "Statusgeschiedenis", "Status history";
    cert_since: "Met ingang van", "With effect from";
    cert_since_hint: "Datum als jjjj-mm-dd; niet vóór de vorige statuswijziging.", "Date as yyyy-mm-dd; not before the previous change of status.";
    cert_reason: "Reden", "Reason";
    cert_recorded: "Vastgelegd", "Recorded";
    cert_change_status: "Status wijzigen", "Change the status";
    cert_new_status: "Nieuwe status", "New status";
    cert_action_suspend: "Schorsen", "Suspend";
    cert_action_reinstate: "Herstellen (weer actief)", "Reinstate (active again)";
    cert_action_withdraw: "Intrekken (definitief)", "Withdraw (final)";
    cert_final: "Dit certificaat is ingetrokken. Dat is definitief: de organisatie moet zich opnieuw laten certificeren.", "This certificate has been withdrawn. That is final: the organisation must be certified anew.";
    cert_conflict: "Iemand anders heeft dit certificaat intussen gewijzigd. Bekijk de nieuwe gegevens en doe uw wijziging opnieuw.", "Someone else changed this certificate in the meantime. Look at the new data and make your change again.";
    cert_back: "Alle certificaten", "All certificates";
    cert_months: "januari februari maart april mei juni juli augustus september oktober november december", "January February March April May June July August September October November December";
    cert_err_unknown_scheme: "Kies een keurmerk: SNF, SNF-inhuur of AKF.", "Choose a scheme: SNF, SNF hiring or AKF.";
    cert_err_invalid_number: "Een certificaatnummer bestaat uit hoogstens 40 letters, cijfers, punten en streepjes.", "A certificate number is at most 40 letters, digits, dots and hyphens.";
    cert_err_ends_before_start: "De einddatum ligt vóór de begindatum.", "The end date is before the start date.";
    cert_err_date_out_of_range: "Deze datum ligt niet tussen 1900 en 2200. Controleer het jaar.", "This date is not between 1900 and 2200. Check the year.";
    cert_err_unknown_status: "Kies een status: actief, geschorst of ingetrokken.", "Choose a status: active, suspended or withdrawn.";
    cert_err_invalid_transition: "Deze statuswijziging is niet mogelijk. Een ingetrokken certificaat blijft ingetrokken.", "This change of status is not possible. A withdrawn certificate stays withdrawn.";
    cert_err_before_previous_status: "Deze datum ligt vóór de vorige statuswijziging.", "This date is before the previous change of status.";
    cert_err_duplicate: "Dit certificaatnummer bestaat al voor dit keurmerk.", "This certificate number exists already for this scheme.";
    register_title: "Register van gecertificeerde organisaties", "Register of certified organisations";
    register_intro: "Organisaties met een geldig keurmerk voor de huisvesting van arbeidsmigranten. Het register noemt organisaties, geen adressen. Een geschorst keurmerk staat erbij met die status; een ingetrokken of verlopen keurmerk niet.", "Organisations holding a valid quality mark for housing labour migrants. The register names organisations, not addresses. A suspended mark is listed with that status; a withdrawn or expired one is not.";
    register_search_hint: "Naam van de organisatie of KvK-nummer", "Name of the organisation or KvK number";
    register_none: "Geen gecertificeerde organisaties gevonden.", "No certified organisations found.";
    register_lookup_link: "Wilt u weten of een adres gecertificeerd is? Zoek het adres op.", "Want to know whether an address is certified? Look up the address.";
    lookup_title: "Is dit adres gecertificeerd?", "Is this address certified?";
    lookup_intro: "Vul een postcode en huisnummer in. U krijgt antwoord over dit ene adres: of er huisvesting is van een organisatie met een geldig SNF-keurmerk, en voor hoeveel personen ten hoogste.", "Enter a postcode and house number. You get an answer about this one address: whether it houses people under a valid SNF mark, and for how many persons at most.";
    lookup_submit: "Opzoeken", "Look up";
    lookup_answer_for: "Antwoord voor", "Answer for";
    lookup_certified: "Gecertificeerd onder {scheme} voor ten hoogste {n} personen, per {date}.", "Certified under {scheme} for at most {n} persons, as of {date}.";
    lookup_certified_unknown: "Gecertificeerd onder {scheme}, per {date}. Het toegestane aantal personen is niet bekend.", "Certified under {scheme}, as of {date}. The permitted number of persons is not known.";
    lookup_not_in_register: "Niet in het register, per {date}.", "Not in the register, as of {date}.";
    lookup_explain: "Het aantal personen volgt uit de SNF-norm en de geregistreerde gegevens van de locatie, zoals de oppervlakte, de slaapkamers en het sanitair. \"Niet in het register\" betekent: op dit adres staat geen locatie van een organisatie met een geldig SNF-keurmerk.", "The number of persons follows from the SNF norm and the registered facts of the location, such as its floor area, bedrooms and sanitary facilities. \"Not in the register\" means: no location of an organisation holding a valid SNF mark is registered at this address.";
    lookup_back: "Naar het register van gecertificeerde organisaties", "To the register of certified organisations";
    // norms and capacity
    nav_norms: "Normen", "Norms";
    nav_inspections: "Inspecties", "Inspections";
    norms_title: "Huisvestingsnormen", "Housing norms";
    norms_intro: "De normen als gegevens: elke regel met zijn bron en geldigheid. Een gepubliceerde versie verandert nooit; een wijziging is een nieuwe versie met een eigen begindatum.", "The norms as data: every rule with its source and validity. A published version never changes; a change is a new version with its own start date.";
    norms_scheme: "Soort norm", "Kind of norm";
    norms_area: "Gebied", "Area";
    norms_national: "heel Nederland", "the whole Netherlands";
    norms_in_force_today: "Vandaag geldend", "In force today";
    norms_none_in_force: "geen versie geldig", "no version in force";
    norms_version: "Versie", "Version";
    norms_current: "geldt nu", "in force now";
    norms_from: "vanaf", "from";
    norms_valid: "Geldig", "Valid";
    norms_valid_from: "Geldig vanaf", "Valid from";
    norms_valid_from_hint: "Een nieuwe versie begint na de vorige. Datum als jjjj-mm-dd.", "A new version starts after the previous one. Date as yyyy-mm-dd.";
    norms_note: "Toelichting (optioneel)", "Note (optional)";
    norms_rules: "Regels", "Rules";
    norms_rules_hint: "Vul alleen de regels in die gelden, elk met de bron (besluit, verordening, artikel).", "Fill in only the rules that apply, each with its source (decision, ordinance, article).";
    norms_rule: "Regel", "Rule";
    norms_value: "Waarde", "Value";
    norms_when: "Geldt voor", "Applies to";
    norms_source: "Bron", "Source";
    norms_when_zoned: "met bestemming wonen", "zoned for living";
    norms_when_not_zoned: "zonder bestemming wonen", "not zoned for living";
    norms_when_new: "nieuwbouw of hotel/pension in gebruik vanaf", "new build or hotel/pension in use from";
    norms_with_consent: "bij schriftelijke instemming", "with written consent";
    norms_immutable: "Gepubliceerde versies worden nooit gewijzigd. Oude inspecties houden de versie die toen gold.", "Published versions are never changed. Old inspections keep the version in force at the time.";
    norms_new: "Eigen regelset toevoegen", "Add a rule set of your own";
    norms_new_intro: "Een gemeentelijke regel, bijvoorbeeld ‘ten hoogste 4 personen per woning’. Hij geldt naast het Bouwbesluit voor alle locaties in de gemeente.", "A municipal rule, for example ‘at most 4 persons per dwelling’. It applies beside the Bouwbesluit to every location in the municipality.";
    norms_new_version: "Nieuwe versie publiceren", "Publish a new version";
    norms_publish: "Publiceren", "Publish";
    norms_code: "Code", "Code";
    norms_code_hint: "Kleine letters, cijfers en streepjes, bijvoorbeeld zaltbommel-2026.", "Lowercase letters, digits and hyphens, for example zaltbommel-2026.";
    norms_not_a_number: "vul een getal in", "enter a number";
    capacity_title: "Toegestane bezetting", "Permitted capacity";
    capacity_intro: "Per norm die hier geldt: het aantal personen dat de regels toestaan, welke regel de grens bepaalt en wat niet voldoet. Personen = bedden in gebruik.", "Per norm that applies here: the number of persons the rules permit, which rule sets the limit and what does not comply. Persons = beds in service.";
    capacity_on: "Op datum", "On date";
    capacity_judge: "Toetsen op deze datum", "Judge on this date";
    capacity_permitted: "Toegestaan", "Permitted";
    capacity_persons: "Bedden in gebruik", "Beds in service";
    capacity_gap: "Boven de toegestane bezetting", "Above permitted capacity";
    capacity_within: "Binnen de toegestane bezetting", "Within permitted capacity";
    capacity_binding: "Bepalende regel", "Binding rule";
    capacity_unassessed: "Niet te beoordelen zonder geregistreerde slaapkamers", "Not assessable without registered bedrooms";
    capacity_violations: "Voldoet niet", "Does not comply";
    capacity_no_violations: "Voldoet aan alle regels die uit het register te beoordelen zijn.", "Complies with every rule the register can judge.";
    capacity_checklist: "Ter plekke te controleren", "To be checked on site";
    capacity_no_limit: "geen grens", "no limit";
    capacity_measured: "gemeten", "measured";
    capacity_required: "vereist", "required";
    capacity_at_least: "minstens", "at least";
    capacity_at_most: "hoogstens", "at most";
    capacity_no_scheme: "Op deze datum geldt hier geen norm.", "No norm applies here on this date.";
    report_title: "Bezetting boven de norm", "Occupancy above the norm";
    report_intro: "Elke locatie in het register getoetst aan alle normen die er op de gekozen datum gelden: het Bouwbesluit of de gemeentelijke regel altijd, SNF of AKF als de exploitant dat keurmerk heeft.", "Every location in the register judged against every norm that applies on the chosen date: the Bouwbesluit or the municipal rule always, SNF or AKF when the operator holds that mark.";
    report_provenance: "Bron: register flexwonen en de normen in dit systeem; bedden in gebruik; getoetst per", "Source: flexwonen register and the norms in this system; beds in service; judged as of";
    report_date: "Datum", "Date";
    report_region_kind: "Soort regio", "Kind of region";
    report_area: "Gebied", "Area";
    report_region: "Regio", "Region";
    report_netherlands: "Nederland", "The Netherlands";
    report_by_region: "Per regio", "By region";
    report_by_municipality: "Gemeenten met bedden boven de norm", "Municipalities with beds above the norm";
    report_beds: "Bedden in gebruik", "Beds in service";
    report_permitted: "Toegestaan", "Permitted";
    report_locations_over: "Locaties boven de norm", "Locations above the norm";
    report_beds_over: "Bedden boven de norm", "Beds above the norm";
    report_none_over: "Geen enkele gemeente heeft op deze datum bedden boven de norm.", "No municipality has beds above the norm on this date.";
    bez_nav: "Bezetting", "Occupancy";
    mon_nav: "Afspraken", "Agreements";
    mon_title: "Monitor regionale afspraken", "Monitor of regional agreements";
    mon_intro: "Wat regio's hebben afgesproken over huisvestingsplaatsen voor arbeidsmigranten, wat er volgens het afgesproken tempo nu had moeten zijn, wat er gerealiseerd is en wat er in voorbereiding is.", "What regions agreed on housing places for labour migrants, what the agreed pace asks for by now, what was realised and what is in the pipeline.";
    mon_area: "Gebied", "Area";
    mon_month: "Maand", "Month";
    mon_show: "Toon", "Show";
    mon_snapshot: "Vastgelegde momentopname van", "Stored snapshot of";
    mon_snapshot_taken: "vastgelegd op", "taken on";
    mon_show_table: "Toon de cijfers als tabel", "Show the figures as a table";
    mon_as_of: "peildatum", "as of";
    mon_live: "Nu berekend uit de actuele gegevens, peildatum", "Computed now from the current data, as of";
    mon_task: "Afgesproken plaatsen", "Places agreed";
    mon_share: "Aandeel", "Share";
    mon_promised: "Toegezegd", "Promised";
    mon_target: "Doel tot nu toe", "Target to date";
    mon_realised: "Gerealiseerd", "Realised";
    mon_pipeline: "In voorbereiding", "In the pipeline";
    mon_pct_task: "% van de opgave", "% of task";
    mon_pct_target: "% van het doel tot nu toe", "% of target to date";
    mon_schedule: "Op schema?", "On schedule?";
    mon_needed: "Nodig per jaar tot het einde", "Needed per year to the end";
    mon_realised_per_year: "Gerealiseerd per jaar tot nu toe", "Realised per year so far";
    mon_regions: "Regio's met een afspraak", "Regions with an agreement";
    mon_municipalities: "Gemeenten: aandeel en voortgang", "Municipalities: share and progress";
    mon_parties: "Wie beloofde wat, wie leverde wat", "Who promised what, who delivered what";
    mon_projects: "Projecten", "Projects";
    mon_trend: "Verloop per kwartaal", "Trend per quarter";
    mon_trend_intro: "Het doel volgens het afgesproken tempo (de versie van de afspraak die toen gold), de gerealiseerde plaatsen en de plaatsen in voorbereiding, aan het einde van elk kwartaal.", "The target by the agreed pace (the version of the agreement in force then), the realised places and the places in the pipeline, at the end of each quarter.";
    mon_shares: "Aandeel in regionale afspraken", "Share in regional agreements";
    mon_region: "Regio", "Region";
    mon_agreement: "Afspraak", "Agreement";
    mon_version: "Versie", "Version";
    mon_period: "Looptijd", "Period";
    mon_party: "Partij", "Party";
    mon_kind: "Soort", "Kind";
    mon_role: "Rol", "Role";
    mon_project: "Project", "Project";
    mon_stage: "Fase", "Stage";
    mon_since: "Sinds", "Since";
    mon_planned: "Gepland", "Planned";
    mon_locations: "Locaties", "Locations";
    mon_date: "Datum", "Date";
    mon_map_title: "Gerealiseerd per gemeente, als percentage van het aandeel", "Realised per municipality, as a percentage of its share";
    mon_map_desc: "Kaart met per gemeente het percentage van het afgesproken aandeel dat gerealiseerd is. Dezelfde cijfers staan in de tabel met gemeenten.", "Map showing per municipality the percentage of its agreed share that was realised. The same figures are in the table of municipalities.";
    mon_map_legend: "% gerealiseerd", "% realised";
    mon_no_share: "geen aandeel", "no share";
    mon_downloads: "Downloaden", "Download";
    mon_xlsx: "Alle tabellen (Excel)", "All tables (Excel)";
    mon_print: "Afdrukbaar rapport", "Printable report";
    mon_provenance: "Over deze cijfers", "About these figures";
    mon_source: "Bron", "Source";
    mon_unallocated: "Niet over gemeenten verdeeld", "Not split over municipalities";
    mon_unallocated_parties: "Door geen partij toegezegd", "Promised by no party";
    mon_synthetic: "synthetisch (demo)", "synthetic (demo)";
    mon_none: "In deze maand gold voor dit gebied geen regionale afspraak.", "No regional agreement applied to this area in this month.";
    mon_detail_hidden: "Partijen en projecten ziet u als u bent ingelogd voor de regio, de gemeente of de betrokken partij.", "Parties and projects are shown when you are signed in for the region, the municipality or the party concerned.";
    mon_report: "Rapport", "Report";
    mon_prov_task: "Plaatsen uit de versie van de regionale afspraak die op de peildatum gold (voor een gemeente haar aandeel, voor een partij haar toezegging).", "Places in the version of the regional agreement in force on the date (a municipality's share, a party's promise).";
    mon_prov_target: "Wat het afgesproken tempo op de peildatum vraagt: rechte lijnen van nul bij de start via elke tussenstap naar de hele opgave aan het einde.", "What the agreed pace asks for by the date: straight lines from nothing at the start through each milestone to the whole task at the end.";
    mon_prov_realised: "Bedden in gebruik (volgens het register van nu) op locaties die aan een project zijn gekoppeld dat op de peildatum was opgeleverd, alleen als de beheerder op die datum een geldig SNF- of AKF-certificaat had.", "Beds in service (as the register holds them now) at locations linked to a project delivered by the date, only if the operator held a valid SNF or AKF certificate on that date.";
    mon_prov_pipeline: "Geplande plaatsen van projecten die op de peildatum in die fase waren (idee tot en met in aanbouw).", "Planned places of projects at that stage on the date (idea up to under construction).";
    mon_prov_schedule: "Gerealiseerd gedeeld door het doel tot nu toe: op schema vanaf 100%, achter vanaf 75%, ver achter daaronder.", "Realised divided by the target to date: on schedule from 100%, behind from 75%, far behind below that.";
    mon_src_agreement: "de regionale afspraak", "the regional agreement";
    mon_src_register: "het register (locaties, bedden, certificaten)", "the register (locations, beds, certificates)";
    mon_src_projects: "de projecten zoals de partijen ze bijhouden", "the projects as the parties keep them";
    agr_title: "Afspraken over huisvesting", "Agreements on housing";
    agr_intro: "De nationale verklaring van 2012 en de regionale afspraken die eruit volgden: hoeveel plaatsen, verdeeld over gemeenten en partijen, in welk tempo.", "The national declaration of 2012 and the regional agreements that followed from it: how many places, split over municipalities and parties, at what pace.";
    agr_declaration: "Nationale verklaring", "National declaration";
    agr_signed: "Ondertekend op", "Signed on";
    agr_commitment: "Toezegging", "Commitment";
    agr_agreements: "Regionale afspraken", "Regional agreements";
    agr_applies_from: "Geldt vanaf", "Applies from";
    agr_task_by_type: "Opgave per verblijfsduur", "Task by length of stay";
    agr_signatories: "Ondertekenaars", "Signatories";
    agr_split_municipalities: "Verdeling over gemeenten", "Split over municipalities";
    agr_split_parties: "Verdeling over partijen", "Split over parties";
    agr_pace: "Tempo (cumulatief doel)", "Pace (cumulative target)";
    agr_warnings: "Waarschuwingen", "Warnings";
    agr_monitor_link: "Voortgang in de monitor", "Progress in the monitor";
    agr_stages: "Fasen", "Stages";
    agr_add_stage: "Nieuwe fase vastleggen", "Record a new stage";
    agr_location_ids: "Opgeleverde locaties (nummers uit het register, gescheiden door komma's)", "Delivered locations (register numbers, separated by commas)";
    agr_save: "Opslaan", "Save";
    agr_link_locations: "Opgeleverde locaties koppelen", "Link delivered locations";
    agr_earlier_version: "Eerdere versie", "Earlier version";
    agr_new_project: "Nieuw project onder deze afspraak", "New project under this agreement";
    agr_not_a_number: "is geen nummer", "is not a number";
    agr_conflict: "Iemand anders heeft dit project intussen gewijzigd. Bekijk de nieuwe gegevens en doe uw wijziging opnieuw.", "Someone else changed this project in the meantime. Look at the new data and make your change again.";
    agr_responsible: "Verantwoordelijke partij", "Responsible party";
    bez_title: "Bezetting", "Occupancy";
    bez_intro: "Hoeveel bedden bezet zijn, welke nationaliteit de bewoners hebben en hoe lang zij blijven: voor heel Nederland, per regio of per gemeente. Alleen aantallen: dit overzicht toont nooit gegevens over een persoon.", "How many beds are taken, the residents' nationalities and how long they stay: for the whole country, per region or per municipality. Counts only: this overview never shows anything about a person.";
    bez_area: "Gebied", "Area";
    bez_date: "Datum", "Date";
    bez_show: "Tonen", "Show";
    bez_municipalities: "Gemeenten", "Municipalities";
    bez_occupied: "Bezette bedden", "Beds taken";
    bez_rate: "Bezettingsgraad", "Occupancy rate";
    bez_reserved: "Reserveringen (aankomst na de datum)", "Reservations (arriving after the date)";
    bez_stays_year: "Verblijven in de 12 maanden tot en met de datum", "Stays in the 12 months up to the date";
    bez_flagged_year: "Waarvan langer dan 4 maanden zonder inschrijving in de BRP", "Of which over 4 months without BRP registration";
    bez_on: "op", "on";
    bez_chart_title: "Bezetting per maand", "Occupancy per month";
    bez_chart_intro: "Het gemiddeld aantal bezette bedden per maand over de afgelopen drie jaar: de bednachten van de maand gedeeld door het aantal dagen. De donkerste staaf is de drukste maand van elk jaar. De lopende maand telt tot en met de gekozen datum.", "The average number of beds taken per month over the last three years: the month's bed-nights divided by its number of days. The darkest bar is the busiest month of each year. The current month counts up to the chosen date.";
    bez_chart_desc: "Staafdiagram van het gemiddeld aantal bezette bedden per maand, van", "Bar chart of the average number of beds taken per month, from";
    bez_to: "tot en met", "to";
    bez_peaks: "Drukste maand per jaar", "Busiest month per year";
    bez_legend_bar: "Gemiddeld bezette bedden", "Average beds taken";
    bez_legend_peak: "Drukste maand van het jaar", "Busiest month of the year";
    bez_legend_partial: "Lopende maand, tot en met de datum", "Current month, up to the date";
    bez_legend_line: "Bedden in gebruik (nu)", "Beds in service (now)";
    bez_table_summary: "De cijfers per maand als tabel", "The figures per month as a table";
    bez_month: "Maand", "Month";
    bez_average: "Gemiddeld bezet", "Average taken";
    bez_bed_nights: "Bednachten", "Bed-nights";
    bez_by_nationality: "Per nationaliteit", "By nationality";
    bez_nationality: "Nationaliteit", "Nationality";
    bez_on_date: "Op de datum", "On the date";
    bez_in_year: "In de 12 maanden ervoor", "In the 12 months before";
    bez_by_length: "Per verblijfsduur", "By length of stay";
    bez_length_note: "De duur zoals die op de datum was: wie na de datum vertrekt, telt tot de datum.", "The length as it was on the date: someone leaving after the date counts up to the date.";
    bez_length: "Verblijfsduur", "Length of stay";
    bez_short: "Kort: korter dan 4 maanden", "Short: under 4 months";
    bez_mid: "Middellang: 4 tot 12 maanden", "Mid: 4 to 12 months";
    bez_long: "Lang: 12 maanden of langer", "Long: 12 months or more";
    bez_by_municipality: "Per gemeente", "By municipality";
    bez_none: "Er zijn geen verblijven bekend in dit gebied.", "No stays are known in this area.";
    bez_provenance: "Bron: verblijven zoals huisvesters ze melden; bedden in gebruik volgens het register van nu. Bezettingsgraad: bezette bedden gedeeld door bedden in gebruik.", "Source: stays as housing providers report them; beds in service as the register holds them now. Occupancy rate: beds taken divided by beds in service.";
    bez_partial: "tot en met de datum", "up to the date";
    bez_months_short: "jan,feb,mrt,apr,mei,jun,jul,aug,sep,okt,nov,dec", "Jan,Feb,Mar,Apr,May,Jun,Jul,Aug,Sep,Oct,Nov,Dec";
    bez_flags_link: "Lange verblijven zonder inschrijving in de BRP", "Long stays without BRP registration";
    bez_flags_intro: "Verblijven waarbij iemand binnen 6 maanden meer dan 4 maanden gehuisvest was zonder inschrijving in de Basisregistratie Personen (BRP). Wie zo lang blijft, moet zich inschrijven (Wet BRP). De markering wordt dagelijks bijgewerkt.", "Stays where someone was housed more than 4 months within 6 without registration in the Personal Records Database (BRP). Whoever stays that long must register (Wet BRP). The flag is refreshed daily.";
    bez_flags_per_location: "Per locatie in", "Per location in";
    bez_flags_per_municipality: "Per gemeente (alleen aantallen)", "Per municipality (counts only)";
    bez_address: "Adres", "Address";
    bez_flagged: "Gemarkeerde verblijven in de 12 maanden tot en met de datum", "Flagged stays in the 12 months up to the date";
    bez_housed: "Nog gehuisvest op de datum", "Still housed on the date";
    bez_flag_locations: "Locaties met markering", "Locations flagged";
    bez_flags_none: "Er zijn geen verblijven gemarkeerd.", "No stays are flagged.";
    bez_total: "Totaal", "Total";
    // inspections
    insp_plan_title: "Inspectieplan", "Inspection plan";
    insp_plan_intro: "Elke locatie waarvoor een organisatie met een geldig SNF-certificaat eerstverantwoordelijk is, wordt ieder kalenderjaar geïnspecteerd.", "Every location for which an organisation with an SNF certificate in force is first responsible is inspected every calendar year.";
    insp_year: "Jaar", "Year";
    insp_inspector: "Inspecteur", "Inspector";
    insp_unassigned: "niet toegewezen", "unassigned";
    insp_status_done: "Gedaan", "Done";
    insp_status_planned: "Gepland", "Planned";
    insp_status_due: "Nog te plannen", "Due";
    insp_status_overdue: "Achterstallig", "Overdue";
    insp_status_cancelled: "Geannuleerd", "Cancelled";
    insp_by_province: "Per provincie", "By province";
    insp_by_inspector: "Per inspecteur", "By inspector";
    insp_total: "Totaal", "Total";
    insp_address: "Adres", "Address";
    insp_operator: "Exploitant", "Operator";
    insp_planned_on: "Gepland op", "Planned for";
    insp_done_on: "Datum van de inspectie", "Date of the inspection";
    insp_none: "Geen locaties in het plan.", "No locations in the plan.";
    insp_plan_new: "Inspectie plannen", "Plan an inspection";
    insp_location_id: "Locatienummer", "Location number";
    insp_scheme: "Getoetst aan", "Judged against";
    insp_scheme_legal: "Wettelijke norm (Bouwbesluit)", "Legal norm (Bouwbesluit)";
    insp_inspector_id: "Inspecteur (accountnummer; leeg is uzelf)", "Inspector (account number; empty is yourself)";
    insp_plan_button: "Plannen", "Plan";
    insp_sanctions_title: "Sancties", "Sanctions";
    insp_sanctions_hint: "Schort de certificaten op van organisaties met een open gebrek over de termijn, en trekt ze 60 dagen later in.", "Suspends the certificates of organisations with an open defect past its deadline, and withdraws them 60 days later.";
    insp_sanctions_button: "Sancties van vandaag toepassen", "Apply today's sanctions";
    insp_sanctions_applied: "Statuswijzigingen van certificaten:", "Certificate status changes:";
    insp_title: "Inspectie", "Inspection";
    insp_form_title: "Inspectie vastleggen", "Record the inspection";
    insp_form_hint: "Vul de gemeten waarden in. Met Toetsen ziet u per veld of de regel klopt; er wordt dan nog niets opgeslagen.", "Enter the measured values. Check shows per field whether the rule holds; nothing is saved yet.";
    insp_floor_area: "Gebruiksoppervlakte (m²)", "Floor area (m²)";
    insp_toilets: "Toiletten", "Toilets";
    insp_showers: "Douches", "Showers";
    insp_beds_counted: "Getelde bedden", "Beds counted";
    insp_persons_present: "Aanwezige personen", "Persons present";
    insp_rooms: "Kamers", "Rooms";
    insp_room_name: "Kamer", "Room";
    insp_room_area: "Oppervlakte (m²)", "Area (m²)";
    insp_room_persons: "Personen", "Persons";
    insp_rooms_hint: "Een lege rij wordt overgeslagen. Elke gemeten kamer telt als slaapkamer, ook zonder personen.", "An empty row is skipped. Every measured room counts as a bedroom, also without persons.";
    insp_findings: "Bevindingen", "Findings";
    insp_finding_text: "Bevinding", "Finding";
    insp_finding_constraint: "Regel (optioneel)", "Rule (optional)";
    insp_finding_deadline: "Hersteltermijn (jjjj-mm-dd); met een termijn wordt het een gebrek", "Deadline (yyyy-mm-dd); with a deadline it becomes a defect";
    insp_resolves: "Open gebreken die nu hersteld zijn", "Open defects now repaired";
    insp_check: "Toetsen", "Check";
    insp_save: "Inspectie opslaan", "Save the inspection";
    insp_holds: "voldoet", "holds";
    insp_fails: "voldoet niet", "does not hold";
    insp_verdict: "Oordeel", "Verdict";
    insp_permitted: "Toegestaan aantal personen", "Permitted persons";
    insp_present: "Aanwezig", "Present";
    insp_norm_frozen: "Getoetst aan de normversies die golden op de inspectiedatum; latere versies veranderen dit oordeel niet.", "Judged against the norm versions in force on the inspection date; later versions never change this verdict.";
    insp_version: "versie", "version";
    insp_defects: "Gebreken", "Defects";
    insp_no_defects: "Geen gebreken.", "No defects.";
    insp_deadline: "Termijn", "Deadline";
    insp_defect_open: "Open", "Open";
    insp_defect_overdue: "Over de termijn", "Overdue";
    insp_defect_resolved: "Hersteld", "Resolved";
    insp_resolve_by: "Hersteld volgens inspectie (nummer)", "Resolved according to inspection (number)";
    insp_resolve_button: "Herstel vastleggen", "Record the repair";
    insp_cancel_button: "Inspectie annuleren", "Cancel the inspection";
    insp_location: "Locatie", "Location";
    insp_status: "Status", "Status";
    admin_check_title: "Administratieve controle", "Administrative check";
    admin_check_intro: "Upload of plak de eigen adreslijst (CSV met de kolommen postcode, house_number, house_letter, house_addition; komma of puntkomma). U ziet welke adressen niet als locatie geregistreerd zijn. Er wordt niets gewijzigd.", "Upload or paste your own list of addresses (CSV with the columns postcode, house_number, house_letter, house_addition; comma or semicolon). You see which addresses are not registered as locations. Nothing is changed.";
    admin_check_csv: "Adreslijst (CSV)", "Address list (CSV)";
    admin_check_file: "Adreslijst uploaden (CSV-bestand)", "Upload the address list (CSV file)";
    admin_check_file_hint: "Een CSV-bestand in UTF-8 van hoogstens 1 MB. Of plak de lijst hieronder.", "A CSV file in UTF-8 of at most 1 MB. Or paste the list below.";
    admin_check_csv_or_file: "Kies een CSV-bestand of plak de adreslijst.", "Choose a CSV file or paste the address list.";
    admin_check_not_utf8: "Het bestand is geen tekst in UTF-8. Sla het op als CSV (UTF-8) en probeer het opnieuw.", "The file is not UTF-8 text. Save it as CSV (UTF-8) and try again.";
    admin_check_too_large: "Het bestand is groter dan 1 MB. Splits de lijst in kleinere bestanden.", "The file is larger than 1 MB. Split the list into smaller files.";
    admin_check_org: "Organisatie (nummer)", "Organisation (number)";
    admin_check_button: "Controleren", "Check";
    admin_check_unregistered: "Adressen op de lijst die niet geregistreerd zijn", "Addresses on the list that are not registered";
    admin_check_not_listed: "Geregistreerde locaties die niet op de lijst staan", "Registered locations not on the list";
    admin_check_all_registered: "Alle adressen op de lijst zijn geregistreerd.", "Every address on the list is registered.";
    admin_check_line: "regel", "line";
    admin_check_counts: "Op de lijst / geregistreerd", "Listed / registered";
    // Occupancy: the bed board and its forms (issue 4).
    room: "Kamer", "Room";
    bed_board_title: "Bedbezetting", "Bed board";
    bed_board_link: "Bedbezetting bekijken", "View the bed board";
    bed_board_on: "Bezetting op", "Occupancy on";
    bed_board_show: "Tonen", "Show";
    bed_board_beds: "Bedden", "Beds";
    bed_board_caption: "Bedden op", "Beds on";
    bed_board_state: "Stand", "State";
    bed_board_over: "meer personen dan de normen toestaan", "more persons than the norms permit";
    bed_free: "vrij", "free";
    bed_occupied: "bezet", "occupied";
    bed_reserved: "gereserveerd", "reserved";
    bed_out_of_service: "buiten gebruik", "out of service";
    occupancy_reference: "Referentie", "Reference";
    occupancy_reference_hint: "Uw eigen personeels- of huurdernummer. Geen naam.", "Your own staff or tenant number. No name.";
    occupancy_nationality: "Nationaliteit", "Nationality";
    occupancy_nationality_hint: "Landcode van twee letters, bijvoorbeeld PL.", "Two-letter country code, for example PL.";
    occupancy_period: "Verblijf", "Stay";
    occupancy_since: "sinds", "since";
    occupancy_signals: "Signalen", "Signals";
    occupancy_flag_unregistered: "langer dan 4 maanden niet ingeschreven", "over 4 months not registered";
    occupancy_flag_deduction: "inhouding op loon niet toegestaan", "wage deduction not allowed";
    occupancy_actions: "Acties", "Actions";
    occupancy_check_in: "Inchecken", "Check in";
    occupancy_check_in_intro: "Wijs een vrij bed toe. Een datum in de toekomst is een reservering.", "Assign a free bed. A date in the future is a reservation.";
    occupancy_check_in_on: "Datum van aankomst", "Date of arrival";
    occupancy_future_is_reservation: "Een datum in de toekomst reserveert het bed.", "A future date reserves the bed.";
    occupancy_check_out: "Uitchecken", "Check out";
    occupancy_check_out_on: "Datum van vertrek", "Date of departure";
    occupancy_transfer: "Verhuizen", "Move";
    occupancy_transfer_on: "Datum van verhuizing", "Date of the move";
    occupancy_to_bed: "Naar bed", "To bed";
    occupancy_worker: "Bewoner", "Resident";
    occupancy_registration: "Inschrijving", "Registration";
    registration_brp: "BRP (ingeschreven in een gemeente)", "BRP (registered in a municipality)";
    registration_rni: "RNI (niet-ingezetene)", "RNI (non-resident)";
    registration_none: "niet ingeschreven", "not registered";
    occupancy_brp_municipality: "BRP-gemeente (bij BRP)", "BRP municipality (with BRP)";
    occupancy_registered_on: "Ingeschreven op (bij BRP of RNI)", "Registered on (with BRP or RNI)";
    occupancy_terms: "Huurvoorwaarden", "Rental terms";
    occupancy_separate_contract: "Huurcontract los van het arbeidscontract", "Rental contract separate from the employment contract";
    occupancy_rent: "Huur per week (€)", "Rent per week (€)";
    occupancy_notice: "Opzegtermijn (dagen)", "Notice period (days)";
    occupancy_deduction: "Ingehouden op het loon per week (€)", "Deducted from the wage per week (€)";
    occupancy_deduction_hint: "Leeg of 0 als de huur niet wordt ingehouden.", "Empty or 0 when rent is not deducted.";
    occupancy_hours: "Uren per week volgens contract", "Contract hours per week";
    occupancy_authorisation: "Schriftelijke toestemming voor de inhouding", "Written authorisation for the deduction";
    occupancy_agricultural: "Cao voor de agrarische sector", "Collective agreement for agriculture";
    occupancy_refused: "Dit is niet gelukt", "This did not go through";
    occupancy_done_check_in: "Ingecheckt.", "Checked in.";
    occupancy_done_check_out: "Uitgecheckt.", "Checked out.";
    occupancy_done_transfer: "Verhuisd.", "Moved.";
    occupancy_upload_link: "Veel tegelijk? Upload een CSV-bestand", "Many at once? Upload a CSV file";
    upload_title: "Bezetting uploaden", "Upload occupancy";
    upload_intro: "Upload de aankomsten, vertrekken en verhuizingen van uw bewoners als CSV-bestand (UTF-8). Elke regel is één gebeurtenis met een eigen id: een regel die al eerder is verwerkt, verandert niets. Een afgewezen regel verandert ook niets; de andere regels worden wel verwerkt.", "Upload your residents' arrivals, departures and moves as a CSV file (UTF-8). Each line is one event with its own id: a line processed before changes nothing. A refused line changes nothing either; the other lines are processed.";
    upload_columns: "De eerste regel van het bestand", "The first line of the file";
    upload_columns_hint: "type is check_in, check_out of transfer; datums als jjjj-mm-dd; ja/nee voor de vinkjes. Een vertrek of verhuizing noemt de referentie van de bewoner; een verhuizing ook het nieuwe bed.", "type is check_in, check_out or transfer; dates as yyyy-mm-dd; ja/nee (yes/no) for the flags. A departure or move names the resident's reference; a move also the new bed.";
    upload_file: "CSV-bestand", "CSV file";
    upload_submit: "Uploaden en verwerken", "Upload and process";
    upload_choose_file: "Kies een CSV-bestand.", "Choose a CSV file.";
    upload_too_many: "Te veel regels in één bestand", "Too many lines in one file";
    upload_results: "Resultaat per regel", "Result per line";
    upload_line: "Regel", "Line";
    upload_result: "Resultaat", "Result";
    upload_applied: "verwerkt", "applied";
    upload_duplicate: "al eerder verwerkt", "processed before";
    upload_rejected: "afgewezen", "refused";
    upload_failed: "mislukt", "failed";
    upload_stay: "verblijf", "stay";
    sig_nav: "Signalen", "Signals";
    sig_title: "Signalen van overbewoning", "Overcrowding signals";
    sig_intro: "Waar is het de moeite waard om te gaan kijken? Per adres brengen we drie bronnen samen: het aantal ingeschrevenen uit uw eigen BRP-uittreksel, de oppervlakte en het gebruik uit de BAG, en de capaciteit en bezetting uit het register. Een signaal gaat over een adres, nooit over een persoon.", "Where is it worth taking a look? Per address we join three sources: the number of registered persons from your own BRP extract, the floor area and use from the BAG, and the capacity and occupancy from the register. A signal is about an address, never about a person.";
    sig_counts_intro: "U ziet het aantal signalen per gemeente en regel. Adressen ziet alleen de gemeente zelf, omdat ze uit haar eigen BRP-uittreksel komen.", "You see the number of signals per municipality and rule. Only the municipality itself sees addresses, because they come from its own BRP extract.";
    sig_sources: "Bronnen", "Sources";
    sig_bag: "BAG", "BAG";
    sig_bag_none: "Nog geen BAG ingelezen: de oppervlakte per adres ontbreekt.", "No BAG imported yet: floor areas per address are missing.";
    sig_bag_summary: "verblijfsobjecten, ingelezen op", "verblijfsobjecten, imported on";
    sig_brp: "Uw BRP-uittreksel", "Your BRP extract";
    sig_brp_none: "Nog geen BRP-uittreksel geüpload.", "No BRP extract uploaded yet.";
    sig_brp_summary_addresses: "adressen", "addresses";
    sig_brp_summary_registered: "ingeschrevenen, geüpload op", "registered persons, uploaded on";
    sig_by: "door", "by";
    sig_last_run: "Laatst berekend", "Last computed";
    sig_never_run: "Nog niet berekend.", "Not computed yet.";
    sig_run_counts_opened: "nieuw", "new";
    sig_run_counts_closed: "gesloten", "closed";
    sig_run_now: "Nu opnieuw berekenen", "Compute again now";
    sig_upload: "BRP-uittreksel uploaden", "Upload a BRP extract";
    sig_upload_intro: "Een CSV-bestand (UTF-8) dat u uit uw eigen BRP maakt, met per adres alleen aantallen. Een bestand met namen, geboortedata of BSN's wordt geweigerd. Het nieuwe bestand vervangt het vorige in zijn geheel; daarna worden de signalen opnieuw berekend.", "A CSV file (UTF-8) you export from your own BRP, with counts per address only. A file with names, dates of birth or BSNs is refused. The new file replaces the previous one whole; then the signals are computed again.";
    sig_upload_example: "Voorbeeld en uitleg van de kolommen", "Example and the columns explained";
    sig_upload_done: "Het BRP-uittreksel is ingelezen en de signalen zijn opnieuw berekend.", "The BRP extract was read and the signals were computed again.";
    sig_upload_refused: "Het bestand is niet ingelezen; er is niets veranderd.", "The file was not read; nothing changed.";
    sig_run_done: "De signalen zijn opnieuw berekend.", "The signals were computed again.";
    sig_thresholds_done: "De drempels zijn opgeslagen en de signalen opnieuw berekend.", "The thresholds were saved and the signals computed again.";
    sig_state_open: "Open", "Open";
    sig_state_dismissed: "Gezien, geen actie", "Seen, no action";
    sig_state_closed: "Gesloten", "Closed";
    sig_rule: "Regel", "Rule";
    sig_address: "Adres", "Address";
    sig_evidence: "Waarom", "Why";
    sig_score: "Score", "Score";
    sig_first_seen: "Eerst gezien", "First seen";
    sig_last_seen: "Laatst gezien", "Last seen";
    sig_closed_on: "Gesloten op", "Closed on";
    sig_none: "Geen signalen in deze lijst.", "No signals in this list.";
    sig_sorted_by: "gesorteerd op", "sorted by";
    sig_page: "Pagina", "Page";
    sig_previous: "Vorige", "Previous";
    sig_next: "Volgende", "Next";
    sig_of: "van", "of";
    sig_download: "Download als CSV", "Download as CSV";
    sig_map_title: "Adressen met open signalen", "Addresses with open signals";
    sig_map_desc: "Kaart van de gemeente met een stip per adres met een open signaal (de hoogste scores eerst, ten hoogste 300). Dezelfde adressen staan in de lijst.", "Map of the municipality with a dot per address with an open signal (highest scores first, at most 300). The same addresses are in the list.";
    sig_map_legend: "open signalen", "open signals";
    sig_map_point: "adres met een open signaal", "address with an open signal";
    sig_no_position: "Adressen zonder positie in de BAG staan alleen in de lijst.", "Addresses without a position in the BAG are in the list only.";
    sig_thresholds: "Drempels van uw gemeente", "Your municipality's thresholds";
    sig_thresholds_intro: "Elke regel heeft een landelijke standaardwaarde met zijn grondslag. U kunt de drempel aanpassen aan uw eigen beleid, bijvoorbeeld een strengere oppervlaktenorm.", "Each rule has a national default with its basis. You can adjust the threshold to your own policy, for example a stricter floor-area norm.";
    sig_threshold: "Drempel", "Threshold";
    sig_basis: "Grondslag", "Basis";
    sig_default: "standaard", "default";
    sig_save_thresholds: "Drempels opslaan", "Save thresholds";
    sig_counts_caption: "Signalen per gemeente en regel", "Signals per municipality and rule";
    sig_total: "Totaal", "Total";
    sig_back: "Alle signalen", "All signals";
    sig_location: "Locatie in het register", "Location in the register";
    sig_vbo: "BAG-verblijfsobject", "BAG verblijfsobject";
    sig_state: "Status", "Status";
    sig_dismiss: "Gezien, geen actie nodig", "Seen, no action needed";
    sig_dismiss_intro: "Is dit signaal bekeken en is er niets te doen? Leg vast waarom. Het signaal blijft in de lijst 'Gezien, geen actie' tot de oorzaak weg is; komt het later terug, dan is het weer open.", "Has this signal been looked at and is there nothing to do? Record why. The signal stays in the list 'Seen, no action' until its cause is gone; if it comes back later, it is open again.";
    sig_reason: "Reden", "Reason";
    sig_dismissed_by: "Gemarkeerd door", "Marked by";
    sig_ev_registered: "ingeschreven", "registered";
    sig_ev_floor_area_m2: "gebruiksoppervlakte (m²)", "floor area (m²)";
    sig_ev_allowed: "toegestaan", "allowed";
    sig_ev_m2_per_person: "norm (m² per persoon)", "norm (m² per person)";
    sig_ev_threshold: "drempel", "threshold";
    sig_ev_registered_last_12_months: "nieuw ingeschreven in 12 maanden", "newly registered in 12 months";
    sig_ev_occupied: "bezet", "occupied";
    sig_ev_permitted: "toegestaan", "permitted";
    sig_ev_stays_flagged: "verblijven zonder inschrijving", "stays without registration";
    sig_open_case: "Handhavingszaak openen", "Open an enforcement case";
    enf_nav: "Handhaving", "Enforcement";
    enf_title: "Handhaving en bed voor bed", "Enforcement and bed for bed";
    enf_intro: "Klachten, handhavingszaken en de balans bed voor bed: elk bed of elke persoon die in een grijze situatie is gevonden, eindigt gelegaliseerd, verhuisd naar een gecertificeerd bed of vertrokken.", "Complaints, enforcement cases and the bed-for-bed balance: every bed or person found in a grey situation ends legalised, moved to a certified bed, or departed.";
    enf_deadlines: "Termijnen", "Deadlines";
    enf_no_cases: "Geen open zaken.", "No open cases.";
    enf_case: "Zaak", "Case";
    enf_address: "Adres", "Address";
    enf_next_step: "Volgende stap", "Next step";
    enf_due: "Termijn", "Due";
    enf_overdue: "verlopen", "overdue";
    enf_due_soon: "binnen een week", "within a week";
    enf_on_time: "op tijd", "on time";
    enf_assignee: "Behandelaar", "Handled by";
    enf_complaints: "Klachten zonder zaak", "Complaints without a case";
    enf_no_complaints: "Geen klachten zonder zaak.", "No complaints without a case.";
    enf_received: "Ontvangen", "Received";
    enf_kind: "Onderwerp", "Subject";
    enf_kind_nuisance: "Overlast", "Nuisance";
    enf_kind_overcrowding: "Te veel mensen", "Too many people";
    enf_kind_unsafe_housing: "Onveilige woning", "Unsafe housing";
    enf_kind_exploitation: "Uitbuiting", "Exploitation";
    enf_description: "Beschrijving", "Description";
    enf_contact: "Contact", "Contact";
    enf_anonymous: "anoniem", "anonymous";
    enf_open_by_hand: "Zaak openen op een adres", "Open a case at an address";
    enf_stay_type: "Verblijfsduur van de bewoners", "Length of stay of the residents";
    enf_found: "Gevonden bedden of personen", "Beds or persons found";
    enf_summary: "Samenvatting", "Summary";
    enf_assignee_hint: "Gebruikersnaam van een inspecteur van de regio of van uw gemeente (niet verplicht).", "User name of an inspector of the region or of your municipality (optional).";
    enf_open: "Zaak openen", "Open case";
    enf_balance: "Balans bed voor bed", "Bed-for-bed balance";
    enf_balance_intro: "Gevonden = gelegaliseerd + verhuisd + vertrokken + open. Aantallen aan het einde van elke maand.", "Found = legalised + relocated + departed + open. Counts at the end of each month.";
    enf_legalised: "Gelegaliseerd", "Legalised";
    enf_relocated: "Verhuisd", "Relocated";
    enf_departed: "Vertrokken of onbekend", "Departed or unknown";
    enf_still_open: "Nog open", "Still open";
    enf_month: "Maand", "Month";
    enf_cases_open: "Open zaken", "Open cases";
    enf_cases_closed: "Gesloten zaken", "Closed cases";
    enf_receivers: "Ontvangende locaties", "Receiving locations";
    enf_receivers_intro: "Locaties waar verhuisde personen een bed kregen, met wie er vandaag wonen tegen wat de normen toestaan.", "Locations where relocated persons got a bed, with who lives there today against what the norms permit.";
    enf_housed: "Wonen er nu", "Housed now";
    enf_permitted: "Toegestaan", "Permitted";
    enf_receivers_ok: "Geen ontvangende locatie zit boven haar capaciteit.", "No receiving location is above its capacity.";
    enf_receivers_over: "ontvangende locaties zitten boven hun capaciteit.", "receiving locations are above their capacity.";
    enf_back: "Alle zaken", "All cases";
    enf_opened_on: "Geopend op", "Opened on";
    enf_closed_on: "Gesloten op", "Closed on";
    enf_source: "Aanleiding", "Source";
    enf_source_signal: "Signaal", "Signal";
    enf_source_complaint: "Klacht", "Complaint";
    enf_source_manual: "Met de hand", "By hand";
    enf_workflow: "Werkwijze", "Workflow";
    enf_version: "versie", "version";
    enf_steps: "Stappen", "Steps";
    enf_step: "Stap", "Step";
    enf_done_on: "Gedaan op", "Done on";
    enf_done_by: "Vastgelegd door", "Recorded by";
    enf_note: "Toelichting", "Note";
    enf_decision: "Besluit", "Decision";
    enf_decision_legalise: "Legaliseren", "Legalise";
    enf_decision_relocate: "Verhuizen bed voor bed", "Relocate bed for bed";
    enf_decision_close_location: "Locatie sluiten", "Close the location";
    enf_decision_no_violation: "Geen overtreding", "No violation";
    enf_record_step: "Stap vastleggen", "Record a step";
    enf_inspection: "Inspectie (nummer)", "Inspection (number)";
    enf_inspection_link: "Inspectie", "Inspection";
    enf_penalty: "Last onder dwangsom", "Penalty order";
    enf_penalty_amount: "Bedrag in euro", "Amount in euro";
    enf_penalty_per: "Per", "Per";
    enf_per_week: "week", "week";
    enf_per_breach: "overtreding", "breach";
    enf_penalty_maximum: "Maximum in euro", "Maximum in euro";
    enf_forfeited: "Verbeurd", "Forfeited";
    enf_forfeit: "Verbeurde dwangsom vastleggen", "Record a forfeited penalty";
    enf_units: "Aantal weken of overtredingen", "Number of weeks or breaches";
    enf_ledger: "Bed voor bed", "Bed for bed";
    enf_add_found: "Meer gevonden", "More found";
    enf_count: "Aantal", "Number";
    enf_outcome: "Uitkomst vastleggen", "Record an outcome";
    enf_outcome_legalised: "Gelegaliseerd (de locatie heeft een vergunning en voldoet aan de norm)", "Legalised (the location has a permit and meets the norm)";
    enf_outcome_departed: "Vertrokken of onbekend", "Departed or unknown";
    enf_vacancies: "Vrije gecertificeerde bedden in de regio", "Vacant certified beds in the region";
    enf_vacancies_intro: "Dichtstbijzijnde eerst; alleen locaties met dezelfde verblijfsduur, een geldig certificaat en ruimte binnen de norm. Verhuizen legt een inchecking vast op het gekozen bed.", "Nearest first; only locations with the same length of stay, a valid certificate and room within the norm. Relocating records a check-in on the chosen bed.";
    enf_no_vacancies: "Geen vrije gecertificeerde bedden in de regio.", "No vacant certified beds in the region.";
    enf_bed: "Bed", "Bed";
    enf_distance: "Afstand (km)", "Distance (km)";
    enf_relocate: "Verhuizen", "Relocate";
    enf_outcome_col: "Uitkomst", "Outcome";
    enf_open_row: "open", "open";
    enf_date: "Datum", "Date";
    enf_done: "Vastgelegd.", "Recorded.";
    enf_audit: "Geschiedenis", "History";
    enf_dismiss: "Afhandelen zonder zaak", "Handle without a case";
    enf_dismiss_intro: "Is er niets te handhaven? Leg vast waarom. De melder ziet de klacht dan als afgehandeld.", "Is there nothing to enforce? Record why. The reporter then sees the complaint as closed.";
    enf_dismissed: "Afgehandeld zonder zaak", "Handled without a case";
    enf_reason: "Reden", "Reason";
}

impl Texts {
    /// A decimal number as this language writes it: `96,5` in Dutch, `96.5` in English.
    pub fn decimal(&self, v: &f64) -> String {
        let s = format!("{}", (v * 100.0).round() / 100.0);
        if std::ptr::eq(self, &NL) { s.replace('.', ",") } else { s }
    }

    pub fn housing_form(&self, f: HousingForm) -> &'static str {
        let nl = std::ptr::eq(self, &NL);
        match (f, nl) {
            (HousingForm::A, true) => "a – reguliere woning",
            (HousingForm::A, false) => "a – regular dwelling",
            (HousingForm::B, true) => "b – hotel of pension",
            (HousingForm::B, false) => "b – hotel or guesthouse",
            (HousingForm::C, true) => "c – units in een gebouw",
            (HousingForm::C, false) => "c – units in a building",
            (HousingForm::D, true) => "d – woonunits",
            (HousingForm::D, false) => "d – residential units",
            (HousingForm::E, true) => "e – recreatiepark",
            (HousingForm::E, false) => "e – holiday park",
        }
    }

    pub fn legal_status(&self, s: LegalStatus) -> &'static str {
        let nl = std::ptr::eq(self, &NL);
        match (s, nl) {
            (LegalStatus::Planned, true) => "gepland",
            (LegalStatus::Planned, false) => "planned",
            (LegalStatus::Permitted, true) => "vergund",
            (LegalStatus::Permitted, false) => "permitted",
            (LegalStatus::InUse, true) => "in gebruik",
            (LegalStatus::InUse, false) => "in use",
            (LegalStatus::Tolerated, true) => "gedoogd (grijs)",
            (LegalStatus::Tolerated, false) => "tolerated (grey)",
            (LegalStatus::Illegal, true) => "illegaal",
            (LegalStatus::Illegal, false) => "illegal",
            (LegalStatus::Closed, true) => "gesloten",
            (LegalStatus::Closed, false) => "closed",
        }
    }

    pub fn stay_type(&self, s: StayType) -> &'static str {
        let nl = std::ptr::eq(self, &NL);
        match (s, nl) {
            (StayType::Short, true) => "kort (tot 12 maanden)",
            (StayType::Short, false) => "short (up to 12 months)",
            (StayType::Mid, true) => "middellang",
            (StayType::Mid, false) => "mid",
            (StayType::Long, true) => "lang (vestigers)",
            (StayType::Long, false) => "long (settling)",
        }
    }

    pub fn organisation_kind(&self, k: OrganisationKind) -> &'static str {
        let nl = std::ptr::eq(self, &NL);
        match (k, nl) {
            (OrganisationKind::Ministry, true) => "ministerie",
            (OrganisationKind::Ministry, false) => "ministry",
            (OrganisationKind::Municipality, true) => "gemeente",
            (OrganisationKind::Municipality, false) => "municipality",
            (OrganisationKind::Region, true) => "regio",
            (OrganisationKind::Region, false) => "region",
            (OrganisationKind::HousingProvider, true) => "huisvester",
            (OrganisationKind::HousingProvider, false) => "housing provider",
            (OrganisationKind::TempAgency, true) => "uitzendbureau",
            (OrganisationKind::TempAgency, false) => "temp agency",
            (OrganisationKind::Employer, true) => "werkgever",
            (OrganisationKind::Employer, false) => "employer",
            (OrganisationKind::HousingCorporation, true) => "woningcorporatie",
            (OrganisationKind::HousingCorporation, false) => "housing corporation",
            (OrganisationKind::Union, true) => "vakbond",
            (OrganisationKind::Union, false) => "union",
            (OrganisationKind::SectorAssociation, true) => "brancheorganisatie",
            (OrganisationKind::SectorAssociation, false) => "sector association",
        }
    }

    pub fn region_kind(&self, k: RegionKind) -> &'static str {
        let nl = std::ptr::eq(self, &NL);
        match (k, nl) {
            (RegionKind::Province, true) => "provincie",
            (RegionKind::Province, false) => "province",
            (RegionKind::Corop, true) => "COROP-gebied",
            (RegionKind::Corop, false) => "COROP area",
            (RegionKind::LabourMarket, true) => "arbeidsmarktregio",
            (RegionKind::LabourMarket, false) => "labour-market region",
            (RegionKind::Campaign2012, true) => "campagneregio 2012",
            (RegionKind::Campaign2012, false) => "2012 campaign region",
            (RegionKind::Custom, true) => "eigen regio",
            (RegionKind::Custom, false) => "custom region",
        }
    }

    /// A country by its ISO code: in Dutch for the countries most labour migrants come
    /// from, otherwise (and in English) by its English name.
    pub fn country(&self, code: &str) -> String {
        let dutch =
            std::ptr::eq(self, &NL).then(|| COUNTRIES_NL.iter().find(|(c, _)| *c == code).map(|(_, n)| *n)).flatten();
        dutch.unwrap_or_else(|| flexwonen_core::occupancy_events::country_name(code)).to_string()
    }

    pub fn bed_state(&self, s: flexwonen_core::occupancy::BedState) -> &'static str {
        use flexwonen_core::occupancy::BedState;
        match s {
            BedState::Free => self.bed_free,
            BedState::Occupied => self.bed_occupied,
            BedState::Reserved => self.bed_reserved,
            BedState::OutOfService => self.bed_out_of_service,
        }
    }

    pub fn role(&self, r: Role) -> &'static str {
        let nl = std::ptr::eq(self, &NL);
        match (r, nl) {
            (Role::Administrator, true) => "beheerder",
            (Role::Administrator, false) => "administrator",
            (Role::Ministry, true) => "ministerie",
            (Role::Ministry, false) => "ministry",
            (Role::RegionalCoordinator, true) => "regiocoördinator",
            (Role::RegionalCoordinator, false) => "regional coordinator",
            (Role::Municipality, true) => "gemeente",
            (Role::Municipality, false) => "municipality",
            (Role::HousingProvider, true) => "huisvester",
            (Role::HousingProvider, false) => "housing provider",
            (Role::Inspector, true) => "inspecteur",
            (Role::Inspector, false) => "inspector",
        }
    }
}

impl Texts {
    pub fn stage(&self, s: flexwonen_core::agreements::Stage) -> &'static str {
        use flexwonen_core::agreements::Stage::*;
        let nl = std::ptr::eq(self, &NL);
        match (s, nl) {
            (Idea, true) => "idee",
            (Idea, false) => "idea",
            (Planned, true) => "gepland",
            (Planned, false) => "planned",
            (PermitApplied, true) => "vergunning aangevraagd",
            (PermitApplied, false) => "permit applied for",
            (Permitted, true) => "vergund",
            (Permitted, false) => "permitted",
            (UnderConstruction, true) => "in aanbouw",
            (UnderConstruction, false) => "under construction",
            (Delivered, true) => "opgeleverd",
            (Delivered, false) => "delivered",
            (Certified, true) => "gecertificeerd",
            (Certified, false) => "certified",
            (Occupied, true) => "in gebruik",
            (Occupied, false) => "occupied",
            (Cancelled, true) => "geannuleerd",
            (Cancelled, false) => "cancelled",
        }
    }

    pub fn schedule(&self, s: flexwonen_core::monitor::Schedule) -> &'static str {
        use flexwonen_core::monitor::Schedule::*;
        let nl = std::ptr::eq(self, &NL);
        match (s, nl) {
            (NotDue, true) => "nog niets verwacht",
            (NotDue, false) => "nothing due yet",
            (OnSchedule, true) => "op schema",
            (OnSchedule, false) => "on schedule",
            (Behind, true) => "achter op schema",
            (Behind, false) => "behind schedule",
            (FarBehind, true) => "ver achter op schema",
            (FarBehind, false) => "far behind schedule",
        }
    }

    pub fn party_kind(&self, k: flexwonen_core::agreements::PartyKind) -> &'static str {
        use flexwonen_core::agreements::PartyKind::*;
        let nl = std::ptr::eq(self, &NL);
        match (k, nl) {
            (Municipality, true) => "gemeente",
            (Municipality, false) => "municipality",
            (Province, true) => "provincie",
            (Province, false) => "province",
            (Ministry, true) => "ministerie",
            (Ministry, false) => "ministry",
            (HousingCorporation, true) => "woningcorporatie",
            (HousingCorporation, false) => "housing corporation",
            (Employer, true) => "werkgever",
            (Employer, false) => "employer",
            (TempAgency, true) => "uitzendbureau",
            (TempAgency, false) => "temp agency",
            (SectorBody, true) => "brancheorganisatie",
            (SectorBody, false) => "sector body",
            (Union, true) => "vakbond",
            (Union, false) => "union",
            (Other, true) => "overig",
            (Other, false) => "other",
        }
    }

    pub fn signatory_role(&self, r: flexwonen_core::agreements::SignatoryRole) -> &'static str {
        use flexwonen_core::agreements::SignatoryRole::*;
        let nl = std::ptr::eq(self, &NL);
        match (r, nl) {
            (Coordinator, true) => "regie",
            (Coordinator, false) => "coordination",
            (Municipality, true) => "gemeente",
            (Municipality, false) => "municipality",
            (HousingProvider, true) => "huisvester",
            (HousingProvider, false) => "housing provider",
            (Employer, true) => "werkgever",
            (Employer, false) => "employer",
            (Supporter, true) => "ondersteuner",
            (Supporter, false) => "supporter",
        }
    }

    pub fn norm_scheme(&self, s: flexwonen_core::norms::NormScheme) -> &'static str {
        use flexwonen_core::norms::NormScheme::*;
        let nl = std::ptr::eq(self, &NL);
        match (s, nl) {
            (Bouwbesluit, _) => "Bouwbesluit",
            (Snf, _) => "SNF",
            (Akf, _) => "AKF",
            (Municipal, true) => "gemeentelijke regel",
            (Municipal, false) => "municipal rule",
        }
    }

    pub fn constraint(&self, c: flexwonen_core::norms::Constraint) -> &'static str {
        use flexwonen_core::norms::Constraint::*;
        let nl = std::ptr::eq(self, &NL);
        match (c, nl) {
            (FloorAreaPerPerson, true) => "Gebruiksoppervlakte per persoon",
            (FloorAreaPerPerson, false) => "Floor area per person",
            (BedroomAreaPerPerson, true) => "Slaapkamer per persoon",
            (BedroomAreaPerPerson, false) => "Bedroom area per person",
            (PersonsPerBedroom, true) => "Personen per slaapkamer",
            (PersonsPerBedroom, false) => "Persons per bedroom",
            (PersonsPerToilet, true) => "Personen per toilet",
            (PersonsPerToilet, false) => "Persons per toilet",
            (PersonsPerShower, true) => "Personen per douche",
            (PersonsPerShower, false) => "Persons per shower",
            (MaxPersons, true) => "Ten hoogste personen per locatie",
            (MaxPersons, false) => "Most persons per location",
            (ConversionPermitFrom, true) => "Omzettingsvergunning nodig vanaf",
            (ConversionPermitFrom, false) => "Conversion permit needed from",
            (Checklist, true) => "Controlepunt",
            (Checklist, false) => "Checklist item",
        }
    }

    /// The unit of a rule's value: m² per person, or persons (singular for one).
    pub fn constraint_unit(&self, c: flexwonen_core::norms::Constraint, value: f64) -> &'static str {
        use flexwonen_core::norms::Constraint::*;
        let nl = std::ptr::eq(self, &NL);
        match (c, nl, value == 1.0) {
            (FloorAreaPerPerson | BedroomAreaPerPerson, _, _) => "m²",
            (Checklist, _, _) => "",
            (_, true, true) => "persoon",
            (_, true, false) => "personen",
            (_, false, true) => "person",
            (_, false, false) => "persons",
        }
    }

    /// The unit of the measured and required values of a violation: toilets and showers are
    /// counted, the area rules measure m² per person.
    pub fn violation_unit(&self, c: flexwonen_core::norms::Constraint) -> &'static str {
        use flexwonen_core::norms::Constraint::*;
        let nl = std::ptr::eq(self, &NL);
        match (c, nl) {
            (FloorAreaPerPerson | BedroomAreaPerPerson, true) => "m² per persoon",
            (FloorAreaPerPerson | BedroomAreaPerPerson, false) => "m² per person",
            (PersonsPerToilet, true) => "toiletten",
            (PersonsPerToilet, false) => "toilets",
            (PersonsPerShower, true) => "douches",
            (PersonsPerShower, false) => "showers",
            (Checklist, _) => "",
            (_, true) => "personen",
            (_, false) => "persons",
        }
    }

    /// A validation error in this language: Dutch by its stable code, English as the core
    /// wrote it. An unknown code falls back to the English message.
    pub fn field_error(&self, e: &flexwonen_core::FieldError) -> String {
        if !std::ptr::eq(self, &NL) {
            return e.message.clone();
        }
        let nl = match e.code {
            "invalid_postcode" => {
                "Dit is geen geldige postcode. Gebruik vier cijfers (niet beginnend met 0) en twee letters, bijvoorbeeld 2511 AB."
            }
            "invalid_house_number" => "Het huisnummer moet een getal van 1 tot en met 99999 zijn.",
            "invalid_house_letter" => "Een huisletter is één letter, a tot en met z.",
            "invalid_house_addition" => "Een toevoeging is 1 tot 4 letters of cijfers.",
            "required" => "Dit veld is verplicht.",
            "too_long" => "Deze tekst is te lang: hoogstens 200 tekens.",
            "invalid_text" => "Deze tekst bevat tekens die niet zijn toegestaan.",
            "invalid_municipality_code" => "Dit is geen CBS-gemeentecode (GM en vier cijfers, bijvoorbeeld GM0518).",
            "unknown_municipality" => "Deze gemeente bestaat niet.",
            "invalid_bag_id" => "Dit is geen BAG-verblijfsobject-id: 16 cijfers, met 01 op plaats 5 en 6.",
            "bag_id_municipality_mismatch" => {
                "Dit BAG-id is uitgegeven door een andere gemeente dan de gekozen gemeente."
            }
            "invalid_choice" => "Kies een van de mogelijkheden.",
            "invalid_area" => "De oppervlakte moet groter dan 0 m² zijn.",
            "implausible_area" => "Deze oppervlakte is niet aannemelijk.",
            "invalid_count" => "Vul een aantal in van 0 of meer.",
            "not_a_number" => "Vul een getal in.",
            "invalid_date" => "Dit is geen datum. Schrijf jjjj-mm-dd, bijvoorbeeld 2021-07-01.",
            "date_too_early" => "Deze datum ligt vóór 1900. Controleer het jaar.",
            "incomplete_position" => "Vul beide RD-coördinaten in, of geen van beide.",
            "position_outside_nl" | "invalid_position" => "Deze ligging valt buiten Nederland.",
            "rooms_exceed_floor_area" => "De kamers samen zijn groter dan de gebruiksoppervlakte.",
            "duplicate_label" => "Deze bednaam komt twee keer voor in dezelfde kamer.",
            "reason_without_outage" => "Een bed in gebruik heeft geen reden voor buiten gebruik.",
            "too_many" => "Dit zijn er te veel.",
            "unknown_organisation" => "Deze organisatie bestaat niet.",
            "not_a_provider" => "Deze organisatie is geen huisvester.",
            "duplicate_address" => "Er staat al een locatie op dit adres in het register.",
            "unknown_room" | "unknown_bed" | "duplicate_bed" => {
                "De kamers of bedden zijn intussen gewijzigd. Laad de pagina opnieuw."
            }
            "invalid_kvk" => "Een KvK-nummer is precies 8 cijfers.",
            "not_utf8" => "Dit bestand is geen UTF-8. Sla het op als 'CSV UTF-8' en upload het opnieuw.",
            "wrong_header" => "De eerste regel klopt niet: neem de kolommen precies over zoals hierboven.",
            "wrong_column_count" => "Deze regel heeft niet het juiste aantal kolommen.",
            "invalid_csv" => "Deze regel is geen geldige CSV.",
            "invalid_boolean" => "Vul ja of nee in.",
            "invalid_number" => "Vul een getal in.",
            "too_many_events" => "Te veel gebeurtenissen in één keer: hoogstens 1000.",
            "bed_taken" => "Dit bed is in die periode al bezet.",
            "bed_out_of_service" => "Dit bed is buiten gebruik.",
            "over_capacity" => "Dan wonen er meer mensen op deze locatie dan de normen op die datum toestaan.",
            "worker_already_housed" => "Deze bewoner heeft in die periode al een bed.",
            "no_current_stay" => "Deze bewoner heeft op die datum geen lopend verblijf bij u.",
            "ambiguous_reference" => {
                "Meer huisvesters gebruiken deze referentie. Stuur het bericht met het token van de huisvester."
            }
            "same_bed" => "De bewoner slaapt al in dit bed.",
            "no_operator" => "Deze locatie heeft geen huisvester in het register.",
            "check_out_before_check_in" => "De vertrekdatum moet na de aankomstdatum liggen.",
            "invalid_nationality" => "Dit is geen landcode. Gebruik twee letters volgens ISO 3166, bijvoorbeeld PL.",
            "invalid_bsn" => "Dit is geen geldig BSN: 9 cijfers die de elfproef doorstaan.",
            "bsn_not_configured" => "Deze server neemt geen BSN aan.",
            "invalid_reference" => "Hoogstens 100 tekens, zonder stuurtekens.",
            "out_of_range" => "Dit getal valt buiten het toegestane bereik.",
            "inconsistent" => "Deze gegevens over de inschrijving passen niet bij elkaar.",
            "bed_has_stays" => {
                "Voor dit bed zijn verblijven vastgelegd. Zet het buiten gebruik in plaats van het te verwijderen."
            }
            "location_has_stays" => {
                "Op deze locatie zijn verblijven vastgelegd. Zet de status op gesloten in plaats van haar te verwijderen."
            }
            "duplicate_kvk" => "Dit KvK-nummer staat al in het register.",
            "out_of_scope" => "U mag voor deze gemeente of exploitant geen locatie registreren.",
            "unknown_scheme" => "Kies een bestaande soort norm.",
            "unknown_constraint" => "Dit is geen bekende soort regel.",
            "unknown_housing_form" => "Kies een woonvorm a tot en met e.",
            "overlapping_validity" => "Deze geldigheid overlapt met een andere versie of regel.",
            "ends_before_start" => "De einddatum ligt vóór de begindatum.",
            "date_too_late" => "Deze datum ligt na 2200. Controleer het jaar.",
            "outside_version" => "Deze regel valt buiten de geldigheid van zijn versie.",
            "starts_in_past" => {
                "Een nieuwe versie begint vandaag of later: een gepubliceerde versie verandert het verleden niet."
            }
            "not_positive" => "Vul een waarde groter dan 0 in.",
            "too_large" => "Deze waarde is niet aannemelijk groot.",
            "not_whole" => "Een aantal personen is een geheel getal.",
            "invalid_code" => "Een code bestaat uit 2 tot 60 kleine letters, cijfers en streepjes.",
            "duplicate_code" => "Er bestaat al een regelset met deze code.",
            "wrong_version_number" => "Versies worden op volgorde genummerd.",
            "below_value" => "De waarde bij instemming is lager dan de gewone waarde.",
            "not_allowed" => "Dit veld is hier niet toegestaan.",
            "duplicate" => "Dit staat er twee keer in.",
            "over_allocated" => "De verdeling geeft meer plaatsen dan de opgave.",
            "not_a_signatory" => "Deze partij heeft de afspraak niet ondertekend.",
            "outside_period" => "Deze datum valt buiten de looptijd van de afspraak.",
            "not_ascending" => "De datums van het tempo moeten oplopen.",
            "decreasing" => "Een cumulatief doel kan niet lager zijn dan het vorige.",
            "above_task" => "Dit doel is groter dan de hele opgave.",
            "before_start" => "Het einde van de looptijd ligt niet na het begin.",
            "not_after_previous" => "Een herziening moet later ingaan dan de huidige versie.",
            "in_future" => "Deze datum ligt in de toekomst.",
            "cancelled" => "Dit project is geannuleerd en krijgt geen nieuwe fase meer.",
            "not_later" => "Deze fase komt niet na de huidige fase van het project.",
            "before_previous" => "Deze datum ligt vóór de datum van de vorige fase.",
            "unknown_party" => "Deze partij bestaat niet.",
            "not_in_region" => "Deze gemeente hoort niet bij de regio van de afspraak.",
            "unknown_region" => "Deze regio bestaat niet.",
            "other_region" => "Een herziening hoort bij dezelfde regio.",
            "unknown_agreement" => "Deze afspraak bestaat niet.",
            "unknown_location" => "Deze locatie staat niet in het register.",
            "location_elsewhere" => "Deze locatie ligt in een andere gemeente dan het project.",
            "location_taken" => "Deze locatie hoort al bij een ander project.",
            "duplicate_party" => "Er bestaat al een partij met deze naam.",
            "snapshot_exists" => "Van deze maand is al een momentopname vastgelegd.",
            "agreement_exists" => "Deze regio heeft al een afspraak; leg een nieuwe versie vast.",
            "below_task_at_end" => "Aan het einde van de looptijd is de hele opgave het doel.",
            "invalid_month" => "Dit is geen maand. Schrijf jjjj-mm, bijvoorbeeld 2026-10.",
            "empty_file" => "Het bestand is leeg. De eerste regel noemt de kolommen.",
            "personal_data" => {
                "Deze kolom lijkt persoonsgegevens te bevatten (namen, geboortedata of BSN's). Wij nemen alleen aantallen per adres aan, dus het bestand is geweigerd."
            }
            "invalid_nummeraanduiding" => "Dit is geen nummeraanduiding-id: 16 cijfers, met 20 op plaats 5 en 6.",
            "implausible_count" => "Zoveel personen op één adres is niet aannemelijk (ten hoogste 100.000).",
            "recent_above_total" => "Er zijn meer nieuwe inschrijvingen dan ingeschrevenen.",
            "repeated_address" => "Dit adres staat al op een eerdere regel; elk adres één keer.",
            "invalid_threshold" => "Een drempel is een getal van 0 tot en met 10.000.",
            "reason_required" => "Schrijf op waarom er geen actie nodig is.",
            "reason_too_long" => "Deze reden is te lang: hoogstens 1.000 tekens.",
            "before_last_run" => "De signalen zijn al voor een latere dag berekend; kies die dag of een latere.",
            "more_problems" => "Er zijn meer problemen; de eerste 100 staan hieronder.",
            "signal_closed" => "Dit signaal is gesloten: de oorzaak is weg.",
            "unknown_rule" => "Deze regel bestaat niet.",
            "unknown_step" => "Deze stap bestaat niet in de werkwijze van deze zaak.",
            "step_done" => "Deze stap is al gedaan, of een latere stap al.",
            "step_skipped" => "Eerst moeten de verplichte stappen ervoor gedaan zijn.",
            "step_before_previous" => "Deze datum ligt vóór de vorige stap.",
            "step_before_opening" => "Deze datum ligt vóór de opening van de zaak.",
            "ledger_open" => "De zaak kan pas sluiten als elk gevonden bed gelegaliseerd, verhuisd of vertrokken is.",
            "penalty_amount" => "Het bedrag van een dwangsom is meer dan 0.",
            "penalty_maximum_required" => "Een last onder dwangsom heeft een maximum (artikel 5:32b Awb).",
            "penalty_maximum_below_amount" => "Het maximum is minstens het bedrag per week of overtreding.",
            "penalty_not_here" => "Een dwangsom hoort bij het besluit of de nazorg.",
            "decision_not_here" => "Een besluit hoort bij de stap Besluit.",
            "inspection_not_here" => "Een inspectie hoort bij de stap Bezoek.",
            "inspection_elsewhere" => "Deze inspectie is niet van de locatie van deze zaak.",
            "invalid_found" => "Vul een aantal in van 0 tot en met 500.",
            "note_too_long" => "Deze tekst is te lang: hoogstens 2.000 tekens.",
            "relocate_by_check_in" => "Een verhuizing legt u vast als inchecken op een voorgesteld bed.",
            "complaint_has_case" => "Op deze klacht is al een zaak geopend, of zij is zonder zaak afgehandeld.",
            "complaint_handled" => "Deze klacht heeft een zaak of is al afgehandeld.",
            "unknown_source" => "Dit signaal of deze klacht is niet van uw gemeente.",
            "address_elsewhere" => "Dit adres ligt in een andere gemeente.",
            "unknown_assignee" => "Deze gebruiker is geen inspecteur van de regio en geen account van de gemeente.",
            "more_than_open" => "Zoveel bedden staan niet meer open.",
            "over_permitted" => "De normen staan op deze locatie niet zoveel personen toe.",
            "not_in_register" => "Registreer de locatie eerst: legaliseren wordt aan haar getoetst.",
            "no_permit" => "De locatie heeft nog geen vergunning (status 'vergund').",
            "no_norm" => "Op deze locatie is geen norm van toepassing.",
            "case_closed" => "Deze zaak is gesloten.",
            "nothing_open" => "Elk bed van deze zaak is al verantwoord.",
            "bed_not_certified" => "Dit bed is niet van een gecertificeerde huisvester.",
            "check_in_only" => "Een verhuizing is een inchecking.",
            "invalid_units" => "Vul een aantal weken of overtredingen in van 1 tot en met 520.",
            "no_penalty_order" => "Deze zaak heeft geen last onder dwangsom.",
            "maximum_reached" => "Het maximum van de dwangsom is al verbeurd.",
            _ => return e.message.clone(),
        };
        nl.to_string()
    }
}

/// Dutch names of the countries most labour migrants come from; others by their English name.
const COUNTRIES_NL: &[(&str, &str)] = &[
    ("AL", "Albanië"),
    ("AT", "Oostenrijk"),
    ("BA", "Bosnië en Herzegovina"),
    ("BE", "België"),
    ("BG", "Bulgarije"),
    ("BY", "Belarus"),
    ("CH", "Zwitserland"),
    ("CY", "Cyprus"),
    ("CZ", "Tsjechië"),
    ("DE", "Duitsland"),
    ("DK", "Denemarken"),
    ("EE", "Estland"),
    ("ES", "Spanje"),
    ("FI", "Finland"),
    ("FR", "Frankrijk"),
    ("GB", "Verenigd Koninkrijk"),
    ("GE", "Georgië"),
    ("GR", "Griekenland"),
    ("HR", "Kroatië"),
    ("HU", "Hongarije"),
    ("ID", "Indonesië"),
    ("IE", "Ierland"),
    ("IN", "India"),
    ("IS", "IJsland"),
    ("IT", "Italië"),
    ("LI", "Liechtenstein"),
    ("LT", "Litouwen"),
    ("LU", "Luxemburg"),
    ("LV", "Letland"),
    ("MD", "Moldavië"),
    ("MK", "Noord-Macedonië"),
    ("MT", "Malta"),
    ("NL", "Nederland"),
    ("NO", "Noorwegen"),
    ("PH", "Filipijnen"),
    ("PL", "Polen"),
    ("PT", "Portugal"),
    ("RO", "Roemenië"),
    ("RS", "Servië"),
    ("SE", "Zweden"),
    ("SI", "Slovenië"),
    ("SK", "Slowakije"),
    ("TR", "Turkije"),
    ("UA", "Oekraïne"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_code_the_core_produces_has_dutch() {
        let mut bad = flexwonen_core::register::LocationInput {
            address: flexwonen_core::register::AddressInput {
                postcode: "x".into(),
                house_number: 0,
                ..Default::default()
            },
            municipality_code: "x".into(),
            bag_vbo_id: Some("1".into()),
            housing_form: "x".into(),
            zoned_residential: false,
            floor_area_m2: -1.0,
            legal_status: "x".into(),
            stay_type: "x".into(),
            operator_id: None,
            facilities: Default::default(),
            position: None,
            new_build: false,
            in_use_since: Some("1-7-2021".into()),
            conversion_permit: false,
            bedroom_sharing_agreed: false,
            first_responsible: false,
            rooms: Vec::new(),
        };
        bad.facilities.toilets = -1;
        let mut errors = bad.validate().unwrap_err();
        assert!(errors.0.len() >= 9);
        bad.in_use_since = Some("1899-12-31".into());
        errors.0.extend(bad.validate().unwrap_err().0.into_iter().filter(|e| e.field == "in_use_since"));
        for code in ["invalid_date", "date_too_early"] {
            assert!(errors.0.iter().any(|e| e.code == code), "{code}");
        }
        for e in &errors.0 {
            assert_ne!(NL.field_error(e), e.message, "no Dutch text for {}", e.code);
            assert_eq!(EN.field_error(e), e.message);
        }
    }
}
