// The tenant's people. Everyone sees the list; admins invite, change roles, remove
// people, resend or revoke pending invites and issue password reset links. A link made
// here is shown once, with Copy: Atrium sends no email.
import { useEffect, useRef, useState, type MouseEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { components } from '../api/tenant.gen';
import { del, patch, post } from '../api/client';
import { useAction } from '../data';
import { fmtDate } from '../format';
import { invalidate } from '../query';
import type { Invite, Member, User } from '../types';
import { CopyLink, FormError } from '../ui/forms';
import { InviteForm } from '../ui/InviteForm';
import { List } from '../ui/List';
import { Row } from '../ui/Table';

type PasswordReset = components['schemas']['PasswordReset'];

/// A link just made for someone: a new invite or a password reset.
interface Made {
  kind: 'invite' | 'reset';
  email: string;
  link: string;
}

export function Team({ slug, me }: { slug: string; me: User }) {
  const { t } = useTranslation();
  const users = `/v1/t/${slug}/users`;
  const admin = me.role === 'admin';
  const [made, setMade] = useState<Made | null>(null);
  // Who is asked about, and the row's Remove button, where focus goes back on Cancel.
  const [removing, setRemoving] = useState<{ user: Member; from: HTMLElement } | null>(null);
  const ask = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (removing) ask.current?.focus();
  }, [removing]);
  // Bumped by every change from the list: the invite form starts afresh, so no link it
  // showed (perhaps just replaced by a resend) stays on screen beside a newer one.
  const [formKey, setFormKey] = useState(0);
  const action = useAction();
  const link = (page: 'accept' | 'reset', token: string) => `${location.origin}/app/t/${slug}/${page}#token=${token}`;
  // Every change ends the same way: the list again, and the last link or question gone.
  const change = (fn: () => Promise<unknown>) =>
    void action.run(async () => {
      setMade(null);
      setFormKey((k) => k + 1);
      try {
        await fn();
      } finally {
        void invalidate(users);
      }
    });
  const setRole = (u: Member, role: string) => change(() => patch(`${users}/${u.id}`, { role }));
  const remove = (u: Member) =>
    change(async () => {
      setRemoving(null);
      await del(`${users}/${u.id}`);
    });
  const revoke = (u: Member) => change(() => del(`/v1/t/${slug}/invites/${u.id}`));
  const resend = (u: Member) =>
    change(async () => {
      const r = await post<Invite>(users, { email: u.email, resend: true });
      setMade({ kind: 'invite', email: u.email, link: link('accept', r.invite_token) });
    });
  const reset = (u: Member) =>
    change(async () => {
      const r = await post<PasswordReset>(`${users}/${u.id}/password-reset`);
      setMade({ kind: 'reset', email: u.email, link: link('reset', r.reset_token) });
    });

  // Row buttons name their person too: a screen reader's list of buttons is otherwise
  // the same few words over and over.
  const button = (label: string, onClick: (e: MouseEvent<HTMLButtonElement>) => void, kind = 'secondary', ariaLabel?: string) => (
    <button type="button" className={kind} onClick={onClick} aria-label={ariaLabel}>
      {label}
    </button>
  );

  const actions = (u: Member) => {
    const name = u.display_name || u.email;
    if (u.status === 'invited')
      return (
        <span className="actions">
          {button(t('team.resend'), () => resend(u), 'secondary', t('team.resendFor', { name }))}
          {button(t('team.revoke'), () => revoke(u), 'secondary', t('team.revokeFor', { name }))}
        </span>
      );
    return (
      <span className="actions">
        <select aria-label={t('team.roleOf', { name })} value={u.role} onChange={(e) => setRole(u, e.target.value)}>
          <option value="member">{t('roles.member')}</option>
          <option value="admin">{t('roles.admin')}</option>
        </select>
        {button(t('team.resetLink'), () => reset(u), 'secondary', t('team.resetLinkFor', { name }))}
        {u.id !== me.id && button(t('team.remove'), (e) => setRemoving({ user: u, from: e.currentTarget }), 'danger', t('team.removeFor', { name }))}
      </span>
    );
  };

  return (
    <section aria-labelledby="team-title">
      <h1 id="team-title">{t('titles.team')}</h1>
      {admin && (
        <InviteForm
          key={formKey}
          id="invite"
          label={t('team.invite')}
          className="inline-form"
          endpoint={users}
          linkTo={(token) => link('accept', token)}
          roles={['member', 'admin']}
          onInvited={() => void invalidate(users)}
          track="invite-teammate"
        />
      )}
      {removing && (
        <div className="panel danger-zone" role="group" aria-labelledby="remove-title" tabIndex={-1} ref={ask}>
          <h2 id="remove-title">{t('team.removeTitle', { name: removing.user.display_name || removing.user.email })}</h2>
          <p>{t('team.removeExplain', { email: removing.user.email })}</p>
          <span className="actions">
            {button(t('team.removeConfirm'), () => remove(removing.user), 'danger')}
            {button(t('common.cancel'), () => {
              setRemoving(null);
              removing.from.focus();
            })}
          </span>
        </div>
      )}
      <FormError error={action.error} />
      {made && <CopyLink className="panel" link={made.link} label={made.kind === 'reset' ? t('team.resetLinkLabel') : t('invite.link')} hint={made.kind === 'reset' ? t('team.resetHint', { email: made.email }) : t('team.resentHint', { email: made.email })} />}
      <List<Member>
        path={users}
        head={[
          { label: t('team.col.name'), sort: 'display_name' },
          { label: t('team.col.email'), sort: 'email' },
          { label: t('team.col.role'), sort: 'role' },
          t('team.col.status'),
          { label: t('team.col.since'), sort: 'created_at' },
          ...(admin ? [t('team.col.actions')] : []),
        ]}
        what={t('team.what')}
        empty={t('team.empty')}
        rowKey={(u) => u.id}
      >
        {(items) =>
          items.map((u) => (
            <Row
              key={u.id}
              data-user={u.email}
              cells={[
                u.display_name,
                u.email,
                t(`roles.${u.role}`),
                <span className={`badge ${u.status === 'active' ? 'active' : 'suspended'}`}>{t(`team.status.${u.status}`)}</span>,
                fmtDate(u.created_at),
                ...(admin ? [actions(u)] : []),
              ]}
            />
          ))
        }
      </List>
    </section>
  );
}
