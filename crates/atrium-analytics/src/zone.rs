//! Calendar periods in a tenant's time zone. A dashboard's buckets are whole hours, days,
//! weeks (from Monday) or months of local time, computed here once for both sides: the
//! SQL names each bucket by a key ([`Period::sql_key`]) and the answer lists every
//! period's key ([`Period::key`]), so empty periods are zeros and none is cut in half.

use chrono::{DateTime, Datelike, Duration, Months, NaiveDate, TimeZone, Timelike, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::clickhouse::quote;

/// The first moment of `now`'s calendar month in UTC: monthly event quotas count from it.
pub fn utc_month_start(now: DateTime<Utc>) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(now.year(), now.month(), 1, 0, 0, 0)
        .single()
        .unwrap_or(now)
}

/// When the next calendar month begins in UTC: a monthly quota starts again.
pub fn utc_next_month_start(now: DateTime<Utc>) -> DateTime<Utc> {
    utc_month_start(now)
        .checked_add_months(Months::new(1))
        .unwrap_or(now)
}

/// An IANA time zone, checked against chrono-tz's list before any SQL sees its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Zone(Tz);

#[derive(Debug, thiserror::Error, PartialEq)]
#[error("`{0}` is not an IANA time zone name such as Europe/Berlin or Asia/Shanghai")]
pub struct UnknownZone(pub String);

impl Default for Zone {
    fn default() -> Self {
        Self(Tz::UTC)
    }
}

impl Zone {
    pub fn parse(name: &str) -> Result<Self, UnknownZone> {
        name.parse::<Tz>()
            .map(Self)
            .map_err(|_| UnknownZone(name.chars().take(64).collect()))
    }

    pub fn name(&self) -> &'static str {
        self.0.name()
    }

    /// `t` as RFC 3339 with this zone's offset at that moment.
    pub fn rfc3339(&self, t: DateTime<Utc>) -> String {
        t.with_timezone(&self.0).to_rfc3339()
    }

    fn date(&self, t: DateTime<Utc>) -> NaiveDate {
        t.with_timezone(&self.0).date_naive()
    }

    /// The first moment of `date` here. Where a DST change skips midnight (some zones
    /// do), the day starts at the first local time that exists.
    fn midnight(&self, date: NaiveDate) -> DateTime<Utc> {
        let mut local = date.and_time(chrono::NaiveTime::MIN);
        for _ in 0..8 {
            if let Some(t) = self.0.from_local_datetime(&local).earliest() {
                return t.with_timezone(&Utc);
            }
            local += Duration::minutes(30);
        }
        date.and_time(chrono::NaiveTime::MIN).and_utc()
    }
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Period {
    Hour,
    Day,
    Week,
    Month,
}

