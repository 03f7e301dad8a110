// The API's resource shapes, as the screens read them. They live here, not in the screen
// that shows them first, so that screens depend on the API and not on each other.

/// One page of a list endpoint.
export interface Page<T> {
  items: T[];
}

export interface Operator {
  id: string;
  email: string;
  display_name: string;
  created_at: string;
  /// Set while the operator may not sign in.
  disabled_at: string | null;
}

export interface OperatorSession {
  operator: Operator;
  csrf_token: string;
}

export interface User {
  id: string;
  email: string;
  display_name: string;
  role: 'admin' | 'member';
}

export interface UserSession {
  user: User;
  csrf_token: string;
}

export interface Member extends User {
  status: 'invited' | 'active';
  created_at: string;
}

export interface Invite {
  invite_token: string;
}

export interface Tenant {
  slug: string;
  display_name: string;
  plan: string;
  state: string;
  created_at: string;
  migration_version: number;
  migration_error: string | null;
  export_path: string | null;
}

export interface TenantStats {
  slug: string;
  schema_bytes: number | null;
  events_7d: number | null;
  requests_per_min: number | null;
}

export interface ConsoleConfig {
  api_url: string;
  tenant_migration_target: number;
}

export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  action: string;
  tenant_slug: string | null;
  outcome: string;
  detail: Record<string, unknown>;
}

export interface Customer {
  id: string;
  name: string;
  domain: string | null;
  industry: string | null;
  created_at: string;
}

export interface Contact {
  id: string;
  name: string;
  email: string | null;
  title: string | null;
}

export const STAGES = ['lead', 'qualified', 'proposal', 'won', 'lost'] as const;
export type Stage = (typeof STAGES)[number];

export interface Deal {
  id: string;
  customer_id: string;
  title: string;
  amount_cents: number;
  currency: string;
  stage: Stage;
  version: number;
}

export interface Order {
  id: string;
  item: string;
  quantity: number;
  amount_cents: number;
  currency: string;
  created_at: string;
}

export interface BackupSet {
  label: string;
  type: 'full' | 'diff' | 'incr';
  started_at: string;
  finished_at: string;
  database_bytes: number;
  repository_bytes: number;
  based_on: string | null;
}

export interface BackupOverview {
  backups: BackupSet[];
  newest_age_s: number | null;
  max_age_s: number;
  stale: boolean;
  running: boolean;
}

export interface RestoreReport {
  tenant: Tenant;
  mode: 'copy' | 'replace';
  at: string;
  rows: Record<string, number>;
  export_file: string;
  elapsed_ms: number;
}

/// A trend or active-users period: `start` in the asked time zone; `complete` is false for
/// the current period and one the range cuts.
export interface Period {
  start: string;
  complete: boolean;
}

export interface TrendBucket extends Period {
  n: number;
}

export interface ActiveCounts {
  users: number;
  end_users: number;
  team_members: number;
}

export interface ActiveUsers {
  tz: string;
  counts: string;
  totals: ActiveCounts;
  series: Record<'day' | 'week' | 'month', (Period & ActiveCounts)[]>;
}

export type FunnelStepSpec =
  | { kind: 'event'; name: string }
  | { kind: 'path'; route: string }
  | { kind: 'property'; name?: string; key: string; value: string };

export interface FunnelStep {
  step: FunnelStepSpec;
  users: number;
  conversion_from_first: number;
  conversion_from_previous: number;
  drop_off: number;
  median_s_from_previous: number | null;
}

export interface Funnel {
  window_s: number;
  from: string;
  to: string;
  steps: FunnelStep[];
}

export interface PageRow {
  route: string;
  views: number;
  visitors: number;
}

export interface DwellRow {
  route: string;
  samples: number;
  avg_ms: number;
  median_ms: number;
}
