import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { post } from '../api/client';
import { useAction } from '../data';
import { useApi } from '../query';
import type { Cluster, ConsoleConfig, Page, Tenant } from '../types';
import { requireFields } from '../ui/errors';
import { Field, FormError, SelectField, useFieldError } from '../ui/forms';
import { PLANS, TIERS } from './plans';

/// `onStart` gets the slug as provisioning begins (it takes a few seconds); `onDone` is
/// called when it has ended, with the tenant when one was created. The slug's rules are
/// shown before anyone types (from the control plane's console config when it has come).
export function CreateTenant({ slugRules, onStart, onDone }: { slugRules?: ConsoleConfig['slug_rules']; onStart: (slug: string) => void; onDone: (created: Tenant | null) => void }) {
  const { t } = useTranslation();
  const [slug, setSlug] = useState('');
  const [name, setName] = useState('');
  const [plan, setPlan] = useState('free');
  // Empty: the plan's tier (free: pooled; pro and enterprise: a schema of its own).
  const [tier, setTier] = useState('');
  // Empty: placement's choice, the open cluster with the most room (docs/scale-out.md).
  const [cluster, setCluster] = useState('');
  // A dedicated cluster takes one tenant only.
  const clusters = (useApi<Page<Cluster>>('/v1/clusters').data?.items ?? []).filter((c) => c.state === 'open' && !(c.dedicated && c.tenants > 0));
  // The slug the last refusal was about: its message names it, not what is typed now.
  const [tried, setTried] = useState('');
  const action = useAction();
  const fieldError = useFieldError(action.error);
  const create = async () => {
    requireFields({ slug });
    setTried(slug);
    onStart(slug);
    let created: Tenant | null = null;
    try {
      created = await post<Tenant>('/v1/tenants', { slug, display_name: name || undefined, plan, tier: tier || undefined, cluster: cluster || undefined });
      setSlug('');
      setName('');
    } finally {
      onDone(created);
    }
  };
  const error = action.error;
  // These refusals have codes of their own; they belong on the slug field all the same.
  const slugError =
    error?.code === 'invalid_tenant_slug'
      ? t('tenants.slugRule')
      : error?.code === 'tenant_exists'
        ? t('tenants.exists', { slug: tried })
        : error?.code === 'slug_unavailable'
          ? t('tenants.slugUnavailable', { slug: tried })
          : fieldError('slug');
  const reserved = slugRules && t('tenants.slugReserved', { words: slugRules.reserved.join(', '), prefixes: slugRules.reserved_prefixes.join(', ') });
  return (
    <form className="inline-form" onSubmit={action.submit(create)} aria-label={t('tenants.create')} noValidate>
      <Field id="new-slug" label={t('tenants.slug')} value={slug} onChange={(e) => setSlug(e.target.value)} placeholder="acme" error={slugError} required aria-describedby={slugError ? 'new-slug-error' : 'new-slug-rule'} />
      <Field id="new-name" label={t('tenants.displayName')} value={name} onChange={(e) => setName(e.target.value)} placeholder="Acme Corporation" error={fieldError('display_name')} />
      <SelectField id="new-plan" label={t('tenants.plan')} value={plan} onChange={(e) => setPlan(e.target.value)} options={PLANS.map((p) => [p, t(`plans.${p}`)] as const)} />
      <SelectField id="new-tier" label={t('tenants.tier')} value={tier} onChange={(e) => setTier(e.target.value)} options={[['', t('tiers.byPlan')] as const, ...TIERS.map((v) => [v, t(`tiers.${v}`)] as const)]} />
      {clusters.length > 1 && (
        <SelectField
          id="new-cluster"
          label={t('tenants.cluster')}
          value={cluster}
          onChange={(e) => setCluster(e.target.value)}
          options={[['', t('tenants.clusterByRoom')] as const, ...clusters.map((c) => [c.name, c.dedicated ? t('tenants.clusterDedicated', { name: c.name }) : c.name] as const)]}
          error={fieldError('cluster')}
        />
      )}
      <button type="submit" disabled={action.busy} data-track="create-tenant">
        {action.busy ? t('tenants.creating') : t('tenants.createButton')}
      </button>
      <p id="new-slug-rule" className="hint wide">
        {t('tenants.slugRule')} {reserved}
      </p>
      <FormError error={slugError ? null : error} shownOn={['slug', 'display_name', 'cluster']} />
    </form>
  );
}
