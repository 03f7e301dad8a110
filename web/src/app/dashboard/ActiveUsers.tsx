// Who is measured: distinct actors per day and week, split into the end users of the
// tenant's own product (anonymous visitors, the actors its API keys name) and the team
// members who sign in to Atrium. The two daily charts share one y range, so their bars
// compare at a glance; both lie over the view's periods (axis.ts).
import { useTranslation } from 'react-i18next';
import { Bar, BarChart, CartesianGrid, Cell, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { fmtNumber } from '../../format';
import { Chart } from '../../ui/Chart';
import { Row, Table } from '../../ui/Table';
import type { ActiveCounts, ActiveUsers as Active } from '../../types';
import { niceMax, periodLabel, ticksTo, type Slot } from './axis';
import { axisData } from './Trends';

type Who = 'end_users' | 'team_members';
const FILL: Record<Who, string> = { end_users: '#2f5bea', team_members: '#b45309' };

export function ActiveUsers({ data, slots }: { data: Active; slots: Slot[] }) {
  const { t } = useTranslation();
  const per = new Map(data.series.day.map((d) => [d.start, d]));
  const max = niceMax(Math.max(0, ...data.series.day.flatMap((d) => [d.end_users, d.team_members])));
  const { totals } = data;
  return (
    <>
      <p className="who-counts" data-testid="who-counts">
        {t('dashboard.whoTotals', { users: fmtNumber(totals.users), endUsers: fmtNumber(totals.end_users), team: fmtNumber(totals.team_members) })}
      </p>
      <p className="hint">{t('dashboard.whoExplained')}</p>
      <div className="small-multiples">
        {(['end_users', 'team_members'] as const).map((who) => (
          <DayBars key={who} who={who} slots={slots} per={per} max={max} />
        ))}
      </div>
      <h3>{t('dashboard.weekly')}</h3>
      <Table className="grid compact" data-testid="weekly-active" head={[t('dashboard.week'), t('dashboard.endUsers'), t('dashboard.teamMembers')]}>
        {data.series.week.map((w) => {
          const label = t('dashboard.weekOf', { week: periodLabel(w.start) });
          return <Row key={w.start} cells={[w.complete ? label : t(w.start === data.series.week.at(-1)?.start ? 'dashboard.partialLabel' : 'dashboard.cutLabel', { label }), fmtNumber(w.end_users), fmtNumber(w.team_members)]} />;
        })}
      </Table>
    </>
  );
}

function DayBars({ who, slots, per, max }: { who: Who; slots: Slot[]; per: Map<string, ActiveCounts>; max: number }) {
  const { t } = useTranslation();
  const title = t(who === 'end_users' ? 'dashboard.endUsersDaily' : 'dashboard.teamDaily');
  const data = slots.map((s) => ({ label: s.label, users: per.get(s.start)?.[who] ?? 0, complete: s.complete }));
  return (
    <Chart
      name={title}
      head={[t('dashboard.day'), t('dashboard.usersHead')]}
      rows={data.map((d) => [d.complete ? d.label : t('dashboard.partialLabel', { label: d.label }), fmtNumber(d.users)])}
      data-y-max={max}
      data-who={who}
      {...axisData(slots)}
    >
      <h3 aria-hidden="true">{title}</h3>
      <ResponsiveContainer width="100%" height={150}>
        <BarChart data={data}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="label" interval="preserveStartEnd" minTickGap={12} />
          <YAxis allowDecimals={false} domain={[0, max]} ticks={ticksTo(max)} width={36} />
          <Tooltip />
          <Bar dataKey="users" name={title} fill={FILL[who]} minPointSize={(v) => (Number(v) > 0 ? 2 : 0)} isAnimationActive={false}>
            {/* The period not over yet: pale with a dashed outline, as the trend's dashed line. */}
            {data.map((d) => (
              <Cell key={d.label} fillOpacity={d.complete ? 1 : 0.35} stroke={d.complete ? undefined : FILL[who]} strokeDasharray={d.complete ? undefined : '3 2'} className={d.complete ? undefined : 'incomplete'} />
            ))}
          </Bar>
        </BarChart>
      </ResponsiveContainer>
    </Chart>
  );
}
