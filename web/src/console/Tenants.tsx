import { useEffect, useState, type FormEvent } from 'react';
import { ApiError, get, post, del } from '../api';
import { Empty, Field, FormError, Loading, fmtBytes, fmtDate, useLoad } from '../ui';

interface Tenant {
  slug: string;
  display_name: string;
  plan: string;
  state: string;
  created_at: string;
  migration_version: number;
  migration_error: string | null;
  export_path: string | null;
}

interface Stats {
  slug: string;
  schema_bytes: number | null;
  events_7d: number | null;
  requests_per_min: number | null;
}

interface ConsoleConfig {
  api_url: string;
  tenant_migration_target: number;
}

export function Tenants() {
  const tenants = useLoad(() => get<{ items: Tenant[] }>('/v1/tenants?limit=200'), []);
  const stats = useLoad(() => get<{ items: Stats[] }>('/v1/tenant-stats'), []);
  const config = useLoad(() => get<ConsoleConfig>('/v1/console-config'), []);
  const [pending, setPending] = useState<string | null>(null);
  const byslug = new Map((stats.data?.items ?? []).map((s) => [s.slug, s]));
  const refresh = () => {
    tenants.reload();
    stats.reload();
  };
  return (
    <section aria-labelledby="tenants-title">
      <h1 id="tenants-title">Tenants</h1>
      <CreateTenant
        onStart={setPending}
        onDone={() => {
          setPending(null);
          refresh();
        }}
      />
      {pending && (
        <p className="status" role="status" aria-live="polite">
          Provisioning <strong>{pending}</strong>: schema, role, grants, migrations…
        </p>
      )}
      {tenants.error && <FormError error={tenants.error} />}
      {!tenants.data ? (
        <Loading what="tenants" />
      ) : tenants.data.items.length === 0 ? (
        <Empty>No tenants yet. Create the first one above.</Empty>
      ) : (
        <table className="grid" aria-describedby="tenants-title">
          <thead>
            <tr>
              <th scope="col">Tenant</th>
              <th scope="col">State</th>
              <th scope="col">Plan</th>
              <th scope="col">Created</th>
              <th scope="col">Schema size</th>
              <th scope="col">Events (7 d)</th>
              <th scope="col">Requests/min</th>
              <th scope="col">Migrations</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {tenants.data.items.map((t) => (
              <TenantRow key={t.slug} t={t} s={byslug.get(t.slug)} config={config.data} onChange={refresh} />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function CreateTenant({ onStart, onDone }: { onStart: (slug: string) => void; onDone: () => void }) {
  const [slug, setSlug] = useState('');
  const [name, setName] = useState('');
  const [plan, setPlan] = useState('free');
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    onStart(slug);
    try {
      await post('/v1/tenants', { slug, display_name: name || undefined, plan });
      setSlug('');
      setName('');
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setBusy(false);
      onDone();
    }
  };
  const slugError = error?.code === 'invalid_tenant_slug' ? error.detail : error?.field('slug');
  return (
    <form className="inline-form" onSubmit={submit} aria-label="Create a tenant" noValidate>
      <Field id="new-slug" label="Slug" value={slug} onChange={(e) => setSlug(e.target.value)} placeholder="acme" error={slugError} required />
      <Field id="new-name" label="Display name" value={name} onChange={(e) => setName(e.target.value)} placeholder="Acme Corporation" error={error?.field('display_name')} />
      <div className="field">
        <label htmlFor="new-plan">Plan</label>
        <select id="new-plan" value={plan} onChange={(e) => setPlan(e.target.value)}>
          <option value="free">free</option>
          <option value="pro">pro</option>
          <option value="enterprise">enterprise</option>
        </select>
      </div>
      <button type="submit" disabled={busy} data-track="create-tenant">
        {busy ? 'Creating…' : 'Create tenant'}
      </button>
      <FormError error={error && !slugError ? error : null} />
    </form>
  );
}

function TenantRow({ t, s, config, onChange }: { t: Tenant; s?: Stats; config: ConsoleConfig | null; onChange: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [dialog, setDialog] = useState<'invite' | 'delete' | null>(null);
  const act = async (fn: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
      onChange();
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setBusy(false);
    }
  };
  const target = config?.tenant_migration_target;
  const migration = t.migration_error ? (
    <span className="bad">failed: {t.migration_error}</span>
  ) : target && t.migration_version < target ? (
    <span className="warn">
      v{t.migration_version} of {target}
    </span>
  ) : (
    <span className="ok">v{t.migration_version} · up to date</span>
  );
  const live = t.state === 'active' || t.state === 'suspended';
  return (
    <>
      <tr data-tenant={t.slug}>
        <th scope="row">
          <div>{t.display_name}</div>
          <code>{t.slug}</code>
        </th>
        <td>
          <span className={`badge ${t.state}`}>{t.state}</span>
        </td>
        <td>{t.plan}</td>
        <td>{fmtDate(t.created_at)}</td>
        <td>{s?.schema_bytes != null ? fmtBytes(s.schema_bytes) : '—'}</td>
        <td>{s?.events_7d != null ? s.events_7d.toLocaleString() : '—'}</td>
        <td>{s?.requests_per_min != null ? s.requests_per_min.toFixed(1) : '—'}</td>
        <td>{live ? migration : '—'}</td>
        <td className="actions">
          {t.state === 'active' && (
            <>
              {config && (
                <a href={`${config.api_url}/app/t/${t.slug}`} target="_blank" rel="noreferrer">
                  Open app
                </a>
              )}
              <button className="secondary" disabled={busy} onClick={() => setDialog('invite')}>
                Invite user
              </button>
              <button className="secondary" disabled={busy} onClick={() => act(() => post(`/v1/tenants/${t.slug}/suspend`))}>
                Suspend
              </button>
            </>
          )}
          {t.state === 'suspended' && (
            <button className="secondary" disabled={busy} onClick={() => act(() => post(`/v1/tenants/${t.slug}/resume`))}>
              Resume
            </button>
          )}
          {live && (
            <button className="danger" disabled={busy} onClick={() => setDialog('delete')}>
              Delete…
            </button>
          )}
          {t.state === 'deleted' && t.export_path && <a href={`/v1/tenants/${t.slug}/export`}>Download export</a>}
          <FormError error={error} />
        </td>
      </tr>
      {dialog === 'invite' && (
        <tr>
          <td colSpan={9}>
            <Invite slug={t.slug} apiUrl={config?.api_url ?? ''} onClose={() => setDialog(null)} />
          </td>
        </tr>
      )}
      {dialog === 'delete' && (
        <tr>
          <td colSpan={9}>
            <ConfirmDelete
              slug={t.slug}
              onClose={() => setDialog(null)}
              onDeleted={() => {
                setDialog(null);
                onChange();
              }}
            />
          </td>
        </tr>
      )}
    </>
  );
}

function Invite({ slug, apiUrl, onClose }: { slug: string; apiUrl: string; onClose: () => void }) {
  const [email, setEmail] = useState('');
  const [role, setRole] = useState('admin');
  const [link, setLink] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      const r = await post<{ invite_token: string }>(`/v1/tenants/${slug}/users`, { email, role });
      setLink(`${apiUrl}/app/t/${slug}/accept#token=${r.invite_token}`);
    } catch (err) {
      setError(err as ApiError);
    }
  };
  return (
    <form className="panel" onSubmit={submit} aria-label={`Invite a user to ${slug}`} noValidate>
      <Field id={`invite-email-${slug}`} label="Email" type="email" value={email} onChange={(e) => setEmail(e.target.value)} error={error?.field('email')} autoFocus />
      <div className="field">
        <label htmlFor={`invite-role-${slug}`}>Role</label>
        <select id={`invite-role-${slug}`} value={role} onChange={(e) => setRole(e.target.value)}>
          <option value="admin">admin</option>
          <option value="member">member</option>
        </select>
      </div>
      <button type="submit">Create invite link</button>
      <button type="button" className="secondary" onClick={onClose}>
        Close
      </button>
      <FormError error={error && !error.field('email') ? error : null} />
      {link && (
        <p role="status">
          Send this link to the invitee (it works once, for 7 days): <input className="invite-link" readOnly value={link} aria-label="Invite link" onFocus={(e) => e.target.select()} />
        </p>
      )}
    </form>
  );
}

function ConfirmDelete({ slug, onClose, onDeleted }: { slug: string; onClose: () => void; onDeleted: () => void }) {
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  useEffect(() => setError(null), [typed]);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (typed !== slug) {
      setError(new ApiError(0, 'confirm', `Type ${slug} to confirm.`));
      return;
    }
    setBusy(true);
    try {
      await del(`/v1/tenants/${slug}`);
      onDeleted();
    } catch (err) {
      setError(err as ApiError);
      setBusy(false);
    }
  };
  return (
    <form className="panel danger-zone" onSubmit={submit} aria-label={`Delete ${slug}`} noValidate>
      <p>
        Deleting <strong>{slug}</strong> suspends it, exports its schema, then drops the schema, its role and its analytics. The
        export stays downloadable here.
      </p>
      <Field id={`confirm-${slug}`} label={`Type ${slug} to confirm`} value={typed} onChange={(e) => setTyped(e.target.value)} error={error?.code === 'confirm' ? error.detail : undefined} autoFocus />
      <button type="submit" className="danger" disabled={busy}>
        {busy ? 'Deleting…' : `Delete ${slug}`}
      </button>
      <button type="button" className="secondary" onClick={onClose}>
        Cancel
      </button>
      <FormError error={error && error.code !== 'confirm' ? error : null} />
    </form>
  );
}
