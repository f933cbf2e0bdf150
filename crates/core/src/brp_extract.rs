//! The BRP extract a municipality uploads (issue 6): per address, how many persons are
//! registered there and how many of them registered in the last 12 months — counts only.
//!
//! A UTF-8 CSV file with a header, separated by semicolons or commas, with exactly these
//! columns:
//!
//! ```text
//! postcode;huisnummer;huisletter;huisnummertoevoeging;nummeraanduiding_id;ingeschrevenen;ingeschreven_laatste_12_maanden
//! 6982CZ;2;;;;3;1
//! ;;;;0221200000330153;12;9
//! ```
//!
//! An address is a postcode with a house number (and letter and addition), or a BAG
//! nummeraanduiding id; the two counts are whole numbers of 0 or more. The product does not
//! want personal data: a file with a column for names, dates of birth or BSNs is refused as
//! a whole, naming the column. The file is taken whole or not at all; every problem is
//! reported with its line.

use crate::address::{Postcode, parse_house_addition, parse_house_letter, parse_house_number};
use crate::error::FieldError;
use serde::Serialize;
use std::collections::HashMap;

pub const COLUMNS: [&str; 7] = [
    "postcode",
    "huisnummer",
    "huisletter",
    "huisnummertoevoeging",
    "nummeraanduiding_id",
    "ingeschrevenen",
    "ingeschreven_laatste_12_maanden",
];

/// Header words that mean personal data, which the product refuses to receive.
const PERSONAL: [&str; 10] = [
    "naam",
    "name",
    "voornaam",
    "achternaam",
    "geboorte",
    "birth",
    "bsn",
    "burgerservicenummer",
    "a-nummer",
    "anummer",
];

/// A problem on one line of the extract (line 1 is the header): the column as `field`
/// (`header` for the header, empty for the line as a whole), a stable code, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineError {
    pub line: usize,
    #[serde(flatten)]
    pub error: FieldError,
}

impl LineError {
    fn new(line: usize, field: &str, code: &'static str, message: impl Into<String>) -> Self {
        LineError { line, error: FieldError { field: field.to_string(), code, message: message.into() } }
    }
}

impl std::fmt::Display for LineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.error.field.as_str() {
            "" => write!(f, "line {}: {}", self.line, self.error.message),
            field => write!(f, "line {}, {field}: {}", self.line, self.error.message),
        }
    }
}

/// Where the persons are registered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum BrpAddress {
    Postcode { postcode: String, house_number: i64, house_letter: Option<String>, house_addition: Option<String> },
    Nummeraanduiding { id: String },
}

impl BrpAddress {
    /// The address key (as [`crate::address::address_key`]) of an address given by postcode.
    pub fn address_key(&self) -> Option<String> {
        match self {
            BrpAddress::Postcode { postcode, house_number, house_letter, house_addition } => {
                Some(crate::address::address_key(
                    postcode,
                    *house_number,
                    house_letter.as_deref(),
                    house_addition.as_deref(),
                ))
            }
            BrpAddress::Nummeraanduiding { .. } => None,
        }
    }

