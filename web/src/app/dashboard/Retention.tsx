// Weekly retention: users by the week they were first seen (a cohort), and how many of
// them were active again in each week after. Every cell says its number and share in
// text; the shading (darker is more) only repeats it for the eye.
import { useTranslation } from 'react-i18next';
import { fmtNumber } from '../../format';
import { Row, Table } from '../../ui/Table';
import type { components } from '../../api/tenant.gen';
import { periodLabel } from './axis';

export type RetentionData = components['schemas']['Retention'];

/// 0 (none) to 5 (all): the shade of a share.
export const shade = (share: number) => (share <= 0 ? 0 : Math.min(5, Math.ceil(share * 5)));

export function Retention({ data }: { data: RetentionData }) {
  const { t } = useTranslation();
  const weeks = Array.from({ length: data.weeks }, (_, k) => t('dashboard.weekN', { n: k + 1 }));
  const pct = (n: number) => fmtNumber(n, { style: 'percent', maximumFractionDigits: 0 });
  return (
    <>
      <p className="hint">{t('dashboard.retentionExplained')}</p>
      <Table className="grid compact retention" data-testid="retention" aria-label={t('dashboard.retention')} head={[t('dashboard.cohort'), t('dashboard.usersHead'), ...weeks]}>
        {data.cohorts.map((c) => {
          const label = t('dashboard.weekOf', { week: periodLabel(c.start) });
          return (
            <Row key={c.start} cells={[c.complete ? label : t('dashboard.partialLabel', { label }), fmtNumber(c.users)]}>
              {weeks.map((w, k) => {
                const n = c.returned[k];
                if (n === undefined || c.users === 0)
                  return (
                    <td key={w} className={n === undefined ? 'heat na' : 'heat'}>
                      <span className="sr-only">{n === undefined ? t('dashboard.notYet') : t('dashboard.none')}</span>
                    </td>
                  );
                const share = n / c.users;
                return (
                  <td key={w} className={`heat heat-${shade(share)}`} data-share={share.toFixed(3)}>
                    {fmtNumber(n)} <small>{pct(share)}</small>
                  </td>
                );
              })}
            </Row>
          );
        })}
      </Table>
    </>
  );
}
