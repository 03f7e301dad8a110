// Currencies: how many minor units each has (JPY 0, EUR 2, KWD 3), and amounts in minor
// units shown in the user's language.
import { i18n } from '../i18n';

/// The currencies the forms offer; the API takes any ISO 4217 code.
export const CURRENCIES = ['CNY', 'USD', 'EUR', 'GBP', 'JPY'] as const;

export function currencyDigits(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/// 1250 EUR → "€12.50" (en) or "12,50 €" (de); an unknown code is shown after the number.
export function fmtMoney(minor: number, currency: string, locale = i18n.language || 'en') {
  const digits = currencyDigits(currency);
  const major = minor / 10 ** digits;
  try {
    return new Intl.NumberFormat(locale, { style: 'currency', currency }).format(major);
  } catch {
    return `${new Intl.NumberFormat(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(major)} ${currency}`;
  }
}
