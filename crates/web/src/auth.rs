//! Signing in: password hashes (argon2id), browser sessions with CSRF tokens, and bearer
//! tokens for providers' systems. Secrets are stored only as hashes.

use crate::AppState;
use crate::error::ApiError;
use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::request::Parts;
use flexwonen_core::access::Viewer;
use sha2::{Digest, Sha256};

pub const SESSION_COOKIE: &str = "fw_session";
pub const LOGIN_CSRF_COOKIE: &str = "fw_login";
/// A browser session lasts a working day.
pub const SESSION_HOURS: i64 = 10;

pub fn hash_password(password: &str) -> String {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .expect("argon2 with default parameters and a generated salt cannot fail")
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// 32 random bytes, hex: for session tokens, CSRF tokens and API tokens.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::fill(&mut bytes);
    hex::encode(bytes)
}

/// Long random tokens need no slow hash: SHA-256 keeps a stolen database from yielding them.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A new API token and the hash to store. The token is shown once and never stored.
pub fn new_api_token() -> (String, String) {
    let token = format!("fw_{}", random_token());
    let hash = token_hash(&token);
    (token, hash)
}

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

pub fn set_cookie(name: &str, value: &str, max_age_secs: i64, secure: bool, same_site: &str) -> String {
    format!(
        "{name}={value}; Path=/; HttpOnly; SameSite={same_site}; Max-Age={max_age_secs}{}",
        if secure { "; Secure" } else { "" }
    )
}

/// Who is asking, from a bearer token or a session cookie, and the session's CSRF token.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub viewer: Viewer,
    /// The session's CSRF token; `None` for the public and for bearer tokens.
    pub csrf: Option<String>,
    pub via_token: bool,
    pub lang: crate::i18n::Lang,
    /// The data generation read with the session or token, for the store's caches.
    pub generation: Option<i64>,
}

impl Ctx {
    pub fn actor(&self) -> flexwonen_store::Actor {
        match self.viewer.principal() {
            Some(p) => flexwonen_store::Actor { account_id: Some(p.account_id), name: p.username.clone() },
            None => flexwonen_store::Actor::system("public"),
        }
    }
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let lang = crate::i18n::Lang::from_request(&parts.headers, parts.uri.query());
        if let Some(auth) = parts.headers.get(axum::http::header::AUTHORIZATION) {
            let token =
                auth.to_str().ok().and_then(|v| v.strip_prefix("Bearer ")).ok_or_else(ApiError::unauthorized)?;
            let auth = state
                .store
                .principal_for_api_token(&token_hash(token.trim()))
                .await?
                .ok_or_else(ApiError::unauthorized)?;
            let generation = Some(auth.generation);
            return Ok(Ctx { viewer: Viewer::Account(auth.principal), csrf: None, via_token: true, lang, generation });
        }
        if let Some(token) = cookie(&parts.headers, SESSION_COOKIE)
            && let Some(session) = state.store.session(&token_hash(token)).await?
        {
            return Ok(Ctx {
                viewer: Viewer::Account(session.principal),
                csrf: session.csrf_token,
                via_token: false,
                lang,
                generation: Some(session.generation),
            });
        }
        Ok(Ctx { viewer: Viewer::Public, csrf: None, via_token: false, lang, generation: None })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_and_tokens() {
        let h = hash_password("geheim");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("geheim", &h));
        assert!(!verify_password("Geheim", &h));
        assert!(!verify_password("geheim", "not a hash"));
        let (t, th) = new_api_token();
        assert_eq!(token_hash(&t), th);
        assert_ne!(new_api_token().0, t);
    }
}
