//! A secret named, not written: `env:NAME` (an environment variable of the process that
//! reads it) or `file:/absolute/path` (a mounted file). The cluster registry stores these
//! for each cluster's connection URLs, so the registry itself holds no password, and
//! each process resolves a reference in its own environment: the control plane's and the
//! data plane's pods mount different secrets under the same name.

use std::fmt;

use secrecy::SecretString;

/// The longest reference accepted (a path or a variable name, with its prefix).
const MAX_LEN: usize = 200;

#[derive(Clone, PartialEq, Eq)]
pub enum SecretRef {
    Env(String),
    File(String),
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SecretRefError {
    #[error(
        "a secret reference is `env:NAME` (NAME: A-Z, 0-9, _) or `file:/absolute/path`, \
         at most 200 characters"
    )]
    Malformed,
    /// Names the variable, never a value.
    #[error("environment variable {0} is not set")]
    Unset(String),
    #[error("environment variable {0} is not valid UTF-8")]
    NotUnicode(String),
    #[error("cannot read secret file {path}: {reason}")]
    Unreadable { path: String, reason: String },
    #[error("the secret named by {0} is empty")]
    Empty(String),
}

impl SecretRef {
    pub fn parse(text: &str) -> Result<Self, SecretRefError> {
        if text.len() > MAX_LEN {
            return Err(SecretRefError::Malformed);
        }
        if let Some(name) = text.strip_prefix("env:") {
            let ok = !name.is_empty()
                && !name.starts_with(|c: char| c.is_ascii_digit())
                && name
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
            return ok
                .then(|| SecretRef::Env(name.to_owned()))
                .ok_or(SecretRefError::Malformed);
        }
        if let Some(path) = text.strip_prefix("file:") {
            let ok = path.starts_with('/')
                && !path.split('/').any(|part| part == "..")
                && !path.chars().any(|c| c.is_control() || c.is_whitespace());
            return ok
                .then(|| SecretRef::File(path.to_owned()))
                .ok_or(SecretRefError::Malformed);
        }
        Err(SecretRefError::Malformed)
    }

    /// The secret, read now: a rotated file or variable is picked up by the next resolve.
    /// A trailing newline (from `echo >` or a Kubernetes Secret) is not part of it.
    pub fn resolve(&self) -> Result<SecretString, SecretRefError> {
        let value = match self {
            SecretRef::Env(name) => std::env::var(name).map_err(|e| match e {
                std::env::VarError::NotPresent => SecretRefError::Unset(name.clone()),
                std::env::VarError::NotUnicode(_) => SecretRefError::NotUnicode(name.clone()),
            })?,
            SecretRef::File(path) => {
                std::fs::read_to_string(path).map_err(|e| SecretRefError::Unreadable {
                    path: path.clone(),
                    reason: e.kind().to_string(),
                })?
            }
        };
        let value = value.trim_end_matches(['\n', '\r']);
        if value.is_empty() {
            return Err(SecretRefError::Empty(self.to_string()));
        }
        Ok(SecretString::from(value.to_owned()))
    }
}

/// The reference, which is not secret (the registry and the console show it).
impl fmt::Display for SecretRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SecretRef::Env(name) => write!(f, "env:{name}"),
            SecretRef::File(path) => write!(f, "file:{path}"),
        }
    }
}

impl fmt::Debug for SecretRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretRef({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    #[test]
    fn only_the_two_shapes_parse() {
        assert_eq!(
            SecretRef::parse("env:ATRIUM_CLUSTER_EU1_API_URL"),
            Ok(SecretRef::Env("ATRIUM_CLUSTER_EU1_API_URL".into()))
        );
        assert_eq!(
            SecretRef::parse("file:/run/secrets/eu1-api-url"),
            Ok(SecretRef::File("/run/secrets/eu1-api-url".into()))
        );
        for bad in [
            "",
            "postgres://u:p@h/db",
            "env:",
            "env:lower",
            "env:1ABC",
            "env:A B",
            "file:relative/path",
            "file:/a/../etc/shadow",
            "file:/a b",
            "file:/a\nb",
        ] {
            assert_eq!(
                SecretRef::parse(bad),
                Err(SecretRefError::Malformed),
                "{bad}"
            );
        }
        assert!(SecretRef::parse(&format!("env:{}", "A".repeat(300))).is_err());
    }

    #[test]
    fn a_file_is_read_at_resolve_time_without_its_newline() {
        let dir = std::env::temp_dir().join(format!("atrium-secret-ref-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let file = dir.join("url");
        std::fs::write(&file, "postgres://x:y@h/d\n").expect("write");
        let r = SecretRef::parse(&format!("file:{}", file.display())).expect("parse");
        assert_eq!(
            r.resolve().expect("resolve").expose_secret(),
            "postgres://x:y@h/d"
        );
        std::fs::write(&file, "postgres://x:z@h/d").expect("write");
        assert_eq!(
            r.resolve().expect("resolve").expose_secret(),
            "postgres://x:z@h/d"
        );
        std::fs::write(&file, "\n").expect("write");
        assert!(matches!(r.resolve(), Err(SecretRefError::Empty(_))));
        std::fs::remove_dir_all(&dir).ok();
        assert!(matches!(
            SecretRef::parse("env:ATRIUM_TEST_SURELY_UNSET_VAR_42")
                .expect("parse")
                .resolve(),
            Err(SecretRefError::Unset(_))
        ));
    }

    #[test]
    fn printing_shows_the_name_not_the_secret() {
        let r = SecretRef::parse("env:PATH").expect("parse");
        assert_eq!(format!("{r:?}"), "SecretRef(env:PATH)");
        assert_eq!(r.to_string(), "env:PATH");
    }
}
