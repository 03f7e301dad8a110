import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { post } from '../api/client';
import { useAction } from '../data';
import type { Invite, User } from '../types';
import { requireFields } from './errors';
import { Field, FormError, InviteLink, SelectField, useFieldError } from './forms';

/// Invites a user by email with a role (the first of `roles` preselected) through
/// `endpoint`, and shows the link that `linkTo` makes of the invite's token. Used by
/// operators for any tenant and by a tenant's admins for their own.
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
  const [role, setRole] = useState<string>(roles[0]);
  const [link, setLink] = useState('');
  const action = useAction();
  const fieldError = useFieldError(action.error);
  const invite = async () => {
    requireFields({ email });
    setLink('');
    const r = await post<Invite>(endpoint, { email, role });
    setLink(linkTo(r.invite_token));
    setEmail('');
    onInvited?.();
  };
  return (
    <form className={className} onSubmit={action.submit(invite)} aria-label={label} noValidate>
      <Field id={`${id}-email`} label={t('invite.email')} type="email" value={email} onChange={(e) => setEmail(e.target.value)} error={fieldError('email')} autoFocus={autoFocus} />
      <SelectField id={`${id}-role`} label={t('invite.role')} value={role} onChange={(e) => setRole(e.target.value)} options={roles.map((r) => [r, t(`roles.${r}`)] as const)} />
      <button type="submit" data-track={track}>
        {t('invite.submit')}
      </button>
      {children}
      <FormError error={action.error} shownOn={['email']} />
      <InviteLink link={link} />
    </form>
  );
}
