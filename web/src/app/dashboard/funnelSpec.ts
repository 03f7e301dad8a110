// A funnel as the builder edits it: steps (event name, page route template or event
// property), the conversion window, the presets. Checked here with the server's rules
// (crates/atrium-analytics/src/funnel.rs) so a malformed step is refused on its field
// before anything is sent; the server's 422 names the same fields.
import type { FunnelStepSpec as Step } from '../../types';

export type { Step };

export const MAX_STEPS = 8;
export const EVENT_NAME = /^[a-z][a-z0-9_]*$/;
const MAX_NAME = 64;
const MAX_KEY = 64;
const MAX_VALUE = 1024;
const MAX_ROUTE = 2048;
export const MAX_WINDOW_S = 90 * 86_400;

const WON: Step = { kind: 'property', name: 'deal_stage_changed', key: 'to', value: 'won' };
/// The default tells the CRM's story: people open the customer list, add a customer,
/// open a deal, win it (the demo data and the app's own tracking both have it).
export const PRESETS = {
  visitCustomerDealWon: [{ kind: 'path', route: '/customers' }, { kind: 'event', name: 'customer_created' }, { kind: 'event', name: 'deal_created' }, WON],
  leadWon: [{ kind: 'property', name: 'deal_created', key: 'stage', value: 'lead' }, WON],
} satisfies Record<string, Step[]>;
export type Preset = keyof typeof PRESETS;

export type WindowUnit = 'hours' | 'days';
export const UNIT_S: Record<WindowUnit, number> = { hours: 3600, days: 86_400 };

/// A problem with one field: `field` as the server names it (`steps[1].route`,
/// `window_s`), `code` a `dashboard.errors.*` key.
export interface SpecError {
  field: string;
  code: 'eventName' | 'route' | 'key' | 'value' | 'window';
}

/// Every problem of the funnel, in field order; none means it can be sent.
export function checkFunnel(steps: Step[], windowS: number): SpecError[] {
  const errors: SpecError[] = [];
  steps.forEach((s, i) => {
    const at = `steps[${i}]`;
    if (s.kind === 'event' && !(EVENT_NAME.test(s.name) && s.name.length <= MAX_NAME)) errors.push({ field: `${at}.name`, code: 'eventName' });
    if (s.kind === 'path' && !(s.route.startsWith('/') && s.route.length <= MAX_ROUTE)) errors.push({ field: `${at}.route`, code: 'route' });
    if (s.kind === 'property') {
      if (s.name !== undefined && !(EVENT_NAME.test(s.name) && s.name.length <= MAX_NAME)) errors.push({ field: `${at}.name`, code: 'eventName' });
      if (s.key.trim() === '' || s.key.length > MAX_KEY) errors.push({ field: `${at}.key`, code: 'key' });
      if (s.value.length > MAX_VALUE) errors.push({ field: `${at}.value`, code: 'value' });
    }
  });
  if (!(Number.isInteger(windowS) && windowS >= 1 && windowS <= MAX_WINDOW_S)) errors.push({ field: 'window_s', code: 'window' });
  return errors;
}

/// A step turned into another kind, keeping what carries over (the event name).
export function withKind(s: Step, kind: Step['kind']): Step {
  const name = s.kind === 'path' ? 'pageview' : (s.name ?? 'pageview');
  return kind === 'path' ? { kind, route: '/' } : kind === 'event' ? { kind, name } : { kind, name, key: '', value: '' };
}
