// A customer's industry: suggestions are stored as stable keys (`software`), so the same
// industry is one value whatever language it was picked in, and shown in the reader's
// language; anything else the user types is kept and shown as typed.
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { Field } from '../ui/forms';

const INDUSTRIES = ['software', 'manufacturing', 'retail', 'finance', 'healthcare', 'education', 'logistics'] as const;

const isKey = (s: string): s is (typeof INDUSTRIES)[number] => (INDUSTRIES as readonly string[]).includes(s);

/// A stored industry in the reader's language.
export const industryText = (t: TFunction, stored: string) => (isKey(stored) ? t(`customers.industries.${stored}`) : stored);

/// What to store for what the user typed: the key of a suggestion it names (in the UI's
/// language, any case), else the text itself.
export function industryToStore(t: TFunction, typed: string) {
  const s = typed.trim().toLocaleLowerCase();
  return INDUSTRIES.find((k) => t(`customers.industries.${k}`).toLocaleLowerCase() === s) ?? typed;
}

/// The industry input with its suggestions; `value` is as shown (see `industryText`).
export function IndustryField({ id, value, onChange, error }: { id: string; value: string; onChange: (s: string) => void; error?: string }) {
  const { t } = useTranslation();
  return (
    <>
      <Field id={id} label={t('customers.industry')} value={value} onChange={(e) => onChange(e.target.value)} error={error} list={`${id}-suggestions`} />
      <datalist id={`${id}-suggestions`}>
        {INDUSTRIES.map((k) => (
          <option key={k} value={t(`customers.industries.${k}`)} />
        ))}
      </datalist>
    </>
  );
}
