//! The other processes the control plane reports on in the operator overview: it probes
//! their `/readyz` with a short timeout. Unset URLs are reported as `unknown`.

use serde::{Deserialize, Serialize};

use super::ConfigError;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PeersConfig {
    /// The data plane's base URL as the control plane reaches it (`http://api:8080`).
    #[serde(default)]
    pub api_url: Option<String>,
    /// The collector's base URL (its probe listener, `http://collector:8070`).
    #[serde(default)]
    pub collector_url: Option<String>,
    /// How long one probe may take, in ms (default 1000).
    #[serde(default = "default_probe_timeout_ms")]
    pub probe_timeout_ms: u64,
}

fn default_probe_timeout_ms() -> u64 {
    1_000
}

impl Default for PeersConfig {
    fn default() -> Self {
        Self {
            api_url: None,
            collector_url: None,
            probe_timeout_ms: default_probe_timeout_ms(),
        }
    }
}

impl PeersConfig {
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        let bad = |m: String| Err(ConfigError::Invalid(format!("control.peers: {m}")));
        for (name, url) in [
            ("api_url", &self.api_url),
            ("collector_url", &self.collector_url),
        ] {
            if let Some(u) = url {
                let scheme_ok = u.starts_with("http://") || u.starts_with("https://");
                if !scheme_ok || u.len() > 200 || u.chars().any(char::is_whitespace) {
                    return bad(format!(
                        "{name} must be an http(s) URL of at most 200 characters"
                    ));
                }
            }
        }
        if !(50..=10_000).contains(&self.probe_timeout_ms) {
            return bad("probe_timeout_ms must be between 50 and 10000".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peer_urls_must_be_http() {
        let mut p = PeersConfig::default();
        assert!(p.validate().is_ok());
        p.api_url = Some("http://api:8080".into());
        assert!(p.validate().is_ok());
        p.collector_url = Some("collector:8070".into());
        assert!(p.validate().is_err());
    }
}
