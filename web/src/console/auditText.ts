// An audit entry in a sentence of the reader's language: the catalogue has one sentence
// per action (`audit.says.*`), filled in from the entry's detail. The action's name, its
// label (`audit.actions.*`) and the detail's fields are what the control plane writes
// (crates/atrium-control: the Action enum and each writer's `json!`).
import type { TFunction } from 'i18next';
import { fmtBytes, fmtDateTime, fmtNumber } from '../format';
import { i18n } from '../i18n';
import type { AuditEntry } from '../types';
import { fmtLimit, LIMIT_FIELDS } from './limits';

/// `tenant.delete.start` → `tenant_delete_start`: catalogue keys can't hold dots.
export const actionKey = (action: string) => action.replace(/\./g, '_');

/// The action's name for people ("Tenant suspended"). An action newer than this console
/// shows its raw name; the key still counts as missing, which fails the browser tests.
export const actionLabel = (t: TFunction, action: string) => t(`audit.actions.${actionKey(action)}`, { defaultValue: action });

/// Who acted, in the reader's language: the control plane's `actor_display` names
/// operators (`Name <email>`) but is English for the admin token and the command line.
export function actorName(t: TFunction, e: AuditEntry): string {
  if (e.actor === 'token:admin') return t('audit.actor.adminToken');
  if (e.actor === 'system') return t('audit.actor.system');
  if (e.actor.startsWith('cli:')) return t('audit.actor.cli', { user: e.actor.slice(4) });
  return e.actor_display;
}

type Detail = Record<string, unknown>;
const text = (v: unknown) => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));
const num = (v: unknown) => (typeof v === 'number' ? fmtNumber(v) : text(v));
const when = (v: unknown) => (typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? fmtDateTime(v) : text(v));

