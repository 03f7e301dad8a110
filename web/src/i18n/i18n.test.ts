import { describe, expect, it } from 'vitest';
import { en } from './en';
import { zhCN } from './zh-CN';

/// Every leaf of a catalogue as "a.b.c" → value.
function leaves(o: object, prefix = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [k, v] of Object.entries(o)) {
    if (v && typeof v === 'object') for (const [kk, vv] of leaves(v, `${prefix}${k}.`)) out.set(kk, vv);
    else out.set(`${prefix}${k}`, v);
  }
  return out;
}

describe('catalogues', () => {
  const a = leaves(en);
  const b = leaves(zhCN);

  it('have exactly the same keys', () => {
    expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
  });

  it('have no empty values', () => {
    for (const [lang, m] of [['en', a] as const, ['zh-CN', b] as const]) {
      const empty = [...m].filter(([, v]) => typeof v !== 'string' || v.trim() === '').map(([k]) => k);
      expect(empty, lang).toEqual([]);
    }
  });

  it('use the same placeholders in each translation', () => {
    const names = (s: unknown) => [...String(s).matchAll(/{{(\w+)}}/g)].map((m) => m[1]).sort();
    const differ = [...a].filter(([k, v]) => names(v).join() !== names(b.get(k)).join()).map(([k]) => k);
    expect(differ).toEqual([]);
  });
});
