import { describe, expect, it } from 'vitest';
import { parseMoney } from './parse';

const minor = (text: string, locale: string, currency = 'EUR') => {
  const r = parseMoney(text, locale, currency);
  return r.ok ? r.minor : r.error;
};

describe('parseMoney', () => {
  it('reads what people type in their language', () => {
    expect(minor('1.234,50', 'de-DE')).toBe(123450);
    expect(minor('1,234.50', 'en')).toBe(123450);
    expect(minor('1234.5', 'en')).toBe(123450);
    expect(minor('1234,5', 'de-DE')).toBe(123450);
    expect(minor('12500', 'en')).toBe(1250000);
    expect(minor('99.50', 'zh-CN', 'CNY')).toBe(9950);
    expect(minor(' 0.1 ', 'en')).toBe(10);
    expect(minor('.5', 'en')).toBe(50);
    expect(minor('12.', 'en')).toBe(1200);
    expect(minor('1 234 567,89', 'fr-FR')).toBe(123456789);
    expect(minor('1\u202f234,5', 'fr-FR')).toBe(123450);
    expect(minor('1’234.50', 'de-CH', 'CHF')).toBe(123450);
  });

  it('reads a lone separator before three digits by the language, and refuses it where it could be either', () => {
    expect(minor('1,200', 'en')).toBe(120000);
    expect(minor('1,200', 'zh-CN', 'CNY')).toBe(120000);
    expect(minor('1.200', 'de-DE')).toBe(120000);
    expect(minor('1,200', 'de-DE')).toBe('ambiguous');
    expect(minor('1.200', 'en')).toBe('ambiguous');
    expect(minor('1.200', 'fr-FR')).toBe('ambiguous');
    expect(minor('1,200', 'fr-FR')).toBe('ambiguous');
    // A currency with three decimals can only mean the decimal point.
    expect(minor('1.200', 'en', 'KWD')).toBe(1200);
  });

  it('takes any single separator not before three digits as the decimal point', () => {
    expect(minor('12,50', 'en')).toBe(1250);
    expect(minor('12.5', 'de-DE')).toBe(1250);
    expect(minor('1,234,567', 'en')).toBe(123456700);
    expect(minor('1.234.567', 'de-DE')).toBe(123456700);
  });

  it('keeps to the currency’s decimals', () => {
    expect(minor('1234', 'ja-JP', 'JPY')).toBe(1234);
    expect(minor('1,234', 'ja-JP', 'JPY')).toBe(1234);
    expect(minor('12.5', 'en', 'JPY')).toBe('too_many_decimals');
    expect(minor('12.00', 'en', 'JPY')).toBe(12);
    expect(minor('1.999', 'en', 'KWD')).toBe(1999);
    expect(minor('1.2345', 'en')).toBe('too_many_decimals');
    expect(minor('1.230', 'en', 'KWD')).toBe(1230);
  });

  it('refuses what is not an amount', () => {
    expect(minor('', 'en')).toBe('empty');
    expect(minor('   ', 'en')).toBe('empty');
    expect(minor('-5', 'en')).toBe('negative');
    expect(minor('abc', 'en')).toBe('not_a_number');
    expect(minor('12€', 'en')).toBe('not_a_number');
    expect(minor('1e5', 'en')).toBe('not_a_number');
    expect(minor('.', 'en')).toBe('not_a_number');
    expect(minor('1.234.50', 'en')).toBe('misplaced_separator');
    expect(minor('1,23,4.50', 'en')).toBe('misplaced_separator');
    expect(minor('1.2,3.4', 'en')).toBe('misplaced_separator');
    expect(minor('12 34', 'en')).toBe('misplaced_separator');
    expect(minor('1,2345.00', 'en')).toBe('misplaced_separator');
    expect(minor('99999999999999999', 'en')).toBe('too_large');
  });
});
