// Form parts. Errors are tied to their inputs (aria-invalid, aria-describedby) and
// announced through a live region, so screen readers hear them; they are shown in the
// user's language (errors.ts).
import { useState, type InputHTMLAttributes, type SelectHTMLAttributes } from 'react';
import { useTranslation } from 'react-i18next';
import type { ApiError } from '../api/client';
import { errorMessage, fieldMessage } from './errors';

/// `hint` is shown under the input and read with it (the unit, what empty means).
export function Field({ label, error, hint, id, ...input }: { label: string; error?: string; hint?: string; id: string } & InputHTMLAttributes<HTMLInputElement>) {
  const describedBy = [...new Set([input['aria-describedby'], hint && `${id}-hint`, error && `${id}-error`].filter(Boolean))].join(' ') || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} {...input} aria-invalid={error ? true : undefined} aria-describedby={describedBy} />
      {hint && (
        <span id={`${id}-hint`} className="hint">
          {hint}
        </span>
      )}
      {error && (
        <span id={`${id}-error`} className="field-error">
          {error}
        </span>
      )}
    </div>
  );
}

/// Options are [value, label] pairs.
export type Options = readonly (readonly [string, string])[];

export function SelectField({ label, id, options, error, ...select }: { label: string; id: string; options: Options; error?: string } & SelectHTMLAttributes<HTMLSelectElement>) {
  const describedBy = [select['aria-describedby'], error && `${id}-error`].filter(Boolean).join(' ') || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} {...select} aria-invalid={error ? true : undefined} aria-describedby={describedBy}>
        {options.map(([value, text]) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
      </select>
      {error && (
        <span id={`${id}-error`} className="field-error">
          {error}
        </span>
      )}
    </div>
  );
}

/// The translated message for one field of a failed request, if it named that field.
export function useFieldError(error: ApiError | null) {
  const { t } = useTranslation();
  return (name: string) => {
    const e = error?.fieldError(name);
    return e ? fieldMessage(t, e) : undefined;
  };
}

/// One announced message for the whole form: screen readers read it when it appears.
/// An error the server tied to one of `shownOn` is already shown by that field.
export function FormError({ error, shownOn = [] }: { error?: ApiError | string | null; shownOn?: string[] }) {
  const { t } = useTranslation();
  const onField = typeof error === 'object' && error !== null && (error.errors.length > 0 ? error.errors.every((e) => shownOn.some((f) => error.fieldError(f) === e)) : false);
  const text = !error || onField ? undefined : errorMessage(t, error);
  return (
    <div role="alert" aria-live="assertive" className={text ? 'form-error' : 'form-error empty'}>
      {text ?? ''}
    </div>
  );
}

/// A link to hand over by whatever channel the team uses (Atrium sends no email): an
/// invite or a password reset. Focusing it selects it; Copy puts it on the clipboard and
/// says so.
export function CopyLink({ link, label, hint, className }: { link: string; label: string; hint: string; className?: string }) {
  const { t } = useTranslation();
  // Which link the last Copy was for, and whether it reached the clipboard.
  const [copied, setCopied] = useState<{ link: string; ok: boolean } | null>(null);
  if (!link) return null;
  const copy = async (input: HTMLInputElement | null) => {
    let ok = true;
    try {
      await navigator.clipboard.writeText(link);
    } catch {
      // No clipboard API (a page not served over HTTPS): the older way, on the selection,
      // which stays selected for copying by hand if that fails too.
      input?.focus();
      input?.select();
      try {
        ok = document.execCommand('copy');
      } catch {
        ok = false;
      }
    }
    setCopied({ link, ok });
  };
  const result = copied?.link === link ? copied.ok : undefined;
  return (
    <div role="status" className={className ? `copy-link ${className}` : 'copy-link'}>
      <span>{hint}</span>
      <span className="copy-row">
        <input className="invite-link" readOnly value={link} aria-label={label} onFocus={(e) => e.target.select()} />
        <button type="button" className="secondary" onClick={(e) => void copy(e.currentTarget.previousElementSibling as HTMLInputElement | null)}>
          {result ? t('invite.copied') : t('invite.copy')}
        </button>
      </span>
      {result === false && <span className="field-error">{t('invite.copyFailed')}</span>}
    </div>
  );
}

/// An invite link, shown once after it is made.
export function InviteLink({ link, className }: { link: string; className?: string }) {
  const { t } = useTranslation();
  return <CopyLink link={link} className={className} label={t('invite.link')} hint={t('invite.linkHint')} />;
}
