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
export type TenantDetail = C['TenantDetail'];
export type Limits = C['Limits'];
export type LimitOverrides = C['LimitOverrides'];
export type TenantUsage = C['TenantUsage'];
export type UsagePoint = C['UsagePoint'];
export type UsageWindow = C['Window'];
export type UsageTop = C['UsageTop'];
export type TotalUsage = C['TotalUsage'];
