// Restore one tenant to a moment. The operator picks the moment with the tenant's audit
// log beside the form (a click on an entry takes its time), and whether the restored
// data goes beside the tenant under a new slug or replaces the tenant's own.
import { useState } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import { ApiError, post } from '../api/client';
import { useAction } from '../data';
import { fmtDateTime, fmtNumber, isoToLocal, localToIso } from '../format';
import { useApi } from '../query';
import type { AuditEntry, Page, RestoreReport, Tenant } from '../types';
import { Field, FormError, useFieldError } from '../ui/forms';
import { Loaded } from '../ui/states';
import { actionLabel, actorName } from './auditText';

export function RestoreForm({ tenant, onClose, onRestored }: { tenant: Tenant; onClose: () => void; onRestored: () => void }) {
  const { t } = useTranslation();
  const slug = tenant.slug;
  const live = tenant.state === 'active' || tenant.state === 'suspended';
  const [when, setWhen] = useState('');
  const [mode, setMode] = useState<'copy' | 'replace'>('copy');
  const [asSlug, setAsSlug] = useState(`${slug}_restored`.slice(0, 40));
  const [done, setDone] = useState<RestoreReport | 'running' | null>(null);
  const action = useAction();
  const fieldError = useFieldError(action.error);
  // The most recent entries only: enough to pick a moment by.
  const log = useApi<Page<AuditEntry>>(`/v1/audit?tenant_slug=${slug}&limit=20`);
  const restore = async () => {
    setDone(null);
    const at = localToIso(when);
    if (!at) throw new ApiError(0, 'validation_failed', 'Pick a moment.', [{ field: 'at', code: 'required', message: 'is required' }]);
    const body = mode === 'copy' ? { at, as_slug: asSlug } : { at };
    const report = await post<RestoreReport | { state: 'running' }>(`/v1/tenants/${slug}/restore`, body);
    setDone('mode' in report ? report : 'running');
    onRestored();
  };
  const rows = (r: RestoreReport) =>
    Object.entries(r.rows)
      .map(([table, n]) => t('restore.rows', { n: fmtNumber(n), table }))
      .join(t('restore.rowsSeparator'));
  return (
    <div className="restore">
      <form className="panel" onSubmit={action.submit(restore)} aria-label={t('restore.title', { slug })} noValidate>
        <p>
          <Trans i18nKey="restore.explain" values={{ slug }} components={{ b: <strong /> }} />
        </p>
        <Field id={`restore-at-${slug}`} label={t('restore.moment')} type="datetime-local" step={1} value={when} onChange={(e) => setWhen(e.target.value)} error={fieldError('at')} />
        <fieldset>
          <legend>{t('restore.how')}</legend>
          <label>
            <input type="radio" name={`mode-${slug}`} checked={mode === 'copy'} onChange={() => setMode('copy')} /> {t('restore.asCopy')}
          </label>
          <label>
            <input type="radio" name={`mode-${slug}`} checked={mode === 'replace'} disabled={!live} onChange={() => setMode('replace')} /> {t('restore.replacing', { slug })}
          </label>
        </fieldset>
        {mode === 'copy' && <Field id={`restore-as-${slug}`} label={t('restore.newSlug')} value={asSlug} onChange={(e) => setAsSlug(e.target.value.trim())} error={fieldError('as_slug')} />}
        <button type="submit" className={mode === 'replace' ? 'danger' : undefined} disabled={action.busy}>
          {action.busy ? t('restore.busy') : mode === 'replace' ? t('restore.replaceButton', { slug }) : t('restore.copyButton')}
        </button>
        <button type="button" className="secondary" onClick={onClose}>
          {t('common.close')}
        </button>
        <FormError error={action.error} shownOn={['at', 'as_slug']} />
        {done === 'running' && <p role="status">{t('restore.background')}</p>}
        {done && done !== 'running' && (
          <p role="status">
            {t('restore.done', { slug: done.tenant.slug, at: fmtDateTime(done.at), seconds: fmtNumber(done.elapsed_ms / 1000, { maximumFractionDigits: 1, minimumFractionDigits: 1 }), rows: rows(done) })}
          </p>
        )}
      </form>
      <aside className="panel" aria-label={t('restore.recent', { slug })}>
        <h2>{t('restore.whatHappened')}</h2>
        <Loaded query={log} what={t('audit.what')} isEmpty={(d) => d.items.length === 0} empty={t('audit.none')}>
          {(d) => (
            <ol className="timeline">
              {d.items.map((e) => (
                <li key={e.id}>
                  <button type="button" className="link" title={t('restore.justBefore')} onClick={() => setWhen(isoToLocal(new Date(new Date(e.at).getTime() - 1000).toISOString()))}>
                    {fmtDateTime(e.at)}
                  </button>{' '}
                  {actionLabel(t, e.action)} · {actorName(t, e)}
                </li>
              ))}
            </ol>
          )}
        </Loaded>
      </aside>
    </div>
  );
}
