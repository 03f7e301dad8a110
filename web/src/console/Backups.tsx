// Backups: what the repository holds, how old the newest backup is, and a button to take
// one now. pgBackRest does the work; the control plane schedules it and reports here.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { post } from '../api/client';
import { useAction } from '../data';
import { fmtAge, fmtBytes, fmtDateTime } from '../format';
import { invalidate, useApi } from '../query';
import type { BackupOverview } from '../types';
import { FormError, SelectField } from '../ui/forms';
import { Loaded } from '../ui/states';
import { Row, Table } from '../ui/Table';

export function Backups() {
  const { t } = useTranslation();
  // While a backup runs, look again every 2 s until it is listed.
  const overview = useApi<BackupOverview>('/v1/backups', { refetchInterval: (o) => (o?.running ? 2000 : false) });
  const action = useAction();
  const [kind, setKind] = useState('incr');
  const start = () =>
    action.run(async () => {
      await post('/v1/backups', { type: kind });
      await invalidate('/v1/backups');
    });
  const kinds = [
    ['incr', t('backups.kind.incr')],
    ['diff', t('backups.kind.diff')],
    ['full', t('backups.kind.full')],
  ] as const;
  return (
    <section aria-labelledby="backups-title">
      <h1 id="backups-title">{t('titles.backups')}</h1>
      <Loaded query={overview} what={t('backups.what')} explain={(e) => (e.code === 'backups_not_configured' ? t('backups.notConfigured') : null)}>
        {(o) => (
          <>
            <p role="status" className={o.stale ? 'form-error' : 'status'}>
              {o.newest_age_s == null ? t('backups.none') : t('backups.newest', { age: fmtAge(o.newest_age_s) })}
              {o.stale && t('backups.stale', { max: fmtAge(o.max_age_s) })}
              {o.running && t('backups.running')}
            </p>
            <form className="inline-form" aria-label={t('backups.take')} onSubmit={action.submit(start)}>
              <SelectField id="backup-type" label={t('backups.type')} value={kind} onChange={(e) => setKind(e.target.value)} options={kinds} />
              <button type="submit" disabled={action.busy || o.running}>
                {t('backups.now')}
              </button>
            </form>
            <FormError error={action.error} />
            <Table head={[t('backups.col.backup'), t('backups.col.type'), t('backups.col.finished'), t('backups.col.size'), t('backups.col.added')]}>
              {[...o.backups].reverse().map((b) => (
                <Row key={b.label} cells={[<code>{b.label}</code>, t(`backups.kind.${b.type}`), fmtDateTime(b.finished_at), fmtBytes(b.database_bytes), fmtBytes(b.repository_bytes)]} />
              ))}
            </Table>
            {o.backups.length > 0 && <p className="hint">{t('backups.restoreHint', { since: fmtDateTime(o.backups[0].finished_at) })}</p>}
          </>
        )}
      </Loaded>
    </section>
  );
}
