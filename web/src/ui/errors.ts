// Errors in the user's language: the server's stable codes are translated here, with
// the server's English as the fallback for codes this app doesn't know yet.
import type { TFunction } from 'i18next';
import { ApiError, type FieldError } from '../api/client';
import { i18n } from '../i18n';

/// "must be 1 to 200 characters" → "Must be 1 to 200 characters."
export function sentence(s: string): string {
  const t = s.trim();
  if (!t) return t;
  const first = t[0].toUpperCase() + t.slice(1);
  return /[.!?。！？]$/.test(first) ? first : `${first}.`;
}

export function fieldMessage(t: TFunction, e: FieldError): string {
  const key = `fieldErrors.${e.code ?? 'invalid'}`;
  if (e.code && e.code !== 'invalid' && i18n.exists(key)) return t(key, e.params ?? {});
  return sentence(e.message);
}

export function errorMessage(t: TFunction, e: ApiError | string): string {
  if (typeof e === 'string') return e;
  if (i18n.exists(`errors.${e.code}`)) return t(`errors.${e.code}`);
  if (e.status === 0) return sentence(e.detail);
  return sentence(e.detail || t('errors.error'));
}

/// Checks done before anything is sent: every named field must have a value. Throws
/// the same shape the server answers with, so one path shows both.
export function requireFields(values: Record<string, string>): void {
  const errors = Object.entries(values)
    .filter(([, v]) => v.trim() === '')
    .map(([field]) => ({ field, code: 'required', message: 'is required' }));
  if (errors.length) throw new ApiError(0, 'validation_failed', 'Fill in the required fields.', errors);
}
