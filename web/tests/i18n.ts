// The words the app shows, taken from its own catalogues, so each case reads the screen
// in the language its project runs in (playwright.config.ts: one project per language).
import type { TestInfo } from '@playwright/test';
import { en } from '../src/i18n/en';
import { zhCN } from '../src/i18n/zh-CN';

export type Lang = 'en' | 'zh-CN';
const CATALOGUES: Record<Lang, object> = { en, 'zh-CN': zhCN };

export const langOf = (info: TestInfo): Lang => (info.project.name === 'zh-CN' ? 'zh-CN' : 'en');

/// `tr('deals.moveTo', { title: 'X' })` in the project's language.
export function translator(lang: Lang) {
  return (key: string, params: Record<string, string | number> = {}) => {
    const value = key.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], CATALOGUES[lang]);
    if (typeof value !== 'string') throw new Error(`no catalogue entry ${key}`);
    return value.replace(/{{(\w+)}}/g, (_, p: string) => String(params[p] ?? `{{${p}}}`)).replace(/<\/?b>/g, '');
  };
}

export type Tr = ReturnType<typeof translator>;

/// A RegExp matching `s` literally.
export const literally = (s: string) => new RegExp(s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));

/// A catalogue entry as a RegExp: `params` filled in, every other placeholder matching
/// anything ("disabled {{date}}" → /disabled .*/).
export function pattern(lang: Lang, key: string, params: Record<string, string | number> = {}) {
  const raw = translator(lang)(key, params);
  return new RegExp(raw.split(/{{\w+}}/).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*'));
}
