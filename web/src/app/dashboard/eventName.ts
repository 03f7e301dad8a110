// Event names as people read them. The events Atrium's own app, API and demo record have
// a catalogue entry (dashboard.eventNames); a tenant's own events keep their raw name,
// which is also what the API and the funnel's fields take.
import type { TFunction } from 'i18next';
import { i18n } from '../../i18n';
import { EVENT_NAME } from './funnelSpec';

export function eventName(t: TFunction, name: string): string {
  const key = `dashboard.eventNames.${name}`;
  // An event name has no dots, so one never reaches into another catalogue section.
  return EVENT_NAME.test(name) && i18n.exists(key) ? t(key) : name;
}

/// The raw name, for a `title` beside a translated one (none when they are the same).
export function rawTitle(t: TFunction, name: string): string | undefined {
  return eventName(t, name) === name ? undefined : name;
}
