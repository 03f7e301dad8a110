// A tenant's API keys: issue one (its secret is shown once, here), revoke one (the data
// plane refuses it as soon as it hears, and there is no undo: so the row asks first).
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { del, post } from '../api/client';
import { useAction } from '../data';
import { fmtDate } from '../format';
import { useApi } from '../query';
import { requireFields } from '../ui/errors';
import { Field, FormError, useFieldError } from '../ui/forms';
import { Loaded } from '../ui/states';
import { Row, Table } from '../ui/Table';
import type { ApiKey, CreatedKey } from './controlTypes';

export function TenantKeys({ slug, onChange }: { slug: string; onChange: () => void }) {
  const { t } = useTranslation();
  const path = `/v1/tenants/${slug}/keys`;
  const keys = useApi<ApiKey[]>(path);
  const [name, setName] = useState('');
  const [secret, setSecret] = useState('');
  const action = useAction();
  const fieldError = useFieldError(action.error);
  const create = async () => {
    requireFields({ name });
    setSecret('');
    const k = await post<CreatedKey>(path, { name: name.trim() });
    setSecret(k.secret);
    setName('');
    onChange();
  };
  return (
    <section className="panel" aria-labelledby="tenant-keys">
      <h2 id="tenant-keys">{t('tenantDetail.keysTitle')}</h2>
      <form className="inline-form" aria-label={t('tenantDetail.newKey')} onSubmit={action.submit(create)} noValidate>
        <Field id="key-name" label={t('tenantDetail.keyName')} value={name} maxLength={100} onChange={(e) => setName(e.target.value)} error={fieldError('name')} />
        <button type="submit" disabled={action.busy}>
          {t('tenantDetail.createKey')}
        </button>
        <FormError error={action.error} shownOn={['name']} />
      </form>
      {secret && (
        <p role="status">
          {t('tenantDetail.secretHint')} <input className="invite-link" readOnly value={secret} aria-label={t('tenantDetail.secret')} onFocus={(e) => e.target.select()} />
        </p>
      )}
      <Loaded query={keys} what={t('tenantDetail.keysWhat')} isEmpty={(d) => d.length === 0} empty={t('tenantDetail.noKeys')}>
        {(d) => (
          <Table head={[t('tenantDetail.keyName'), t('tenantDetail.prefix'), t('tenantDetail.created'), t('tenantDetail.status'), t('tenants.col.actions')]} aria-label={t('tenantDetail.keysTitle')}>
            {d.map((k) => (
              <KeyRow key={k.id} slug={slug} k={k} onChange={onChange} />
            ))}
          </Table>
        )}
      </Loaded>
    </section>
  );
}

function KeyRow({ slug, k, onChange }: { slug: string; k: ApiKey; onChange: () => void }) {
  const { t } = useTranslation();
  const action = useAction();
  const [asking, setAsking] = useState(false);
  const revoke = () =>
    action.run(async () => {
      setAsking(false);
      await del(`/v1/tenants/${slug}/keys/${k.id}`);
      // onChange invalidates everything under /v1/tenants, this key list included.
      onChange();
    });
  return (
    <Row
      data-key={k.name}
      cells={[k.name, <code>{k.prefix}</code>, fmtDate(k.created_at), k.revoked_at ? <span className="badge failed">{t('tenantDetail.revokedOn', { date: fmtDate(k.revoked_at) })}</span> : <span className="badge active">{t('tenantDetail.keyActive')}</span>]}
    >
      <td className="actions">
        {!k.revoked_at && !asking && (
          <button type="button" className="danger" disabled={action.busy} aria-label={t('tenantDetail.revokeFor', { name: k.name })} onClick={() => setAsking(true)}>
            {t('tenantDetail.revoke')}
          </button>
        )}
        {!k.revoked_at && asking && (
          <div className="danger-zone" role="group" aria-label={t('tenantDetail.revokeTitle', { name: k.name })}>
            <p>{t('tenantDetail.revokeExplain', { name: k.name })}</p>
            <button type="button" className="danger" disabled={action.busy} onClick={() => void revoke()} autoFocus>
              {t('tenantDetail.revokeConfirm', { name: k.name })}
            </button>
            <button type="button" className="secondary" onClick={() => setAsking(false)}>
              {t('common.cancel')}
            </button>
          </div>
        )}
        <FormError error={action.error} />
      </td>
    </Row>
  );
}
