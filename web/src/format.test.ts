import { afterEach, describe, expect, it } from 'vitest';
import { fmtAge, fmtBytes, fmtDate, isoToLocal, localToIso, setTimeZone } from './format';
import { i18n } from './i18n';
import { fmtMoney } from './money/currency';

afterEach(() => {
  setTimeZone(undefined);
  return i18n.changeLanguage('en');
});

describe('format', () => {
  it('shows sizes in binary units, one decimal at most', async () => {
    await i18n.changeLanguage('en');
    expect(fmtBytes(512)).toBe('512 B');
    expect(fmtBytes(2048)).toBe('2 KiB');
    expect(fmtBytes(3.5 * 1024 ** 2)).toBe('3.5 MiB');
    expect(fmtBytes(1.2 * 1024 ** 3)).toBe('1.2 GiB');
    expect(fmtBytes(5 * 1024 ** 3)).toBe('5 GiB');
    expect(fmtBytes(50 * 1024 ** 3 - 1)).toBe('50 GiB');
    expect(fmtBytes(1024 ** 5)).toBe('1 PiB');
    expect(fmtBytes(1234 * 1024 ** 5)).toBe('1,234 PiB');
  });

  it('shows money in its currency and the user’s language, with the currency’s decimals', async () => {
    await i18n.changeLanguage('en');
    expect(fmtMoney(123450, 'EUR')).toBe('€1,234.50');
    expect(fmtMoney(1234, 'JPY')).toBe('¥1,234');
    expect(fmtMoney(123450, 'EUR', 'de-DE')).toBe('1.234,50\u00a0€');
    expect(fmtMoney(1250, 'NOT A CURRENCY')).toBe('12.50 NOT A CURRENCY');
    await i18n.changeLanguage('zh-CN');
    expect(fmtMoney(123450, 'CNY')).toBe('¥1,234.50');
  });

  it('shows ages in the largest two units', async () => {
    await i18n.changeLanguage('en');
    expect(fmtAge(59)).toBe('59 sec');
    expect(fmtAge(600)).toBe('10 min');
    expect(fmtAge(3700)).toBe('1 hr 1 min');
    expect(fmtAge(90000)).toBe('1 day 1 hr');
  });

  it('turns a local date-time input into an instant and back', () => {
    const iso = '2026-12-02T10:30:15.000Z';
    expect(localToIso(isoToLocal(iso))).toBe(iso);
    expect(localToIso('not a time')).toBe('');
  });

  it('shows dates in the tenant’s time zone once it is known, and ignores one that isn’t a zone', async () => {
    await i18n.changeLanguage('en');
    const lateUtc = '2026-12-02T20:00:00Z';
    setTimeZone('UTC');
    expect(fmtDate(lateUtc)).toBe('Dec 2, 2026');
    setTimeZone('Asia/Shanghai');
    expect(fmtDate(lateUtc), 'already the 3rd in China').toBe('Dec 3, 2026');
    setTimeZone('Not/AZone');
    expect(() => fmtDate(lateUtc)).not.toThrow();
  });
});
