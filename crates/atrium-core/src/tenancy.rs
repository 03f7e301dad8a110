//! The one place where tenant names become SQL identifiers.
//!
//! Every tenant slug passes [`TenantSlug::parse`] and every identifier reaches SQL
//! through [`quote_ident`]. Nothing else in the code base builds identifiers.

use std::fmt;

use serde::Serialize;

pub const SLUG_MIN: usize = 3;
pub const SLUG_MAX: usize = 40;
/// [`TenantSlug::parse`]'s shape as a regular expression, for forms that check as people
/// type (the reserved words below are refused besides).
pub const SLUG_PATTERN: &str = "^[a-z][a-z0-9_]{2,39}$";

/// Words that would collide with PostgreSQL's or Atrium's own namespaces.
pub const RESERVED_EXACT: &[&str] = &[
    "public",
    "information_schema",
    "postgres",
    "template0",
    "template1",
    "admin",
    "api",
    "control",
    "system",
];
pub const RESERVED_PREFIXES: &[&str] = &["pg_", "atrium_", "atrium"];

/// Why a slug was refused. `rule()` is the stable machine-readable name of the rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SlugError {
    #[error("tenant slug must be {SLUG_MIN} to {SLUG_MAX} characters long")]
    Length,
    #[error("tenant slug must start with a lowercase ASCII letter (a-z)")]
    FirstChar,
    #[error("tenant slug may contain only lowercase ASCII letters, digits and '_'")]
    Charset,
    #[error("tenant slug '{0}' is reserved")]
    Reserved(String),
}

impl SlugError {
    pub fn rule(&self) -> &'static str {
        match self {
            SlugError::Length => "length",
            SlugError::FirstChar => "first_char",
            SlugError::Charset => "charset",
            SlugError::Reserved(_) => "reserved",
        }
    }
}

/// A validated tenant slug: `[a-z][a-z0-9_]{2,39}`, not reserved.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct TenantSlug(String);

impl TenantSlug {
    pub fn parse(raw: &str) -> Result<Self, SlugError> {
        // Length is checked on bytes first so a 10 MB string is refused without scanning it.
        if raw.len() < SLUG_MIN || raw.len() > SLUG_MAX {
            return Err(SlugError::Length);
        }
        let mut chars = raw.chars();
        match chars.next() {
            Some(c) if c.is_ascii_lowercase() => {}
            _ => return Err(SlugError::FirstChar),
        }
        if !chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') {
            return Err(SlugError::Charset);
        }
        if RESERVED_EXACT.contains(&raw) || RESERVED_PREFIXES.iter().any(|p| raw.starts_with(p)) {
            return Err(SlugError::Reserved(raw.to_owned()));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The tenant's schema. Schemas are per database, so no deployment prefix is needed.
    pub fn schema_name(&self) -> String {
        format!("t_{}", self.0)
    }

    /// The tenant's NOLOGIN role. Roles are cluster-wide, so a deployment prefix keeps
    /// two Atrium databases on one cluster apart.
    pub fn role_name(&self, role_prefix: &str) -> String {
        format!("{role_prefix}t_{}", self.0)
    }
}

/// A pool schema of the pooled tier: `pool_01` … `pool_99`, each with its NOLOGIN role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pool(u8);

impl Pool {
    pub const FIRST: Pool = Pool(1);

    /// The pool named `name`, if it is one.
    pub fn parse(name: &str) -> Option<Self> {
        let n = name.strip_prefix("pool_")?;
        if n.len() != 2 || !n.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        n.parse().ok().filter(|n| *n >= 1).map(Pool)
    }

    /// The pool after this one, if any.
    pub fn next(self) -> Option<Self> {
        (self.0 < 99).then(|| Pool(self.0 + 1))
    }

    pub fn schema_name(self) -> String {
        format!("pool_{:02}", self.0)
    }

    /// Cluster-wide like a tenant's, so it carries the deployment prefix too.
    pub fn role_name(self, role_prefix: &str) -> String {
        format!("{role_prefix}pool_{:02}", self.0)
    }
}

impl fmt::Display for TenantSlug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Checks a name that Atrium itself generated (schema, role, role prefix) before it is
/// quoted. Registry rows are re-checked here so a tampered row can't smuggle SQL.
pub fn is_plain_identifier(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 63
        && name.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Quotes an identifier for PostgreSQL: always double-quoted, inner quotes doubled.
pub fn quote_ident(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 2);
    out.push('"');
    for c in name.chars() {
        if c == '"' {
            out.push('"');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// Quotes a string literal, for the few statements (CREATE ROLE ... PASSWORD) that
/// cannot take a bound parameter. Relies on standard_conforming_strings (on since 9.1).
pub fn quote_literal(value: &str) -> Result<String, SlugError> {
    if value.contains('\0') {
        return Err(SlugError::Charset);
    }
    Ok(format!("'{}'", value.replace('\'', "''")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_published_pattern_matches_the_bounds() {
        let quantifier = format!("{{{},{}}}$", SLUG_MIN - 1, SLUG_MAX - 1);
        assert!(SLUG_PATTERN.ends_with(&quantifier), "{SLUG_PATTERN}");
    }

    #[test]
    fn accepts_plain_slugs() {
        for ok in ["acme", "abc", "a_1", "globex_corp_2026", &"a".repeat(40)] {
            assert!(TenantSlug::parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn refuses_with_the_rule_named() {
        let cases = [
            ("ab", "length"),
            (&"a".repeat(41) as &str, "length"),
            (&"a".repeat(200), "length"),
            ("1abc", "first_char"),
            ("_abc", "first_char"),
            ("Acme", "first_char"),
            ("aBc", "charset"),
            ("a;drop table x", "charset"),
            ("a\"b_c", "charset"),
            ("../x", "first_char"),
            ("acme-corp", "charset"),
            ("аcme", "first_char"), // Cyrillic a
            ("acmе", "charset"),    // Cyrillic e
            ("public", "reserved"),
            ("pg_catalog", "reserved"),
            ("atrium_control", "reserved"),
            ("information_schema", "reserved"),
        ];
        for (raw, rule) in cases {
            let err = TenantSlug::parse(raw).expect_err(raw);
            assert_eq!(err.rule(), rule, "{raw}");
        }
    }

    #[test]
    fn quoting_doubles_quotes() {
        assert_eq!(quote_ident("t_acme"), "\"t_acme\"");
        assert_eq!(
            Pool::parse("pool_07").map(|p| p.schema_name()),
            Some("pool_07".into())
        );
        for bad in [
            "pool_00",
            "pool_7",
            "pool_100",
            "pool_0a",
            "t_pool_01",
            "pool_01 ",
        ] {
            assert_eq!(Pool::parse(bad), None, "{bad}");
        }
        assert!(is_plain_identifier(&Pool::FIRST.role_name("atrium_")));
        assert_eq!(quote_ident("a\"b"), "\"a\"\"b\"");
        assert_eq!(quote_literal("it's").as_deref(), Ok("'it''s'"));
    }

    #[test]
    fn derived_names_are_plain_identifiers() {
        let slug = TenantSlug::parse(&"z".repeat(40)).expect("valid");
        assert!(is_plain_identifier(&slug.schema_name()));
        assert!(is_plain_identifier(&slug.role_name("atrium_")));
        assert!(!is_plain_identifier("x\"; drop"));
    }
}
