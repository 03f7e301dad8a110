import { describe, expect, it } from 'vitest';
import { fmtBytes, fmtMoney, toCents } from './format';

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
});
