// The limits part of a tenant's settings form: one input per limit, empty where the
// tenant follows its plan (the plan's value is the placeholder and the hint). While
// another plan is picked and not yet saved, its values are not known here, so the hint
// says the limit will follow that plan instead of showing the old plan's number.
import { useTranslation } from 'react-i18next';
import type { ApiError } from '../api/client';
import { Field } from '../ui/forms';
import type { Limits } from './controlTypes';
import { fmtLimit, LIMIT_FIELDS, limitError, toInput, type LimitField, type LimitInputs } from './limits';

export function TenantLimits({ planLimits, planChanged, plan, inputs, onChange, error }: { planLimits: Limits; planChanged: boolean; plan: string; inputs: LimitInputs; onChange: (field: LimitField, text: string) => void; error: ApiError | null }) {
  const { t } = useTranslation();
  const planName = t(`plans.${plan}`, { defaultValue: plan });
  return (
    <fieldset className="limits" data-testid="limits">
      <legend>{t('limits.title')}</legend>
      <p className="hint">{t('limits.explain')}</p>
      <div className="limits-grid">
        {LIMIT_FIELDS.map((f) => (
          <Field
            key={f}
            id={`limit-${f}`}
            label={t(`limits.fields.${f}`)}
            inputMode={f === 'storage_bytes' ? 'decimal' : 'numeric'}
            autoComplete="off"
            value={inputs[f]}
            placeholder={planChanged ? '' : toInput(f, planLimits[f])}
            onChange={(e) => onChange(f, e.target.value)}
            hint={planChanged ? t('limits.followsNewPlan', { plan: planName }) : t(f === 'storage_bytes' ? 'limits.planSize' : 'limits.plan', { value: fmtLimit(f, planLimits[f]) })}
            error={limitError(t, error, f)}
          />
        ))}
      </div>
    </fieldset>
  );
}
