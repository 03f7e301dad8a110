// Reading an amount of money as a person typed it, into minor units, without floating
// point. Separators are read by where they stand:
//
// - Only digits, '.', ',', spaces (and ’ or ' as Swiss group marks) are allowed; no sign.
// - Two kinds of separator ("1.234,50", "1,234.50"): the last one is the decimal point
//   and must appear once; the other groups thousands (groups of exactly three digits).
// - One kind, several times ("1 234 567", "1,234,567"): thousands groups.
// - One separator once, not followed by exactly three digits ("12,5", "1234.50"): the
//   decimal point, whatever the language.
// - One separator once, followed by exactly three digits ("1,200", "1.200"): the
//   language decides. If it groups thousands with that mark (',' in English and
//   Chinese, '.' in German), it is 1200. Otherwise it could be either 1200 or 1.2, and
//   is refused as ambiguous — unless the currency has three decimals (KWD), where it can
//   only be the decimal point.
// - No more decimals than the currency has (JPY none, EUR two); zeros beyond are fine.
import { currencyDigits } from './currency';

export type MoneyError = 'empty' | 'not_a_number' | 'negative' | 'ambiguous' | 'misplaced_separator' | 'too_many_decimals' | 'too_large';
export type MoneyParse = { ok: true; minor: number } | { ok: false; error: MoneyError; digits: number };

/// The group mark the language uses in numbers ("," in en, "." in de, a space in fr).
export function groupMark(locale: string): string {
  const part = new Intl.NumberFormat(locale).formatToParts(1234567).find((p) => p.type === 'group')?.value ?? '';
  return /\s/.test(part) ? ' ' : part;
}

const GROUPS = (mark: string) => new RegExp(`^\\d{1,3}(\\${mark}\\d{3})+$`);

export function parseMoney(text: string, locale: string, currency: string): MoneyParse {
  const digits = currencyDigits(currency);
  const fail = (error: MoneyError): MoneyParse => ({ ok: false, error, digits });
  const s = text.trim().replace(/[\s\u00a0\u202f]+/g, ' ').replace(/[’']/g, ' ');
  if (s === '') return fail('empty');
  if (/^[-−]/.test(s)) return fail('negative');
  if (!/^[0-9., ]+$/.test(s) || !/[0-9]/.test(s)) return fail('not_a_number');

  const marks = [...new Set(s.replace(/[0-9]/g, ''))];
  let whole = s;
  let fraction = '';
  const points = marks.filter((m) => m !== ' ');
  if (points.length > 2) return fail('misplaced_separator');
  if (points.length === 2) {
    const decimal = s[Math.max(s.lastIndexOf('.'), s.lastIndexOf(','))];
    if (s.split(decimal).length !== 2) return fail('misplaced_separator');
    [whole, fraction] = s.split(decimal);
  } else if (points.length === 1) {
    const mark = points[0];
    const count = s.split(mark).length - 1;
    const after = s.slice(s.lastIndexOf(mark) + 1);
    if (count === 1 && !after.includes(' ')) {
      const threeDigits = /^\d{3}$/.test(after);
      if (!threeDigits || digits === 3) [whole, fraction] = s.split(mark);
      else if (groupMark(locale) !== mark) return fail('ambiguous');
    }
  }
  // Whatever is left in `whole` besides digits must be thousands groups of one mark.
  if (/[^0-9]/.test(whole)) {
    const mark = whole.replace(/[0-9]/g, '')[0];
    if (!GROUPS(mark).test(whole)) return fail('misplaced_separator');
    whole = whole.split(mark).join('');
  }
  if (/[^0-9]/.test(fraction)) return fail('misplaced_separator');
  if (whole === '' && fraction === '') return fail('not_a_number');
  fraction = fraction.replace(/0+$/, '');
  if (fraction.length > digits) return fail('too_many_decimals');
  const minor = `${whole}${fraction.padEnd(digits, '0')}`.replace(/^0+(?=\d)/, '');
  if (minor.length > 15) return fail('too_large');
  return { ok: true, minor: Number(minor) };
}
