// A tenant's limits as the console edits them: the fields, the unit each is typed in
// (storage in MiB, the rest as whole numbers) and the overrides a form's text becomes.
// The ranges stay the server's (Limits::RANGES in atrium-core): it answers 422 `range`
// naming `limits.<field>`, which is shown on that field. Only what the server could not
// even read as the field (not a number, wider than its integer) is refused here.
import type { TFunction } from 'i18next';
import type { FieldError, ApiError } from '../api/client';
import { fmtBytes, fmtNumber } from '../format';
import { fieldMessage } from '../ui/errors';
import type { LimitOverrides, Limits } from './controlTypes';

export const LIMIT_FIELDS = ['max_connections', 'queue_length', 'requests_per_second', 'burst', 'db_ms_per_minute', 'storage_bytes', 'events_per_month'] as const satisfies readonly (keyof Limits)[];
export type LimitField = (typeof LIMIT_FIELDS)[number];

/// What each input holds, by field: its text as typed.
export type LimitInputs = Record<LimitField, string>;

const MIB = 1024 ** 2;
// The server reads these five as u32; storage and events as u64, which JavaScript
// numbers hold exactly only up to 2^53.
const U32_MAX = 2 ** 32 - 1;
const maxOf = (f: LimitField) => (f === 'storage_bytes' || f === 'events_per_month' ? Number.MAX_SAFE_INTEGER : U32_MAX);

/// A value as its input shows it: storage in MiB (two decimals at most), the rest as is.
export function toInput(field: LimitField, value: number | null | undefined): string {
  if (value == null) return '';
  return field === 'storage_bytes' ? String(Math.round((value / MIB) * 100) / 100) : String(value);
}

/// The inputs for a tenant's overrides: empty where it follows the plan.
export function inputsOf(overrides: LimitOverrides): LimitInputs {
  return Object.fromEntries(LIMIT_FIELDS.map((f) => [f, toInput(f, overrides[f])])) as LimitInputs;
}

/// One input's text as the API's value: `null` when empty (follows the plan), or the
/// rule it breaks. Spaces, commas and underscores group digits and are ignored.
export function parseLimit(field: LimitField, text: string): { value: number | null } | { error: 'whole_number' | 'mib' | 'too_large' } {
  const s = text.replace(/[\s,_]/g, '');
  if (s === '') return { value: null };
  if (field === 'storage_bytes') {
    if (!/^\d+(\.\d+)?$/.test(s)) return { error: 'mib' };
    const bytes = Math.round(Number(s) * MIB);
    return bytes > maxOf(field) ? { error: 'too_large' } : { value: bytes };
  }
  if (!/^\d+$/.test(s)) return { error: 'whole_number' };
  const n = Number(s);
  return n > maxOf(field) ? { error: 'too_large' } : { value: n };
}

/// The complete set of overrides the inputs make, or the fields that can't be read,
/// named as the server names them (`limits.<field>`).
export function readOverrides(inputs: LimitInputs): { overrides: LimitOverrides; errors: FieldError[] } {
  const overrides: LimitOverrides = {};
  const errors: FieldError[] = [];
  for (const f of LIMIT_FIELDS) {
    const r = parseLimit(f, inputs[f]);
    if ('error' in r) errors.push({ field: `limits.${f}`, code: r.error, message: r.error });
    else if (r.value !== null) overrides[f] = r.value;
  }
  return { overrides, errors };
}

/// Whether two sets of overrides set the same fields to the same values.
export function sameOverrides(a: LimitOverrides, b: LimitOverrides): boolean {
  return LIMIT_FIELDS.every((f) => (a[f] ?? null) === (b[f] ?? null));
}

/// A limit's value for reading: sizes in binary units, the rest grouped.
export function fmtLimit(field: LimitField, value: number): string {
  return field === 'storage_bytes' ? fmtBytes(value) : fmtNumber(value);
}

/// The message for a limit's input, if the failed save named it: the server's range in
/// the field's own terms (sizes as sizes), this module's rules in words.
export function limitError(t: TFunction, error: ApiError | null, field: LimitField): string | undefined {
  const e = error?.errors.find((x) => x.field === `limits.${field}`);
  if (!e) return undefined;
  if (e.code === 'range' && e.params?.min != null && e.params.max != null) {
    const [min, max] = [fmtLimit(field, Number(e.params.min)), fmtLimit(field, Number(e.params.max))];
    return field === 'storage_bytes' ? t('limits.sizeRange', { min, max }) : t('fieldErrors.range', { min, max });
  }
  if (e.code === 'whole_number' || e.code === 'mib' || e.code === 'too_large') return t(`limits.errors.${e.code}`);
  return fieldMessage(t, e);
}
