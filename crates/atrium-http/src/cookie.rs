//! Browser sessions, shared by the operator console (control plane) and the tenant app
//! (data plane): an opaque 256-bit token in an HttpOnly, SameSite=Strict cookie, only its
//! SHA-256 stored, and a per-session CSRF token that every state-changing request sent
//! with the cookie must echo in `X-CSRF-Token`. Bearer tokens are not cookies, so they
//! need no CSRF check.

use atrium_accounts::token::{constant_time_eq, looks_like_token};
use atrium_core::domain::SESSION_HOURS;
use axum::http::{header, HeaderMap, HeaderValue, Method};
use cookie::{time::Duration, Cookie, SameSite};

use crate::ApiError;

pub const CSRF_HEADER: &str = "x-csrf-token";

/// A session cookie's name and scope. Its lifetime is [`SESSION_HOURS`], the same as the
/// session row it points at.
pub struct SessionCookie {
    pub name: &'static str,
    /// Browsers send the cookie only under this path: the tenant app's cookie is scoped
    /// to its own tenant's API.
    pub path: String,
    pub secure: bool,
}

impl SessionCookie {
    pub fn new(name: &'static str, path: impl Into<String>) -> Self {
        Self {
            name,
            path: path.into(),
            secure: true,
        }
    }

    pub fn set(&self, token: &str) -> Result<HeaderValue, ApiError> {
        self.render(token, Duration::hours(i64::from(SESSION_HOURS)))
    }

    pub fn clear(&self) -> Result<HeaderValue, ApiError> {
        self.render("", Duration::ZERO)
    }

    fn render(&self, value: &str, max_age: Duration) -> Result<HeaderValue, ApiError> {
        let cookie = Cookie::build((self.name, value))
            .path(self.path.as_str())
            .max_age(max_age)
            .http_only(true)
            .same_site(SameSite::Strict)
            .secure(self.secure)
            .build();
        // Only a path from outside the header alphabet can fail here; refuse rather than
        // send a broken (or empty) Set-Cookie.
        HeaderValue::from_str(&cookie.to_string())
            .map_err(|e| ApiError::Internal(anyhow::anyhow!("session cookie: {e}")))
    }

    /// The token this cookie carries, if it is present and shaped like one of ours.
    pub fn read(&self, headers: &HeaderMap) -> Option<String> {
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(Cookie::split_parse)
            .filter_map(Result::ok)
            .find(|c| c.name() == self.name)
            .map(|c| c.value().to_owned())
            .filter(|v| looks_like_token(v))
    }
}

/// The CSRF token a request sent, if any.
pub fn sent_csrf(headers: &HeaderMap) -> Option<&str> {
    headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok())
}

/// Safe methods pass; anything else must echo the session's CSRF token.
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

    use atrium_accounts::token::random_token;

    fn cookie() -> SessionCookie {
        SessionCookie::new("atrium_session", "/v1/t/acme/")
    }

    #[test]
    fn cookie_round_trip_and_attributes() {
        let token = random_token();
        let set = cookie().set(&token).expect("renders");
        let s = set.to_str().expect("ascii");
        assert!(s.contains("HttpOnly") && s.contains("SameSite=Strict") && s.contains("Secure"));
        assert!(s.contains("Path=/v1/t/acme/") && s.contains("Max-Age=43200"));
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
        let odd = SessionCookie::new("atrium_session", "/bad\npath");
        assert!(odd.set(&token).is_err(), "no empty or broken header");
        assert!(cookie()
            .clear()
            .expect("renders")
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
