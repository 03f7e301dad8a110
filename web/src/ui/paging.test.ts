import { describe, expect, it } from 'vitest';
import { FIRST, listQuery, next, pageIndex, previous, rangeOf } from './paging';

describe('paging', () => {
  it('keeps a stack of cursors, so Previous goes back', () => {
    const second = next(FIRST, 'c1');
    const third = next(second, 'c2');
    expect(pageIndex(third)).toBe(2);
    expect(previous(third)).toEqual(second);
    expect(previous(previous(third))).toEqual(FIRST);
    expect(previous(FIRST)).toEqual(FIRST);
  });

  it('counts the rows a page shows', () => {
    expect(rangeOf(FIRST, 50, 50, 131)).toEqual({ from: 1, to: 50, total: 131 });
    expect(rangeOf(next(next(FIRST, 'a'), 'b'), 50, 31, 131)).toEqual({ from: 101, to: 131, total: 131 });
    expect(rangeOf(FIRST, 50, 0, 0)).toEqual({ from: 0, to: 0, total: 0 });
  });

  it('asks for one page, sorted, after its cursor, with the filters that are set', () => {
    expect(listQuery({ q: 'ac', stage: undefined }, next(FIRST, 'c1'), 50, '-created_at')).toBe('q=ac&limit=50&sort=-created_at&cursor=c1');
    expect(listQuery({}, FIRST, 50, 'name')).toBe('limit=50&sort=name');
  });
});
