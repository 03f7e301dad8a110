// Backups: what the repository holds, how old the newest backup is, and a button to take
// one now. pgBackRest does the work; the control plane schedules it and reports here.
import { useEffect, useState } from 'react';
import { post } from '../api';
import { useAction, useGet } from '../data';
import { fmtAge, fmtBytes } from '../format';
import type { BackupOverview } from '../types';
import { FormError, SelectField } from '../ui/forms';
import { Loaded } from '../ui/states';
import { Row, Table } from '../ui/Table';

export function Backups() {
  const overview = useGet<BackupOverview>('/v1/backups');
  const action = useAction();
  const [kind, setKind] = useState('incr');
  const running = overview.data?.running ?? false;
  const { reload } = overview;
  // While a backup runs, look again every 2 s until it is listed.
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(reload, 2000);
    return () => clearInterval(timer);
  }, [running, reload]);
  const start = () =>
    action.run(async () => {
      await post('/v1/backups', { type: kind });
      reload();
    });
  return (
    <section aria-labelledby="backups-title">
      <h1 id="backups-title">Backups</h1>
      <Loaded
        state={overview}
        what="backups"
        explain={(e) => (e.code === 'backups_not_configured' ? 'Backups are not configured for this deployment: set control.backup.pgbackrest_config (see docs/operations/backup-and-restore.md).' : e)}
      >
        {(o) => (
          <>
            <p role="status" className={o.stale ? 'form-error' : 'status'}>
              {o.newest_age_s === null ? 'There is no backup yet.' : `The newest backup finished ${fmtAge(o.newest_age_s)} ago`}
              {o.stale && ` — older than the ${fmtAge(o.max_age_s)} bound: check the schedule and the audit log.`}
              {o.running && ' A backup is being taken now…'}
            </p>
            <form className="inline-form" aria-label="Take a backup" onSubmit={action.submit(start)}>
              <SelectField id="backup-type" label="Type" value={kind} onChange={(e) => setKind(e.target.value)} options={[['incr', 'incremental'], ['diff', 'differential'], 'full']} />
              <button type="submit" disabled={action.busy || o.running}>
                Back up now
              </button>
            </form>
            <FormError error={action.error} />
            <Table head={['Backup', 'Type', 'Finished', 'Cluster size', 'Added to repository']}>
              {[...o.backups].reverse().map((b) => (
                <Row key={b.label} cells={[<code>{b.label}</code>, b.type, new Date(b.finished_at).toLocaleString(), fmtBytes(b.database_bytes), fmtBytes(b.repository_bytes)]} />
              ))}
            </Table>
            {o.backups.length > 0 && <p className="hint">A tenant can be restored to any moment after {new Date(o.backups[0].finished_at).toLocaleString()}: use Restore… on the Tenants page.</p>}
          </>
        )}
      </Loaded>
    </section>
  );
}
