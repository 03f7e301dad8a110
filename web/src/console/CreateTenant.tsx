import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { post } from '../api/client';
import { useAction } from '../data';
import type { Tenant } from '../types';
import { requireFields } from '../ui/errors';
import { Field, FormError, SelectField, useFieldError } from '../ui/forms';

const PLANS = ['free', 'pro', 'enterprise'];

/// `onStart` gets the slug as provisioning begins (it takes a few seconds); `onDone` is
/// called when it has ended, with the tenant when one was created.
export function CreateTenant({ onStart, onDone }: { onStart: (slug: string) => void; onDone: (created: Tenant | null) => void }) {
  const { t } = useTranslation();
  const [slug, setSlug] = useState('');
  const [name, setName] = useState('');
  const [plan, setPlan] = useState('free');
  const action = useAction();
  const fieldError = useFieldError(action.error);
  const create = async () => {
    requireFields({ slug });
    onStart(slug);
    let created: Tenant | null = null;
    try {
      created = await post<Tenant>('/v1/tenants', { slug, display_name: name || undefined, plan });
      setSlug('');
      setName('');
    } finally {
      onDone(created);
    }
  };
  const error = action.error;
  // The slug rule has its own error code; it belongs on the slug field all the same.
  const slugError = error?.code === 'invalid_tenant_slug' ? t('tenants.slugRule') : fieldError('slug');
  return (
    <form className="inline-form" onSubmit={action.submit(create)} aria-label={t('tenants.create')} noValidate>
      <Field id="new-slug" label={t('tenants.slug')} value={slug} onChange={(e) => setSlug(e.target.value)} placeholder="acme" error={slugError} required aria-describedby={slugError ? 'new-slug-error' : 'new-slug-rule'} />
      <Field id="new-name" label={t('tenants.displayName')} value={name} onChange={(e) => setName(e.target.value)} placeholder="Acme Corporation" error={fieldError('display_name')} />
      <SelectField id="new-plan" label={t('tenants.plan')} value={plan} onChange={(e) => setPlan(e.target.value)} options={PLANS.map((p) => [p, t(`plans.${p}`)] as const)} />
      <button type="submit" disabled={action.busy} data-track="create-tenant">
        {action.busy ? t('tenants.creating') : t('tenants.createButton')}
      </button>
      <p id="new-slug-rule" className="hint wide">
        {t('tenants.slugRule')}
      </p>
      <FormError error={slugError ? null : error} shownOn={['slug', 'display_name']} />
    </form>
  );
}
