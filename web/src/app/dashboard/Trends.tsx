// The trend of one event over the view's periods. Complete periods are a solid line;
// the current period (not over yet) and any the range cuts are dashed, joined to the
// last complete one, and marked in the table. Straight segments: no smoothing invents
// values between buckets.
import { useTranslation } from 'react-i18next';
import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { fmtNumber } from '../../format';
import { Chart } from '../../ui/Chart';
import type { TrendBucket } from '../../types';
import { type Slot } from './axis';

export function Trend({ name, title, buckets, slots }: { name: string; title: string; buckets: TrendBucket[]; slots: Slot[] }) {
  const { t } = useTranslation();
  const n = new Map(buckets.map((b) => [b.start, b.n]));
  const data = slots.map((s, i) => {
    const v = n.get(s.start) ?? 0;
    const nextOpen = slots[i + 1] && !slots[i + 1].complete;
    return { label: s.label, n: s.complete ? v : undefined, open: !s.complete || nextOpen ? v : undefined };
  });
  return (
    <Chart
      name={title}
      head={[t('dashboard.day'), t('dashboard.count')]}
      rows={slots.map((s) => [s.complete ? s.label : t('dashboard.partialLabel', { label: s.label }), fmtNumber(n.get(s.start) ?? 0)])}
      {...axisData(slots)}
    >
      <ResponsiveContainer width="100%" height={220}>
        <LineChart data={data}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="label" interval="preserveStartEnd" minTickGap={12} />
          <YAxis allowDecimals={false} />
          <Tooltip />
          <Line type="linear" dataKey="n" name={name} stroke="#2f5bea" dot={false} isAnimationActive={false} />
          <Line type="linear" dataKey="open" name={t('dashboard.soFar', { name })} stroke="#2f5bea" strokeDasharray="4 4" dot={{ r: 2 }} isAnimationActive={false} className="incomplete" />
        </LineChart>
      </ResponsiveContainer>
    </Chart>
  );
}

/// The x range a chart shows, on its figure: every chart of a view has the same.
export function axisData(slots: Slot[]) {
  return {
    'data-x-first': slots[0]?.label ?? '',
    'data-x-last': slots.at(-1)?.label ?? '',
    'data-x-count': slots.length,
    'data-incomplete': slots.filter((s) => !s.complete).length,
  };
}
