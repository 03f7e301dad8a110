// Shapes of the control plane's answers that only the console reads, from the generated
// OpenAPI types (api/control.gen.ts).
import type { components } from '../api/control.gen';

type C = components['schemas'];

export type Overview = C['Overview'];
export type ProcessReadiness = C['ProcessReadiness'];
export type TenantUser = C['TenantUser'];
export type ApiKey = C['ApiKey'];
export type CreatedKey = C['CreatedKey'];
export type PasswordReset = C['PasswordReset'];
export type InviteAnswer = C['Invite'];
/// The OpenAPI document names two schemas `Suspension` (the request body and this), so
/// the generated type has only `reason`; the answer carries the rest.
export type TenantDetail = Omit<C['TenantDetail'], 'suspension'> & {
  suspension?: { reason?: string | null; at?: string | null; by?: string | null; by_display?: string | null } | null;
};
