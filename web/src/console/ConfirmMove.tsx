import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { post } from '../api/client';
import { useAction } from '../data';
import { useApi } from '../query';
import type { Cluster, Move, Page, Tenant } from '../types';
import { FormError } from '../ui/forms';

/// A move copies the tenant's rows to the other tier, or to another PostgreSQL cluster,
/// while it keeps working, then holds its requests for a moment while the placement
/// flips: the operator confirms knowing that, and follows it phase by phase
/// (docs/isolation-tiers.md, docs/scale-out.md).
export function ConfirmMove({ tenant, onClose, onMoved }: { tenant: Tenant; onClose: () => void; onMoved: () => void }) {
  const { t } = useTranslation();
  const action = useAction();
  const other = tenant.tier === 'pooled' ? 'schema' : 'pooled';
  const tier = t(`tiers.${other}`);
  // Only the schema tier moves between clusters; only home's tenants move between tiers.
  const clusters = useApi<Page<Cluster>>(tenant.tier === 'schema' ? '/v1/clusters' : null);
  // A dedicated cluster takes one tenant: an empty one is a database of its own.
  const targets = (clusters.data?.items ?? []).filter((c) => c.state === 'open' && c.name !== tenant.cluster_id && !(c.dedicated && c.tenants > 0));
  const [to, setTo] = useState('');
  // While the move runs (its request answers once it is over), its phase as recorded:
  // the newest move, while it is under way.
  const moves = useApi<Page<Move>>(action.busy ? `/v1/tenants/${tenant.slug}/moves` : null, { refetchInterval: () => 400 });
  const newest = moves.data?.items[0];
  const current = newest?.state === 'copying' ? newest : undefined;
  const move = async () => {
    await post(`/v1/tenants/${tenant.slug}/moves`, to ? { cluster: to } : { tier: other });
    onMoved();
  };
  const home = tenant.cluster_id === 'local';
  const label = to ? t('tenants.moveToCluster', { cluster: to }) : home ? t('tenants.moveButton', { tier }) : t('tenants.moveChoose');
  return (
    <form
      className="panel"
      onSubmit={action.submit(move)}
      aria-label={t('tenants.moveTitle', { slug: tenant.slug, tier: home ? tier : t('tenants.anotherCluster') })}
    >
      <p>{to ? t('tenants.moveClusterExplain', { cluster: to }) : t('tenants.moveExplain', { tier })}</p>
      {targets.length > 0 && (
        <label>
          {t('tenants.moveWhere')}{' '}
          <select value={to} onChange={(e) => setTo(e.target.value)} disabled={action.busy}>
            <option value="">{home ? t('tenants.moveToTier', { tier }) : t('tenants.moveChoose')}</option>
            {targets.map((c) => (
              <option key={c.name} value={c.name}>
                {t('tenants.moveToCluster', { cluster: c.name })}
              </option>
            ))}
          </select>
        </label>
      )}
      <button type="submit" disabled={action.busy || (!to && !home)}>
        {action.busy ? t('tenants.moving') : label}
      </button>
      <button type="button" className="secondary" onClick={onClose} disabled={action.busy}>
        {t('common.cancel')}
      </button>
      {action.busy && current && (
        <p role="status" data-move-phase={current.phase}>
          {t(`tenants.movePhase.${current.phase}`, { defaultValue: current.phase })}
        </p>
      )}
      <FormError error={action.error} />
    </form>
  );
}
