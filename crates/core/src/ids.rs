//! Dutch keys: CBS municipality codes, KvK numbers and BAG object ids.

use crate::error::Check;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A CBS municipality code, `GM` followed by four digits (e.g. `GM0518`, Den Haag).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct MunicipalityCode(String);

impl MunicipalityCode {
    pub fn parse(input: &str) -> Check<Self> {
        let s = input.trim().to_ascii_uppercase();
        let digits = s.strip_prefix("GM").unwrap_or("");
        if digits.len() == 4 && digits.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(s))
        } else {
            Err((
                "invalid_municipality_code",
                format!("'{input}' is not a CBS municipality code (GM and four digits, e.g. GM0518)"),
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The four digits, which are also the municipality part of BAG ids.
    pub fn digits(&self) -> &str {
        &self.0[2..]
    }
}

impl TryFrom<String> for MunicipalityCode {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Self::parse(&s).map_err(|(_, m)| m)
    }
}

impl From<MunicipalityCode> for String {
    fn from(c: MunicipalityCode) -> String {
        c.0
    }
}

impl fmt::Display for MunicipalityCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A Chamber of Commerce (KvK) number: exactly eight digits, not all zero.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct KvkNumber(String);

impl KvkNumber {
    pub fn parse(input: &str) -> Check<Self> {
        let s = input.trim();
        if s.len() != 8 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(("invalid_kvk", format!("'{input}' is not a KvK number: it must be exactly 8 digits")));
        }
        if s == "00000000" {
            return Err(("invalid_kvk", "a KvK number cannot be all zeros".into()));
        }
        Ok(Self(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A BAG verblijfsobject id: 16 digits = 4-digit municipality code + `01` + 10-digit serial.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct BagVboId(String);

impl BagVboId {
    /// Checks the format and that the id was issued by `municipality`.
    pub fn parse(input: &str, municipality: Option<&MunicipalityCode>) -> Check<Self> {
        let s = input.trim();
        if s.len() != 16 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(("invalid_bag_id", format!("'{input}' is not a BAG id: it must be exactly 16 digits")));
        }
        if &s[4..6] != "01" {
            return Err((
                "invalid_bag_id",
                format!("'{input}' is not a verblijfsobject id: digits 5 and 6 must be 01, not {}", &s[4..6]),
            ));
        }
        if let Some(m) = municipality
            && &s[..4] != m.digits()
        {
            return Err((
                "bag_id_municipality_mismatch",
                format!("BAG id {s} was issued by municipality {}, not by {m}", &s[..4]),
            ));
        }
        Ok(Self(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn municipality_codes() {
        assert_eq!(MunicipalityCode::parse(" gm0518").unwrap().as_str(), "GM0518");
        for bad in ["", "GM518", "0518", "GMabcd", "GM05180", "XX0518"] {
            assert!(MunicipalityCode::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn kvk_numbers() {
        assert!(KvkNumber::parse("40409352").is_ok());
        for bad in ["4040935", "404093521", "4040935a", "00000000", ""] {
            assert!(KvkNumber::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn bag_ids() {
        let doesburg = MunicipalityCode::parse("GM0221").unwrap();
        assert!(BagVboId::parse("0221010000000001", Some(&doesburg)).is_ok());
        let (code, _) = BagVboId::parse("0518010000000001", Some(&doesburg)).unwrap_err();
        assert_eq!(code, "bag_id_municipality_mismatch");
        let (code, msg) = BagVboId::parse("0221200000000001", Some(&doesburg)).unwrap_err();
        assert_eq!(code, "invalid_bag_id");
        assert!(msg.contains("verblijfsobject"));
        assert!(BagVboId::parse("022101000000001", None).is_err());
    }
}
