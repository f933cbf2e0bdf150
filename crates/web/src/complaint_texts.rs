//! The public complaint pages' texts in the five languages migrants and neighbours read:
//! Dutch, English, Polish, Romanian and Bulgarian. As in `i18n.rs`, every text is a field,
//! so a missing translation does not compile.

use axum::http::HeaderMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PublicLang {
    Nl,
    En,
    Pl,
    Ro,
    Bg,
}

impl PublicLang {
    pub const ALL: [PublicLang; 5] = [PublicLang::Nl, PublicLang::En, PublicLang::Pl, PublicLang::Ro, PublicLang::Bg];

    pub fn code(self) -> &'static str {
        match self {
            PublicLang::Nl => "nl",
            PublicLang::En => "en",
            PublicLang::Pl => "pl",
            PublicLang::Ro => "ro",
            PublicLang::Bg => "bg",
        }
    }

    /// The language's own name, as a reader looks for it.
    pub fn name(self) -> &'static str {
        match self {
            PublicLang::Nl => "Nederlands",
            PublicLang::En => "English",
            PublicLang::Pl => "Polski",
            PublicLang::Ro => "Română",
            PublicLang::Bg => "Български",
        }
    }

    pub fn parse(s: &str) -> Option<PublicLang> {
        Self::ALL.into_iter().find(|l| l.code() == s.trim())
    }

    /// `lang` from the form or query wins, then the site's language cookie, then Dutch.
    pub fn from_request(headers: &HeaderMap, asked: Option<&str>) -> PublicLang {
        asked
            .and_then(PublicLang::parse)
            .or_else(|| crate::auth::cookie(headers, crate::i18n::LANG_COOKIE).and_then(PublicLang::parse))
            .unwrap_or(PublicLang::Nl)
    }

    pub fn texts(self) -> &'static PublicTexts {
        match self {
            PublicLang::Nl => &NL,
            PublicLang::En => &EN,
            PublicLang::Pl => &PL,
            PublicLang::Ro => &RO,
            PublicLang::Bg => &BG,
        }
    }
}

