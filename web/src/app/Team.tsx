// The tenant's people. Everyone sees the list; admins invite.
import { useGet } from '../data';
import { fmtDate } from '../format';
import type { Member, Page, User } from '../types';
import { InviteForm } from '../ui/InviteForm';
import { LoadedItems } from '../ui/states';
import { Row, Table } from '../ui/Table';

export function Team({ slug, me }: { slug: string; me: User }) {
  const users = useGet<Page<Member>>(`/v1/t/${slug}/users`);
  return (
    <section aria-labelledby="team-title">
      <h1 id="team-title">Team</h1>
      {me.role === 'admin' && (
        <InviteForm
          id="invite"
          label="Invite a teammate"
          className="inline-form"
          endpoint={`/v1/t/${slug}/users`}
          linkTo={(token) => `${location.origin}/app/t/${slug}/accept#token=${token}`}
          roles={['member', 'admin']}
          onInvited={users.reload}
          track="invite-teammate"
        />
      )}
      <LoadedItems state={users} what="the team" empty="Nobody here yet.">
        {(items) => (
          <Table head={['Name', 'Email', 'Role', 'Status', 'Since']}>
            {items.map((u) => (
              <Row key={u.id} cells={[u.display_name, u.email, u.role, <span className={`badge ${u.status === 'active' ? 'active' : 'suspended'}`}>{u.status}</span>, fmtDate(u.created_at)]} />
            ))}
          </Table>
        )}
      </LoadedItems>
    </section>
  );
}
