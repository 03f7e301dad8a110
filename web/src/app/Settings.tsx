// The tenant's settings: the currency new deals and orders are in, and the time zone
// days are counted and dates shown in. Everyone reads them; admins change them (with
// If-Match, so two admins can't overwrite each other unseen).
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { components } from '../api/tenant.gen';
import { patch } from '../api/client';
import { useAction } from '../data';
import { i18n } from '../i18n';
import { invalidate, useApi } from '../query';
import type { User } from '../types';
import { Field, FormError, SelectField, useFieldError } from '../ui/forms';
import { Loaded } from '../ui/states';

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
        {(s) => (me.role === 'admin' ? <SettingsForm slug={slug} settings={s} /> : <SettingsView settings={s} />)}
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
  const [saved, setSaved] = useState(false);
  const action = useAction();
  const fieldError = useFieldError(action.error);
  const save = async () => {
    setSaved(false);
    await patch(`/v1/t/${slug}/settings`, { currency, timezone: timezone.trim() }, `"${settings.version}"`);
    setSaved(true);
    // Everything shown in the tenant's currency or zone follows.
    await invalidate(`/v1/t/${slug}/`);
  };
  const codes = Object.keys(settings.currency_digits).sort();
  return (
    <form className="panel" onSubmit={action.submit(save)} aria-labelledby="settings-title" noValidate>
      <SelectField id="settings-currency" label={t('settings.currency')} value={currency} onChange={(e) => setCurrency(e.target.value)} options={codes.map((c) => [c, currencyName(c)] as const)} aria-describedby="settings-currency-hint" />
      <p className="hint" id="settings-currency-hint">
        {t('settings.currencyHint')}
      </p>
      {fieldError('currency') && <p className="field-error">{fieldError('currency')}</p>}
      <Field id="settings-timezone" label={t('settings.timezone')} value={timezone} onChange={(e) => setTimezone(e.target.value)} list="settings-zones" autoComplete="off" error={fieldError('timezone')} />
      <datalist id="settings-zones">
        {ZONES.map((z) => (
          <option key={z} value={z} />
        ))}
      </datalist>
      <p className="hint">{t('settings.timezoneHint')}</p>
      <FormError error={action.error} shownOn={['currency', 'timezone']} />
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
