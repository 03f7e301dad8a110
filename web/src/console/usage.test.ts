import { afterEach, describe, expect, it } from 'vitest';
import { i18n } from '../i18n';
import { bucketLabel, fmtMeasure, fmtMs, fmtSeconds, usageText } from './usage';

afterEach(() => i18n.changeLanguage('en'));

describe('usage figures', () => {
  it('say what was not measured as “—”, not 0', () => {
    expect(usageText({ schema_bytes: null, events_7d: 0, requests_per_min: null })).toEqual({ schema: '—', events: '0', requests: '—' });
    expect(usageText(null)).toEqual({ schema: '—', events: '—', requests: '—' });
  });

  it('show time in seconds, then hours and minutes once it is long', async () => {
    await i18n.changeLanguage('en');
    expect(fmtSeconds(0.4)).toBe('400 ms');
    expect(fmtSeconds(0.0042)).toBe('4.2 ms');
    expect(fmtSeconds(2.5)).toBe('2.5 sec');
    expect(fmtSeconds(412.54)).toBe('412.5 sec');
    expect(fmtSeconds(7500)).toBe('2 hr 5 min');
    expect(fmtSeconds(900)).toBe('15 min');
    expect(fmtMs(8)).toBe('8 ms');
    expect(fmtMs(41.26)).toBe('41 ms');
    expect(fmtMs(1300)).toBe('1.3 sec');
  });

  it('format each measure of a top list by its unit', async () => {
    await i18n.changeLanguage('en');
    expect(fmtMeasure('bytes', 73400320)).toBe('70 MiB');
    expect(fmtMeasure('requests', 31200)).toBe('31,200');
    expect(fmtMeasure('events', 90210.0)).toBe('90,210');
    expect(fmtMeasure('seconds', 301.2)).toBe('301.2 sec');
    await i18n.changeLanguage('zh-CN');
    expect(fmtMeasure('seconds', 301.2)).toBe('301.2秒');
  });

  it('label buckets in UTC, as wide as the bucket', async () => {
    await i18n.changeLanguage('en');
    expect(bucketLabel('hour', '2026-12-02T13:00:00Z')).toBe('13:00');
    expect(bucketLabel('5m', '2026-12-02T23:55:00Z')).toBe('23:55');
    expect(bucketLabel('day', '2026-12-02T00:00:00Z')).toBe('Dec 2');
    await i18n.changeLanguage('zh-CN');
    expect(bucketLabel('day', '2026-12-02T00:00:00Z')).toBe('12月2日');
  });
});
