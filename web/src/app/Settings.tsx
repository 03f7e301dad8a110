// The tenant's settings: the currency new deals and orders are in, and the time zone
// days are counted and dates shown in. Everyone reads them; admins change them (with
// If-Match, so two admins can't overwrite each other unseen).
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { components } from '../api/tenant.gen';
import { i18n } from '../i18n';
import { useApi } from '../query';
import type { User } from '../types';
import { Field, FormError, SelectField, useFieldError } from '../ui/forms';
import { Loaded } from '../ui/states';
import { shownError, useRowEdit } from './crm';

type TenantSettings = components['schemas']['Settings'];

/// "CNY · Chinese Yuan" in the user's language, or the code alone where the browser has
/// no names.
function currencyName(code: string): string {
  try {
    const name = new Intl.DisplayNames([i18n.language], { type: 'currency' }).of(code);
    return name && name !== code ? `${code} · ${name}` : code;
  } catch {
    return code;
  }
}

/// Every zone the browser knows, offered as the user types (the server checks the name).
const ZONES: string[] = (() => {
  try {
    return (Intl as unknown as { supportedValuesOf: (k: string) => string[] }).supportedValuesOf('timeZone');
  } catch {
    return [];
  }
})();

export function Settings({ slug, me }: { slug: string; me: User }) {
  const { t } = useTranslation();
  const query = useApi<TenantSettings>(`/v1/t/${slug}/settings`);
  return (
    <section aria-labelledby="settings-title">
      <h1 id="settings-title">{t('titles.settings')}</h1>
      <Loaded query={query} what={t('settings.what')}>
        {(s) => (me.role === 'admin' ? <SettingsForm key={slug} slug={slug} settings={s} /> : <SettingsView settings={s} />)}
      </Loaded>
    </section>
  );
}

function SettingsView({ settings }: { settings: TenantSettings }) {
  const { t } = useTranslation();
  return (
    <div className="panel">
      <dl className="facts">
        <dt>{t('settings.currency')}</dt>
        <dd>{currencyName(settings.currency)}</dd>
        <dt>{t('settings.timezone')}</dt>
        <dd>{settings.timezone}</dd>
      </dl>
      <p className="hint">{t('settings.adminsOnly')}</p>
    </div>
  );
}

function SettingsForm({ slug, settings }: { slug: string; settings: TenantSettings }) {
  const { t } = useTranslation();
  const [currency, setCurrency] = useState(settings.currency);
  const [timezone, setTimezone] = useState(settings.timezone);
  // The version goes with the values the form was filled from (not with the live query,
  // which refetches on focus): a save over another admin's change is refused (412), and
  // the form is refilled with theirs.
  const { base, action, saved, save } = useRowEdit(`/v1/t/${slug}/settings`, settings, {
    fill: (s) => {
      setCurrency(s.currency);
      setTimezone(s.timezone);
    },
    // Everything shown in the tenant's currency or zone follows.
    touched: [`/v1/t/${slug}/`],
  });
  const fieldError = useFieldError(action.error);
  // Only what this admin changed, so a field they left alone is never written back.
  const changes = () => ({ ...(currency !== base.currency && { currency }), ...(timezone.trim() !== base.timezone && { timezone: timezone.trim() }) });
  const codes = Object.keys(settings.currency_digits).sort();
  return (
    <form className="panel" onSubmit={save(changes)} aria-labelledby="settings-title" noValidate>
      <SelectField id="settings-currency" label={t('settings.currency')} value={currency} onChange={(e) => setCurrency(e.target.value)} options={codes.map((c) => [c, currencyName(c)] as const)} aria-describedby="settings-currency-hint" error={fieldError('currency')} />
      <p className="hint" id="settings-currency-hint">
        {t('settings.currencyHint')}
      </p>
      <Field id="settings-timezone" label={t('settings.timezone')} value={timezone} onChange={(e) => setTimezone(e.target.value)} list="settings-zones" autoComplete="off" error={fieldError('timezone')} />
      <datalist id="settings-zones">
        {ZONES.map((z) => (
          <option key={z} value={z} />
        ))}
      </datalist>
      <p className="hint">{t('settings.timezoneHint')}</p>
      <FormError error={shownError(t, action.error)} shownOn={['currency', 'timezone']} />
      {saved && (
        <p className="status" role="status">
          {t('settings.saved')}
        </p>
      )}
      <button type="submit" disabled={action.busy}>
        {t('settings.save')}
      </button>
    </form>
  );
}
