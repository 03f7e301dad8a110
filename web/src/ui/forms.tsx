// Form parts. Errors are tied to their inputs (aria-invalid, aria-describedby) and
// announced through a live region, so screen readers hear them.
import type { InputHTMLAttributes, SelectHTMLAttributes } from 'react';
import type { ApiError } from '../api';

export function Field({ label, error, id, ...input }: { label: string; error?: string; id: string } & InputHTMLAttributes<HTMLInputElement>) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} aria-invalid={error ? true : undefined} aria-describedby={error ? `${id}-error` : undefined} {...input} />
      {error && (
        <span id={`${id}-error`} className="field-error">
          {error}
        </span>
      )}
    </div>
  );
}

/// Options are values, or [value, label] pairs where they read differently.
export type Options = readonly (string | readonly [string, string])[];

export function SelectField({ label, id, options, ...select }: { label: string; id: string; options: Options } & SelectHTMLAttributes<HTMLSelectElement>) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} {...select}>
        {options.map((o) => {
          const [value, text] = typeof o === 'string' ? [o, o] : o;
          return (
            <option key={value} value={value}>
              {text}
            </option>
          );
        })}
      </select>
    </div>
  );
}

/// One announced message for the whole form: screen readers read it when it appears.
/// An error the server tied to one of `shownOn` is already shown by that field.
export function FormError({ error, shownOn = [] }: { error?: ApiError | string | null; shownOn?: string[] }) {
  const onField = typeof error === 'object' && error !== null && shownOn.some((f) => error.field(f));
  const text = onField ? undefined : typeof error === 'string' ? error : error?.detail;
  return (
    <div role="alert" aria-live="assertive" className={text ? 'form-error' : 'form-error empty'}>
      {text ?? ''}
    </div>
  );
}

/// An invite link to hand over by whatever channel the team uses (Atrium sends no
/// email); focusing it selects it for copying.
export function InviteLink({ link, className }: { link: string; className?: string }) {
  if (!link) return null;
  return (
    <p role="status" className={className}>
      Send this link to the invitee (it works once, for 7 days): <input className="invite-link" readOnly value={link} aria-label="Invite link" onFocus={(e) => e.target.select()} />
    </p>
  );
}
