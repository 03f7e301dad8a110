// The funnel builder: a preset or hand-made steps, the conversion window, and the
// results. The funnel is asked for whenever what it shows changes and every field
// is valid (a moment after typing stops); results of an older funnel are never shown
// beside edited steps, and an edit turns the preset into "Custom".
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { post, type ApiError } from '../../api/client';
import { toApiError } from '../../query';
import { FormError } from '../../ui/forms';
import { Empty, Loading } from '../../ui/states';
import { useDebounced } from '../../ui/useDebounced';
import type { Funnel as FunnelResult } from '../../types';
import { checkFunnel, PRESETS, UNIT_S, type Preset, type Step, type WindowUnit } from './funnelSpec';
import { FunnelResults } from './FunnelResult';
import { FunnelSteps } from './FunnelSteps';

/// `days`, `to` and `tz`: the view's range, so the funnel counts the same window as every other panel.
export function Funnel({ slug, days, to, tz, routes }: { slug: string; days: string; to: string; tz: string; routes: string[] }) {
  const { t } = useTranslation();
  const [preset, setPreset] = useState<Preset | 'custom'>('visitCustomerDealWon');
  const [steps, setSteps] = useState<Step[]>(PRESETS.visitCustomerDealWon);
  const [windowN, setWindowN] = useState('7');
  const [unit, setUnit] = useState<WindowUnit>('days');
  const windowS = Number(windowN) * UNIT_S[unit];
  const errors = checkFunnel(steps, windowS);
  const body = JSON.stringify({ steps, window_s: windowS, days: Number(days), to, tz });
  const asked = useDebounced(body, 400);
  const current = asked === body && errors.length === 0;
  const query = useQuery<FunnelResult, ApiError>({
    queryKey: ['funnel', slug, asked],
    queryFn: () => post<FunnelResult>(`/v1/t/${slug}/analytics/funnel`, JSON.parse(asked)).catch((e: unknown) => Promise.reject(toApiError(e))),
    enabled: current,
    retry: false,
    staleTime: 0,
  });
  const edit = (next: Step[]) => {
    setSteps(next);
    setPreset('custom');
  };
  const result = current ? query.data : undefined;
  return (
    <section className="panel chart wide" aria-label={t('dashboard.funnel')}>
      <h2>{t('dashboard.funnel')}</h2>
      <FunnelSteps
        preset={preset}
        onPreset={(p) => {
          setPreset(p);
          setSteps(PRESETS[p]);
        }}
        steps={steps}
        onSteps={edit}
        windowN={windowN}
        unit={unit}
        onWindow={(n, u) => {
          setWindowN(n);
          setUnit(u);
          setPreset('custom');
        }}
        errors={errors}
        serverError={current ? query.error : null}
        routes={routes}
      />
      <button type="button" onClick={() => void query.refetch()} disabled={errors.length > 0 || query.isFetching} data-track="run-funnel">
        {query.isFetching ? t('dashboard.running') : t('dashboard.showFunnel')}
      </button>
      {current && query.error && query.error.errors.length === 0 && <FormError error={query.error} />}
      {errors.length > 0 ? (
        <p className="hint" role="status">
          {t('dashboard.fixSteps')}
        </p>
      ) : !result ? (
        current && query.isFetching && <Loading what={t('dashboard.funnel')} />
      ) : result.steps[0]?.users === 0 ? (
        <Empty>{t('dashboard.nobody')}</Empty>
      ) : (
        <FunnelResults result={result} />
      )}
    </section>
  );
}
