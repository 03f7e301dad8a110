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
