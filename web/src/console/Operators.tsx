import { useState } from 'react';
import { post } from '../api';
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
  const verb = o.disabled_at ? 'enable' : 'disable';
  const change = () => action.run(async () => {
    await post(`/v1/operators/${o.id}/${verb}`);
    onChange();
  });
  return (
    <Row
      data-operator={o.email}
      cells={[
        <>
          <div>{o.display_name}</div>
          <code>{o.email}</code>
        </>,
        <span className={`badge ${o.disabled_at ? 'failed' : 'active'}`}>{o.disabled_at ? `disabled ${fmtDate(o.disabled_at)}` : 'enabled'}</span>,
        fmtDate(o.created_at),
      ]}
    >
      <td className="actions">
        {self ? (
          <span>you</span>
        ) : (
          <button className={o.disabled_at ? 'secondary' : 'danger'} disabled={action.busy} onClick={() => void change()}>
            {o.disabled_at ? 'Enable' : 'Disable'}
          </button>
        )}
        <FormError error={action.error} />
      </td>
    </Row>
  );
}

/// Adds an operator, or sets a new password for one (same email).
function SetOperator({ onDone }: { onDone: () => void }) {
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const action = useAction();
  const save = async () => {
    await post('/v1/operators', { email, display_name: name || undefined, password });
    setEmail('');
    setName('');
    setPassword('');
    onDone();
  };
  const error = action.error;
  return (
    <form className="inline-form" onSubmit={action.submit(save)} aria-label="Add an operator or set a password" noValidate>
      <Field id="operator-email" label="Email" type="email" value={email} onChange={(e) => setEmail(e.target.value)} error={error?.field('email')} required />
      <Field id="operator-name" label="Display name" value={name} onChange={(e) => setName(e.target.value)} error={error?.field('display_name')} />
      <Field id="operator-password" label="Password" type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} error={error?.field('password')} required />
      <button type="submit" disabled={action.busy}>
        {action.busy ? 'Saving…' : 'Add or set password'}
      </button>
      <FormError error={error} shownOn={['email', 'display_name', 'password']} />
    </form>
  );
}
