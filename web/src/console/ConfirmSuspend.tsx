import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { post } from '../api/client';
import { useAction } from '../data';
import { Field, FormError, useFieldError } from '../ui/forms';

/// Suspending stops a tenant's users mid-work, so the operator says why: the reason goes
/// to the audit log (never to the tenant's users, who see a "suspended" page).
export function ConfirmSuspend({ slug, onClose, onSuspended }: { slug: string; onClose: () => void; onSuspended: () => void }) {
  const { t } = useTranslation();
  const [reason, setReason] = useState('');
  const [missing, setMissing] = useState(false);
  const action = useAction();
  const fieldError = useFieldError(action.error);
  const suspend = async () => {
    if (!reason.trim()) {
      setMissing(true);
      return;
    }
    await post(`/v1/tenants/${slug}/suspend`, { reason: reason.trim() });
    onSuspended();
  };
  return (
    <form className="panel" onSubmit={action.submit(suspend)} aria-label={t('tenants.suspendTitle', { slug })} noValidate>
      <p>{t('tenants.suspendExplain')}</p>
      <Field
        id={`suspend-${slug}`}
        label={t('tenants.suspendReason')}
        value={reason}
        maxLength={500}
        onChange={(e) => {
          setReason(e.target.value);
          setMissing(false);
        }}
        error={missing ? t('fieldErrors.required') : fieldError('reason')}
        autoFocus
      />
      <button type="submit" disabled={action.busy}>
        {t('tenants.suspendButton', { slug })}
      </button>
      <button type="button" className="secondary" onClick={onClose}>
        {t('common.cancel')}
      </button>
      <FormError error={action.error} shownOn={['reason']} />
    </form>
  );
}
