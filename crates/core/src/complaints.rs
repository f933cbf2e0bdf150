//! Complaints (issue 7), the pure part: what a complaint from the public form says (an
//! address, a kind, a description, and contact details only if the reporter chooses to give
//! them); the follow-up code that lets the reporter, and only the reporter, see its status;
//! and the form's challenge against scripts.

use crate::address::AddressParts;
use crate::error::FieldErrors;
use rand::RngExt;

code_enum! {
    /// What a complaint is about.
    ComplaintKind {
        Nuisance = "nuisance",
        Overcrowding = "overcrowding",
        UnsafeHousing = "unsafe_housing",
        Exploitation = "exploitation",
    }
}

/// The most characters of a description, and of contact details.
pub const MAX_DESCRIPTION_CHARS: usize = 4_000;
pub const MAX_CONTACT_CHARS: usize = 200;
/// Fewer characters than this say nothing an officer can act on.
pub const MIN_DESCRIPTION_CHARS: usize = 10;

/// A complaint as the form sends it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ComplaintInput {
    pub postcode: String,
    pub house_number: i64,
    pub house_letter: String,
    pub house_addition: String,
    pub kind: String,
    pub description: String,
    /// Empty for an anonymous complaint.
    pub contact: String,
}

/// A complaint that passed every check.
#[derive(Debug, Clone, PartialEq)]
pub struct Complaint {
    pub address: AddressParts,
    pub kind: ComplaintKind,
    pub description: String,
    pub contact: Option<String>,
}

/// Text without control characters (but keeping line breaks) and surrounding blanks.
fn clean(s: &str) -> String {
    s.chars().filter(|c| !c.is_control() || *c == '\n').collect::<String>().trim().to_string()
}

impl ComplaintInput {
    /// Every check that needs no database; all problems at once.
    pub fn validate(&self) -> Result<Complaint, FieldErrors> {
        let mut e = FieldErrors::new();
        let address =
            AddressParts::parse(&mut e, &self.postcode, self.house_number, &self.house_letter, &self.house_addition);
        let kind = ComplaintKind::parse(&self.kind);
        if kind.is_none() {
            e.add("kind", "invalid_kind", format!("choose one of {}", ComplaintKind::codes()));
        }
        let description = clean(&self.description);
        let length = description.chars().count();
        if length < MIN_DESCRIPTION_CHARS {
            e.add(
                "description",
                "description_too_short",
                format!("say what is wrong in at least {MIN_DESCRIPTION_CHARS} characters"),
            );
        } else if length > MAX_DESCRIPTION_CHARS {
            e.add(
                "description",
                "description_too_long",
                format!("at most {MAX_DESCRIPTION_CHARS} characters, not {length}"),
            );
        }
        let contact = clean(&self.contact);
        if contact.chars().count() > MAX_CONTACT_CHARS {
            e.add("contact", "contact_too_long", format!("at most {MAX_CONTACT_CHARS} characters"));
        }
        match (address, kind) {
            (Some(address), Some(kind)) if e.is_empty() => {
                Ok(Complaint { address, kind, description, contact: (!contact.is_empty()).then_some(contact) })
            }
            _ => Err(e),
        }
    }
}

/// Crockford's base 32: no I, L, O or U, so a code read aloud or copied by hand survives.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Random characters of a code (50 bits: not guessable), then one check character.
const RANDOM_CHARS: usize = 10;

/// The code a reporter gets to follow their complaint: `XXXX-XXXX-XXX`, the last character a
/// check on the others, so a typo is told apart from a code that does not exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowUpCode(String);

fn check_char(values: &[u8]) -> u8 {
    let sum: usize = values.iter().enumerate().map(|(i, v)| (i + 1) * usize::from(*v)).sum();
    ALPHABET[sum % 32]
}

impl FollowUpCode {
    /// The code of the form submission `nonce`: derived from it under the server's key, so
    /// the same form sent twice gets the same code (and stays one complaint), while the
    /// nonce alone, without the key, says nothing of the code.
    pub fn for_submission(key: &[u8], nonce: &str) -> FollowUpCode {
        use hmac::Mac;
        let mut mac = new_mac(key);
        mac.update(b"follow-up|");
        mac.update(nonce.as_bytes());
        let bytes = mac.finalize().into_bytes();
        let values: Vec<u8> = bytes[..RANDOM_CHARS].iter().map(|b| b % 32).collect();
        let mut code: String = values.iter().map(|v| char::from(ALPHABET[usize::from(*v)])).collect();
        code.push(char::from(check_char(&values)));
        FollowUpCode(code)
    }

