// A tenant's usage as the console shows it wherever it appears (the tenants list, the
// overview's busiest tenants and top lists, a tenant's page and its usage tab): '—' for
// what was not measured. Whether a source could be read is said by the screens, never
// shown as 0.
import { fmtBytes, fmtNumber } from '../format';
import { i18n } from '../i18n';
import type { TenantStats } from '../types';

type Usage = Pick<TenantStats, 'schema_bytes' | 'events_7d' | 'requests_per_min'>;

export function usageText(s: Partial<Usage> | null | undefined) {
  return {
    schema: s?.schema_bytes != null ? fmtBytes(s.schema_bytes) : '—',
    events: s?.events_7d != null ? fmtNumber(s.events_7d) : '—',
    requests: s?.requests_per_min != null ? fmtNumber(s.requests_per_min, { maximumFractionDigits: 1, minimumFractionDigits: 1 }) : '—',
  };
}

const unit = (n: number, u: string, digits: number) => fmtNumber(n, { style: 'unit', unit: u, unitDisplay: 'short', maximumFractionDigits: digits });

/// Database or queue time: "4 ms" under a second, "412.5 s", "2 h 5 min" once it is long.
export function fmtSeconds(s: number) {
  if (s < 1) return fmtMs(s * 1000);
  if (s < 600) return unit(s, 'second', s < 10 ? 2 : 1);
  const h = Math.floor(s / 3600);
  const m = Math.round((s % 3600) / 60);
  return h > 0 ? `${unit(h, 'hour', 0)} ${unit(m, 'minute', 0)}` : unit(m, 'minute', 0);
}

/// A latency: "8 ms", "1.3 s".
export function fmtMs(ms: number) {
  return ms < 1000 ? unit(ms, 'millisecond', ms < 10 ? 1 : 0) : unit(ms / 1000, 'second', 1);
}

/// A value of a top list or a total, by what it counts (the API's `unit`).
export function fmtMeasure(u: string, value: number) {
  if (u === 'seconds') return fmtSeconds(value);
  if (u === 'bytes') return fmtBytes(value);
  return fmtNumber(Math.round(value));
}

/// A series bucket's start, as wide as the bucket: a time of day for 5 minutes and hours,
/// a date for days; in UTC, where the buckets are cut.
export function bucketLabel(bucket: string, at: string) {
  const options: Intl.DateTimeFormatOptions = { timeZone: 'UTC', ...(bucket === 'day' ? { month: 'short', day: 'numeric' } : { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }) };
  return new Intl.DateTimeFormat(i18n.language || 'en', options).format(new Date(at));
}
