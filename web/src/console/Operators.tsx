import { useState } from 'react';
import { patch, post } from '../api';
import { useAction, useGet } from '../data';
import { fmtDate } from '../format';
import type { Operator, Page } from '../types';
import { Field, FormError } from '../ui/forms';
import { LoadedItems } from '../ui/states';
import { Row, Table } from '../ui/Table';

/// Operators: who may use this console. Disabling ends an operator's sessions; a new
/// password never re-enables anyone. `me` (the signed-in operator) can't disable itself.
export function Operators({ me }: { me: string }) {
  const operators = useGet<Page<Operator>>('/v1/operators?limit=500');
  return (
    <section aria-labelledby="operators-title">
      <h1 id="operators-title">Operators</h1>
      <SetOperator onDone={operators.reload} />
      <LoadedItems state={operators} what="the operators" empty="No operators yet.">
        {(items) => (
          <Table head={['Operator', 'State', 'Created', 'Actions']}>
            {items.map((o) => (
              <OperatorRow key={o.id} operator={o} self={o.id === me} onChange={operators.reload} />
            ))}
          </Table>
        )}
      </LoadedItems>
    </section>
  );
}

function OperatorRow({ operator: o, self, onChange }: { operator: Operator; self: boolean; onChange: () => void }) {
  const action = useAction();
  const disabled = o.disabled_at !== null;
  const toggle = () => void action.run(() => patch(`/v1/operators/${o.id}`, { disabled: !disabled }).then(onChange));
  const state = o.disabled_at ? `disabled ${fmtDate(o.disabled_at)}` : 'enabled';
  return (
    <Row data-operator={o.email} cells={[<OperatorName operator={o} />, <span className={`badge ${disabled ? 'failed' : 'active'}`}>{state}</span>, fmtDate(o.created_at)]}>
      <td className="actions">
        {self ? (
          <span>you</span>
        ) : (
          <button className={disabled ? 'secondary' : 'danger'} disabled={action.busy} onClick={toggle}>
            {disabled ? 'Enable' : 'Disable'}
          </button>
        )}
        <FormError error={action.error} />
      </td>
    </Row>
  );
}

function OperatorName({ operator: o }: { operator: Operator }) {
  return (
    <>
      <div>{o.display_name}</div>
      <code>{o.email}</code>
    </>
  );
}

const FIELDS = [
  ['email', 'Email', 'email'],
  ['display_name', 'Display name', 'text'],
  ['password', 'Password', 'password'],
] as const;
type Draft = Record<(typeof FIELDS)[number][0], string>;
const EMPTY: Draft = { email: '', display_name: '', password: '' };

/// Adds an operator, or sets a new password for one (same email).
function SetOperator({ onDone }: { onDone: () => void }) {
  const [draft, setDraft] = useState(EMPTY);
  const action = useAction();
  const save = async () => {
    await post('/v1/operators', { ...draft, display_name: draft.display_name || undefined });
    setDraft(EMPTY);
    onDone();
  };
  return (
    <form className="inline-form" onSubmit={action.submit(save)} aria-label="Add an operator or set a password" noValidate>
      {FIELDS.map(([name, label, type]) => (
        <Field
          key={name}
          id={`operator-${name}`}
          label={label}
          type={type}
          autoComplete={type === 'password' ? 'new-password' : undefined}
          value={draft[name]}
          onChange={(e) => setDraft({ ...draft, [name]: e.target.value })}
          error={action.error?.field(name)}
        />
      ))}
      <button type="submit" disabled={action.busy}>
        {action.busy ? 'Saving…' : 'Add or set password'}
      </button>
      <FormError error={action.error} shownOn={FIELDS.map(([name]) => name)} />
    </form>
  );
}
