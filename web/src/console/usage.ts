// A tenant's usage as the console shows it wherever it appears (the tenants list, the
// overview's busiest tenants, a tenant's page): '—' for what was not measured.
import { fmtBytes, fmtNumber } from '../format';
import type { TenantStats } from '../types';

type Usage = Pick<TenantStats, 'schema_bytes' | 'events_7d' | 'requests_per_min'>;

export function usageText(s: Partial<Usage> | null | undefined) {
  return {
    schema: s?.schema_bytes != null ? fmtBytes(s.schema_bytes) : '—',
    events: s?.events_7d != null ? fmtNumber(s.events_7d) : '—',
    requests: s?.requests_per_min != null ? fmtNumber(s.requests_per_min, { maximumFractionDigits: 1, minimumFractionDigits: 1 }) : '—',
  };
}
