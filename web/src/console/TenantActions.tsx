// What an operator can do to one tenant (open its app, invite, suspend with a reason,
// resume, export, restore, move to the other tier, delete after typing its slug), as buttons and the dialog the
// last button opened. The tenants list puts them in a row, the tenant's page in a panel.
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { post } from '../api/client';
import { useAction } from '../data';
import type { ConsoleConfig, Tenant } from '../types';
import { FormError } from '../ui/forms';
import { InviteForm } from '../ui/InviteForm';
import { ConfirmDelete } from './ConfirmDelete';
import { ConfirmMove } from './ConfirmMove';
import { ConfirmSuspend } from './ConfirmSuspend';
import { RestoreForm } from './RestoreForm';

export interface TenantActions {
  buttons: ReactNode;
  /// The open dialog, or null.
  dialog: ReactNode;
}

export function useTenantActions(x: Tenant, config: ConsoleConfig | null, onChange: () => void): TenantActions {
  const { t } = useTranslation();
  const action = useAction();
  const [dialog, setDialog] = useState<'invite' | 'suspend' | 'delete' | 'restore' | 'move' | null>(null);
  const close = () => setDialog(null);
  const done = () => {
    setDialog(null);
    onChange();
  };
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
  const buttons = (
    <>
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
      {live &&
        button(
          x.cluster_id === 'local' ? t('tenants.move', { tier: t(`tiers.${x.tier === 'pooled' ? 'schema' : 'pooled'}`) }) : t('tenants.moveElsewhere'),
          () => setDialog('move'),
        )}
      {(live || x.state === 'deleted') && button(t('tenants.restore'), () => setDialog('restore'))}
      {live && button(t('tenants.delete'), () => setDialog('delete'), 'danger')}
      {x.export_path && <a href={`/v1/tenants/${x.slug}/export`}>{t('tenants.download')}</a>}
      <FormError error={action.error} />
    </>
  );
  const dialogs = {
    invite: (
      <InviteForm
        id={`invite-${x.slug}`}
        label={t('tenants.inviteTo', { slug: x.slug })}
        className="panel"
        endpoint={`/v1/tenants/${x.slug}/users`}
        linkTo={(token) => `${config?.api_url ?? ''}/app/t/${x.slug}/accept#token=${token}`}
        roles={['admin', 'member']}
        onInvited={onChange}
        autoFocus
      >
        <button type="button" className="secondary" onClick={close}>
          {t('common.close')}
        </button>
      </InviteForm>
    ),
    suspend: <ConfirmSuspend slug={x.slug} onClose={close} onSuspended={done} />,
    restore: <RestoreForm tenant={x} onClose={close} onRestored={onChange} />,
    move: <ConfirmMove tenant={x} onClose={close} onMoved={done} />,
    delete: <ConfirmDelete slug={x.slug} onClose={close} onDeleted={done} />,
  };
  return { buttons, dialog: dialog ? dialogs[dialog] : null };
}