    /// The key two lines with the same address share.
    fn key(&self) -> String {
        match self {
            BrpAddress::Nummeraanduiding { id } => id.clone(),
            postcode => postcode.address_key().unwrap_or_default(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BrpCount {
    pub line: usize,
    pub address: BrpAddress,
    pub registered: i64,
    pub registered_last_12_months: i64,
}

fn take<T>(errors: &mut Vec<LineError>, line: usize, field: &str, r: crate::error::Check<T>) -> Option<T> {
    r.map_err(|(code, m)| errors.push(LineError::new(line, field, code, m))).ok()
}

/// More persons than any building registers: a typo, not a count.
pub const MAX_PER_ADDRESS: i64 = 100_000;

fn count(errors: &mut Vec<LineError>, line: usize, field: &str, text: &str) -> Option<i64> {
    let (code, message) = match text.trim().parse::<i64>() {
        Ok(n) if (0..=MAX_PER_ADDRESS).contains(&n) => return Some(n),
        Ok(n) if n > MAX_PER_ADDRESS => {
            ("implausible_count", format!("{n} persons at one address is not plausible (at most {MAX_PER_ADDRESS})"))
        }
        _ => ("invalid_count", format!("'{}' is not a whole number of 0 or more", text.trim())),
    };
    errors.push(LineError::new(line, field, code, message));
    None
}

/// Every line of the extract, or every problem found (the file is taken whole or not at all).
pub fn parse_brp_extract(bytes: &[u8]) -> Result<Vec<BrpCount>, Vec<LineError>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Err(vec![LineError::new(
            1,
            "",
            "not_utf8",
            "the file is not UTF-8; save it as 'CSV UTF-8' and upload it again",
        )]);
    };
    let first = text.lines().next().unwrap_or("");
    let delimiter = if first.contains(';') { b';' } else { b',' };
    let mut reader =
        csv::ReaderBuilder::new().delimiter(delimiter).has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut records = reader.records();
    let header: Vec<String> = match records.next() {
        Some(Ok(h)) => h.iter().map(|c| c.trim().to_lowercase()).collect(),
        Some(Err(e)) => {
            return Err(vec![LineError::new(1, "header", "invalid_csv", format!("the header is not valid CSV: {e}"))]);
        }
        None => {
            return Err(vec![LineError::new(
                1,
                "header",
                "empty_file",
                format!("the file is empty; its first line must be: {}", COLUMNS.join(";")),
            )]);
        }
    };
    // Address words (straatnaam, woonplaatsnaam) are not personal data.
    let personal_column = |h: &&String| {
        !["straat", "woonplaats", "openbare", "gemeente"].iter().any(|a| h.contains(a))
            && PERSONAL.iter().any(|p| h.contains(p))
    };
    if let Some(personal) = header.iter().find(personal_column) {
        return Err(vec![LineError::new(
            1,
            "header",
            "personal_data",
            format!(
                "the column '{personal}' looks like personal data (names, dates of birth or BSNs); this product takes counts per address only, so the file is refused"
            ),
        )]);
    }
    if header != COLUMNS {
        return Err(vec![LineError::new(
            1,
            "header",
            "wrong_header",
            format!("the header must be exactly: {}", COLUMNS.join(";")),
        )]);
    }
    let mut out = Vec::new();
    let mut errors = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (i, record) in records.enumerate() {
        let line = i + 2;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                errors.push(LineError::new(line, "", "invalid_csv", format!("not valid CSV: {e}")));
                continue;
            }
        };
        if record.len() != COLUMNS.len() {
            errors.push(LineError::new(
                line,
                "",
                "wrong_column_count",
                format!("{} columns instead of {}", record.len(), COLUMNS.len()),
            ));
            continue;
        }
        let get = |i: usize| record.get(i).unwrap_or("").trim();
        let before = errors.len();
        let address = if !get(4).is_empty() {
            let id = get(4);
            // A nummeraanduiding: 4 digits of the municipality, object type 20, 10 digits.
            if id.len() == 16 && id.bytes().all(|b| b.is_ascii_digit()) && &id[4..6] == "20" {
                Some(BrpAddress::Nummeraanduiding { id: id.to_string() })
            } else {
                errors.push(LineError::new(
                    line,
                    "nummeraanduiding_id",
                    "invalid_nummeraanduiding",
                    format!("'{id}' is not a nummeraanduiding id (16 digits, 20 at places 5 and 6)"),
                ));
                None
            }
        } else {
            let postcode = take(&mut errors, line, "postcode", Postcode::parse(get(0)).map(|p| p.as_str().to_string()));
            let number = take(
                &mut errors,
                line,
                "huisnummer",
                get(1)
                    .parse::<i64>()
                    .map_err(|_| ("invalid_house_number", format!("'{}' is not a house number", get(1))))
                    .and_then(parse_house_number),
            );
            let letter = take(&mut errors, line, "huisletter", parse_house_letter(get(2)));
            let addition = take(&mut errors, line, "huisnummertoevoeging", parse_house_addition(get(3)));
            match (postcode, number, letter, addition) {
                (Some(postcode), Some(house_number), Some(house_letter), Some(house_addition)) => {
                    Some(BrpAddress::Postcode { postcode, house_number, house_letter, house_addition })
                }
                _ => None,
            }
        };
        let registered = count(&mut errors, line, "ingeschrevenen", get(5));
        let recent = count(&mut errors, line, "ingeschreven_laatste_12_maanden", get(6));
        if let (Some(total), Some(recent)) = (registered, recent)
            && recent > total
        {
            errors.push(LineError::new(
                line,
                "ingeschreven_laatste_12_maanden",
                "recent_above_total",
                format!("{recent} registered in the last 12 months is more than the {total} registered"),
            ));
        }
        if errors.len() > before {
            continue;
        }
        let (Some(address), Some(registered), Some(recent)) = (address, registered, recent) else { continue };
        if let Some(first) = seen.insert(address.key(), line) {
            errors.push(LineError::new(
                line,
                "",
                "repeated_address",
                format!("this address is on line {first} already; each address once"),
            ));
            continue;
        }
        out.push(BrpCount { line, address, registered, registered_last_12_months: recent });
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "postcode;huisnummer;huisletter;huisnummertoevoeging;nummeraanduiding_id;ingeschrevenen;ingeschreven_laatste_12_maanden";

    #[test]
    fn the_example_reads() {
        let text = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/brp-extract-voorbeeld.csv")).unwrap();
        let rows = parse_brp_extract(&text).unwrap();
        assert!(rows.len() >= 3);
        assert!(rows.iter().any(|r| matches!(&r.address, BrpAddress::Nummeraanduiding { .. })));
        // Commas work as well as semicolons.
        let comma = format!("{}\n6982 cz,2,a,,,3,1\n", HEADER.replace(';', ","));
        let rows = parse_brp_extract(comma.as_bytes()).unwrap();
        assert_eq!(
            rows[0].address,
            BrpAddress::Postcode {
                postcode: "6982CZ".into(),
                house_number: 2,
                house_letter: Some("a".into()),
                house_addition: None
            }
        );
    }

    #[test]
    fn personal_data_a_wrong_header_and_bad_lines_are_refused() {
        let e = parse_brp_extract(format!("{HEADER};geboortedatum\n").as_bytes()).unwrap_err();
        assert!(e[0].error.message.contains("'geboortedatum' looks like personal data"), "{}", e[0]);
        let e = parse_brp_extract(b"postcode;nummer\n").unwrap_err();
        assert!(e[0].error.message.starts_with("the header must be"));
        // An address word is not personal data; a count beyond belief is refused.
        let e = parse_brp_extract(format!("{HEADER};straatnaam\n").as_bytes()).unwrap_err();
        assert!(e[0].error.message.starts_with("the header must be"), "{}", e[0]);
        let e = parse_brp_extract(format!("{HEADER}\n6982CZ;2;;;;9223372036854775807;0\n").as_bytes()).unwrap_err();
        assert!(e[0].error.message.contains("not plausible"));
        let e = parse_brp_extract(b"postcode;nummer\n").unwrap_err();
        assert_eq!((e[0].line, e[0].error.field.as_str()), (1, "header"));
        let text =
            format!("{HEADER}\n6982CZ;2;;;;3;1\n6982CZ;x;;;;3;1\n;;;;1234;2;0\n6982cz;2;;;;1;0\n6982CZ;4;;;;2;5\n");
        let e = parse_brp_extract(text.as_bytes()).unwrap_err();
        let found: Vec<(usize, &str)> = e.iter().map(|e| (e.line, e.error.field.as_str())).collect();
        assert_eq!(
            found,
            [(3, "huisnummer"), (4, "nummeraanduiding_id"), (5, ""), (6, "ingeschreven_laatste_12_maanden")]
        );
        assert!(e[2].error.message.contains("line 2 already"));
        assert!(parse_brp_extract(b"\xff\xfe").unwrap_err()[0].error.message.contains("UTF-8"));
    }
}
