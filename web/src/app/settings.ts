import { useApi } from '../query';

/// The tenant's own settings (`GET /v1/t/{tenant}/settings`).
export interface TenantSettings {
  currency?: string;
  timezone?: string;
}

/// The currency new deals and orders start in: the tenant's, or EUR where the tenant has
/// none (or the API has no settings yet).
export function useTenantCurrency(slug: string): string {
  return useApi<TenantSettings>(`/v1/t/${slug}/settings`).data?.currency ?? 'EUR';
}