/// One period: `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl Period {
    /// The start of the period that holds `t`.
    pub fn start_of(self, zone: Zone, t: DateTime<Utc>) -> DateTime<Utc> {
        let date = zone.date(t);
        match self {
            // Not a UTC truncation: zones such as Asia/Kolkata start their hours at :30 UTC.
            Self::Hour => {
                let local = t.with_timezone(&zone.0);
                t - Duration::seconds(i64::from(local.minute() * 60 + local.second()))
                    - Duration::nanoseconds(i64::from(t.nanosecond()))
            }
            Self::Day => zone.midnight(date),
            Self::Week => zone
                .midnight(date - Duration::days(i64::from(date.weekday().num_days_from_monday()))),
            Self::Month => zone.midnight(date.with_day(1).unwrap_or(date)),
        }
    }

    /// The start of the next period after the one starting at `start`.
    pub fn next(self, zone: Zone, start: DateTime<Utc>) -> DateTime<Utc> {
        let date = zone.date(start);
        match self {
            Self::Hour => start + Duration::hours(1),
            Self::Day => zone.midnight(date + Duration::days(1)),
            Self::Week => zone.midnight(date + Duration::days(7)),
            Self::Month => zone.midnight(date.checked_add_months(Months::new(1)).unwrap_or(date)),
        }
    }

    /// The `n` periods up to and including the one that holds `last`, oldest first.
    pub fn last(self, zone: Zone, n: u32, last: DateTime<Utc>) -> Vec<Span> {
        let mut start = self.start_of(zone, last);
        let mut out = vec![Span {
            start,
            end: self.next(zone, start),
        }];
        for _ in 1..n {
            let end = start;
            start = self.start_of(zone, start - Duration::seconds(1));
            out.push(Span { start, end });
        }
        out.reverse();
        out
    }

    /// Every period from the one holding `from` to the one holding the moment before `to`.
    pub fn between(self, zone: Zone, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Span> {
        let mut out = Vec::new();
        let mut start = self.start_of(zone, from);
        while start < to {
            let end = self.next(zone, start);
            out.push(Span { start, end });
            start = end;
        }
        out
    }

    /// SQL naming the period of `ts` by the same key [`Period::key`] gives its start.
    /// The zone is a constant string: ClickHouse 18.16 takes no other.
    pub fn sql_key(self, zone: Zone) -> String {
        let z = quote(zone.name());
        match self {
            Self::Hour => format!("toString(toUInt32(toStartOfHour(ts, {z})))"),
            Self::Day => format!("toString(toDate(ts, {z}))"),
            Self::Week => format!("toString(toMonday(ts, {z}))"),
            Self::Month => format!("toString(toStartOfMonth(ts, {z}))"),
        }
    }

    pub fn key(self, zone: Zone, start: DateTime<Utc>) -> String {
        match self {
            Self::Hour => start.timestamp().to_string(),
            Self::Day | Self::Week | Self::Month => zone.date(start).to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_months_start_on_the_first_at_midnight() {
        let t = Utc
            .with_ymd_and_hms(2026, 12, 31, 23, 59, 59)
            .single()
            .expect("date");
        assert_eq!(utc_month_start(t).to_rfc3339(), "2026-12-01T00:00:00+00:00");
        assert_eq!(
            utc_next_month_start(t).to_rfc3339(),
            "2027-01-01T00:00:00+00:00"
        );
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .expect("time")
            .with_timezone(&Utc)
    }

    #[test]
    fn unknown_zones_and_sql_are_refused() {
        assert!(Zone::parse("Asia/Shanghai").is_ok());
        for bad in ["", "Mars/Olympus", "UTC') OR 1=1 --", "asia/shanghai"] {
            assert!(Zone::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn days_start_at_local_midnight() {
        let sh = Zone::parse("Asia/Shanghai").expect("zone");
        let days = Period::Day.last(sh, 7, utc("2026-03-10T20:00:00Z"));
        assert_eq!(days.len(), 7);
        assert_eq!(sh.rfc3339(days[0].start), "2026-03-05T00:00:00+08:00");
        assert_eq!(sh.rfc3339(days[6].start), "2026-03-11T00:00:00+08:00");
        assert_eq!(Period::Day.key(sh, days[6].start), "2026-03-11");
    }

    #[test]
    fn dst_days_are_23_and_25_hours() {
        let berlin = Zone::parse("Europe/Berlin").expect("zone");
        let days = Period::Day.between(
            berlin,
            utc("2026-03-28T12:00:00Z"),
            utc("2026-03-30T12:00:00Z"),
        );
        assert_eq!(days[1].end - days[1].start, Duration::hours(23));
        let weeks = Period::Week.last(berlin, 2, utc("2026-03-30T12:00:00Z"));
        assert_eq!(berlin.rfc3339(weeks[0].start), "2026-03-23T00:00:00+01:00");
        assert_eq!(berlin.rfc3339(weeks[1].start), "2026-03-30T00:00:00+02:00");
    }

    #[test]
    fn half_hour_zones_start_hours_at_half_past_utc() {
        let kolkata = Zone::parse("Asia/Kolkata").expect("zone");
        let h = Period::Hour.start_of(kolkata, utc("2026-03-10T20:10:00Z"));
        assert_eq!(h, utc("2026-03-10T19:30:00Z"));
        let months = Period::Month.last(kolkata, 3, utc("2026-03-10T20:10:00Z"));
        assert_eq!(
            kolkata.rfc3339(months[0].start),
            "2026-01-01T00:00:00+05:30"
        );
    }
}
