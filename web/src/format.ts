// How numbers and dates read on screen, in the browser's locale.

export function fmtDate(s: string) {
  return new Date(s).toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
}

export function fmtMoney(cents: number, currency: string) {
  try {
    return new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(cents / 100);
  } catch {
    return `${(cents / 100).toFixed(2)} ${currency}`;
  }
}

/// "12.50" → 1250. Anything unparseable becomes -1, which the API refuses with a field
/// error (amounts can't be negative), so the message comes from the server's one rule.
export function toCents(amount: string): number {
  const cents = Math.round(parseFloat(amount || '0') * 100);
  return Number.isFinite(cents) ? cents : -1;
}

export function fmtBytes(n: number) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(0)} KB`;
  return `${(n / 1024 ** 2).toFixed(1)} MB`;
}

/// 59 → "59 s", 3700 → "1 h 1 min", 90000 → "1 d 1 h".
export function fmtAge(s: number) {
  if (s < 60) return `${s} s`;
  const [d, h, m] = [Math.floor(s / 86400), Math.floor((s % 86400) / 3600), Math.floor((s % 3600) / 60)];
  if (d > 0) return `${d} d ${h} h`;
  if (h > 0) return `${h} h ${m} min`;
  return `${m} min`;
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
