//! Browser sessions, shared by the operator console (control plane) and the tenant app
//! (data plane): an opaque 256-bit token in an HttpOnly, SameSite=Strict cookie, only its
//! SHA-256 stored, and a per-session CSRF token that every state-changing request sent
//! with the cookie must echo in `X-CSRF-Token`. Bearer tokens are not cookies, so they
//! need no CSRF check.

use axum::http::{header, HeaderMap, HeaderValue, Method};
use base64::Engine as _;
use rand::RngCore;

use crate::{apikey::constant_time_eq, error::ApiError};

pub const CSRF_HEADER: &str = "x-csrf-token";

/// 32 random bytes, base64url: session tokens and CSRF tokens.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// What is stored instead of the token: a leaked table can't be replayed.
pub fn token_hash(token: &str) -> Vec<u8> {
    crate::apikey::hash(token)
}

/// One session cookie: its name, the path it is scoped to, and its lifetime.
pub struct SessionCookie {
    pub name: &'static str,
    pub path: String,
    pub max_age_s: u64,
    /// `Secure`: browsers still send it to http://localhost and 127.0.0.1.
    pub secure: bool,
}

impl SessionCookie {
    pub fn set(&self, token: &str) -> HeaderValue {
        self.render(token, self.max_age_s)
    }

    pub fn clear(&self) -> HeaderValue {
        self.render("", 0)
    }

    fn render(&self, value: &str, max_age: u64) -> HeaderValue {
        let secure = if self.secure { "; Secure" } else { "" };
        let cookie = format!(
            "{}={value}; Path={}; Max-Age={max_age}; HttpOnly; SameSite=Strict{secure}",
            self.name, self.path
        );
        HeaderValue::from_str(&cookie).unwrap_or_else(|_| HeaderValue::from_static(""))
    }

    /// The token from the request's Cookie headers, if it has a plausible shape.
    pub fn read(&self, headers: &HeaderMap) -> Option<String> {
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(k, _)| *k == self.name)
            .map(|(_, v)| v.to_owned())
            .filter(|v| {
                v.len() == 43
                    && v.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            })
    }
}

/// The CSRF token a request carries, if any.
pub fn sent_csrf(headers: &HeaderMap) -> Option<&str> {
    headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok())
}

/// Safe methods pass; anything else must carry the session's CSRF token.
pub fn check_csrf(method: &Method, sent: Option<&str>, expected: &str) -> Result<(), ApiError> {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return Ok(());
    }
    let sent = sent.unwrap_or("");
    if !sent.is_empty() && constant_time_eq(sent.as_bytes(), expected.as_bytes()) {
        Ok(())
    } else {
        Err(ApiError::Forbidden {
            code: "csrf_failed",
            detail: format!(
                "state-changing requests with a session cookie need the {CSRF_HEADER} header from sign-in"
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cookie() -> SessionCookie {
        SessionCookie {
            name: "atrium_session",
            path: "/".into(),
            max_age_s: 3600,
            secure: true,
        }
    }

    #[test]
    fn cookie_round_trip_and_attributes() {
        let token = random_token();
        let set = cookie().set(&token);
        let s = set.to_str().expect("ascii");
        assert!(s.contains("HttpOnly") && s.contains("SameSite=Strict") && s.contains("Secure"));
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_str(&format!("other=1; atrium_session={token}; x=y")).expect("hv"),
        );
        assert_eq!(cookie().read(&h).as_deref(), Some(token.as_str()));
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("atrium_session=short"),
        );
        assert_eq!(cookie().read(&h), None);
        assert!(cookie()
            .clear()
            .to_str()
            .expect("ascii")
            .contains("Max-Age=0"));
    }

    #[test]
    fn csrf_is_needed_for_unsafe_methods_only() {
        let mut h = HeaderMap::new();
        assert!(check_csrf(&Method::GET, sent_csrf(&h), "t").is_ok());
        assert!(check_csrf(&Method::POST, sent_csrf(&h), "t").is_err());
        h.insert(CSRF_HEADER, HeaderValue::from_static("wrong"));
        assert!(check_csrf(&Method::DELETE, sent_csrf(&h), "t").is_err());
        h.insert(CSRF_HEADER, HeaderValue::from_static("t"));
        assert!(check_csrf(&Method::PATCH, sent_csrf(&h), "t").is_ok());
    }
}
