// The tenant's people. Everyone sees the list; admins invite.
import { useTranslation } from 'react-i18next';
import { fmtDate } from '../format';
import { invalidate } from '../query';
import type { Member, User } from '../types';
import { InviteForm } from '../ui/InviteForm';
import { List } from '../ui/List';
import { Row } from '../ui/Table';

export function Team({ slug, me }: { slug: string; me: User }) {
  const { t } = useTranslation();
  return (
    <section aria-labelledby="team-title">
      <h1 id="team-title">{t('titles.team')}</h1>
      {me.role === 'admin' && (
        <InviteForm
          id="invite"
          label={t('team.invite')}
          className="inline-form"
          endpoint={`/v1/t/${slug}/users`}
          linkTo={(token) => `${location.origin}/app/t/${slug}/accept#token=${token}`}
          roles={['member', 'admin']}
          onInvited={() => void invalidate(`/v1/t/${slug}/users`)}
          track="invite-teammate"
        />
      )}
      <List<Member>
        path={`/v1/t/${slug}/users`}
        head={[t('team.col.name'), t('team.col.email'), t('team.col.role'), t('team.col.status'), { label: t('team.col.since'), sort: 'created_at' }]}
        what={t('team.what')}
        empty={t('team.empty')}
        rowKey={(u) => u.id}
      >
        {(items) =>
          items.map((u) => <Row key={u.id} cells={[u.display_name, u.email, t(`roles.${u.role}`), <span className={`badge ${u.status === 'active' ? 'active' : 'suspended'}`}>{t(`team.status.${u.status}`)}</span>, fmtDate(u.created_at)]} />)
        }
      </List>
    </section>
  );
}
