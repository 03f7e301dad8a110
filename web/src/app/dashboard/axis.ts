// What the charts of one dashboard view share: the periods along x (every series laid
// over the same list, so a 7-day trend and 7 days of active users start and end on the
// same day) and, for series that count the same thing, one y range.
import type { Period } from '../../types';

/// A period on the x axis: its label (month-day or hour, as the API gave it in the
/// tenant's zone) and whether it is over.
export interface Slot {
  start: string;
  label: string;
  complete: boolean;
}

/// `2026-03-10T00:00:00+08:00` → `03-10`; hours → `03-10 14:00`.
export function periodLabel(start: string, hourly = false): string {
  return hourly ? `${start.slice(5, 10)} ${start.slice(11, 16)}` : start.slice(5, 10);
}

/// The union of the periods of every series in the view, oldest first. A period some
/// series counts as incomplete is incomplete for all.
export function sharedSlots(...series: (Period[] | undefined)[]): Slot[] {
  const by = new Map<string, Slot>();
  for (const s of series) {
    for (const p of s ?? []) {
      const had = by.get(p.start);
      by.set(p.start, { start: p.start, label: periodLabel(p.start), complete: (had?.complete ?? true) && p.complete });
    }
  }
  return [...by.values()].sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
}

/// The smallest 1, 2 or 5 times a power of ten at or above `n` (at least 1): a y axis
/// top that reads well and fits every series sharing it.
export function niceMax(n: number): number {
  if (!(n > 1)) return 1;
  const p = 10 ** Math.floor(Math.log10(n));
  for (const m of [1, 2, 5, 10]) if (m * p >= n) return m * p;
  return 10 * p;
}

/// Whole-number ticks from 0 to `max` (a niceMax), at most five.
export function ticksTo(max: number): number[] {
  const step = [1, 2, 5, 10, 20, 25, 50].map((s) => s * 10 ** Math.max(0, Math.floor(Math.log10(max)) - 1)).find((s) => max / s <= 4 && Number.isInteger(max / s)) ?? max;
  const out: number[] = [];
  for (let v = 0; v <= max; v += step) out.push(v);
  return out;
}
