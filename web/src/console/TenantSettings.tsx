// A live tenant's name and plan, changed with PATCH /v1/tenants/{slug} (audited as
// tenant.update). Only what changed is sent.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { patch } from '../api/client';
import { useAction } from '../data';
import type { Tenant } from '../types';
import { requireFields } from '../ui/errors';
import { Field, FormError, SelectField, useFieldError } from '../ui/forms';
import { PLANS } from './plans';

export function TenantSettings({ tenant, onSaved }: { tenant: Tenant; onSaved: () => void }) {
  const { t } = useTranslation();
  const [name, setName] = useState(tenant.display_name);
  const [plan, setPlan] = useState<string>(tenant.plan);
  const [saved, setSaved] = useState(false);
  const action = useAction();
  const fieldError = useFieldError(action.error);
  const save = async () => {
    setSaved(false);
    requireFields({ display_name: name });
    const change = { display_name: name.trim() !== tenant.display_name ? name.trim() : undefined, plan: plan !== tenant.plan ? plan : undefined };
    if (change.display_name !== undefined || change.plan !== undefined) {
      await patch(`/v1/tenants/${tenant.slug}`, change);
      onSaved();
    }
    setSaved(true);
  };
  return (
    <form className="panel" aria-labelledby="tenant-settings" onSubmit={action.submit(save)} noValidate>
      <h2 id="tenant-settings">{t('tenantDetail.settings')}</h2>
      <Field id="tenant-name" label={t('tenants.displayName')} value={name} maxLength={200} onChange={(e) => setName(e.target.value)} error={fieldError('display_name')} />
      <SelectField id="tenant-plan-change" label={t('tenants.plan')} value={plan} onChange={(e) => setPlan(e.target.value)} options={PLANS.map((p) => [p, t(`plans.${p}`)] as const)} />
      <button type="submit" disabled={action.busy}>
        {t('tenantDetail.save')}
      </button>
      <FormError error={action.error} shownOn={['display_name', 'plan']} />
      {saved && !action.error && <p role="status">{t('tenantDetail.saved')}</p>}
    </form>
  );
}