    /// A code as typed: any case, with or without dashes and spaces, O read as 0 and I or L
    /// as 1; `None` when it cannot be a code (wrong length, a character outside the alphabet,
    /// the check failing).
    pub fn parse(input: &str) -> Option<FollowUpCode> {
        let mut values = Vec::with_capacity(RANDOM_CHARS + 1);
        for c in input.chars().filter(|c| !matches!(c, '-' | ' ')) {
            let c = match c.to_ascii_uppercase() {
                'O' => '0',
                'I' | 'L' => '1',
                c => c,
            };
            values.push(ALPHABET.iter().position(|a| char::from(*a) == c)? as u8);
        }
        if values.len() != RANDOM_CHARS + 1
            || check_char(&values[..RANDOM_CHARS]) != ALPHABET[usize::from(values[RANDOM_CHARS])]
        {
            return None;
        }
        Some(FollowUpCode(values.iter().map(|v| char::from(ALPHABET[usize::from(*v)])).collect()))
    }

    /// The code as stored: eleven characters, no dashes.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The code as shown: `XXXX-XXXX-XXX`.
    pub fn display(&self) -> String {
        format!("{}-{}-{}", &self.0[..4], &self.0[4..8], &self.0[8..])
    }
}

/// How long a challenge may be answered, in seconds.
pub const CHALLENGE_SECONDS: i64 = 30 * 60;

/// The form's question against scripts, needing no third-party service and no server state:
/// a small sum, bound to its numbers, its expiry and a random nonce by an HMAC under the
/// server's key, so the answer is checked from what the form sends back. The nonce names the
/// submission: the same form sent twice is one complaint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    pub a: u8,
    pub b: u8,
    /// Unix seconds after which the answer is refused.
    pub expires: i64,
    /// 16 random hex characters.
    pub nonce: String,
    /// Hex HMAC-SHA256 of `a|b|expires|nonce`.
    pub token: String,
}

/// What the form sends back of its challenge, with the reporter's answer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChallengeAnswer {
    pub a: u8,
    pub b: u8,
    pub expires: i64,
    pub nonce: String,
    pub token: String,
    pub answer: String,
}

/// Why an answer is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChallengeError {
    /// Not the sum.
    Wrong,
    /// Answered too late: ask again.
    Expired,
    /// Numbers, expiry or nonce not as issued.
    Forged,
}

fn new_mac(key: &[u8]) -> hmac::Hmac<sha2::Sha256> {
    use hmac::Mac;
    <hmac::Hmac<sha2::Sha256> as Mac>::new_from_slice(key).expect("HMAC takes a key of any length")
}

fn challenge_mac(key: &[u8], a: u8, b: u8, expires: i64, nonce: &str) -> hmac::Hmac<sha2::Sha256> {
    use hmac::Mac;
    let mut mac = new_mac(key);
    mac.update(format!("{a}|{b}|{expires}|{nonce}").as_bytes());
    mac
}

impl Challenge {
    pub fn new(key: &[u8], now: i64, rng: &mut impl RngExt) -> Challenge {
        use hmac::Mac;
        let (a, b) = (rng.random_range(1..10u8), rng.random_range(1..10u8));
        let expires = now + CHALLENGE_SECONDS;
        let nonce = hex::encode(rng.random::<[u8; 8]>());
        let token = hex::encode(challenge_mac(key, a, b, expires, &nonce).finalize().into_bytes());
        Challenge { a, b, expires, nonce, token }
    }

