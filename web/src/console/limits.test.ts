import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../api/client';
import { i18n } from '../i18n';
import { fmtLimit, inputsOf, limitError, parseLimit, readOverrides, sameOverrides, toInput } from './limits';

afterEach(() => i18n.changeLanguage('en'));

const MIB = 1024 ** 2;
const empty = inputsOf({});

describe('limit inputs', () => {
  it('show storage in MiB and the rest as they are; nothing where the plan is followed', () => {
    expect(toInput('storage_bytes', 5 * 1024 * MIB)).toBe('5120');
    expect(toInput('storage_bytes', 1.5 * MIB)).toBe('1.5');
    expect(toInput('max_connections', 6)).toBe('6');
    expect(toInput('burst', null)).toBe('');
    expect(inputsOf({ queue_length: 0 })).toEqual({ ...empty, queue_length: '0' });
  });

  it('read whole numbers (digits grouped or not), MiB with decimals, and empty as “follow the plan”', () => {
    expect(parseLimit('requests_per_second', '1,200')).toEqual({ value: 1200 });
    expect(parseLimit('events_per_month', ' 5 000 000 ')).toEqual({ value: 5_000_000 });
    expect(parseLimit('queue_length', '0')).toEqual({ value: 0 });
    expect(parseLimit('storage_bytes', '1.5')).toEqual({ value: 1.5 * MIB });
    expect(parseLimit('storage_bytes', '2048')).toEqual({ value: 2048 * MIB });
    expect(parseLimit('burst', '')).toEqual({ value: null });
    expect(parseLimit('burst', '   ')).toEqual({ value: null });
  });

  it('refuse what the server could not read as the field: signs, decimals, letters, numbers wider than it', () => {
    expect(parseLimit('max_connections', '-1')).toEqual({ error: 'whole_number' });
    expect(parseLimit('max_connections', '2.5')).toEqual({ error: 'whole_number' });
    expect(parseLimit('burst', 'lots')).toEqual({ error: 'whole_number' });
    expect(parseLimit('storage_bytes', '5 GiB')).toEqual({ error: 'mib' });
    expect(parseLimit('max_connections', '4294967296')).toEqual({ error: 'too_large' });
    expect(parseLimit('max_connections', '4294967295')).toEqual({ value: 4294967295 });
    expect(parseLimit('storage_bytes', '99999999999')).toEqual({ error: 'too_large' });
  });

  it('make the complete set of overrides, with every unreadable field named as the server names it', () => {
    expect(readOverrides({ ...empty, max_connections: '6', storage_bytes: '512' })).toEqual({ overrides: { max_connections: 6, storage_bytes: 512 * MIB }, errors: [] });
    expect(readOverrides(empty)).toEqual({ overrides: {}, errors: [] });
    const bad = readOverrides({ ...empty, burst: 'x', storage_bytes: '1,5,a' });
    expect(bad.errors.map((e) => [e.field, e.code])).toEqual([
      ['limits.burst', 'whole_number'],
      ['limits.storage_bytes', 'mib'],
    ]);
  });

  it('compare overrides field by field, absent and null alike', () => {
    expect(sameOverrides({ burst: 10 }, { burst: 10, queue_length: null })).toBe(true);
    expect(sameOverrides({ burst: 10 }, {})).toBe(false);
  });

  it('format values for reading: sizes in binary units, counts grouped', () => {
    expect(fmtLimit('storage_bytes', 100 * MIB)).toBe('100 MiB');
    expect(fmtLimit('storage_bytes', 50 * 1024 * MIB)).toBe('50 GiB');
    expect(fmtLimit('events_per_month', 5_000_000)).toBe('5,000,000');
  });

  it('say the server’s range in the field’s own terms, in the reader’s language', async () => {
    const range = (field: string, min: number, max: number) => new ApiError(422, 'validation_failed', 'x', [{ field, code: 'range', message: 'must be between', params: { min, max } }]);
    expect(limitError(i18n.t, range('limits.max_connections', 1, 64), 'max_connections')).toBe('Enter a number from 1 to 64.');
    expect(limitError(i18n.t, range('limits.max_connections', 1, 64), 'burst')).toBeUndefined();
    expect(limitError(i18n.t, range('limits.storage_bytes', MIB, 2 ** 50), 'storage_bytes')).toBe('Enter a size from 1 MiB to 1 PiB, in MiB.');
    const unreadable = new ApiError(0, 'validation_failed', 'x', readOverrides({ ...empty, burst: 'x' }).errors);
    expect(limitError(i18n.t, unreadable, 'burst')).toBe('Enter a whole number, like 100.');
    await i18n.changeLanguage('zh-CN');
    expect(limitError(i18n.t, range('limits.events_per_month', 0, 1_000_000), 'events_per_month')).toBe(i18n.t('fieldErrors.range', { min: '0', max: '1,000,000' }));
    expect(limitError(i18n.t, unreadable, 'burst')).toBe('请输入整数，例如 100。');
  });
});
