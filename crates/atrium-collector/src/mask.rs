//! PII masking before anything leaves the pod: e-mail addresses and phone numbers found
//! in properties and URLs, and the values of configured property keys, become salted
//! hashes. The same input always gives the same hash, so counts and funnels still work.

use atrium_core::config::CollectorConfig;
use regex::Regex;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};

use atrium_analytics::event::Event;

pub struct Masker {
    email: Option<Regex>,
    phone: Option<Regex>,
    /// Ids (UUIDs) have digit runs that read like phone numbers; they are kept as they
    /// are, so a path's `/customers/<uuid>` still groups under `/customers/:id`.
    uuid: Regex,
    keys: Vec<String>,
    salt: SecretString,
}

impl Masker {
    pub fn new(c: &CollectorConfig) -> anyhow::Result<Self> {
        Ok(Self {
            email: c
                .mask_emails
                .then(|| Regex::new(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"))
                .transpose()?,
            phone: c
                .mask_phones
                .then(|| Regex::new(r"\+?\d[\d ().-]{6,}\d"))
                .transpose()?,
            uuid: Regex::new(
                r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}",
            )?,
            keys: c.mask_keys.clone(),
            salt: c.mask_salt.clone(),
        })
    }

    fn hash(&self, value: &str) -> String {
        let mut h = Sha256::new();
        h.update(self.salt.expose_secret().as_bytes());
        h.update(value.as_bytes());
        format!("h:{}", &hex::encode(h.finalize())[..16])
    }

    /// E-mail addresses first, over the whole text (an address may contain an id); then
    /// phone numbers, outside ids only.
    fn scrub(&self, text: &str) -> String {
        let text = self.replace(&self.email, text);
        let mut out = String::with_capacity(text.len());
        let mut rest = 0;
        for id in self.uuid.find_iter(&text) {
            out.push_str(&self.replace(&self.phone, &text[rest..id.start()]));
            out.push_str(id.as_str());
            rest = id.end();
        }
        out.push_str(&self.replace(&self.phone, &text[rest..]));
        out
    }

    fn replace(&self, rule: &Option<Regex>, text: &str) -> String {
        match rule {
            Some(re) if re.is_match(text) => re
                .replace_all(text, |c: &regex::Captures<'_>| self.hash(&c[0]))
                .into_owned(),
            _ => text.to_owned(),
        }
    }

    pub fn apply(&self, e: &mut Event) {
        for (k, v) in e.props.iter_mut() {
            *v = if self.keys.iter().any(|m| m == k) {
                self.hash(v)
            } else {
                self.scrub(v)
            };
        }
        for field in [&mut e.url, &mut e.path, &mut e.referrer] {
            *field = self.scrub(field);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_emails_phones_and_listed_keys() {
        let cfg = atrium_core::config::Config::default().collector;
        let m = Masker::new(&cfg).expect("masker");
        let mut e = Event::server("acme", "signup")
            .prop(
                "note",
                "write to ada@contoso.example or call +33 1 23 45 67 89",
            )
            .prop("email", "not-even-an-address")
            .prop("plan", "pro");
        e.url = "https://app.example/invite?to=bob@x.example".into();
        m.apply(&mut e);
        let note = &e.props["note"];
        assert!(!note.contains("ada@") && !note.contains("23 45"), "{note}");
        assert!(note.starts_with("write to h:"));
        assert!(e.props["email"].starts_with("h:"));
        assert_eq!(e.props["plan"], "pro");
        assert!(!e.url.contains("bob@"));
        let mut again = Event::server("acme", "x").prop("email", "not-even-an-address");
        m.apply(&mut again);
        assert_eq!(
            again.props["email"], e.props["email"],
            "stable hashes keep counts working"
        );
    }

    /// Finding: the phone rule hashed the digit runs inside UUIDs, so server-side paths
    /// like `/customers/0190a000-0000-7000-8000-000000000001` reached ClickHouse as
    /// `/customers/0190ah:…` and never grouped under `/customers/:id`.
    #[test]
    fn ids_in_paths_are_not_taken_for_phone_numbers() {
        let cfg = atrium_core::config::Config::default().collector;
        let m = Masker::new(&cfg).expect("masker");
        let mut e = Event::server("acme", "$pageview");
        let id = "0190a000-0000-7000-8000-000000000001";
        e.path = format!("/app/t/acme/customers/{id}");
        e.url = format!("https://x.example/customers/{id}?call=+33 1 23 45 67 89");
        m.apply(&mut e);
        assert_eq!(e.path, format!("/app/t/acme/customers/{id}"));
        assert!(e.url.contains(id), "{}", e.url);
        assert!(
            !e.url.contains("23 45"),
            "a phone beside an id is still masked: {}",
            e.url
        );
    }
}
