// The API's resource shapes, as the screens read them: generated from the two OpenAPI
// documents (api/*.gen.ts, by scripts/web-openapi), so a changed API shows up as a type
// error. They live here, not in the screen that shows them first, so that screens
// depend on the API and not on each other.
import type { components as Control } from './api/control.gen';
import type { components as Tenant_ } from './api/tenant.gen';

type C = Control['schemas'];
type T = Tenant_['schemas'];

/// One page of a list endpoint.
export interface Page<Item> {
  items: Item[];
  next_cursor?: string | null;
}

export type Operator = C['OperatorAccount'];
export type Cluster = C['Cluster'];
export type Move = C['Move'];
export type OperatorSession = Omit<C['SessionInfo'], 'operator'> & { operator: Operator };
export type User = Omit<T['TenantUser'], 'status' | 'created_at'>;
export type UserSession = T['SessionInfo'];
export type Member = T['TenantUser'] & { status: 'invited' | 'active' };
export type Invite = T['Invite'];
export type Tenant = C['Tenant'];
export type TenantStats = C['TenantStats'];
export type ConsoleConfig = C['ConsoleConfig'];
export type AuditEntry = C['AuditEntry'];
export type Customer = T['Customer'];
export type Contact = T['Contact'];
export type Deal = T['Deal'];
export type Order = T['Order'];
export type Stage = T['Stage'];
export type BackupSet = C['BackupSet'];
export type BackupOverview = C['BackupOverview'];
export type RestoreReport = C['RestoreReport'];

export const STAGES = ['lead', 'qualified', 'proposal', 'won', 'lost'] as const satisfies readonly Stage[];

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
