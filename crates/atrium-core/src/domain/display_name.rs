use serde::Serialize;

use super::ValidationError;

/// A name shown to people (an operator, a tenant user, a tenant): trimmed, non-empty,
/// at most [`DisplayName::MAX_CHARS`] characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct DisplayName(String);

impl DisplayName {
    pub const MAX_CHARS: usize = 100;

    pub fn parse(field: &str, raw: &str) -> Result<Self, ValidationError> {
        Self::parse_with_max(field, raw, Self::MAX_CHARS)
    }

    /// The same rule with another bound, for names that are not people's.
    pub fn parse_with_max(field: &str, raw: &str, max: usize) -> Result<Self, ValidationError> {
        let name = raw.trim();
        let n = name.chars().count();
        if n == 0 || n > max {
            return Err(ValidationError::coded(
                field,
                "length",
                format!("{field} must be 1 to {max} characters"),
            )
            .param("min", 1)
            .param("max", max));
        }
        Ok(Self(name.to_owned()))
    }

    /// An optional name: absent or blank is `None`, anything else must parse.
    pub fn parse_opt(field: &str, raw: Option<&str>) -> Result<Option<Self>, ValidationError> {
        match raw.map(str::trim).filter(|s| !s.is_empty()) {
            Some(s) => Self::parse(field, s).map(Some),
            None => Ok(None),
        }
    }
}

super::text::text_newtype!(DisplayName);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_bounds() {
        assert_eq!(
            DisplayName::parse("display_name", "  Ada ")
                .expect("ok")
                .as_str(),
            "Ada"
        );
        assert!(DisplayName::parse("display_name", "   ").is_err());
        assert!(DisplayName::parse("display_name", &"é".repeat(100)).is_ok());
        let err = DisplayName::parse("name", &"x".repeat(101)).expect_err("too long");
        assert_eq!(err.field, "name");
        assert!(DisplayName::parse_with_max("name", &"x".repeat(101), 200).is_ok());
    }

    #[test]
    fn optional_blank_is_none() {
        assert_eq!(DisplayName::parse_opt("n", None), Ok(None));
        assert_eq!(DisplayName::parse_opt("n", Some("  ")), Ok(None));
        assert!(DisplayName::parse_opt("n", Some(&"x".repeat(101))).is_err());
    }
}
