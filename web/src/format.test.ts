import { describe, expect, it } from 'vitest';
import { fmtAge, fmtBytes, fmtMoney, isoToLocal, localToIso, toCents } from './format';

describe('format', () => {
  it('reads amounts as cents, and anything else as -1 for the server to refuse', () => {
    expect(toCents('12.50')).toBe(1250);
    expect(toCents('0.1')).toBe(10);
    expect(toCents('')).toBe(0);
    expect(toCents('abc')).toBe(-1);
  });

  it('shows sizes in B, KB and MB', () => {
    expect(fmtBytes(512)).toBe('512 B');
    expect(fmtBytes(2048)).toBe('2 KB');
    expect(fmtBytes(3.5 * 1024 ** 2)).toBe('3.5 MB');
  });

  it('shows money in its currency, and an unknown currency by its code', () => {
    expect(fmtMoney(1250, 'EUR')).toMatch(/12[.,]50/);
    expect(fmtMoney(1250, 'NOT A CURRENCY')).toBe('12.50 NOT A CURRENCY');
  });

  it('shows ages in the largest two units', () => {
    expect(fmtAge(59)).toBe('59 s');
    expect(fmtAge(600)).toBe('10 min');
    expect(fmtAge(3700)).toBe('1 h 1 min');
    expect(fmtAge(90000)).toBe('1 d 1 h');
  });

  it('turns a local date-time input into an instant and back', () => {
    const iso = '2026-12-02T10:30:15.000Z';
    expect(localToIso(isoToLocal(iso))).toBe(iso);
    expect(localToIso('not a time')).toBe('');
  });
});
