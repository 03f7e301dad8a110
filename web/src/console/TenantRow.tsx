import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { post } from '../api/client';
import { useAction } from '../data';
import { fmtBytes, fmtDate, fmtNumber } from '../format';
import type { ConsoleConfig, Tenant, TenantStats } from '../types';
import { FormError } from '../ui/forms';
import { InviteForm } from '../ui/InviteForm';
import { Row, type Head } from '../ui/Table';
import { ConfirmDelete } from './ConfirmDelete';
import { ConfirmSuspend } from './ConfirmSuspend';
import { MigrationStatus } from './MigrationStatus';
import { RestoreForm } from './RestoreForm';

export const tenantHead = (t: TFunction): Head[] => [
  { label: t('tenants.col.tenant'), sort: 'slug' },
  { label: t('tenants.col.state') },
  { label: t('tenants.col.plan') },
  { label: t('tenants.col.created'), sort: 'created_at' },
  { label: t('tenants.col.schema') },
  { label: t('tenants.col.events') },
  { label: t('tenants.col.requests') },
  { label: t('tenants.col.migrations') },
  { label: t('tenants.col.actions') },
];
const COLUMNS = 9;

/// A tenant's row, its actions, and (in a row below it) the dialog an action opened.
export function TenantRow({ tenant: x, stats: s, config, onChange, highlighted }: { tenant: Tenant; stats?: TenantStats; config: ConsoleConfig | null; onChange: () => void; highlighted?: boolean }) {
  const { t } = useTranslation();
  const action = useAction();
  const [dialog, setDialog] = useState<'invite' | 'suspend' | 'delete' | 'restore' | null>(null);
  const change = (verb: 'resume' | 'export') =>
    action.run(async () => {
      await post(`/v1/tenants/${x.slug}/${verb}`);
      onChange();
    });
  const live = x.state === 'active' || x.state === 'suspended';
  const button = (label: string, onClick: () => void, className = 'secondary') => (
    <button className={className} disabled={action.busy} onClick={onClick}>
      {label}
    </button>
  );
  return (
    <>
      <Row
        data-tenant={x.slug}
        className={highlighted ? 'created' : undefined}
        cells={[
          <>
            <div>{x.display_name}</div>
            <code>{x.slug}</code>
          </>,
          <span className={`badge ${x.state}`}>{t(`states.tenant.${x.state}`, { defaultValue: x.state })}</span>,
          t(`plans.${x.plan}`, { defaultValue: x.plan }),
          fmtDate(x.created_at),
          s?.schema_bytes != null ? fmtBytes(s.schema_bytes) : '—',
          s?.events_7d != null ? fmtNumber(s.events_7d) : '—',
          s?.requests_per_min != null ? fmtNumber(s.requests_per_min, { maximumFractionDigits: 1, minimumFractionDigits: 1 }) : '—',
          live ? <MigrationStatus tenant={x} target={config?.tenant_migration_target} /> : '—',
        ]}
      >
        <td className="actions">
          {x.state === 'active' && (
            <>
              {config && (
                <a href={`${config.api_url}/app/t/${x.slug}`} target="_blank" rel="noreferrer">
                  {t('tenants.openApp')}
                </a>
              )}
              {button(t('tenants.invite'), () => setDialog('invite'))}
              {button(t('tenants.suspend'), () => setDialog('suspend'))}
            </>
          )}
          {x.state === 'suspended' && button(t('tenants.resume'), () => void change('resume'))}
          {live && button(t('tenants.export'), () => void change('export'))}
          {(live || x.state === 'deleted') && button(t('tenants.restore'), () => setDialog('restore'))}
          {live && button(t('tenants.delete'), () => setDialog('delete'), 'danger')}
          {x.export_path && <a href={`/v1/tenants/${x.slug}/export`}>{t('tenants.download')}</a>}
          <FormError error={action.error} />
        </td>
      </Row>
      {dialog === 'invite' && (
        <DialogRow>
          <InviteForm
            id={`invite-${x.slug}`}
            label={t('tenants.inviteTo', { slug: x.slug })}
            className="panel"
            endpoint={`/v1/tenants/${x.slug}/users`}
            linkTo={(token) => `${config?.api_url ?? ''}/app/t/${x.slug}/accept#token=${token}`}
            roles={['admin', 'member']}
            autoFocus
          >
            <button type="button" className="secondary" onClick={() => setDialog(null)}>
              {t('common.close')}
            </button>
          </InviteForm>
        </DialogRow>
      )}
      {dialog === 'suspend' && (
        <DialogRow>
          <ConfirmSuspend
            slug={x.slug}
            onClose={() => setDialog(null)}
            onSuspended={() => {
              setDialog(null);
              onChange();
            }}
          />
        </DialogRow>
      )}
      {dialog === 'restore' && (
        <DialogRow>
          <RestoreForm tenant={x} onClose={() => setDialog(null)} onRestored={onChange} />
        </DialogRow>
      )}
      {dialog === 'delete' && (
        <DialogRow>
          <ConfirmDelete
            slug={x.slug}
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
      <td colSpan={COLUMNS}>{children}</td>
    </tr>
  );
}
