use serde::Serialize;

use super::ValidationError;

/// An e-mail address, trimmed and lower-cased, so one person has one account whatever
/// case they type.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    /// RFC 5321's limit on a forward path.
    pub const MAX_LEN: usize = 254;

    /// Only the shape is checked (`name@host.tld`, no spaces): whether it delivers is
    /// for the mail server to say.
    pub fn parse(field: &str, raw: &str) -> Result<Self, ValidationError> {
        let e = raw.trim().to_lowercase();
        let ok = e.len() <= Self::MAX_LEN
            && e.split_once('@')
                .is_some_and(|(user, host)| !user.is_empty() && host.contains('.'))
            && !e.chars().any(char::is_whitespace);
        if ok {
            Ok(Self(e))
        } else {
            Err(ValidationError::coded(
                field,
                "email",
                "email must look like name@example.com",
            ))
        }
    }

    /// The same normalisation without the shape check, for looking an account up:
    /// a malformed address simply matches nobody.
    pub fn lookup_key(raw: &str) -> String {
        raw.trim().to_lowercase()
    }

    /// The part before `@`, a default display name.
    pub fn local_part(&self) -> &str {
        self.0.split('@').next().unwrap_or(&self.0)
    }
}

super::text::text_newtype!(Email);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_lower_cases() {
        let e = Email::parse("email", "  Ada@Example.COM ").expect("valid");
        assert_eq!(e.as_str(), "ada@example.com");
        assert_eq!(e.local_part(), "ada");
        assert_eq!(Email::lookup_key(" Ada@Example.COM"), "ada@example.com");
    }

    #[test]
    fn refuses_bad_shapes() {
        for bad in [
            "",
            "ada",
            "@example.com",
            "ada@localhost",
            "a da@example.com",
        ] {
            let err = Email::parse("email", bad).expect_err(bad);
            assert_eq!(err.field, "email");
        }
        let long = format!("{}@example.com", "a".repeat(Email::MAX_LEN));
        assert!(Email::parse("email", &long).is_err());
    }
}
