// The tenant's people. Everyone sees the list; admins invite (the link goes to the
// invitee by whatever channel the team uses: Atrium sends no email).
import { useState, type FormEvent } from 'react';
import { ApiError, get, post } from '../api';
import { Field, FormError, Loading, fmtDate, useLoad } from '../ui';
import type { User } from './TenantApp';

interface Member extends User {
  status: 'invited' | 'active';
  created_at: string;
}

export function Team({ slug, me }: { slug: string; me: User }) {
  const users = useLoad(() => get<{ items: Member[] }>(`/v1/t/${slug}/users`), [slug]);
  const [email, setEmail] = useState('');
  const [role, setRole] = useState('member');
  const [link, setLink] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const invite = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setLink('');
    try {
      const r = await post<{ invite_token: string }>(`/v1/t/${slug}/users`, { email, role });
      setLink(`${location.origin}/app/t/${slug}/accept#token=${r.invite_token}`);
      setEmail('');
      users.reload();
    } catch (err) {
      setError(err as ApiError);
    }
  };
  return (
    <section aria-labelledby="team-title">
      <h1 id="team-title">Team</h1>
      {me.role === 'admin' && (
        <form className="inline-form" onSubmit={invite} aria-label="Invite a teammate" noValidate>
          <Field id="invite-email" label="Email" type="email" value={email} onChange={(e) => setEmail(e.target.value)} error={error?.field('email')} />
          <div className="field">
            <label htmlFor="invite-role">Role</label>
            <select id="invite-role" value={role} onChange={(e) => setRole(e.target.value)}>
              <option value="member">member</option>
              <option value="admin">admin</option>
            </select>
          </div>
          <button type="submit" data-track="invite-teammate">
            Create invite link
          </button>
          <FormError error={error && !error.field('email') ? error : null} />
        </form>
      )}
      {link && (
        <p role="status" className="status">
          Invite link (works once, for 7 days): <input className="invite-link" readOnly value={link} aria-label="Invite link" onFocus={(e) => e.target.select()} />
        </p>
      )}
      {!users.data ? (
        <Loading what="the team" />
      ) : (
        <table className="grid">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
              <th scope="col">Status</th>
              <th scope="col">Since</th>
            </tr>
          </thead>
          <tbody>
            {users.data.items.map((u) => (
              <tr key={u.id}>
                <th scope="row">{u.display_name}</th>
                <td>{u.email}</td>
                <td>{u.role}</td>
                <td>
                  <span className={`badge ${u.status === 'active' ? 'active' : 'suspended'}`}>{u.status}</span>
                </td>
                <td>{fmtDate(u.created_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
