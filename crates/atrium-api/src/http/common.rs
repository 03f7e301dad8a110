//! Pieces every resource uses: ETags, validation, patch semantics.

use atrium_core::{
    db::DbError,
    domain::{locale, ValidationError},
};
use atrium_http::ApiError;
use axum::{
    extract::FromRequestParts,
    http::{header, request::Parts, HeaderMap, HeaderValue},
};
use serde::{Deserialize, Deserializer};
use tokio_postgres::error::SqlState;

pub use atrium_http::page::search_pattern;

/// The `If-Match` precondition: `"<version>"`, `W/"<version>"` or `*`.
pub struct IfMatch(pub Option<i32>);

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let Some(raw) = parts.headers.get(header::IF_MATCH) else {
            return Ok(IfMatch(None));
        };
        let raw = raw.to_str().unwrap_or("").trim();
        if raw == "*" {
            return Ok(IfMatch(None));
        }
        raw.trim_start_matches("W/")
            .trim_matches('"')
            .parse()
            .map(|v| IfMatch(Some(v)))
            .map_err(|_| {
                ApiError::bad_request(
                    "invalid_if_match",
                    "If-Match must be an ETag this API issued",
                )
            })
    }
}

impl IfMatch {
    pub fn check(&self, current: i32) -> Result<(), ApiError> {
        match self.0 {
            Some(expected) if expected != current => Err(ApiError::VersionMismatch { current }),
            _ => Ok(()),
        }
    }
}

pub fn etag(version: i32) -> HeaderMap {
    let mut h = HeaderMap::new();
    if let Ok(v) = HeaderValue::from_str(&format!("\"{version}\"")) {
        h.insert(header::ETAG, v);
    }
    h
}

/// The largest amount a deal or an order may have, in cents: far above any real one,
/// far below where `i64` arithmetic on sums could overflow.
pub const MAX_AMOUNT_CENTS: i64 = 1_000_000_000_000_000;

/// Collects every field error of a body before answering, so one 422 lists them all.
#[derive(Default)]
pub struct Check {
    errors: Vec<ValidationError>,
}

impl Check {
    pub fn text(&mut self, field: &str, value: &str, max: usize) -> String {
        let v = value.trim();
        if v.is_empty() || v.chars().count() > max {
            self.errors.push(
                ValidationError::coded(field, "length", format!("must be 1 to {max} characters"))
                    .param("min", 1)
                    .param("max", max),
            );
        }
        v.to_owned()
    }

    pub fn opt_text(&mut self, field: &str, value: Option<&str>, max: usize) -> Option<String> {
        let v = value.map(str::trim).filter(|v| !v.is_empty())?;
        if v.chars().count() > max {
            self.errors.push(
                ValidationError::coded(
                    field,
                    "too_long",
                    format!("must be at most {max} characters"),
                )
                .param("max", max),
            );
        }
        Some(v.to_owned())
    }

    pub fn email(&mut self, field: &str, value: Option<&str>) -> Option<String> {
        let v = self.opt_text(field, value, 254)?;
        let ok = v.split_once('@').is_some_and(|(a, d)| {
            !a.is_empty() && d.contains('.') && !v.contains(char::is_whitespace)
        });
        if !ok {
            self.errors.push(ValidationError::coded(
                field,
                "email",
                "must be an email address",
            ));
        }
        Some(v)
    }

    pub fn range(&mut self, field: &str, value: i64, min: i64, max: i64) -> i64 {
        if !(min..=max).contains(&value) {
            self.errors.push(
                ValidationError::coded(field, "range", format!("must be between {min} and {max}"))
                    .param("min", min)
                    .param("max", max),
            );
        }
        value
    }

    pub fn fail(&mut self, field: &str, message: &str) {
        self.errors.push(ValidationError::new(field, message));
    }

    /// The value of a check made elsewhere, keeping its error (with its code) if it failed.
    pub fn keep<T>(&mut self, checked: Result<T, ValidationError>) -> Option<T> {
        checked.map_err(|e| self.errors.push(e)).ok()
    }

    pub fn finish(self) -> Result<(), ApiError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Validation(self.errors))
        }
    }

    /// A currency from the allowed list, or `None` for the tenant's.
    pub fn opt_currency(&mut self, field: &str, value: Option<&str>) -> Option<String> {
        let v = value?;
        if let Err(e) = locale::currency(field, v) {
            self.errors.push(e);
        }
        Some(v.to_owned())
    }
}

/// A merge-patch field: absent keeps the value, `null` clears it, a value sets it.
pub fn nullable<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// A foreign key that points nowhere is the caller's mistake, not ours. In a
/// schema-per-tenant world that includes ids that belong to another tenant.
pub fn unknown_reference(field: &'static str) -> impl Fn(DbError) -> ApiError {
    move |e| match e.code() {
        Some(c) if *c == SqlState::FOREIGN_KEY_VIOLATION => {
            ApiError::Validation(vec![ValidationError::coded(
                field,
                "unknown_reference",
                "refers to a record that does not exist",
            )])
        }
        Some(c) if *c == SqlState::CHECK_VIOLATION => {
            ApiError::validation(e.constraint().unwrap_or("body"), "violates a constraint")
        }
        _ => e.into(),
    }
}
