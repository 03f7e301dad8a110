// A small line for one series, drawn as inline SVG without axes, to sit inside a Chart
// (which gives it a name and the numbers as a table). A null is a gap, never a 0: a
// bucket nobody could measure is not a quiet one. The last stretch is dashed when its
// bucket is still running, as the other charts draw an open period.
const W = 240;
const H = 48;
const PAD = 3;

export function Sparkline({ values, open = false, color = '#2f5bea' }: { values: (number | null | undefined)[]; open?: boolean; color?: string }) {
  const known = values.filter((v): v is number => v != null);
  const max = Math.max(0, ...known) || 1;
  const x = (i: number) => (values.length <= 1 ? W / 2 : PAD + (i * (W - 2 * PAD)) / (values.length - 1));
  const y = (v: number) => H - PAD - (v / max) * (H - 2 * PAD);
  // Runs of known points; a run of one is drawn as a dot.
  const runs: number[][] = [];
  values.forEach((v, i) => {
    if (v == null) return;
    const last = runs[runs.length - 1];
    if (last && last[last.length - 1] === i - 1) last.push(i);
    else runs.push([i]);
  });
  const lastIndex = values.length - 1;
  const path = (idx: number[]) => idx.map((i, k) => `${k === 0 ? 'M' : 'L'}${x(i).toFixed(1)} ${y(values[i] as number).toFixed(1)}`).join(' ') + (idx.length === 1 ? ' h0' : '');
  return (
    <svg className="sparkline" viewBox={`0 0 ${W} ${H}`} preserveAspectRatio="none" width="100%" height={H} aria-hidden="true" data-points={values.length} data-known={known.length} data-max={known.length ? Math.max(...known) : ''}>
      <line x1={0} x2={W} y1={H - PAD} y2={H - PAD} stroke="#d5dae6" vectorEffect="non-scaling-stroke" />
      {runs.map((idx) => {
        const dashedTail = open && idx[idx.length - 1] === lastIndex && idx.length > 1;
        const solid = dashedTail ? idx.slice(0, -1) : idx;
        return (
          <g key={idx[0]} fill="none" stroke={color} strokeWidth={2} strokeLinecap="round" strokeLinejoin="round" vectorEffect="non-scaling-stroke">
            <path d={path(solid)} vectorEffect="non-scaling-stroke" />
            {dashedTail && <path d={path(idx.slice(-2))} strokeDasharray="4 3" vectorEffect="non-scaling-stroke" />}
          </g>
        );
      })}
    </svg>
  );
}
