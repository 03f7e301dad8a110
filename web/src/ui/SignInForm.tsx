import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client';
import { useAction } from '../data';
import { LanguageSwitch } from '../i18n/LanguageSwitch';
import { requireFields } from './errors';
import { Field, FormError, useFieldError } from './forms';

/// The one sign-in form (console and tenant app): `submit` resolves on success; a 401
/// becomes "Wrong email or password." without saying which. Empty fields are named
/// before anything is sent. `expired` says why a signed-in user is here again.
export function SignInForm({ title, submit, expired }: { title: string; submit: (email: string, password: string) => Promise<void>; expired?: boolean }) {
  const { t } = useTranslation();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const action = useAction();
  const fieldError = useFieldError(action.error);
  const signIn = async () => {
    requireFields({ email, password });
    try {
      await submit(email, password);
    } catch (err) {
      throw err instanceof ApiError && err.status === 401 ? new ApiError(401, 'wrong_credentials', 'Wrong email or password.') : err;
    }
  };
  return (
    <main className="signin" id="main">
      <form onSubmit={action.submit(signIn)} aria-labelledby="signin-title" noValidate>
        <div className="signin-top">
          <LanguageSwitch />
        </div>
        <h1 id="signin-title">{title}</h1>
        {expired && (
          <p className="status" role="status">
            {t('signIn.expired')}
          </p>
        )}
        <Field id="email" label={t('signIn.email')} type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} autoFocus error={fieldError('email')} />
        <Field id="password" label={t('signIn.password')} type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} error={fieldError('password')} />
        <FormError error={action.error} shownOn={['email', 'password']} />
        <button type="submit" disabled={action.busy}>
          {action.busy ? t('signIn.busy') : t('signIn.submit')}
        </button>
      </form>
    </main>
  );
}
