// An amount and its currency, typed in the user's language ("1.234,50", "1,234.50").
// `toMinor` reads it when the form is sent: a refused amount becomes a field error in
// the same shape as the server's, so it shows on the field like theirs.
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client';
import { i18n } from '../i18n';
import { CURRENCIES } from '../money/currency';
import { parseMoney } from '../money/parse';
import { SelectField } from './forms';

export function toMinor(text: string, currency: string, field = 'amount_cents'): number {
  const r = parseMoney(text, i18n.language, currency);
  if (r.ok) return r.minor;
  throw new ApiError(0, 'validation_failed', 'The amount is not valid.', [{ field, code: `money_${r.error}`, message: r.error, params: { digits: r.digits, currency } }]);
}

export function MoneyInput({ id, label, value, onChange, currency, onCurrency, error }: { id: string; label: string; value: string; onChange: (v: string) => void; currency: string; onCurrency: (c: string) => void; error?: string }) {
  const { t } = useTranslation();
  const options = [...new Set([currency, ...CURRENCIES])].map((c) => [c, c] as const);
  return (
    <div className="money">
      <div className="field">
        <label htmlFor={id}>{label}</label>
        <input id={id} inputMode="decimal" autoComplete="off" value={value} onChange={(e) => onChange(e.target.value)} aria-invalid={error ? true : undefined} aria-describedby={error ? `${id}-error` : `${id}-hint`} />
        {error ? (
          <span id={`${id}-error`} className="field-error">
            {error}
          </span>
        ) : (
          <span id={`${id}-hint`} className="hint">
            {t('money.hint', { example: new Intl.NumberFormat(i18n.language, { minimumFractionDigits: 2 }).format(1234.5) })}
          </span>
        )}
      </div>
      <SelectField id={`${id}-currency`} label={t('money.currency')} value={currency} onChange={(e) => onCurrency(e.target.value)} options={options} />
    </div>
  );
}
