import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { post } from '../api/client';
import { useAction } from '../data';
import type { Invite, User } from '../types';
import { requireFields } from './errors';
import { Field, FormError, InviteLink, SelectField, useFieldError } from './forms';

/// Invites a user by email with a role (member unless the inviter picks admin, whatever
/// order `roles` lists them in) through `endpoint`, and shows the link that `linkTo`
/// makes of the invite's token. Used by operators for any tenant and by a tenant's admins
/// for their own. An address that has an account is refused in so many words; one with a
/// pending invite is offered a new link instead.
export function InviteForm({
  id,
  label,
  className,
  endpoint,
  linkTo,
  roles,
  onInvited,
  track = 'invite-user',
  autoFocus,
  children,
}: {
  id: string;
  label: string;
  className: string;
  endpoint: string;
  linkTo: (token: string) => string;
  roles: readonly User['role'][];
  onInvited?: () => void;
  track?: string;
  autoFocus?: boolean;
  /// Extra buttons after the submit button.
  children?: ReactNode;
}) {
  const { t } = useTranslation();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<string>(roles.includes('member') ? 'member' : roles[0]);
  const [link, setLink] = useState('');
  // The address the last refusal was about (the field may have changed since).
  const [refused, setRefused] = useState('');
  const action = useAction();
  const fieldError = useFieldError(action.error);
  const send = (resend: boolean) => async () => {
    requireFields({ email });
    setLink('');
    setRefused(email);
    // A resend leaves the role out: the invite keeps the one it was made with, whatever
    // the select shows now.
    const r = await post<Invite>(endpoint, resend ? { email, resend } : { email, role, resend });
    setLink(linkTo(r.invite_token));
    setEmail('');
    onInvited?.();
  };
  const code = action.error?.code;
  const refusal = code === 'user_exists' ? t('invite.exists', { email: refused }) : code === 'invite_pending' ? t('invite.pending', { email: refused }) : action.error;
  const options = [...roles].sort((a, b) => (a === 'member' ? -1 : b === 'member' ? 1 : 0));
  return (
    <form className={className} onSubmit={action.submit(send(false))} aria-label={label} noValidate>
      <Field id={`${id}-email`} label={t('invite.email')} type="email" value={email} onChange={(e) => setEmail(e.target.value)} error={fieldError('email')} autoFocus={autoFocus} />
      <SelectField id={`${id}-role`} label={t('invite.role')} value={role} onChange={(e) => setRole(e.target.value)} options={options.map((r) => [r, t(`roles.${r}`)] as const)} />
      <button type="submit" data-track={track}>
        {t('invite.submit')}
      </button>
      {children}
      <FormError error={refusal} shownOn={['email']} />
      {code === 'invite_pending' && email === refused && (
        <button type="button" className="secondary" onClick={() => void action.run(send(true))}>
          {t('invite.resend')}
        </button>
      )}
      <InviteLink link={link} />
    </form>
  );
}
