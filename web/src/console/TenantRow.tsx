import { useState, type ReactNode } from 'react';
import { post } from '../api';
import { useAction } from '../data';
import { fmtBytes, fmtDate } from '../format';
import type { ConsoleConfig, Tenant, TenantStats } from '../types';
import { FormError } from '../ui/forms';
import { InviteForm } from '../ui/InviteForm';
import { Row } from '../ui/Table';
import { ConfirmDelete } from './ConfirmDelete';
import { MigrationStatus } from './MigrationStatus';
import { RestoreForm } from './RestoreForm';

export const TENANT_COLUMNS = ['Tenant', 'State', 'Plan', 'Created', 'Schema size', 'Events (7 d)', 'Requests/min', 'Migrations', 'Actions'];

/// A tenant's row, its actions, and (in a row below it) the dialog an action opened.
export function TenantRow({ tenant: t, stats: s, config, onChange }: { tenant: Tenant; stats?: TenantStats; config: ConsoleConfig | null; onChange: () => void }) {
  const action = useAction();
  const [dialog, setDialog] = useState<'invite' | 'delete' | 'restore' | null>(null);
  const change = (verb: 'suspend' | 'resume' | 'export') => action.run(async () => {
    await post(`/v1/tenants/${t.slug}/${verb}`);
    onChange();
  });
  const live = t.state === 'active' || t.state === 'suspended';
  const button = (label: string, onClick: () => void, className = 'secondary') => (
    <button className={className} disabled={action.busy} onClick={onClick}>
      {label}
    </button>
  );
  return (
    <>
      <Row
        data-tenant={t.slug}
        cells={[
          <>
            <div>{t.display_name}</div>
            <code>{t.slug}</code>
          </>,
          <span className={`badge ${t.state}`}>{t.state}</span>,
          t.plan,
          fmtDate(t.created_at),
          s?.schema_bytes != null ? fmtBytes(s.schema_bytes) : '—',
          s?.events_7d != null ? s.events_7d.toLocaleString() : '—',
          s?.requests_per_min != null ? s.requests_per_min.toFixed(1) : '—',
          live ? <MigrationStatus tenant={t} target={config?.tenant_migration_target} /> : '—',
        ]}
      >
        <td className="actions">
          {t.state === 'active' && (
            <>
              {config && (
                <a href={`${config.api_url}/app/t/${t.slug}`} target="_blank" rel="noreferrer">
                  Open app
                </a>
              )}
              {button('Invite user', () => setDialog('invite'))}
              {button('Suspend', () => void change('suspend'))}
            </>
          )}
          {t.state === 'suspended' && button('Resume', () => void change('resume'))}
          {live && button('Export now', () => void change('export'))}
          {(live || t.state === 'deleted') && button('Restore…', () => setDialog('restore'))}
          {live && button('Delete…', () => setDialog('delete'), 'danger')}
          {t.export_path && <a href={`/v1/tenants/${t.slug}/export`}>Download export</a>}
          <FormError error={action.error} />
        </td>
      </Row>
      {dialog === 'invite' && (
        <DialogRow>
          <InviteForm
            id={`invite-${t.slug}`}
            label={`Invite a user to ${t.slug}`}
            className="panel"
            endpoint={`/v1/tenants/${t.slug}/users`}
            linkTo={(token) => `${config?.api_url ?? ''}/app/t/${t.slug}/accept#token=${token}`}
            roles={['admin', 'member']}
            autoFocus
          >
            <button type="button" className="secondary" onClick={() => setDialog(null)}>
              Close
            </button>
          </InviteForm>
        </DialogRow>
      )}
      {dialog === 'restore' && (
        <DialogRow>
          <RestoreForm tenant={t} onClose={() => setDialog(null)} onRestored={onChange} />
        </DialogRow>
      )}
      {dialog === 'delete' && (
        <DialogRow>
          <ConfirmDelete
            slug={t.slug}
            onClose={() => setDialog(null)}
            onDeleted={() => {
              setDialog(null);
              onChange();
            }}
          />
        </DialogRow>
      )}
    </>
  );
}

function DialogRow({ children }: { children: ReactNode }) {
  return (
    <tr>
      <td colSpan={TENANT_COLUMNS.length}>{children}</td>
    </tr>
  );
}
