// The audit log: every entry, newest first, filtered by tenant (slug prefix), action
// (every action the control plane records, GET /v1/audit/actions) and a range of days in
// the operator's time zone.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../query';
import { Field, SelectField } from '../ui/forms';
import { SearchBox } from '../ui/SearchBox';
import { useDebounced } from '../ui/useDebounced';
import { AuditEntries } from './AuditEntries';
import { actionLabel } from './auditText';

/// A `<input type="date">` value as the instant its day starts here (`next`: the day after).
function dayStart(value: string, next = false): string | undefined {
  const d = new Date(`${value}T00:00`);
  if (!value || Number.isNaN(d.getTime())) return undefined;
  if (next) d.setDate(d.getDate() + 1);
  return d.toISOString();
}

export function AuditLog() {
  const { t } = useTranslation();
  const [tenant, setTenant] = useState('');
  const [action, setAction] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const actions = useApi<string[]>('/v1/audit/actions');
  const tenantFilter = useDebounced(tenant.trim());
  const options = [['', t('audit.any')] as const, ...(actions.data ?? []).map((a) => [a, actionLabel(t, a)] as const)];
  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title">{t('titles.audit')}</h1>
      <form className="inline-form" aria-label={t('audit.filter')} onSubmit={(e) => e.preventDefault()}>
        <SearchBox id="audit-tenant" label={t('audit.tenant')} value={tenant} onChange={setTenant} placeholder={t('audit.tenantHint')} />
        <SelectField id="audit-action" label={t('audit.action')} value={action} onChange={(e) => setAction(e.target.value)} options={options} />
        <Field id="audit-from" label={t('audit.from')} type="date" value={from} max={to || undefined} onChange={(e) => setFrom(e.target.value)} />
        <Field id="audit-to" label={t('audit.to')} type="date" value={to} min={from || undefined} onChange={(e) => setTo(e.target.value)} />
      </form>
      <AuditEntries params={{ tenant: tenantFilter, action, from: dayStart(from), to: dayStart(to, true) }} />
    </section>
  );
}
