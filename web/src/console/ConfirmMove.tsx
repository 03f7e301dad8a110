import { useTranslation } from 'react-i18next';
import { post } from '../api/client';
import { useAction } from '../data';
import type { Tenant } from '../types';
import { FormError } from '../ui/forms';

/// A move copies the tenant's rows to the other tier while it keeps working, then holds
/// its requests for a moment while the placement flips: the operator confirms knowing
/// that, and sees how long the hold was.
export function ConfirmMove({ tenant, onClose, onMoved }: { tenant: Tenant; onClose: () => void; onMoved: () => void }) {
  const { t } = useTranslation();
  const action = useAction();
  const to = tenant.tier === 'pooled' ? 'schema' : 'pooled';
  const tier = t(`tiers.${to}`);
  const move = async () => {
    await post(`/v1/tenants/${tenant.slug}/moves`, { tier: to });
    onMoved();
  };
  return (
    <form className="panel" onSubmit={action.submit(move)} aria-label={t('tenants.moveTitle', { slug: tenant.slug, tier })}>
      <p>{t('tenants.moveExplain', { tier })}</p>
      <button type="submit" disabled={action.busy}>
        {action.busy ? t('tenants.moving') : t('tenants.moveButton', { tier })}
      </button>
      <button type="button" className="secondary" onClick={onClose} disabled={action.busy}>
        {t('common.cancel')}
      </button>
      <FormError error={action.error} />
    </form>
  );
}
