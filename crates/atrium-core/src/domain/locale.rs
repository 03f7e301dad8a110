//! A tenant's money and time: the currencies amounts may be in, with the digits of their
//! minor unit, and IANA time zones. Both planes and the configuration check them here.

use std::str::FromStr;

use super::ValidationError;

/// ISO 4217 codes a tenant, a deal or an order may use, with their minor-unit digits
/// (`amount_cents` counts that unit: cents, fen, or whole yen).
pub const CURRENCIES: &[(&str, u8)] = &[
    ("AUD", 2),
    ("BRL", 2),
    ("CAD", 2),
    ("CHF", 2),
    ("CNY", 2),
    ("DKK", 2),
    ("EUR", 2),
    ("GBP", 2),
    ("HKD", 2),
    ("INR", 2),
    ("JPY", 0),
    ("KRW", 0),
    ("MXN", 2),
    ("NOK", 2),
    ("NZD", 2),
    ("SEK", 2),
    ("SGD", 2),
    ("TWD", 2),
    ("USD", 2),
    ("ZAR", 2),
];

/// `value` if it is one of [`CURRENCIES`].
pub fn currency(field: &str, value: &str) -> Result<&'static str, ValidationError> {
    CURRENCIES
        .iter()
        .find(|(code, _)| *code == value)
        .map(|(code, _)| *code)
        .ok_or_else(|| {
            let codes: Vec<&str> = CURRENCIES.iter().map(|(c, _)| *c).collect();
            ValidationError::coded(
                field,
                "currency",
                format!("must be one of {}", codes.join(", ")),
            )
        })
}

/// `value` as an IANA time zone name such as `Asia/Shanghai`, in its canonical spelling.
pub fn timezone(field: &str, value: &str) -> Result<String, ValidationError> {
    chrono_tz::Tz::from_str(value)
        .map(|tz| tz.name().to_owned())
        .map_err(|_| {
            ValidationError::coded(
                field,
                "timezone",
                "must be an IANA time zone such as Asia/Shanghai or UTC",
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn currencies_and_zones_are_checked() {
        assert_eq!(currency("c", "JPY").ok(), Some("JPY"));
        assert!(currency("c", "usd").is_err() && currency("c", "XYZ").is_err());
        assert_eq!(
            timezone("tz", "Asia/Shanghai").ok().as_deref(),
            Some("Asia/Shanghai")
        );
        assert!(timezone("tz", "Mars/Olympus").is_err() && timezone("tz", "").is_err());
    }
}
