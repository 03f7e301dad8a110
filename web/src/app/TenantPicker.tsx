import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { LanguageSwitch } from '../i18n/LanguageSwitch';
import { href } from '../routes';
import { navigate } from '../router';
import { Field } from '../ui/forms';
import { usePageTitle } from '../ui/title';

// The product's name, the same in every language.
const BRAND = 'Atrium';

/// The front door at /app: which tenant's app to open.
export function TenantPicker() {
  const { t } = useTranslation();
  const [slug, setSlug] = useState('');
  const [error, setError] = useState('');
  usePageTitle({ name: 'picker', params: {} }, BRAND);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!/^[a-z][a-z0-9_]{2,39}$/.test(slug)) {
      setError(t('picker.rule'));
      return;
    }
    navigate(href('home', { slug }));
  };
  return (
    <main className="signin" id="main">
      <form onSubmit={submit} aria-labelledby="pick-title" noValidate>
        <div className="signin-top">
          <LanguageSwitch />
        </div>
        <h1 id="pick-title">{BRAND}</h1>
        <Field id="slug" label={t('picker.workspace')} value={slug} onChange={(e) => setSlug(e.target.value.trim())} error={error || undefined} placeholder="acme" autoFocus />
        <button type="submit">{t('picker.continue')}</button>
      </form>
    </main>
  );
}
