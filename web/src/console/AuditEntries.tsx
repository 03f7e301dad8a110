// Audit entries as people read them: when, who (the actor's display name, not
// `operator:<email>`), the action's name and a sentence of what happened, the tenant (a
// link to its page) and the outcome. Paged; `params` are the API's filters.
import { useTranslation } from 'react-i18next';
import { fmtDateTime } from '../format';
import { href } from '../routes';
import { Link } from '../router';
import type { AuditEntry } from '../types';
import { List } from '../ui/List';
import { Row } from '../ui/Table';
import { actionKey, actionLabel, actorName, describe } from './auditText';

export function AuditEntries({ params, label }: { params: Record<string, string | undefined>; label?: string }) {
  const { t } = useTranslation();
  return (
    <List<AuditEntry>
      path="/v1/audit"
      params={params}
      head={[t('audit.col.when'), t('audit.col.who'), t('audit.col.what'), t('audit.col.tenant'), t('audit.col.outcome')]}
      what={label ?? t('audit.what')}
      empty={t('audit.empty')}
      rowKey={(e) => String(e.id)}
      defaultSort="-at"
    >
      {(items) =>
        items.map((e) => (
          <Row
            key={e.id}
            data-action={e.action}
            cells={[
              <time dateTime={e.at}>{fmtDateTime(e.at)}</time>,
              <span title={e.actor}>{actorName(t, e)}</span>,
              <div className="audit-what">
                <strong data-action-key={actionKey(e.action)}>{actionLabel(t, e.action)}</strong>
                <div>{describe(t, e)}</div>
              </div>,
              e.tenant_slug ? <Link to={href('consoleTenant', { slug: e.tenant_slug })}>{e.tenant_slug}</Link> : '—',
              <span className={`badge ${e.outcome === 'ok' ? 'active' : 'failed'}`}>{t(`audit.outcome.${e.outcome}`, { defaultValue: e.outcome })}</span>,
            ]}
          />
        ))
      }
    </List>
  );
}
