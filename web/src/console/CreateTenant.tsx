import { useState } from 'react';
import { post } from '../api';
import { useAction } from '../data';
import { Field, FormError, SelectField } from '../ui/forms';

const PLANS = ['free', 'pro', 'enterprise'];

/// `onStart` gets the slug as provisioning begins (it takes a few seconds); `onDone` is
/// called when it has ended, created or not.
export function CreateTenant({ onStart, onDone }: { onStart: (slug: string) => void; onDone: () => void }) {
  const [slug, setSlug] = useState('');
  const [name, setName] = useState('');
  const [plan, setPlan] = useState('free');
  const action = useAction();
  const create = async () => {
    onStart(slug);
    try {
      await post('/v1/tenants', { slug, display_name: name || undefined, plan });
      setSlug('');
      setName('');
    } finally {
      onDone();
    }
  };
  const error = action.error;
  // The slug rule has its own error code; it belongs on the slug field all the same.
  const slugError = error?.code === 'invalid_tenant_slug' ? error.detail : error?.field('slug');
  return (
    <form className="inline-form" onSubmit={action.submit(create)} aria-label="Create a tenant" noValidate>
      <Field id="new-slug" label="Slug" value={slug} onChange={(e) => setSlug(e.target.value)} placeholder="acme" error={slugError} required />
      <Field id="new-name" label="Display name" value={name} onChange={(e) => setName(e.target.value)} placeholder="Acme Corporation" error={error?.field('display_name')} />
      <SelectField id="new-plan" label="Plan" value={plan} onChange={(e) => setPlan(e.target.value)} options={PLANS} />
      <button type="submit" disabled={action.busy} data-track="create-tenant">
        {action.busy ? 'Creating…' : 'Create tenant'}
      </button>
      <FormError error={slugError ? null : error} />
    </form>
  );
}
