import { useState } from 'react';
import { ApiError, post } from '../api';
import { useAction } from '../data';
import type { UserSession } from '../types';
import { Field, FormError } from '../ui/forms';

/// Joining a tenant through an invite link: the token is in the URL's fragment, which
/// the browser never sends to any server.
export function Accept({ slug, onIn }: { slug: string; onIn: (s: UserSession) => void }) {
  const token = new URLSearchParams(location.hash.slice(1)).get('token') ?? '';
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const action = useAction();
  const join = async () => {
    try {
      onIn(await post<UserSession>(`/v1/t/${slug}/invites/accept`, { token, password, display_name: name || undefined }));
    } catch (err) {
      throw err instanceof ApiError && err.code === 'not_found' ? new ApiError(404, 'not_found', 'This invite link is used up or has expired. Ask for a new one.') : err;
    }
  };
  return (
    <main className="signin" id="main">
      <form onSubmit={action.submit(join)} aria-labelledby="accept-title" noValidate>
        <h1 id="accept-title">Join {slug}</h1>
        <Field id="name" label="Your name" value={name} onChange={(e) => setName(e.target.value)} autoFocus error={action.error?.field('display_name')} />
        <Field id="new-password" label="Choose a password (10 characters or more)" type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} error={action.error?.field('password')} />
        <FormError error={action.error} shownOn={['password']} />
        <button type="submit">Join</button>
      </form>
    </main>
  );
}
