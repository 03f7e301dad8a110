import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, post } from '../api/client';
import { useAction } from '../data';
import type { UserSession } from '../types';
import { requireFields } from '../ui/errors';
import { Field, FormError, useFieldError } from '../ui/forms';
import { LanguageSwitch } from '../i18n/LanguageSwitch';

/// Joining a tenant through an invite link: the token is in the URL's fragment, which
/// the browser never sends to any server.
export function Accept({ slug, onIn }: { slug: string; onIn: (s: UserSession) => void }) {
  const { t } = useTranslation();
  const token = new URLSearchParams(location.hash.slice(1)).get('token') ?? '';
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const action = useAction();
  const fieldError = useFieldError(action.error);
  const join = async () => {
    requireFields({ password });
    try {
      onIn(await post<UserSession>(`/v1/t/${slug}/invites/accept`, { token, password, display_name: name || undefined }));
    } catch (err) {
      throw err instanceof ApiError && err.code === 'not_found' ? new ApiError(404, 'invite_used', 'This invite link is used up or has expired.') : err;
    }
  };
  return (
    <main className="signin" id="main">
      <form onSubmit={action.submit(join)} aria-labelledby="accept-title" noValidate>
        <div className="signin-top">
          <LanguageSwitch />
        </div>
        <h1 id="accept-title">{t('accept.title', { slug })}</h1>
        <Field id="name" label={t('accept.name')} value={name} onChange={(e) => setName(e.target.value)} autoFocus error={fieldError('display_name')} />
        <Field id="new-password" label={t('accept.password')} type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} error={fieldError('password')} />
        <FormError error={action.error} shownOn={['password', 'display_name']} />
        <button type="submit">{t('accept.submit')}</button>
      </form>
    </main>
  );
}
