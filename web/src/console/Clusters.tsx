import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { del, patch, post } from '../api/client';
import { useAction } from '../data';
import { fmtBytes, fmtNumber } from '../format';
import { invalidate } from '../query';
import type { Cluster } from '../types';
import { requireFields } from '../ui/errors';
import { Field, FormError, useFieldError } from '../ui/forms';
import { List } from '../ui/List';
import { Row } from '../ui/Table';

const refresh = () => invalidate('/v1/clusters');

/// The PostgreSQL clusters tenants are placed on (docs/scale-out.md): home (`local`)
/// first. Draining stops new placements; removing forgets an empty cluster. URLs are
/// shown as the references the registry holds, never as URLs.
export function Clusters() {
  const { t } = useTranslation();
  return (
    <section aria-labelledby="clusters-title">
      <h1 id="clusters-title">{t('titles.clusters')}</h1>
      <p>{t('clusters.explain')}</p>
      <AddCluster />
      <List<Cluster>
        path="/v1/clusters"
        head={[t('clusters.col.cluster'), t('clusters.col.state'), t('clusters.col.tenants'), t('clusters.col.size'), t('clusters.col.urls'), t('clusters.col.actions')]}
        what={t('clusters.what')}
        empty={t('clusters.empty')}
        rowKey={(c) => c.name}
      >
        {(items) => items.map((c) => <ClusterRow key={c.name} cluster={c} />)}
      </List>
    </section>
  );
}

function ClusterRow({ cluster: c }: { cluster: Cluster }) {
  const { t } = useTranslation();
  const action = useAction();
  const home = c.name === 'local';
  const act = (verb: 'drain' | 'open') => () => void action.run(() => post(`/v1/clusters/${c.name}/${verb}`, {}).then(refresh));
  const remove = () => void action.run(() => del(`/v1/clusters/${c.name}`).then(refresh));
  // Set before a transaction-mode pooler goes in front of the cluster (docs/scale-out.md).
  const statements = () =>
    void action.run(() => patch(`/v1/clusters/${c.name}`, { prepared_statements: !c.prepared_statements }).then(refresh));
  const limit = c.dedicated ? t('clusters.dedicated') : c.max_tenants != null ? fmtNumber(c.max_tenants) : t('clusters.noLimit');
  const badge = c.state === 'open' ? 'active' : c.state === 'draining' ? 'suspended' : 'failed';
  return (
    <Row
      data-cluster={c.name}
      cells={[
        <>
          <code>{c.name}</code>
          {home && <div>{t('clusters.home')}</div>}
        </>,
        <span className={`badge ${badge}`}>{t(`clusters.state.${c.state}`)}</span>,
        t('clusters.tenantsOf', { n: fmtNumber(c.tenants), max: limit }),
        fmtBytes(c.bytes),
        home ? (
          t('clusters.configured')
        ) : (
          <>
            <div>
              <code>{c.control_url_ref}</code>
            </div>
            <div>
              <code>{c.api_url_ref}</code>
            </div>
            {!c.prepared_statements && <div className="hint">{t('clusters.behindPooler')}</div>}
          </>
        ),
      ]}
    >
      <td className="actions">
        {c.state === 'open' && (
          <button className="secondary" disabled={action.busy} onClick={act('drain')}>
            {t('clusters.drain')}
          </button>
        )}
        {c.state === 'draining' && (
          <button className="secondary" disabled={action.busy} onClick={act('open')}>
            {t('clusters.open')}
          </button>
        )}
        {!home && c.state !== 'closed' && (
          <button className="secondary" disabled={action.busy} onClick={statements}>
            {c.prepared_statements ? t('clusters.putBehindPooler') : t('clusters.noPooler')}
          </button>
        )}
        {!home && c.state !== 'closed' && (
          <button className="danger" disabled={action.busy || c.tenants > 0} onClick={remove}>
            {t('clusters.remove')}
          </button>
        )}
        <FormError error={action.error} />
      </td>
    </Row>
  );
}

const FIELDS = [
  ['name', 'clusters.name', 'eu1'],
  ['control_url_ref', 'clusters.controlRef', 'env:ATRIUM_CLUSTER_EU1_CONTROL_URL'],
  ['api_url_ref', 'clusters.apiRef', 'file:/run/secrets/eu1-api-url'],
  ['max_tenants', 'clusters.maxTenants', '20000'],
] as const;
type Draft = Record<(typeof FIELDS)[number][0], string>;
const EMPTY: Draft = { name: '', control_url_ref: '', api_url_ref: '', max_tenants: '' };

/// Registers a cluster bootstrapped beforehand (`atrium bootstrap` with its URLs).
function AddCluster() {
  const { t } = useTranslation();
  const [draft, setDraft] = useState(EMPTY);
  const [dedicated, setDedicated] = useState(false);
  const [pooled, setPooled] = useState(false);
  const action = useAction();
  const fieldError = useFieldError(action.error);
  const save = async () => {
    requireFields({ name: draft.name, control_url_ref: draft.control_url_ref, api_url_ref: draft.api_url_ref });
    const max = draft.max_tenants.trim();
    await post('/v1/clusters', { ...draft, max_tenants: max ? Number(max) : undefined, dedicated, prepared_statements: !pooled });
    setDraft(EMPTY);
    setDedicated(false);
    setPooled(false);
    await refresh();
  };
  return (
    <form className="inline-form" onSubmit={action.submit(save)} aria-label={t('clusters.formLabel')} noValidate>
      {FIELDS.map(([name, label, placeholder]) => (
        <Field
          key={name}
          id={`cluster-${name}`}
          label={t(label)}
          placeholder={placeholder}
          inputMode={name === 'max_tenants' ? 'numeric' : undefined}
          value={draft[name]}
          onChange={(e) => setDraft({ ...draft, [name]: e.target.value })}
          error={fieldError(name)}
        />
      ))}
      <label className="toggle">
        <input type="checkbox" checked={dedicated} onChange={(e) => setDedicated(e.target.checked)} />{' '}
        {t('clusters.dedicatedOne')}
      </label>
      <label className="toggle">
        <input type="checkbox" checked={pooled} onChange={(e) => setPooled(e.target.checked)} />{' '}
        {t('clusters.pooledOne')}
      </label>
      <button type="submit" disabled={action.busy}>
        {action.busy ? t('clusters.adding') : t('clusters.add')}
      </button>
      <FormError error={action.error} shownOn={FIELDS.map(([name]) => name)} />
    </form>
  );
}