/// What the entry says happened, without who and when (the log's other columns say those).
export function describe(t: TFunction, e: AuditEntry): string {
  const d: Detail = e.detail && typeof e.detail === 'object' ? (e.detail as Detail) : {};
  const failed = e.outcome !== 'ok';
  // The server's error text is English: by its code, when the detail has one this
  // console knows (the `errors.*` the app shows for problem codes), it reads as the rest.
  const code = text(d.code);
  const error = code && i18n.exists(`errors.${code}`) ? t(`errors.${code}`) : text(d.error);
  const says = (key: string, params: Record<string, string> = {}) => t(`audit.says.${key}`, params);
  const sentence = (): string => {
    switch (e.action) {
      case 'tenant.create':
        return says('tenant_create', { plan: t(`plans.${text(d.plan)}`, { defaultValue: text(d.plan) }), currency: text(d.currency), timezone: text(d.timezone) });
      case 'tenant.update': {
        const parts = [
          d.display_name != null && says('renamed', { name: text(d.display_name) }),
          d.plan != null && says('planChanged', { plan: t(`plans.${text(d.plan)}`, { defaultValue: text(d.plan) }) }),
          d.statement_timeout_ms != null && says('timeoutChanged', { ms: num(d.statement_timeout_ms) }),
          d.limits != null && typeof d.limits === 'object' && limitsSaid(t, d.limits as Detail),
        ].filter((p): p is string => Boolean(p));
        const joined = parts.join(t('audit.says.separator'));
        return joined ? joined[0].toUpperCase() + joined.slice(1) : says('tenant_update');
      }
      case 'tenant.suspend':
        return says('tenant_suspend', { reason: text(d.reason) || t('audit.says.noReason') });
      case 'tenant.user.invite':
        return says(d.resend ? 'tenant_user_reinvite' : 'tenant_user_invite', { email: text(d.email), role: t(`roles.${text(d.role)}`, { defaultValue: text(d.role) }) });
      case 'tenant.user.password_reset':
        return says('tenant_user_password_reset', { email: text(d.email), until: when(d.expires_at) });
      case 'tenant.delete':
        return says('tenant_delete', { file: text(d.export) });
      case 'tenant.export':
      case 'tenant.restore':
        return says(actionKey(e.action), { file: text(d.file) });
      case 'tenant.restore_at':
        return says(d.as_slug ? 'tenant_restore_at_copy' : 'tenant_restore_at', { at: when(d.at), slug: text(d.as_slug) });
      case 'tenant.migrate':
        return says('tenant_migrate', { from: num(d.from) });
      case 'tenants.migrate':
        return says('tenants_migrate', { target: num(d.target_version), migrated: num(d.migrated), failed: Array.isArray(d.failed) ? fmtNumber(d.failed.length) : num(d.failed ?? 0) });
      case 'tenant.move':
        if (!failed && d.to_cluster != null) return says('tenant_move_cluster', { from: text(d.from_cluster), to: text(d.to_cluster), rows: num(d.rows), ms: num(d.freeze_ms) });
        return failed
          ? says('tenant_move_failed')
          : says('tenant_move', { tier: t(`tiers.${text(d.tier)}`, { defaultValue: text(d.tier) }), from: text(d.from), to: text(d.to), rows: num(d.rows), changes: num(d.changes), ms: num(d.freeze_ms) });
      case 'tenant.psql':
        return says('tenant_psql', { role: text(d.role), cluster: text(d.cluster), minutes: num(d.minutes) });
      case 'tenant.analytics.purge':
        return says(failed ? 'tenant_analytics_purge_owed' : 'tenant_analytics_purge');
      case 'key.create':
        return says('key_create', { name: text(d.name), prefix: text(d.prefix) });
      case 'key.revoke':
        return says('key_revoke', { id: text(d.key_id) });
      case 'operator.upsert':
        return says(d.password_reset ? 'operator_password' : 'operator_added', { email: text(d.email), n: num(d.sessions_ended ?? 0) });
      case 'operator.disable':
      case 'operator.enable':
        return says(actionKey(e.action), { email: text(d.email), n: num(d.sessions_ended ?? 0) });
      case 'operator.sign_in':
        return failed ? says('operator_sign_in_failed', { address: text(d.address) }) : says('operator_sign_in');
      case 'operator.sign_in_failures': {
        const addresses = d.addresses && typeof d.addresses === 'object' ? Object.entries(d.addresses as Detail).map(([a, n]) => `${a} (${num(n)})`) : [];
        const other = typeof d.other_addresses === 'number' && d.other_addresses > 0 ? [t('audit.says.otherAddresses', { n: fmtNumber(d.other_addresses) })] : [];
        return says('operator_sign_in_failures', { n: num(d.unaudited_failures), addresses: [...addresses, ...other].join(', ') });
      }
      case 'backup.run':
        return says('backup_run', { kind: t(`backups.kind.${text(d.type)}`, { defaultValue: text(d.type) }), label: text(d.label), size: typeof d.repository_bytes === 'number' ? fmtBytes(d.repository_bytes) : '—', seconds: num(d.seconds) });
      case 'usage.sample': {
        // A list is `{count, first}` (the first few names); entries written before that are plain arrays.
        const listed = (v: unknown): { count: number; first: unknown[] } => {
          if (Array.isArray(v)) return { count: v.length, first: v };
          const l = v && typeof v === 'object' ? (v as Detail) : {};
          const first = Array.isArray(l.first) ? l.first : [];
          return { count: typeof l.count === 'number' ? l.count : first.length, first };
        };
        const slugs = (...lists: unknown[]) => {
          const all = lists.map(listed);
          const names = all.flatMap((l) => l.first.map(text));
          const more = all.reduce((n, l) => n + l.count, 0) - names.length;
          if (!names.length && more <= 0) return t('audit.says.none');
          return [...names, ...(more > 0 ? [t('audit.says.otherTenants', { n: fmtNumber(more) })] : [])].join(', ');
        };
        return says('usage_sample', {
          measured: num(d.storage_measured),
          skipped: slugs(d.storage_skipped),
          events: d.events_counted ? t('audit.says.eventsCounted') : t('audit.says.eventsNotCounted'),
          flipped: slugs(d.storage_flipped, d.events_flipped),
        });
      }
      case 'cluster.add':
        if (failed) return says('cluster_add_tried', { name: text(d.name) });
        return says('cluster_add', { name: text(d.name), control: text(d.control_url_ref), api: text(d.api_url_ref) });
      case 'cluster.drain':
      case 'cluster.open':
        return says(actionKey(e.action), { name: text(d.name) });
      case 'cluster.change':
        return says(d.prepared_statements === false ? 'cluster_change_pooled' : 'cluster_change_direct', { name: text(d.name) });
      case 'cluster.remove':
        return says(d.kept_as_closed ? 'cluster_remove_kept' : 'cluster_remove', { name: text(d.name) });
      case 'tenant.resume':
      case 'tenant.delete.start':
      case 'backup.verify':
        return says(actionKey(e.action));
      default:
        // An action newer than this console: its name and detail as they are.
        return `${e.action} ${JSON.stringify(e.detail)}`;
    }
  };
  // A refusal's detail often holds nothing but the error (the action's name is shown
  // beside the sentence): then the error is the whole story.
  if (failed && Object.keys(d).every((k) => k === 'error' || k === 'code')) return t('audit.says.refused', { error: error || e.outcome });
  const what = sentence();
  return failed && error ? t('audit.says.failed', { what, error }) : what;
}

/// A tenant's new overrides ("limits overridden: requests per second 800, storage 5 GiB");
/// `{}` put every limit back to the plan's.
function limitsSaid(t: TFunction, limits: Detail): string {
  const set = LIMIT_FIELDS.filter((f) => typeof limits[f] === 'number').map((f) => `${t(`limits.names.${f}`)} ${fmtLimit(f, limits[f] as number)}`);
  return set.length ? t('audit.says.limitsChanged', { list: set.join(t('audit.says.listSeparator')) }) : t('audit.says.limitsReset');
}
