import { useState } from 'react';
import { useGet } from '../data';
import type { AuditEntry, Page } from '../types';
import { SelectField } from '../ui/forms';
import { LoadedItems } from '../ui/states';
import { Row, Table } from '../ui/Table';

const ACTIONS = [['', 'any'], 'tenant.create', 'tenant.suspend', 'tenant.resume', 'tenant.delete', 'tenant.export', 'tenant.restore', 'tenant.restore_at', 'backup.run', 'tenant.migrate', 'tenant.user.invite', 'key.create', 'key.revoke', 'operator.sign_in', 'operator.sign_in_failures', 'operator.upsert', 'operator.disable', 'operator.enable'] as const;

export function AuditLog() {
  const [tenant, setTenant] = useState('');
  const [action, setAction] = useState('');
  const query = new URLSearchParams({ limit: '200' });
  if (tenant) query.set('tenant', tenant);
  if (action) query.set('action', action);
  const log = useGet<Page<AuditEntry>>(`/v1/audit?${query}`);
  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title">Audit log</h1>
      <form className="inline-form" role="search" aria-label="Filter the audit log" onSubmit={(e) => e.preventDefault()}>
        <div className="field">
          <label htmlFor="audit-tenant">Tenant</label>
          <input id="audit-tenant" value={tenant} onChange={(e) => setTenant(e.target.value.trim())} placeholder="any" />
        </div>
        <SelectField id="audit-action" label="Action" value={action} onChange={(e) => setAction(e.target.value)} options={ACTIONS} />
      </form>
      <LoadedItems state={log} what="the audit log" empty="No entries match.">
        {(items) => (
          <Table head={['When', 'Who', 'Action', 'Tenant', 'Outcome', 'Detail']}>
            {items.map((e) => (
              <Row
                key={e.id}
                cells={[
                  new Date(e.at).toLocaleString(),
                  e.actor,
                  <code>{e.action}</code>,
                  e.tenant_slug ?? '—',
                  <span className={`badge ${e.outcome === 'ok' ? 'active' : 'failed'}`}>{e.outcome}</span>,
                  <code className="detail">{JSON.stringify(e.detail)}</code>,
                ]}
              />
            ))}
          </Table>
        )}
      </LoadedItems>
    </section>
  );
}
