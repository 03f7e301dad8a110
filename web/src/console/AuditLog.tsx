import { useState } from 'react';
import { get } from '../api';
import { Empty, FormError, Loading, useLoad } from '../ui';

interface Entry {
  id: number;
  at: string;
  actor: string;
  action: string;
  tenant_slug: string | null;
  outcome: string;
  detail: Record<string, unknown>;
}

export function AuditLog() {
  const [tenant, setTenant] = useState('');
  const [action, setAction] = useState('');
  const query = new URLSearchParams();
  if (tenant) query.set('tenant', tenant);
  if (action) query.set('action', action);
  const log = useLoad(() => get<{ items: Entry[] }>(`/v1/audit?limit=200&${query}`), [tenant, action]);
  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title">Audit log</h1>
      <form className="inline-form" role="search" aria-label="Filter the audit log" onSubmit={(e) => e.preventDefault()}>
        <div className="field">
          <label htmlFor="audit-tenant">Tenant</label>
          <input id="audit-tenant" value={tenant} onChange={(e) => setTenant(e.target.value.trim())} placeholder="any" />
        </div>
        <div className="field">
          <label htmlFor="audit-action">Action</label>
          <select id="audit-action" value={action} onChange={(e) => setAction(e.target.value)}>
            <option value="">any</option>
            {['tenant.create', 'tenant.suspend', 'tenant.resume', 'tenant.delete', 'tenant.migrate', 'tenant.user.invite', 'key.create', 'key.revoke', 'operator.sign_in', 'operator.upsert'].map((a) => (
              <option key={a}>{a}</option>
            ))}
          </select>
        </div>
      </form>
      {log.error && <FormError error={log.error} />}
      {!log.data ? (
        <Loading what="the audit log" />
      ) : log.data.items.length === 0 ? (
        <Empty>No entries match.</Empty>
      ) : (
        <table className="grid">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">Action</th>
              <th scope="col">Tenant</th>
              <th scope="col">Outcome</th>
              <th scope="col">Detail</th>
            </tr>
          </thead>
          <tbody>
            {log.data.items.map((e) => (
              <tr key={e.id}>
                <td>{new Date(e.at).toLocaleString()}</td>
                <td>{e.actor}</td>
                <td>
                  <code>{e.action}</code>
                </td>
                <td>{e.tenant_slug ?? '—'}</td>
                <td>
                  <span className={`badge ${e.outcome === 'ok' ? 'active' : 'failed'}`}>{e.outcome}</span>
                </td>
                <td>
                  <code className="detail">{JSON.stringify(e.detail)}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
