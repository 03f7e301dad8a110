// A tenant's users as its operator sees them, paged and sorted like the tenant's own Team
// list (newest first unless a header says otherwise): a new invite link for someone who hasn't joined (the old link stops working), a password
// reset link for someone who has. Atrium sends no email: the operator passes links on.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { post } from '../api/client';
import { useAction } from '../data';
import { fmtDate, fmtDateTime } from '../format';
import { invalidate } from '../query';
import { FormError } from '../ui/forms';
import { List } from '../ui/List';
import { Row } from '../ui/Table';
import type { InviteAnswer, PasswordReset, TenantUser } from './controlTypes';

export function TenantUsers({ slug, apiUrl }: { slug: string; apiUrl: string }) {
  const { t } = useTranslation();
  return (
    <section className="panel" aria-labelledby="tenant-users">
      <h2 id="tenant-users">{t('tenantDetail.usersTitle')}</h2>
      <List<TenantUser>
        path={`/v1/tenants/${slug}/users`}
        head={[
          { label: t('tenantDetail.user'), sort: 'display_name' },
          { label: t('invite.email'), sort: 'email' },
          { label: t('invite.role'), sort: 'role' },
          t('tenantDetail.status'),
          { label: t('tenantDetail.since'), sort: 'created_at' },
          t('tenants.col.actions'),
        ]}
        what={t('tenantDetail.usersWhat', { slug })}
        empty={t('tenantDetail.noUsers')}
        rowKey={(u) => u.id}
      >
        {(items) => items.map((u) => <UserRow key={u.id} slug={slug} apiUrl={apiUrl} user={u} />)}
      </List>
    </section>
  );
}

function UserRow({ slug, apiUrl, user: u }: { slug: string; apiUrl: string; user: TenantUser }) {
  const { t } = useTranslation();
  const action = useAction();
  const [link, setLink] = useState<{ url: string; hint: string } | null>(null);
  const resend = () =>
    action.run(async () => {
      const r = await post<InviteAnswer>(`/v1/tenants/${slug}/users`, { email: u.email, resend: true });
      setLink({ url: `${apiUrl}/app/t/${slug}/accept#token=${r.invite_token}`, hint: t('invite.linkHint') });
      void invalidate('/v1/audit');
    });
  const reset = () =>
    action.run(async () => {
      const r = await post<PasswordReset>(`/v1/tenants/${slug}/users/${u.id}/password-reset`);
      setLink({ url: `${apiUrl}/app/t/${slug}/reset#token=${r.reset_token}`, hint: t('tenantDetail.resetHint', { until: fmtDateTime(r.expires_at) }) });
      void invalidate('/v1/audit');
    });
  const name = u.display_name || u.email;
  return (
    <Row
      data-user={u.email}
      cells={[
        u.display_name,
        <code>{u.email}</code>,
        t(`roles.${u.role}`),
        <span className={`badge ${u.status === 'active' ? 'active' : u.status === 'invited' ? 'provisioning' : 'failed'}`}>{t(`tenantDetail.userStatus.${u.status}`, { defaultValue: u.status })}</span>,
        fmtDate(u.created_at),
      ]}
    >
      <td className="actions">
        {u.status === 'invited' && (
          <button type="button" className="secondary" disabled={action.busy} aria-label={t('tenantDetail.resendFor', { name })} onClick={() => void resend()}>
            {t('tenantDetail.resend')}
          </button>
        )}
        {u.status === 'active' && (
          <button type="button" className="secondary" disabled={action.busy} aria-label={t('tenantDetail.resetLinkFor', { name })} onClick={() => void reset()}>
            {t('tenantDetail.resetLink')}
          </button>
        )}
        {link && (
          <p role="status">
            {link.hint} <input className="invite-link" readOnly value={link.url} aria-label={t('tenantDetail.linkFor', { email: u.email })} onFocus={(e) => e.target.select()} />
          </p>
        )}
        <FormError error={action.error} />
      </td>
    </Row>
  );
}
