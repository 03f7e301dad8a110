import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { fmtDateTime } from '../format';
import type { AuditEntry } from '../types';
import { SelectField } from '../ui/forms';
import { List } from '../ui/List';
import { SearchBox } from '../ui/SearchBox';
import { Row } from '../ui/Table';
import { useDebounced } from '../ui/useDebounced';

export const AUDIT_ACTIONS = ['tenant.create', 'tenant.suspend', 'tenant.resume', 'tenant.delete', 'tenant.export', 'tenant.restore', 'tenant.restore_at', 'backup.run', 'tenant.migrate', 'tenant.user.invite', 'key.create', 'key.revoke', 'operator.sign_in', 'operator.sign_in_failures', 'operator.upsert', 'operator.disable', 'operator.enable'] as const;

export function AuditLog() {
  const { t } = useTranslation();
  const [tenant, setTenant] = useState('');
  const [action, setAction] = useState('');
  const tenantFilter = useDebounced(tenant.trim());
  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title">{t('titles.audit')}</h1>
      <form className="inline-form" aria-label={t('audit.filter')} onSubmit={(e) => e.preventDefault()}>
        <SearchBox id="audit-tenant" label={t('audit.tenant')} value={tenant} onChange={setTenant} placeholder={t('audit.any')} />
        <SelectField id="audit-action" label={t('audit.action')} value={action} onChange={(e) => setAction(e.target.value)} options={[['', t('audit.any')], ...AUDIT_ACTIONS.map((a) => [a, a] as const)]} />
      </form>
      <List<AuditEntry>
        path="/v1/audit"
        params={{ tenant: tenantFilter, action }}
        head={[t('audit.col.when'), t('audit.col.who'), t('audit.col.action'), t('audit.col.tenant'), t('audit.col.outcome'), t('audit.col.detail')]}
        what={t('audit.what')}
        empty={t('audit.empty')}
        rowKey={(e) => String(e.id)}
        defaultSort="-at"
      >
        {(items) =>
          items.map((e) => (
            <Row
              key={e.id}
              cells={[
                fmtDateTime(e.at),
                e.actor,
                <code>{e.action}</code>,
                e.tenant_slug ?? '—',
                <span className={`badge ${e.outcome === 'ok' ? 'active' : 'failed'}`}>{t(`audit.outcome.${e.outcome}`, { defaultValue: e.outcome })}</span>,
                <code className="detail">{JSON.stringify(e.detail)}</code>,
              ]}
            />
          ))
        }
      </List>
    </section>
  );
}
