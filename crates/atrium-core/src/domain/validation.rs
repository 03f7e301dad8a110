use std::collections::BTreeMap;

use serde::Serialize;
use utoipa::ToSchema;

/// One rule a value broke: which field, what the rule is in words for people
/// (`message`, English, for API users), and the same rule as a stable `code` with its
/// `params` (e.g. `{"max": 100}`), which clients translate into their user's language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema, thiserror::Error)]
#[error("{field}: {message}")]
pub struct ValidationError {
    pub field: String,
    pub message: String,
    /// `invalid` when no more precise rule is named; see docs/web-console.md for the list.
    pub code: &'static str,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    #[schema(value_type = Object)]
    pub params: BTreeMap<&'static str, Param>,
}

impl ValidationError {
    pub fn new(field: &str, message: impl Into<String>) -> Self {
        Self::coded(field, "invalid", message)
    }

    pub fn coded(field: &str, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            field: field.to_owned(),
            message: message.into(),
            code,
            params: BTreeMap::new(),
        }
    }

    /// A value the message names, such as a bound, for the client's own words.
    pub fn param(mut self, name: &'static str, value: impl Into<Param>) -> Self {
        self.params.insert(name, value.into());
        self
    }
}

/// A value a rule names: a bound (a number) or a list of allowed values (text).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Param {
    Int(i64),
    Text(String),
}

impl From<i64> for Param {
    fn from(v: i64) -> Self {
        Param::Int(v)
    }
}

impl From<usize> for Param {
    fn from(v: usize) -> Self {
        Param::Int(i64::try_from(v).unwrap_or(i64::MAX))
    }
}

impl From<i32> for Param {
    fn from(v: i32) -> Self {
        Param::Int(v.into())
    }
}

impl From<String> for Param {
    fn from(v: String) -> Self {
        Param::Text(v)
    }
}
