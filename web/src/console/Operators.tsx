import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { patch, post } from '../api/client';
import { useAction } from '../data';
import { fmtDate } from '../format';
import { invalidate } from '../query';
import type { Operator } from '../types';
import { requireFields } from '../ui/errors';
import { Field, FormError, useFieldError } from '../ui/forms';
import { List } from '../ui/List';
import { Row } from '../ui/Table';

const refresh = () => invalidate('/v1/operators');

/// Operators: who may use this console. Disabling ends an operator's sessions; a new
/// password never re-enables anyone. `me` (the signed-in operator) can't disable itself.
export function Operators({ me }: { me: string }) {
  const { t } = useTranslation();
  return (
    <section aria-labelledby="operators-title">
      <h1 id="operators-title">{t('titles.operators')}</h1>
      <SetOperator />
      <List<Operator>
        path="/v1/operators"
        head={[t('operators.col.operator'), t('operators.col.state'), { label: t('operators.col.created'), sort: 'created_at' }, t('operators.col.actions')]}
        what={t('operators.what')}
        empty={t('operators.empty')}
        rowKey={(o) => o.id}
      >
        {(items) => items.map((o) => <OperatorRow key={o.id} operator={o} self={o.id === me} />)}
      </List>
    </section>
  );
}

function OperatorRow({ operator: o, self }: { operator: Operator; self: boolean }) {
  const { t } = useTranslation();
  const action = useAction();
  const disabled = o.disabled_at !== null;
  const toggle = () => void action.run(() => patch(`/v1/operators/${o.id}`, { disabled: !disabled }).then(refresh));
  const state = o.disabled_at ? t('operators.disabledOn', { date: fmtDate(o.disabled_at) }) : t('operators.enabled');
  return (
    <Row
      data-operator={o.email}
      cells={[
        <>
          <div>{o.display_name}</div>
          <code>{o.email}</code>
        </>,
        <span className={`badge ${disabled ? 'failed' : 'active'}`}>{state}</span>,
        fmtDate(o.created_at),
      ]}
    >
      <td className="actions">
        {self ? (
          <span>{t('operators.you')}</span>
        ) : (
          <button className={disabled ? 'secondary' : 'danger'} disabled={action.busy} onClick={toggle}>
            {disabled ? t('operators.enable') : t('operators.disable')}
          </button>
        )}
        <FormError error={action.error} />
      </td>
    </Row>
  );
}

const FIELDS = [
  ['email', 'operators.email', 'email'],
  ['display_name', 'operators.displayName', 'text'],
  ['password', 'operators.password', 'password'],
] as const;
type Draft = Record<(typeof FIELDS)[number][0], string>;
const EMPTY: Draft = { email: '', display_name: '', password: '' };

/// Adds an operator, or sets a new password for one (same email).
function SetOperator() {
  const { t } = useTranslation();
  const [draft, setDraft] = useState(EMPTY);
  const action = useAction();
  const fieldError = useFieldError(action.error);
  const save = async () => {
    requireFields({ email: draft.email, password: draft.password });
    await post('/v1/operators', { ...draft, display_name: draft.display_name || undefined });
    setDraft(EMPTY);
    await refresh();
  };
  return (
    <form className="inline-form" onSubmit={action.submit(save)} aria-label={t('operators.formLabel')} noValidate>
      {FIELDS.map(([name, label, type]) => (
        <Field
          key={name}
          id={`operator-${name}`}
          label={t(label)}
          type={type}
          autoComplete={type === 'password' ? 'new-password' : undefined}
          value={draft[name]}
          onChange={(e) => setDraft({ ...draft, [name]: e.target.value })}
          error={fieldError(name)}
        />
      ))}
      <button type="submit" disabled={action.busy}>
        {action.busy ? t('operators.saving') : t('operators.submit')}
      </button>
      <FormError error={action.error} shownOn={FIELDS.map(([name]) => name)} />
    </form>
  );
}