    /// Checks an answer against what the form sent back (compared in constant time).
    pub fn check(key: &[u8], sent: &ChallengeAnswer, now: i64) -> Result<(), ChallengeError> {
        use hmac::Mac;
        let token = hex::decode(&sent.token).map_err(|_| ChallengeError::Forged)?;
        challenge_mac(key, sent.a, sent.b, sent.expires, &sent.nonce)
            .verify_slice(&token)
            .map_err(|_| ChallengeError::Forged)?;
        if now > sent.expires {
            return Err(ChallengeError::Expired);
        }
        match sent.answer.trim().parse::<u16>() {
            Ok(n) if n == u16::from(sent.a) + u16::from(sent.b) => Ok(()),
            _ => Err(ChallengeError::Wrong),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn input() -> ComplaintInput {
        ComplaintInput {
            postcode: "2671 ab".into(),
            house_number: 12,
            house_letter: "a".into(),
            kind: "overcrowding".into(),
            description: "Er slapen zeker twintig mensen in een rijtjeshuis.\u{7}".into(),
            ..ComplaintInput::default()
        }
    }

    #[test]
    fn an_anonymous_complaint_needs_no_personal_details() {
        let c = input().validate().unwrap();
        assert_eq!(c.contact, None);
        assert_eq!(c.address.key(), "2671AB|12|A|");
        assert!(!c.description.contains('\u{7}'), "control characters are dropped");
        assert_eq!(c.kind.as_str(), "overcrowding");
    }

    #[test]
    fn every_problem_is_named_at_once() {
        let bad = ComplaintInput {
            postcode: "12".into(),
            house_number: 0,
            kind: "noise".into(),
            description: "x".repeat(MAX_DESCRIPTION_CHARS + 1),
            contact: "y".repeat(MAX_CONTACT_CHARS + 1),
            ..input()
        };
        let fields: Vec<String> = bad.validate().unwrap_err().0.into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["postcode", "house_number", "kind", "description", "contact"]);
        let short = ComplaintInput { description: "  vies ".into(), ..input() };
        assert_eq!(short.validate().unwrap_err().0[0].code, "description_too_short");
    }

    #[test]
    fn a_follow_up_code_survives_copying_and_catches_typos() {
        let code = FollowUpCode::for_submission(b"key", "0123456789abcdef");
        assert_eq!(code.as_str().len(), 11);
        let shown = code.display();
        assert_eq!(FollowUpCode::parse(&shown.to_lowercase()), Some(code.clone()));
        assert_eq!(FollowUpCode::parse(&shown.replace('-', " ")), Some(code.clone()));
        // One character changed: the check fails.
        let mut typo: Vec<char> = code.as_str().chars().collect();
        typo[3] = if typo[3] == 'A' { 'B' } else { 'A' };
        assert_eq!(FollowUpCode::parse(&typo.into_iter().collect::<String>()), None);
        assert_eq!(FollowUpCode::parse("ABC"), None);
        assert_eq!(FollowUpCode::parse("ÄBCD-EFGH-JKM"), None);
        assert_eq!(FollowUpCode::for_submission(b"key", "0123456789abcdef"), code, "a form sent twice: one code");
        assert_ne!(FollowUpCode::for_submission(b"key", "0123456789abcdee"), code, "another form: another code");
        assert_ne!(FollowUpCode::for_submission(b"other", "0123456789abcdef"), code, "another server: another code");
    }

    #[test]
    fn a_challenge_is_checked_from_what_the_form_sends_back() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let key = b"server key";
        let now = 1_800_000_000;
        let c = Challenge::new(key, now, &mut rng);
        let sum = (u16::from(c.a) + u16::from(c.b)).to_string();
        let sent = ChallengeAnswer {
            a: c.a,
            b: c.b,
            expires: c.expires,
            nonce: c.nonce.clone(),
            token: c.token.clone(),
            answer: format!(" {sum} "),
        };
        assert_eq!(Challenge::check(key, &sent, now + 60), Ok(()));
        let wrong = ChallengeAnswer { answer: "99".into(), ..sent.clone() };
        assert_eq!(Challenge::check(key, &wrong, now), Err(ChallengeError::Wrong));
        assert_eq!(Challenge::check(key, &sent, c.expires + 1), Err(ChallengeError::Expired));
        // Other numbers, a later expiry, another nonce, another key or a made-up token: forged.
        let forged = [
            Challenge::check(key, &ChallengeAnswer { b: c.b.wrapping_add(1), ..sent.clone() }, now),
            Challenge::check(key, &ChallengeAnswer { expires: c.expires + 3600, ..sent.clone() }, now),
            Challenge::check(key, &ChallengeAnswer { nonce: "0000000000000000".into(), ..sent.clone() }, now),
            Challenge::check(b"other key", &sent, now),
            Challenge::check(key, &ChallengeAnswer { token: "zz".into(), ..sent.clone() }, now),
        ];
        assert!(forged.iter().all(|r| *r == Err(ChallengeError::Forged)), "{forged:?}");
    }
}
