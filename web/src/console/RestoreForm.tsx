// Restore one tenant to a moment. The operator picks the moment with the tenant's audit
// log beside the form (a click on an entry takes its time), and whether the restored
// data goes beside the tenant under a new slug or replaces the tenant's own.
import { useState } from 'react';
import { ApiError, post } from '../api';
import { useAction, useGet } from '../data';
import { isoToLocal, localToIso } from '../format';
import type { AuditEntry, Page, RestoreReport, Tenant } from '../types';
import { Field, FormError } from '../ui/forms';
import { LoadedItems } from '../ui/states';

export function RestoreForm({ tenant, onClose, onRestored }: { tenant: Tenant; onClose: () => void; onRestored: () => void }) {
  const live = tenant.state === 'active' || tenant.state === 'suspended';
  const [when, setWhen] = useState('');
  const [mode, setMode] = useState<'copy' | 'replace'>('copy');
  const [asSlug, setAsSlug] = useState(`${tenant.slug}_restored`.slice(0, 40));
  const [done, setDone] = useState<RestoreReport | 'running' | null>(null);
  const action = useAction();
  const log = useGet<Page<AuditEntry>>(`/v1/audit?tenant=${tenant.slug}&limit=20`);
  const restore = async () => {
    setDone(null);
    const at = localToIso(when);
    if (!at) throw new ApiError(0, 'validation_failed', 'Pick a moment.', [{ field: 'at', message: 'Pick a moment.' }]);
    const body = mode === 'copy' ? { at, as_slug: asSlug } : { at };
    const report = await post<RestoreReport | { state: 'running' }>(`/v1/tenants/${tenant.slug}/restore`, body);
    setDone('mode' in report ? report : 'running');
    onRestored();
  };
  return (
    <div className="restore">
      <form className="panel" onSubmit={action.submit(restore)} aria-label={`Restore ${tenant.slug} to a moment`} noValidate>
        <p>
          The whole cluster is restored from the backups into a scratch instance at that moment; only <strong>{tenant.slug}</strong>'s data
          is taken from it. Other tenants are never touched.
        </p>
        <Field id={`restore-at-${tenant.slug}`} label="Moment (your local time)" type="datetime-local" step={1} value={when} onChange={(e) => setWhen(e.target.value)} error={action.error?.field('at')} />
        <fieldset>
          <legend>Restore</legend>
          <label>
            <input type="radio" name={`mode-${tenant.slug}`} checked={mode === 'copy'} onChange={() => setMode('copy')} /> as a copy beside it, under a new slug
          </label>
          <label>
            <input type="radio" name={`mode-${tenant.slug}`} checked={mode === 'replace'} disabled={!live} onChange={() => setMode('replace')} /> replacing {tenant.slug}'s data (suspended
            during the swap)
          </label>
        </fieldset>
        {mode === 'copy' && <Field id={`restore-as-${tenant.slug}`} label="New slug" value={asSlug} onChange={(e) => setAsSlug(e.target.value.trim())} />}
        <button type="submit" className={mode === 'replace' ? 'danger' : undefined} disabled={action.busy}>
          {action.busy ? 'Restoring… (this can take a minute)' : mode === 'replace' ? `Replace ${tenant.slug}'s data` : 'Restore as a copy'}
        </button>
        <button type="button" className="secondary" onClick={onClose}>
          Close
        </button>
        <FormError error={action.error} shownOn={['at']} />
        {done === 'running' && <p role="status">The restore goes on in the background; its outcome will be in the audit log.</p>}
        {done && done !== 'running' && (
          <p role="status">
            Restored <strong>{done.tenant.slug}</strong> to {new Date(done.at).toLocaleString()} in {(done.elapsed_ms / 1000).toFixed(1)} s:{' '}
            {Object.entries(done.rows)
              .map(([table, n]) => `${n} ${table}`)
              .join(', ')}
            .
          </p>
        )}
      </form>
      <aside className="panel" aria-label={`Recent audit entries of ${tenant.slug}`}>
        <h2>What happened when</h2>
        <LoadedItems state={log} what="the audit log" empty="No entries yet.">
          {(items) => (
            <ol className="timeline">
              {items.map((e) => (
                <li key={e.id}>
                  <button type="button" className="link" title="Restore to just before this" onClick={() => setWhen(isoToLocal(new Date(new Date(e.at).getTime() - 1000).toISOString()))}>
                    {new Date(e.at).toLocaleString()}
                  </button>{' '}
                  <code>{e.action}</code> {e.actor}
                </li>
              ))}
            </ol>
          )}
        </LoadedItems>
      </aside>
    </div>
  );
}
