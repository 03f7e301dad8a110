import { describe, expect, it } from 'vitest';
import { niceMax, sharedSlots, ticksTo } from './axis';
import { eventName } from './eventName';
import { EVENTS } from './FunnelSteps';
import { checkFunnel, PRESETS } from './funnelSpec';
import { shade } from './Retention';

describe('funnel steps are checked on their fields', () => {
  it('accepts the presets', () => {
    for (const steps of Object.values(PRESETS)) expect(checkFunnel(steps, 7 * 86_400)).toEqual([]);
  });

  it('refuses a route without a slash, an empty key, a bad event name and a window out of range', () => {
    const errors = checkFunnel(
      [
        { kind: 'path', route: 'customers' },
        { kind: 'property', key: ' ', value: 'won' },
        { kind: 'event', name: 'Deal Won' },
      ],
      0,
    );
    expect(errors.map((e) => e.field)).toEqual(['steps[0].route', 'steps[1].key', 'steps[2].name', 'window_s']);
  });
});

describe('charts of one view share their axes', () => {
  it('lays every series over the union of periods, incomplete if any says so', () => {
    const a = [{ start: '2026-03-10T00:00:00+08:00', complete: true }];
    const b = [
      { start: '2026-03-10T00:00:00+08:00', complete: true },
      { start: '2026-03-11T00:00:00+08:00', complete: false },
    ];
    expect(sharedSlots(a, b).map((s) => [s.label, s.complete])).toEqual([
      ['03-10', true],
      ['03-11', false],
    ]);
  });

  it('rounds the shared top up to 1, 2 or 5 times a power of ten', () => {
    expect([0, 1, 3, 6, 11, 126].map(niceMax)).toEqual([1, 1, 5, 10, 20, 200]);
    expect(ticksTo(10)).toEqual([0, 5, 10]);
    expect(ticksTo(1)).toEqual([0, 1]);
    expect(ticksTo(200).at(-1)).toBe(200);
  });
});

describe('retention cells', () => {
  it('shade from none to all in five steps', () => {
    expect([0, 0.01, 0.2, 0.21, 0.5, 0.99, 1].map(shade)).toEqual([0, 1, 1, 2, 3, 5, 5]);
  });
});

describe('event names', () => {
  it("item 3 (review): the app's own events read in words in both languages, a tenant's own event keeps its raw name", async () => {
    const { i18n } = await import('../../i18n');
    for (const lng of ['en', 'zh-CN']) {
      await i18n.changeLanguage(lng);
      const t = i18n.getFixedT(lng);
      for (const n of EVENTS) expect(eventName(t, n), `${lng}: ${n}`).not.toBe(n);
      expect(eventName(t, 'signup_finished')).toBe('signup_finished');
      expect(eventName(t, 'errors')).toBe('errors');
    }
    expect(eventName(i18n.getFixedT('zh-CN'), 'deal_stage_changed')).toBe('商机阶段变更');
  });
});
