// What the CRM screens share: changes guarded by the version the user read (If-Match),
// a stale version (412) reloaded before the user is told, amounts as editable text, a
// message carried across a navigation.
import { useEffect, useState, type FormEvent } from 'react';
import type { TFunction } from 'i18next';
import { api, ApiError, get } from '../api/client';
import { useAction, type Action } from '../data';
import { currencyDigits } from '../money/currency';
import { invalidate, useAllPages } from '../query';
import type { components } from '../api/tenant.gen';
import { toMinor } from '../ui/MoneyInput';

export type Note = components['schemas']['Note'];
export type TimelineEntry = components['schemas']['TimelineEntry'];

/// The ETag the API sent with the row, from the version in its body (the same number).
const ifMatch = (version: number) => ({ headers: { 'If-Match': `"${version}"` } });

/// A merge-patch of a row as it was read: 412 when someone changed it since.
export const patchRow = <T>(path: string, version: number, body: unknown) => api<T>('PATCH', path, body, ifMatch(version));

export const deleteRow = (path: string, version: number) => api<void>('DELETE', path, undefined, ifMatch(version));

export const isStale = (e: unknown) => e instanceof ApiError && e.status === 412;

/// Runs a guarded change; when the row changed under the user, `reload` shows the other
/// person's version first and the error goes on, for the form to say so (`shownError`).
export async function orReload<T>(change: () => Promise<T>, reload: () => Promise<unknown>): Promise<T> {
  try {
    return await change();
  } catch (e) {
    if (isStale(e)) await reload();
    throw e;
  }
}

/// A form's error as words: a stale version in the CRM's own terms, the rest as is.
export const shownError = (t: TFunction, e: ApiError | null) => (e && e.status === 412 ? t('crm.stale') : e);

export interface RowEdit<T> {
  /// The row as last read: its version goes in If-Match.
  base: T;
  action: Action;
  saved: boolean;
  /// A form's onSubmit: PATCHes what `body` returns (it may throw a field error).
  save: (body: () => unknown) => (e: FormEvent) => void;
  /// DELETEs the row; `gone` runs before the lists are reloaded (close, navigate away).
  remove: (gone: () => void) => Promise<void>;
}

/// Editing one row at `path`: changes carry the version the user read; when someone
/// else changed it first, the latest is fetched, `fill` puts it into the form, and the
/// form says so. Every cached GET under `touched` is reloaded after a change; `onSaved`
/// hears of a saved change (to close the form and highlight the row).
export function useRowEdit<T extends { version: number }>(path: string, row: T, { fill, touched, onSaved }: { fill: (r: T) => void; touched: string[]; onSaved?: (r: T) => void }): RowEdit<T> {
  const [base, setBase] = useState(row);
  const [saved, setSaved] = useState(false);
  const action = useAction();
  const reloadLists = () => Promise.all(touched.map((p) => invalidate(p)));
  const reload = async () => {
    const latest = await get<T>(path);
    setBase(latest);
    fill(latest);
    await reloadLists();
  };
  const save = (body: () => unknown) =>
    action.submit(async () => {
      setSaved(false);
      const r = await orReload(() => patchRow<T>(path, base.version, body()), reload);
      setBase(r);
      fill(r);
      setSaved(true);
      onSaved?.(r);
      await reloadLists();
    });
  const remove = async (gone: () => void) => {
    await orReload(() => deleteRow(path, base.version), reload);
    gone();
    await reloadLists();
  };
  return { base, action, saved, save, remove };
}

/// Minor units as text the money input reads back in any language: "1234.50".
export function moneyText(minor: number, currency: string) {
  const digits = currencyDigits(currency);
  return digits === 0 ? String(minor) : (minor / 10 ** digits).toFixed(digits);
}

/// An amount being edited: starts from the row's, `fill` resets it to another row's.
export function useMoneyEdit(minor: number, initialCurrency: string) {
  const [text, setText] = useState(() => moneyText(minor, initialCurrency));
  const [currency, setCurrency] = useState(initialCurrency);
  return {
    text,
    currency,
    minor: () => toMinor(text, currency),
    fill: (m: number, c: string) => {
      setText(moneyText(m, c));
      setCurrency(c);
    },
    input: { value: text, onChange: setText, currency, onCurrency: setCurrency },
  };
}

/// The rows of a list being added, edited and deleted: which one a dialog edits, the
/// one to highlight with what to announce about it (for List's `created`), and what to
/// say about a deleted one.
export function useListEdits<T>() {
  const [mark, setMark] = useState<{ row: T; text: string } | null>(null);
  const [editing, setEditing] = useState<T | null>(null);
  const [gone, setGone] = useState('');
  const changed = (row: T, text: string) => {
    setEditing(null);
    setGone('');
    setMark({ row, text });
  };
  return {
    editing,
    open: (row: T) => setEditing(row),
    close: () => setEditing(null),
    gone,
    /// A row added or saved: highlighted and announced.
    changed,
    deleted: (text: string) => {
      setEditing(null);
      setMark(null);
      setGone(text);
    },
    marked: { created: mark?.row ?? null, createdText: () => mark?.text ?? '' },
  };
}

// Said once on the screen navigated to ("Customer Rocket Co deleted.").
let flash: string | null = null;
export const setFlash = (s: string) => {
  flash = s;
};
export function useFlash(): string | null {
  const [said] = useState(flash);
  useEffect(() => {
    flash = null;
  }, []);
  return said;
}

/// Customer names by id, for lists that show whose a row is (the deals board, orders):
/// the whole customer list, one cache entry shared by every screen that asks.
export function useCustomerNames(slug: string): Map<string, string> {
  const customers = useAllPages<{ id: string; name: string }>(`/v1/t/${slug}/customers`);
  return new Map((customers.data?.items ?? []).map((c) => [c.id, c.name]));
}
