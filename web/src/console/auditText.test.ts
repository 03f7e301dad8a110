import { afterEach, describe, expect, it } from 'vitest';
import { i18n, missingKeys } from '../i18n';
import type { AuditEntry } from '../types';
import { actionLabel, actorName, describe as say } from './auditText';

const entry = (action: string, detail: unknown, outcome = 'ok', actor = 'operator:ops@x.test'): AuditEntry => ({ id: 1, at: '2026-12-02T09:00:00Z', actor, actor_display: 'Olga Ops <ops@x.test>', action, tenant_slug: 'acme', outcome, detail });

afterEach(() => i18n.changeLanguage('en'));

describe('audit entries in words', () => {
  it('say why a tenant was suspended, in either language', async () => {
    const e = entry('tenant.suspend', { reason: 'Unpaid invoice', from: 'active', to: 'suspended' });
    expect(say(i18n.t, e)).toBe('Suspended. Reason: “Unpaid invoice”');
    await i18n.changeLanguage('zh-CN');
    expect(say(i18n.t, e)).toBe('已暂停。原因：“Unpaid invoice”');
  });

  it('name only what a change changed', () => {
    expect(say(i18n.t, entry('tenant.update', { display_name: 'Acme Ltd', plan: null, statement_timeout_ms: null }))).toBe('Renamed to “Acme Ltd”');
    expect(say(i18n.t, entry('tenant.update', { display_name: null, plan: 'pro', statement_timeout_ms: 900 }))).toBe('Moved to the pro plan; statement timeout set to 900 ms');
  });

  it('name the limits a change overrode, or say they went back to the plan', async () => {
    const set = entry('tenant.update', { display_name: null, plan: 'pro', limits: { requests_per_second: 800, storage_bytes: 5 * 1024 ** 3 } });
    expect(say(i18n.t, set)).toBe('Moved to the pro plan; limits overridden: requests per second 800, storage 5 GiB');
    expect(say(i18n.t, entry('tenant.update', { display_name: null, plan: null, limits: {} }))).toBe('Every limit back to the plan’s');
    await i18n.changeLanguage('zh-CN');
    expect(say(i18n.t, set)).toBe('套餐改为 专业版；限额改为：每秒请求数 800，存储 5 GiB');
  });

  it('say what a usage measurement did, in either language', async () => {
    const e = entry('usage.sample', { storage_measured: 3, storage_skipped: [], storage_flipped: ['acme'], events_counted: true, events_flipped: [] });
    expect(say(i18n.t, e)).toBe('Measured the storage of 3 tenants (skipped: none); this month’s events counted. Quota flags changed for: acme.');
    await i18n.changeLanguage('zh-CN');
    expect(say(i18n.t, e)).toBe('测量了 3 个租户的存储（跳过：无）；本月事件数已统计。配额标志有变化的租户：acme。');
  });

  it('name the first tenants of a long list and count the rest', async () => {
    const e = entry('usage.sample', {
      storage_measured: 900, storage_skipped: { count: 0, first: [] }, storage_flipped: { count: 25, first: ['a', 'b'] },
      events_counted: false, events_flipped: { count: 1, first: ['c'] },
    });
    expect(say(i18n.t, e)).toBe('Measured the storage of 900 tenants (skipped: none); this month’s events not counted (analytics could not be read). Quota flags changed for: a, b, c, 23 more tenants.');
    await i18n.changeLanguage('zh-CN');
    expect(say(i18n.t, e)).toContain('a, b, c, 另外 23 个租户');
  });

  it('give a refusal’s error, and keep raw JSON for actions newer than the console', () => {
    expect(say(i18n.t, entry('tenant.create', { error: 'slug taken' }, 'error'))).toBe('Did not happen: slug taken');
    expect(say(i18n.t, entry('tenant.teleport', { to: 'mars' }))).toBe('tenant.teleport {"to":"mars"}');
  });

  it('read a refusal by its error code in the reader’s language, the raw text only for codes it does not know', async () => {
    const suspended = entry('tenant.create', { error: 'tenant is suspended', code: 'tenant_suspended' }, 'error');
    expect(say(i18n.t, suspended)).toBe('Did not happen: This workspace is suspended.');
    await i18n.changeLanguage('zh-CN');
    expect(say(i18n.t, suspended)).toBe('未完成：此工作区已被暂停。');
    expect(say(i18n.t, entry('tenant.create', { error: 'slug taken', code: 'slug_newer_than_console' }, 'error'))).toBe('未完成：slug taken');
  });

  it('name an action newer than the catalogue by its raw name, still counted as a missing key', () => {
    expect(actionLabel(i18n.t, 'tenant.teleport')).toBe('tenant.teleport');
    expect(missingKeys).toContain('audit.actions.tenant_teleport');
    missingKeys.splice(missingKeys.indexOf('audit.actions.tenant_teleport'), 1);
  });

  it('name the admin token and the command line in the reader’s language', async () => {
    await i18n.changeLanguage('zh-CN');
    expect(actorName(i18n.t, entry('backup.run', {}, 'ok', 'token:admin'))).toBe('管理员令牌');
    expect(actorName(i18n.t, entry('tenants.migrate', {}, 'ok', 'cli:root'))).toBe('命令行（root）');
    expect(actorName(i18n.t, entry('tenant.create', {}))).toBe('Olga Ops <ops@x.test>');
    expect(missingKeys).toEqual([]);
  });
});
