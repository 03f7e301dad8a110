import { useState } from 'react';
import { ApiError } from '../api';
import { useAction } from '../data';
import { Field, FormError } from './forms';

/// The one sign-in form (console and tenant app): `submit` resolves on success; a 401
/// becomes "Wrong email or password." without saying which.
export function SignInForm({ title, submit }: { title: string; submit: (email: string, password: string) => Promise<void> }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const action = useAction();
  const signIn = async () => {
    try {
      await submit(email, password);
    } catch (err) {
      throw err instanceof ApiError && err.status === 401 ? new ApiError(401, 'unauthorized', 'Wrong email or password.') : err;
    }
  };
  return (
    <main className="signin" id="main">
      <form onSubmit={action.submit(signIn)} aria-labelledby="signin-title" noValidate>
        <h1 id="signin-title">{title}</h1>
        <Field id="email" label="Email" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} autoFocus />
        <Field id="password" label="Password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        <FormError error={action.error} />
        <button type="submit" disabled={action.busy}>
          {action.busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
