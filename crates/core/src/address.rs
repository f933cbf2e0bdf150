//! Dutch addresses: postcode, house number, letter and addition.

use crate::error::Check;
use serde::{Deserialize, Serialize};

/// A postcode `[1-9][0-9]{3}[A-Z]{2}`, stored without a space (`2511AB`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Postcode(String);

impl Postcode {
    pub fn parse(input: &str) -> Check<Self> {
        let s: String = input.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_uppercase();
        if s.is_empty() {
            return Err(("required", "this field is required".into()));
        }
        let b = s.as_bytes();
        let ok = b.len() == 6
            && (b'1'..=b'9').contains(&b[0])
            && b[1..4].iter().all(u8::is_ascii_digit)
            && b[4..6].iter().all(u8::is_ascii_uppercase);
        if ok {
            Ok(Self(s))
        } else {
            Err((
                "invalid_postcode",
                format!(
                    "'{input}' is not a Dutch postcode (four digits, not starting with 0, and two letters, e.g. 2511 AB)"
                ),
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The display form with a space, `2511 AB`.
    pub fn display(&self) -> String {
        format!("{} {}", &self.0[..4], &self.0[4..])
    }
}

pub const HOUSE_NUMBER_MAX: i64 = 99_999;

pub fn parse_house_number(n: i64) -> Check<i64> {
    if (1..=HOUSE_NUMBER_MAX).contains(&n) {
        Ok(n)
    } else {
        Err(("invalid_house_number", format!("house number {n} is out of range: it must be 1 to {HOUSE_NUMBER_MAX}")))
    }
}

/// An optional house letter: one letter a–z or A–Z, kept as given.
pub fn parse_house_letter(input: &str) -> Check<Option<String>> {
    let s = input.trim();
    match s.len() {
        0 => Ok(None),
        1 if s.chars().all(|c| c.is_ascii_alphabetic()) => Ok(Some(s.to_string())),
        _ => Err(("invalid_house_letter", format!("'{input}' is not a house letter: one letter a–z"))),
    }
}

/// An optional house number addition: one to four letters or digits.
pub fn parse_house_addition(input: &str) -> Check<Option<String>> {
    let s = input.trim();
    match s.len() {
        0 => Ok(None),
        1..=4 if s.chars().all(|c| c.is_ascii_alphanumeric()) => Ok(Some(s.to_string())),
        _ => Err((
            "invalid_house_addition",
            format!("'{input}' is not a house number addition: one to four letters or digits"),
        )),
    }
}

/// An address without street and place names: what a reporter or an officer types, and all
/// the key needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddressParts {
    pub postcode: Postcode,
    pub house_number: i64,
    pub house_letter: Option<String>,
    pub house_addition: Option<String>,
}

impl AddressParts {
    /// The four fields checked at once, problems added to `e` under their own names.
    pub fn parse(
        e: &mut crate::error::FieldErrors,
        postcode: &str,
        house_number: i64,
        house_letter: &str,
        house_addition: &str,
    ) -> Option<AddressParts> {
        let postcode = e.take("postcode", Postcode::parse(postcode));
        let house_number = e.take("house_number", parse_house_number(house_number));
        let house_letter = e.take("house_letter", parse_house_letter(house_letter));
        let house_addition = e.take("house_addition", parse_house_addition(house_addition));
        Some(AddressParts {
            postcode: postcode?,
            house_number: house_number?,
            house_letter: house_letter?,
            house_addition: house_addition?,
        })
    }

    pub fn key(&self) -> String {
        address_key(
            self.postcode.as_str(),
            self.house_number,
            self.house_letter.as_deref(),
            self.house_addition.as_deref(),
        )
    }

    /// `2671 AB 12A-3`.
    pub fn display(&self) -> String {
        let mut s =
            format!("{} {}{}", self.postcode.display(), self.house_number, self.house_letter.as_deref().unwrap_or(""));
        if let Some(a) = &self.house_addition {
            s.push('-');
            s.push_str(a);
        }
        s
    }
}

/// The address a location is known by; two locations never share one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    pub postcode: Postcode,
    pub house_number: i64,
    pub house_letter: Option<String>,
    pub house_addition: Option<String>,
    pub street: String,
    pub place: String,
}

/// The key that makes an address unique, shared by the register, the BAG and BRP extracts:
/// `2511AB|12|A|3`, letter and addition without case as in the BAG.
pub fn address_key(postcode: &str, house_number: i64, letter: Option<&str>, addition: Option<&str>) -> String {
    format!(
        "{postcode}|{house_number}|{}|{}",
        letter.unwrap_or("").to_ascii_uppercase(),
        addition.unwrap_or("").to_ascii_uppercase()
    )
}

impl Address {
    /// The key that makes addresses unique: letter and addition compare without case, as in
    /// the BAG, so `12a` and `12A` are one address.
    pub fn key(&self) -> String {
        address_key(
            self.postcode.as_str(),
            self.house_number,
            self.house_letter.as_deref(),
            self.house_addition.as_deref(),
        )
    }

    /// `Laan 12a-3, 2511 AB Den Haag`
    pub fn one_line(&self) -> String {
        format!("{}, {} {}", self.street_line(), self.postcode.display(), self.place)
    }

    pub fn street_line(&self) -> String {
        let mut s = format!("{} {}", self.street, self.house_number);
        if let Some(l) = &self.house_letter {
            s.push_str(l);
        }
        if let Some(a) = &self.house_addition {
            s.push('-');
            s.push_str(a);
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postcodes() {
        for (input, expect) in [("2511 AB", Some("2511AB")), ("2511ab", Some("2511AB")), (" 1011 ZZ ", Some("1011ZZ"))]
        {
            assert_eq!(Postcode::parse(input).ok().as_ref().map(Postcode::as_str), expect, "{input}");
        }
        for bad in ["0511AB", "251AB", "2511A", "2511ABC", "ABCD12", "2511 A1", ""] {
            assert!(Postcode::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn house_numbers_letters_additions() {
        assert!(parse_house_number(1).is_ok() && parse_house_number(99_999).is_ok());
        assert!(
            parse_house_number(0).is_err() && parse_house_number(100_000).is_err() && parse_house_number(-3).is_err()
        );
        assert_eq!(parse_house_letter("a").unwrap(), Some("a".into()));
        assert_eq!(parse_house_letter("").unwrap(), None);
        assert!(parse_house_letter("ab").is_err() && parse_house_letter("1").is_err());
        assert_eq!(parse_house_addition("bis").unwrap(), Some("bis".into()));
        assert!(parse_house_addition("12345").is_err() && parse_house_addition("1-2").is_err());
    }

    #[test]
    fn key_ignores_case_of_letter_and_addition() {
        let a = |l: &str| Address {
            postcode: Postcode::parse("2511AB").unwrap(),
            house_number: 12,
            house_letter: Some(l.into()),
            house_addition: None,
            street: "Laan".into(),
            place: "Den Haag".into(),
        };
        assert_eq!(a("a").key(), a("A").key());
        assert_eq!(a("a").one_line(), "Laan 12a, 2511 AB Den Haag");
    }
}
