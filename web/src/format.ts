// How numbers and dates read on screen, in the user's language (i18next's current one).
import { i18n } from './i18n';

const locale = () => i18n.language || 'en';

// The tenant's time zone (its settings) once known; the browser's until then, and in
// the console.
let timeZone: string | undefined;

export function setTimeZone(tz: string | undefined) {
  try {
    timeZone = tz && new Intl.DateTimeFormat('en', { timeZone: tz }) ? tz : undefined;
  } catch {
    timeZone = undefined;
  }
}

export function fmtDate(s: string) {
  return new Date(s).toLocaleDateString(locale(), { year: 'numeric', month: 'short', day: 'numeric', timeZone });
}

export function fmtDateTime(s: string) {
  return new Date(s).toLocaleString(locale(), { timeZone });
}

export function fmtNumber(n: number, options?: Intl.NumberFormatOptions) {
  return new Intl.NumberFormat(locale(), options).format(n);
}

/// Sizes in binary units, as quotas are set (1 GiB = 1024 MiB): "512 B", "3.5 MiB", "5 GiB".
export function fmtBytes(n: number) {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let i = 0;
  while (i < units.length - 1 && n >= 1024 ** (i + 1)) i++;
  return `${fmtNumber(n / 1024 ** i, { maximumFractionDigits: i === 0 ? 0 : 1 })} ${units[i]}`;
}

/// 59 → "59 s", 3700 → "1 h 1 min", 90000 → "1 d 1 h" (in the user's language).
export function fmtAge(s: number) {
  const u = (n: number, unit: string) => fmtNumber(n, { style: 'unit', unit, unitDisplay: 'short' });
  if (s < 60) return u(s, 'second');
  const [d, h, m] = [Math.floor(s / 86400), Math.floor((s % 86400) / 3600), Math.floor((s % 3600) / 60)];
  if (d > 0) return `${u(d, 'day')} ${u(h, 'hour')}`;
  if (h > 0) return `${u(h, 'hour')} ${u(m, 'minute')}`;
  return u(m, 'minute');
}

/// A `datetime-local` input's value holds no zone: it is the browser's local time. These
/// turn it into an RFC 3339 instant for the API, and an instant back into one.
export function localToIso(value: string) {
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString();
}

export function isoToLocal(iso: string) {
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}
