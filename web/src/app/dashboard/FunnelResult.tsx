// A funnel's answer: what its numbers mean, a bar per step (a one-user step still
// shows), and the table: users, conversion from the first step, drop-off from the
// previous one, median time to convert.
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { fmtNumber } from '../../format';
import { Row, Table } from '../../ui/Table';
import type { Funnel, FunnelStep } from '../../types';
import { Bars } from './Bars';
import { eventName, rawTitle } from './eventName';
import type { Step } from './funnelSpec';

export function stepLabel(t: TFunction, s: Step): string {
  if (s.kind === 'path') return t('dashboard.visit', { route: s.route });
  if (s.kind === 'event') return eventName(t, s.name);
  return `${s.name === undefined ? t('dashboard.anyEvent') : eventName(t, s.name)} (${s.key}=${s.value})`;
}

/// A step's label, its event's raw name (what the funnel's fields take) on hover.
function StepName({ t, step }: { t: TFunction; step: Step }) {
  return <span title={step.kind === 'path' || step.name === undefined ? undefined : rawTitle(t, step.name)}>{stepLabel(t, step)}</span>;
}

const pct = (n: number) => fmtNumber(n / 100, { style: 'percent', maximumFractionDigits: 1 });

/// Seconds as the largest unit that keeps it readable: 45 s, 12 min, 3.5 h, 2 d.
export function duration(s: number): string {
  const [value, unit] = s < 90 ? [s, 'second'] : s < 90 * 60 ? [s / 60, 'minute'] : s < 36 * 3600 ? [s / 3600, 'hour'] : [s / 86_400, 'day'];
  return fmtNumber(value, { style: 'unit', unit, unitDisplay: 'short', maximumFractionDigits: value < 10 ? 1 : 0 });
}

export function FunnelResults({ result }: { result: Funnel }) {
  const { t } = useTranslation();
  const label = (r: FunnelStep) => <StepName t={t} step={r.step} />;
  return (
    <div className="funnel-result">
      <p className="hint" data-testid="funnel-window">
        {t('dashboard.windowUsed', { window: duration(result.window_s) })}
      </p>
      <Bars
        name={t('dashboard.funnelBars')}
        head={[t('dashboard.step'), t('dashboard.usersHead')]}
        rows={result.steps.map((r, i) => ({ key: String(i), label: (
            <>
              {`${i + 1}. `}
              {label(r)}
            </>
          ), value: r.users, text: `${fmtNumber(r.users)} (${pct(r.conversion_from_first)})` }))}
        data-testid="funnel-bars"
      />
      <Table
        className="grid compact"
        data-testid="funnel-result"
        head={[t('dashboard.step'), t('dashboard.usersHead'), t('dashboard.fromFirst'), t('dashboard.dropOff'), t('dashboard.medianTime')]}
      >
        {result.steps.map((r, i) => (
          <Row
            key={i}
            cells={[
              label(r),
              fmtNumber(r.users),
              pct(r.conversion_from_first),
              i === 0 ? t('dashboard.none') : t('dashboard.dropOffText', { n: fmtNumber(r.drop_off), pct: pct(100 - r.conversion_from_previous) }),
              r.median_s_from_previous === null ? t('dashboard.none') : duration(r.median_s_from_previous),
            ]}
          />
        ))}
      </Table>
      <dl className="explain">
        <dt>{t('dashboard.usersHead')}</dt>
        <dd>{t('dashboard.explainUsers')}</dd>
        <dt>{t('dashboard.fromFirst')}</dt>
        <dd>{t('dashboard.explainConversion')}</dd>
        <dt>{t('dashboard.dropOff')}</dt>
        <dd>{t('dashboard.explainDropOff')}</dd>
        <dt>{t('dashboard.medianTime')}</dt>
        <dd>{t('dashboard.explainMedian')}</dd>
      </dl>
    </div>
  );
}
