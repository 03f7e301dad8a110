import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { components } from '../api/tenant.gen';
import { ApiError, post } from '../api/client';
import { useAction } from '../data';
import { queryClient, useApi } from '../query';
import type { UserSession } from '../types';
import { requireFields } from '../ui/errors';
import { Field, FormError, useFieldError } from '../ui/forms';
import { LoadError, Loading } from '../ui/states';
import { LinkPage, useHashToken } from './LinkPage';

type InvitePreview = components['schemas']['InvitePreview'];

/// Joining a tenant through an invite link. Before the form, the link is looked at
/// (`GET /invites/preview`): the page names the workspace and the invited address, and a
/// bad, revoked or used link says so and shows no form.
export function Accept({ slug, onIn }: { slug: string; onIn: (s: UserSession) => void }) {
  const { t } = useTranslation();
  const token = useHashToken();
  const path = token ? `/v1/t/${slug}/invites/preview?token=${encodeURIComponent(token)}` : null;
  const preview = useApi<InvitePreview>(path, { once: true });
  // Joined: the link is spent, and reading it again would be a failure the server counts
  // against this address. The preview goes before the app refetches everything.
  const joined = (s: UserSession) => {
    queryClient.removeQueries({ queryKey: [path], exact: true });
    onIn(s);
  };
  const invalid = !token || preview.error?.code === 'invite_invalid' || preview.error?.status === 404;
  if (invalid)
    return (
      <LinkPage title={t('accept.invalidTitle')}>
        <p role="alert">{t('accept.invalid')}</p>
      </LinkPage>
    );
  if (preview.error)
    return (
      <LinkPage title={t('titles.accept')}>
        <LoadError error={preview.error} retry={() => void preview.refetch()} />
      </LinkPage>
    );
  if (!preview.data)
    return (
      <LinkPage title={t('titles.accept')}>
        <Loading />
      </LinkPage>
    );
  return <AcceptForm key={token} slug={slug} token={token} preview={preview.data} onIn={joined} />;
}

function AcceptForm({ slug, token, preview, onIn }: { slug: string; token: string; preview: InvitePreview; onIn: (s: UserSession) => void }) {
  const { t } = useTranslation();
  const [name, setName] = useState(preview.display_name);
  const [password, setPassword] = useState('');
  const action = useAction();
  const fieldError = useFieldError(action.error);
  const join = async () => {
    requireFields({ password });
    try {
      onIn(await post<UserSession>(`/v1/t/${slug}/invites/accept`, { token, password, display_name: name || undefined }));
    } catch (err) {
      throw err instanceof ApiError && err.status === 404 ? new ApiError(404, 'invite_used', 'This invite link is used up or has expired.') : err;
    }
  };
  return (
    <LinkPage title={t('accept.title', { name: preview.tenant_display_name })} onSubmit={action.submit(join)}>
      <p className="status">{t('accept.invitedAs', { email: preview.email })}</p>
      <Field id="name" label={t('accept.name')} value={name} onChange={(e) => setName(e.target.value)} autoFocus error={fieldError('display_name')} />
      <Field id="new-password" label={t('accept.password')} type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} error={fieldError('password')} />
      <FormError error={action.error} shownOn={['password', 'display_name']} />
      <button type="submit" disabled={action.busy}>
        {t('accept.submit')}
      </button>
    </LinkPage>
  );
}
