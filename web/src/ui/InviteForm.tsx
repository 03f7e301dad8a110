import { useState, type ReactNode } from 'react';
import { post } from '../api';
import { useAction } from '../data';
import type { Invite, User } from '../types';
import { Field, FormError, InviteLink, SelectField } from './forms';

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
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<string>(roles[0]);
  const [link, setLink] = useState('');
  const action = useAction();
  const invite = async () => {
    setLink('');
    const r = await post<Invite>(endpoint, { email, role });
    setLink(linkTo(r.invite_token));
    setEmail('');
    onInvited?.();
  };
  return (
    <form className={className} onSubmit={action.submit(invite)} aria-label={label} noValidate>
      <Field id={`${id}-email`} label="Email" type="email" value={email} onChange={(e) => setEmail(e.target.value)} error={action.error?.field('email')} autoFocus={autoFocus} />
      <SelectField id={`${id}-role`} label="Role" value={role} onChange={(e) => setRole(e.target.value)} options={roles} />
      <button type="submit" data-track={track}>
        Create invite link
      </button>
      {children}
      <FormError error={action.error} shownOn={['email']} />
      <InviteLink link={link} />
    </form>
  );
}
