// The tenant states and plans the control plane knows (its TenantState and Plan enums, as
// the generated types name them), in the order the console lists them.
import type { Tenant } from '../types';

export const TENANT_STATES = ['provisioning', 'active', 'suspended', 'deleting', 'deleted'] as const satisfies readonly Tenant['state'][];
export const PLANS = ['free', 'pro', 'enterprise'] as const satisfies readonly Tenant['plan'][];
export const TIERS = ['schema', 'pooled'] as const satisfies readonly Tenant['tier'][];
