// The funnel's steps as a form: each step an event name, a page (route template) or an
// event property; the conversion window. A malformed field is marked and explained on
// the field itself (checked here, or named by the server's 422).
import { useTranslation } from 'react-i18next';
import type { ApiError } from '../../api/client';
import { SelectField } from '../../ui/forms';
import { fieldMessage } from '../../ui/errors';
import { eventName } from './eventName';
import { MAX_STEPS, PRESETS, withKind, type Preset, type SpecError, type Step, type WindowUnit } from './funnelSpec';

const KINDS = ['event', 'path', 'property'] as const;
/// Names the app and the API record (each has a dashboard.eventNames entry); any other
/// name may be typed.
export const EVENTS = ['pageview', 'click', 'dwell', 'customer_created', 'deal_created', 'deal_stage_changed', 'order_created'];

interface Props {
  preset: Preset | 'custom';
  onPreset: (p: Preset) => void;
  steps: Step[];
  onSteps: (s: Step[]) => void;
  windowN: string;
  unit: WindowUnit;
  onWindow: (n: string, u: WindowUnit) => void;
  errors: SpecError[];
  serverError: ApiError | null;
  routes: string[];
}

export function FunnelSteps({ preset, onPreset, steps, onSteps, windowN, unit, onWindow, errors, serverError, routes }: Props) {
  const { t } = useTranslation();
  const errorOf = (field: string) => {
    const mine = errors.find((e) => e.field === field);
    if (mine) return t(`dashboard.errors.${mine.code}`);
    const theirs = serverError?.errors.find((e) => e.field === field);
    return theirs ? fieldMessage(t, theirs) : undefined;
  };
  const setStep = (i: number, s: Step) => onSteps(steps.map((x, j) => (j === i ? s : x)));
  const presets = (Object.keys(PRESETS) as Preset[]).map((p) => [p, t(`dashboard.presets.${p}`)] as const);
  return (
    <form className="funnel-form" aria-label={t('dashboard.funnelForm')} onSubmit={(e) => e.preventDefault()}>
      <div className="inline-form">
        <SelectField id="funnel-preset" label={t('dashboard.preset')} value={preset} onChange={(e) => e.target.value !== 'custom' && onPreset(e.target.value as Preset)} options={preset === 'custom' ? [['custom', t('dashboard.custom')], ...presets] : presets} />
        <div className="field">
          <label htmlFor="funnel-window">{t('dashboard.window')}</label>
          <span className="window">
            <input id="funnel-window" type="number" min={1} size={4} value={windowN} onChange={(e) => onWindow(e.target.value, unit)} {...invalid(errorOf('window_s'), 'funnel-window')} />
            <select aria-label={t('dashboard.windowUnit')} value={unit} onChange={(e) => onWindow(windowN, e.target.value as WindowUnit)}>
              <option value="hours">{t('dashboard.units.hours')}</option>
              <option value="days">{t('dashboard.units.days')}</option>
            </select>
          </span>
          <Problem id="funnel-window" error={errorOf('window_s')} />
        </div>
      </div>
      <datalist id="funnel-events">
        {/* The raw name is what the field takes; the label says what it is. */}
        {EVENTS.map((n) => (
          <option key={n} value={n} label={eventName(t, n)} />
        ))}
      </datalist>
      <datalist id="funnel-routes">
        {routes.map((r) => (
          <option key={r} value={r} />
        ))}
      </datalist>
      <ol className="steps">
        {steps.map((s, i) => {
          const id = `step-${i}`;
          const n = i + 1;
          const nameError = errorOf(`steps[${i}].name`);
          return (
            <li key={i}>
              <select aria-label={t('dashboard.stepKind', { n })} value={s.kind} onChange={(e) => setStep(i, withKind(s, e.target.value as Step['kind']))}>
                {KINDS.map((k) => (
                  <option key={k} value={k}>
                    {t(`dashboard.kinds.${k}`)}
                  </option>
                ))}
              </select>
              {s.kind === 'path' ? (
                <StepInput id={`${id}-route`} label={t('dashboard.stepRoute', { n })} placeholder="/customers/:id" list="funnel-routes" value={s.route} onChange={(v) => setStep(i, { ...s, route: v })} error={errorOf(`steps[${i}].route`)} />
              ) : (
                <StepInput
                  id={`${id}-name`}
                  label={t('dashboard.stepEvent', { n })}
                  placeholder={s.kind === 'property' ? t('dashboard.anyEvent') : 'deal_created'}
                  list="funnel-events"
                  value={s.name ?? ''}
                  onChange={(v) => setStep(i, s.kind === 'event' ? { ...s, name: v } : { ...s, name: v === '' ? undefined : v })}
                  error={nameError}
                />
              )}
              {s.kind === 'property' && (
                <>
                  <StepInput id={`${id}-key`} label={t('dashboard.stepKey', { n })} placeholder={t('dashboard.keyPlaceholder')} value={s.key} onChange={(v) => setStep(i, { ...s, key: v })} error={errorOf(`steps[${i}].key`)} />
                  <StepInput id={`${id}-value`} label={t('dashboard.stepValue', { n })} placeholder={t('dashboard.valuePlaceholder')} value={s.value} onChange={(v) => setStep(i, { ...s, value: v })} error={errorOf(`steps[${i}].value`)} />
                </>
              )}
              {steps.length > 1 && (
                <button type="button" className="secondary" onClick={() => onSteps(steps.filter((_, j) => j !== i))} aria-label={t('dashboard.removeStep', { n })}>
                  {'✕'}
                </button>
              )}
            </li>
          );
        })}
      </ol>
      <button type="button" className="secondary" onClick={() => onSteps([...steps, { kind: 'event', name: 'pageview' }])} disabled={steps.length >= MAX_STEPS}>
        {t('dashboard.addStep')}
      </button>{' '}
    </form>
  );
}

const invalid = (error: string | undefined, id: string) => (error ? { 'aria-invalid': true, 'aria-describedby': `${id}-error` } : {});

function Problem({ id, error }: { id: string; error?: string }) {
  return error ? (
    <span id={`${id}-error`} className="field-error">
      {error}
    </span>
  ) : null;
}

function StepInput({ id, label, value, onChange, error, placeholder, list }: { id: string; label: string; value: string; onChange: (v: string) => void; error?: string; placeholder?: string; list?: string }) {
  return (
    <span className="step-field">
      <input id={id} aria-label={label} placeholder={placeholder} list={list} size={18} value={value} onChange={(e) => onChange(e.target.value)} {...invalid(error, id)} />
      <Problem id={id} error={error} />
    </span>
  );
}
