// A live tenant's name, plan and limit overrides, changed with PATCH /v1/tenants/{slug}
// (audited as tenant.update). Only what changed is sent; `limits`, when sent, is the
// complete set of overrides (an emptied input is an override removed), as the API takes it.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, patch } from '../api/client';
import { useAction } from '../data';
import { requireFields } from '../ui/errors';
import { Field, FormError, SelectField, useFieldError } from '../ui/forms';
import type { TenantDetail } from './controlTypes';
import { inputsOf, LIMIT_FIELDS, readOverrides, sameOverrides, type LimitInputs } from './limits';
import { PLANS } from './plans';
import { TenantLimits } from './TenantLimits';

const SHOWN_ON = ['display_name', 'plan', ...LIMIT_FIELDS.map((f) => `limits.${f}`)];

export function TenantSettings({ tenant, onSaved }: { tenant: TenantDetail; onSaved: () => void }) {
  const { t } = useTranslation();
  const [name, setName] = useState(tenant.display_name);
  const [plan, setPlan] = useState<string>(tenant.plan);
  const [inputs, setInputs] = useState<LimitInputs>(() => inputsOf(tenant.limit_overrides));
  const [saved, setSaved] = useState(false);
  const action = useAction();
  const fieldError = useFieldError(action.error);
  const save = async () => {
    setSaved(false);
    requireFields({ display_name: name });
    const { overrides, errors } = readOverrides(inputs);
    if (errors.length) throw new ApiError(0, 'validation_failed', 'Some limits need attention.', errors);
    const change = {
      display_name: name.trim() !== tenant.display_name ? name.trim() : undefined,
      plan: plan !== tenant.plan ? plan : undefined,
      limits: sameOverrides(overrides, tenant.limit_overrides) ? undefined : overrides,
    };
    if (Object.values(change).some((v) => v !== undefined)) {
      await patch(`/v1/tenants/${tenant.slug}`, change);
      onSaved();
    }
    // As the server has them: "1,000" reads back as 1000, storage in whole MiB.
    setInputs(inputsOf(overrides));
    setSaved(true);
  };
  return (
    <form className="panel" aria-labelledby="tenant-settings" onSubmit={action.submit(save)} noValidate>
      <h2 id="tenant-settings">{t('tenantDetail.settings')}</h2>
      <Field id="tenant-name" label={t('tenants.displayName')} value={name} maxLength={200} onChange={(e) => setName(e.target.value)} error={fieldError('display_name')} />
      <SelectField id="tenant-plan-change" label={t('tenants.plan')} value={plan} onChange={(e) => setPlan(e.target.value)} options={PLANS.map((p) => [p, t(`plans.${p}`)] as const)} error={fieldError('plan')} />
      <TenantLimits planLimits={tenant.plan_limits} planChanged={plan !== tenant.plan} plan={plan} inputs={inputs} onChange={(f, text) => setInputs((old) => ({ ...old, [f]: text }))} error={action.error} />
      <button type="submit" disabled={action.busy}>
        {t('tenantDetail.save')}
      </button>
      <FormError error={action.error} shownOn={SHOWN_ON} />
      {saved && !action.error && <p role="status">{t('tenantDetail.saved')}</p>}
    </form>
  );
}