macro_rules! public_texts {
    ($($key:ident: $nl:expr, $en:expr, $pl:expr, $ro:expr, $bg:expr;)*) => {
        pub struct PublicTexts { $(pub $key: &'static str,)* }
        static NL: PublicTexts = PublicTexts { $($key: $nl,)* };
        static EN: PublicTexts = PublicTexts { $($key: $en,)* };
        static PL: PublicTexts = PublicTexts { $($key: $pl,)* };
        static RO: PublicTexts = PublicTexts { $($key: $ro,)* };
        static BG: PublicTexts = PublicTexts { $($key: $bg,)* };
    };
}

public_texts! {
    service: "Register flexwonen", "Flexible housing register", "Rejestr zakwaterowania", "Registrul de cazare", "Регистър за настаняване";
    skip: "Naar de inhoud", "Skip to content", "Przejdź do treści", "Salt la conținut", "Към съдържанието";
    language: "Taal", "Language", "Język", "Limba", "Език";
    title: "Klacht over huisvesting", "Complaint about housing", "Skarga dotycząca zakwaterowania", "Reclamație privind locuința", "Оплакване за жилище";
    intro: "Meld een probleem met de huisvesting van arbeidsmigranten op een adres: overlast, te veel mensen, een onveilige woning of uitbuiting. De gemeente van het adres krijgt uw melding.",
        "Report a problem with the housing of labour migrants at an address: nuisance, too many people, unsafe housing or exploitation. The municipality of the address receives your report.",
        "Zgłoś problem z zakwaterowaniem pracowników migrujących pod danym adresem: uciążliwość, zbyt wiele osób, niebezpieczne mieszkanie lub wyzysk. Twoje zgłoszenie otrzyma gmina, w której leży ten adres.",
        "Semnalați o problemă legată de cazarea lucrătorilor migranți la o adresă: deranj, prea multe persoane, o locuință nesigură sau exploatare. Sesizarea ajunge la primăria de care ține adresa.",
        "Съобщете за проблем с настаняването на трудови мигранти на даден адрес: неудобства, твърде много хора, опасно жилище или експлоатация. Сигналът ви получава общината на адреса.";
    anonymous: "U hoeft uw naam niet te geven. Zonder contactgegevens is uw melding anoniem. Met de volgcode ziet u later wat ermee gebeurt. Wij bewaren uw IP-adres niet.",
        "You do not have to give your name. Without contact details your report is anonymous. With the follow-up code you can see later what happens with it. We do not store your IP address.",
        "Nie musisz podawać swojego nazwiska. Bez danych kontaktowych zgłoszenie jest anonimowe. Dzięki kodowi śledzenia sprawdzisz później, co się z nim dzieje. Nie przechowujemy Twojego adresu IP.",
        "Nu trebuie să vă dați numele. Fără date de contact, sesizarea este anonimă. Cu codul de urmărire vedeți mai târziu ce se întâmplă cu ea. Nu păstrăm adresa dumneavoastră IP.",
        "Не е нужно да посочвате името си. Без данни за контакт сигналът ви е анонимен. С кода за проследяване по-късно ще видите какво се случва с него. Не съхраняваме вашия IP адрес.";
    emergency: "Bij direct gevaar: bel 112.", "In immediate danger: call 112.", "W razie bezpośredniego zagrożenia: zadzwoń pod 112.", "În caz de pericol imediat: sunați la 112.", "При непосредствена опасност: обадете се на 112.";
    address: "Adres", "Address", "Adres", "Adresa", "Адрес";
    postcode: "Postcode", "Postcode", "Kod pocztowy", "Cod poștal", "Пощенски код";
    postcode_hint: "Bijvoorbeeld 2671 AB", "For example 2671 AB", "Na przykład 2671 AB", "De exemplu 2671 AB", "Например 2671 AB";
    house_number: "Huisnummer", "House number", "Numer domu", "Număr", "Номер";
    house_letter: "Huisletter (als die er is)", "House letter (if any)", "Litera (jeśli jest)", "Litera (dacă există)", "Буква (ако има)";
    house_addition: "Toevoeging (als die er is)", "Addition (if any)", "Dodatek do numeru (jeśli jest)", "Adaos la număr (dacă există)", "Допълнение към номера (ако има)";
    municipality: "Gemeente", "Municipality", "Gmina", "Primăria (localitatea)", "Община";
    municipality_hint: "Alleen nodig als wij het adres niet vinden.", "Only needed if we cannot find the address.", "Potrzebne tylko wtedy, gdy nie znajdziemy adresu.", "Necesar doar dacă nu găsim adresa.", "Необходимо само ако не намерим адреса.";
    municipality_none: "Weet ik niet", "I don't know", "Nie wiem", "Nu știu", "Не знам";
    kind: "Waar gaat het over?", "What is it about?", "Czego dotyczy zgłoszenie?", "Despre ce este vorba?", "За какво се отнася?";
    kind_nuisance: "Overlast (geluid, afval, parkeren)", "Nuisance (noise, rubbish, parking)", "Uciążliwość (hałas, śmieci, parkowanie)", "Deranj (zgomot, gunoi, parcare)", "Неудобства (шум, боклук, паркиране)";
    kind_overcrowding: "Te veel mensen in één woning", "Too many people in one home", "Zbyt wiele osób w jednym mieszkaniu", "Prea multe persoane într-o locuință", "Твърде много хора в едно жилище";
    kind_unsafe_housing: "Onveilige of ongezonde woning", "Unsafe or unhealthy housing", "Niebezpieczne lub niezdrowe mieszkanie", "Locuință nesigură sau nesănătoasă", "Опасно или нездравословно жилище";
    kind_exploitation: "Uitbuiting, bijvoorbeeld te veel huur ingehouden op het loon", "Exploitation, for example too much rent taken from wages", "Wyzysk, na przykład zbyt wysoki czynsz potrącany z wynagrodzenia", "Exploatare, de exemplu chirie prea mare reținută din salariu", "Експлоатация, например твърде висок наем, удържан от заплатата";
    description: "Wat is er aan de hand?", "What is going on?", "Co się dzieje?", "Ce se întâmplă?", "Какво се случва?";
    description_hint: "Minstens 10 tekens, hoogstens 4000. Noem geen namen van bewoners.", "At least 10 characters, at most 4000. Do not name residents.", "Co najmniej 10 znaków, najwyżej 4000. Nie podawaj nazwisk mieszkańców.", "Cel puțin 10 caractere, cel mult 4000. Nu dați numele locatarilor.", "Поне 10 знака, най-много 4000. Не посочвайте имена на живущите.";
    contact: "Contactgegevens (niet verplicht)", "Contact details (optional)", "Dane kontaktowe (nieobowiązkowe)", "Date de contact (opțional)", "Данни за контакт (по желание)";
    contact_hint: "Telefoon of e-mail, als de gemeente u mag benaderen. Laat leeg om anoniem te blijven.", "Phone or e-mail, if the municipality may contact you. Leave empty to stay anonymous.", "Telefon lub e-mail, jeśli gmina może się z Tobą skontaktować. Zostaw puste, aby pozostać anonimowym.", "Telefon sau e-mail, dacă primăria vă poate contacta. Lăsați gol pentru a rămâne anonim.", "Телефон или имейл, ако общината може да се свърже с вас. Оставете празно, за да останете анонимни.";
    challenge: "Controlevraag: hoeveel is", "Check question: what is", "Pytanie kontrolne: ile to jest", "Întrebare de control: cât face", "Контролен въпрос: колко е";
    challenge_hint: "Zo weten we dat een mens het formulier invult.", "This tells us that a person fills in the form.", "Dzięki temu wiemy, że formularz wypełnia człowiek.", "Astfel știm că formularul este completat de o persoană.", "Така знаем, че формулярът се попълва от човек.";
    submit: "Melding versturen", "Send report", "Wyślij zgłoszenie", "Trimiteți sesizarea", "Изпратете сигнала";
    errors: "Controleer het formulier", "Check the form", "Sprawdź formularz", "Verificați formularul", "Проверете формуляра";
    received: "Uw melding is ontvangen", "Your report has been received", "Twoje zgłoszenie zostało przyjęte", "Sesizarea dumneavoastră a fost primită", "Вашият сигнал е получен";
    received_by: "Doorgestuurd naar de gemeente", "Sent to the municipality of", "Przekazano do gminy", "Trimisă către primăria", "Изпратен до община";
    keep_code: "Bewaar deze volgcode. Alleen met deze code ziet u later wat er met uw melding gebeurt; wij kunnen hem niet voor u opzoeken.",
        "Keep this follow-up code. Only with it can you see later what happens with your report; we cannot look it up for you.",
        "Zachowaj ten kod śledzenia. Tylko dzięki niemu sprawdzisz później, co dzieje się z Twoim zgłoszeniem; nie możemy go za Ciebie odszukać.",
        "Păstrați acest cod de urmărire. Doar cu el puteți vedea mai târziu ce se întâmplă cu sesizarea; nu îl putem căuta în locul dumneavoastră.",
        "Запазете този код за проследяване. Само с него по-късно ще видите какво се случва със сигнала ви; не можем да го потърсим вместо вас.";
    code: "Volgcode", "Follow-up code", "Kod śledzenia", "Cod de urmărire", "Код за проследяване";
    status_link: "Status van een melding bekijken", "Check the status of a report", "Sprawdź status zgłoszenia", "Verificați starea unei sesizări", "Проверете състоянието на сигнал";
    new_report: "Nieuwe melding maken", "Make a new report", "Nowe zgłoszenie", "Sesizare nouă", "Нов сигнал";
    status_title: "Status van uw melding", "Status of your report", "Status zgłoszenia", "Starea sesizării", "Състояние на сигнала";
    status_intro: "Vul de volgcode in die u kreeg toen u uw melding verstuurde.", "Enter the follow-up code you received when you sent your report.", "Wpisz kod śledzenia otrzymany po wysłaniu zgłoszenia.", "Introduceți codul de urmărire primit când ați trimis sesizarea.", "Въведете кода за проследяване, който получихте при изпращането на сигнала.";
    status_submit: "Bekijken", "Check", "Sprawdź", "Verificați", "Провери";
    state: "Status", "Status", "Status", "Stare", "Състояние";
    state_received: "Ontvangen: de gemeente bekijkt uw melding.", "Received: the municipality is looking at your report.", "Przyjęte: gmina zapoznaje się ze zgłoszeniem.", "Primită: primăria analizează sesizarea.", "Получен: общината разглежда сигнала.";
    state_in_progress: "In behandeling: de gemeente onderzoekt het adres.", "In progress: the municipality is investigating the address.", "W toku: gmina prowadzi postępowanie w sprawie adresu.", "În lucru: primăria investighează adresa.", "В процес: общината проверява адреса.";
    state_closed: "Afgehandeld: de gemeente heeft de zaak gesloten.", "Closed: the municipality has closed the case.", "Zakończone: gmina zamknęła sprawę.", "Închisă: primăria a închis cazul.", "Приключен: общината приключи случая.";
    received_on: "Ontvangen op", "Received on", "Data przyjęcia", "Primită la", "Получен на";
    updated_on: "Laatste stap op", "Last step on", "Ostatni krok", "Ultimul pas la", "Последна стъпка на";
    too_many: "Even wachten", "Please wait", "Proszę chwilę poczekać", "Vă rugăm să așteptați", "Моля, изчакайте";
    too_many_client: "Vanaf uw verbinding zijn te veel meldingen verstuurd. Probeer het later opnieuw.", "Too many reports were sent from your connection. Please try again later.", "Z Twojego połączenia wysłano zbyt wiele zgłoszeń. Spróbuj ponownie później.", "De la conexiunea dumneavoastră s-au trimis prea multe sesizări. Încercați din nou mai târziu.", "От вашата връзка са изпратени твърде много сигнали. Опитайте отново по-късно.";
    too_many_all: "Er komen nu heel veel meldingen binnen. Probeer het over een minuut opnieuw.", "Very many reports are coming in right now. Please try again in a minute.", "W tej chwili wpływa bardzo wiele zgłoszeń. Spróbuj ponownie za minutę.", "În acest moment sosesc foarte multe sesizări. Încercați din nou peste un minut.", "В момента постъпват много сигнали. Опитайте отново след минута.";
    err_required: "Vul dit in.", "Fill this in.", "Uzupełnij to pole.", "Completați acest câmp.", "Попълнете това поле.";
    err_postcode: "Dit is geen Nederlandse postcode: vier cijfers en twee letters, bijvoorbeeld 2671 AB.", "This is not a Dutch postcode: four digits and two letters, for example 2671 AB.", "To nie jest holenderski kod pocztowy: cztery cyfry i dwie litery, na przykład 2671 AB.", "Acesta nu este un cod poștal olandez: patru cifre și două litere, de exemplu 2671 AB.", "Това не е нидерландски пощенски код: четири цифри и две букви, например 2671 AB.";
    err_house_number: "Een huisnummer is een getal van 1 tot 99999.", "A house number is a number from 1 to 99999.", "Numer domu to liczba od 1 do 99999.", "Numărul este un număr de la 1 la 99999.", "Номерът е число от 1 до 99999.";
    err_house_letter: "Een huisletter is één letter.", "A house letter is one letter.", "Litera to jedna litera.", "Litera este o singură literă.", "Буквата е една буква.";
    err_house_addition: "Een toevoeging is één tot vier letters of cijfers.", "An addition is one to four letters or digits.", "Dodatek to od jednego do czterech liter lub cyfr.", "Adaosul are între una și patru litere sau cifre.", "Допълнението е от една до четири букви или цифри.";
    err_kind: "Kies waar de melding over gaat.", "Choose what the report is about.", "Wybierz, czego dotyczy zgłoszenie.", "Alegeți despre ce este sesizarea.", "Изберете за какво се отнася сигналът.";
    err_description_short: "Beschrijf wat er aan de hand is in minstens 10 tekens.", "Describe what is going on in at least 10 characters.", "Opisz, co się dzieje, w co najmniej 10 znakach.", "Descrieți ce se întâmplă în cel puțin 10 caractere.", "Опишете какво се случва с поне 10 знака.";
    err_description_long: "De beschrijving is te lang: hoogstens 4000 tekens.", "The description is too long: at most 4000 characters.", "Opis jest za długi: najwyżej 4000 znaków.", "Descrierea este prea lungă: cel mult 4000 de caractere.", "Описанието е твърде дълго: най-много 4000 знака.";
    err_contact_long: "Contactgegevens zijn hoogstens 200 tekens.", "Contact details are at most 200 characters.", "Dane kontaktowe mają najwyżej 200 znaków.", "Datele de contact au cel mult 200 de caractere.", "Данните за контакт са най-много 200 знака.";
    err_challenge_wrong: "Het antwoord op de controlevraag klopt niet.", "The answer to the check question is not right.", "Odpowiedź na pytanie kontrolne jest nieprawidłowa.", "Răspunsul la întrebarea de control nu este corect.", "Отговорът на контролния въпрос не е верен.";
    err_challenge_expired: "Het formulier stond te lang open. Beantwoord de nieuwe controlevraag en verstuur opnieuw.", "The form was open too long. Answer the new check question and send again.", "Formularz był otwarty zbyt długo. Odpowiedz na nowe pytanie kontrolne i wyślij ponownie.", "Formularul a fost deschis prea mult timp. Răspundeți la noua întrebare de control și trimiteți din nou.", "Формулярът е бил отворен твърде дълго. Отговорете на новия контролен въпрос и изпратете отново.";
    err_address_unknown: "Wij vinden dit adres niet. Kies de gemeente.", "We cannot find this address. Choose the municipality.", "Nie możemy znaleźć tego adresu. Wybierz gminę.", "Nu găsim această adresă. Alegeți primăria.", "Не намираме този адрес. Изберете общината.";
    err_code_invalid: "Dit is geen geldige volgcode. Controleer de 11 tekens, bijvoorbeeld 7K2M-9QXR-T4B.", "This is not a valid follow-up code. Check the 11 characters, for example 7K2M-9QXR-T4B.", "To nie jest prawidłowy kod śledzenia. Sprawdź 11 znaków, na przykład 7K2M-9QXR-T4B.", "Acesta nu este un cod de urmărire valid. Verificați cele 11 caractere, de exemplu 7K2M-9QXR-T4B.", "Това не е валиден код за проследяване. Проверете 11-те знака, например 7K2M-9QXR-T4B.";
    err_code_unknown: "Er is geen melding met deze volgcode.", "There is no report with this follow-up code.", "Nie ma zgłoszenia z tym kodem śledzenia.", "Nu există nicio sesizare cu acest cod de urmărire.", "Няма сигнал с този код за проследяване.";
}

impl PublicTexts {
    /// The message for a field error's code, in this language.
    pub fn error(&self, code: &str) -> &'static str {
        match code {
            "invalid_postcode" => self.err_postcode,
            "invalid_house_number" => self.err_house_number,
            "invalid_house_letter" => self.err_house_letter,
            "invalid_house_addition" => self.err_house_addition,
            "invalid_kind" => self.err_kind,
            "description_too_short" => self.err_description_short,
            "description_too_long" => self.err_description_long,
            "contact_too_long" => self.err_contact_long,
            "challenge_wrong" => self.err_challenge_wrong,
            "challenge_expired" => self.err_challenge_expired,
            "address_unknown" | "unknown_municipality" => self.err_address_unknown,
            _ => self.err_required,
        }
    }

    /// The label of a form field, for the error summary.
    pub fn label(&self, field: &str) -> &'static str {
        match field {
            "postcode" => self.postcode,
            "house_number" => self.house_number,
            "house_letter" => self.house_letter,
            "house_addition" => self.house_addition,
            "municipality" => self.municipality,
            "kind" => self.kind,
            "description" => self.description,
            "contact" => self.contact,
            _ => self.challenge,
        }
    }

    pub fn kind_name(&self, kind: flexwonen_core::complaints::ComplaintKind) -> &'static str {
        use flexwonen_core::complaints::ComplaintKind as K;
        match kind {
            K::Nuisance => self.kind_nuisance,
            K::Overcrowding => self.kind_overcrowding,
            K::UnsafeHousing => self.kind_unsafe_housing,
            K::Exploitation => self.kind_exploitation,
        }
    }
}
