import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, post } from '../api/client';
import { useAction } from '../data';
import type { UserSession } from '../types';
import { requireFields } from '../ui/errors';
import { Field, FormError, useFieldError } from '../ui/forms';
import { LinkPage, useHashToken } from './LinkPage';

/// Setting a new password through the link an admin issued (`/reset#token=…`). A link
/// without a token says so instead of a form; one that is unknown, used or expired is
/// refused when sent (nothing can look at a reset token before), and the form goes.
/// Success signs the user in.
export function ResetPassword({ slug, onIn }: { slug: string; onIn: (s: UserSession) => void }) {
  const token = useHashToken();
  return <ResetForm key={token} slug={slug} token={token} onIn={onIn} />;
}

function ResetForm({ slug, token, onIn }: { slug: string; token: string; onIn: (s: UserSession) => void }) {
  const { t } = useTranslation();
  const [password, setPassword] = useState('');
  const [spent, setSpent] = useState(!token);
  const action = useAction();
  const fieldError = useFieldError(action.error);
  if (spent)
    return (
      <LinkPage title={t('reset.invalidTitle')}>
        <p role="alert">{t('reset.invalid')}</p>
      </LinkPage>
    );
  const save = async () => {
    requireFields({ password });
    try {
      onIn(await post<UserSession>(`/v1/t/${slug}/password-reset`, { token, password }));
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) setSpent(true);
      throw err;
    }
  };
  return (
    <LinkPage title={t('titles.reset')} onSubmit={action.submit(save)}>
      <p className="hint">{t('reset.explain')}</p>
      <Field id="new-password" label={t('reset.password')} type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} autoFocus error={fieldError('password')} />
      <FormError error={action.error} shownOn={['password']} />
      <button type="submit" disabled={action.busy}>
        {t('reset.submit')}
      </button>
    </LinkPage>
  );
}
