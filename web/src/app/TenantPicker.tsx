import { useState, type FormEvent } from 'react';
import { navigate } from '../router';
import { Field } from '../ui/forms';

/// The front door at /app: which tenant's app to open.
export function TenantPicker() {
  const [slug, setSlug] = useState('');
  const [error, setError] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!/^[a-z][a-z0-9_]{2,39}$/.test(slug)) {
      setError('A workspace name starts with a lowercase letter, then 2–39 lowercase letters, digits or _.');
      return;
    }
    navigate(`/app/t/${slug}`);
  };
  return (
    <main className="signin" id="main">
      <form onSubmit={submit} aria-labelledby="pick-title" noValidate>
        <h1 id="pick-title">Atrium</h1>
        <Field id="slug" label="Workspace" value={slug} onChange={(e) => setSlug(e.target.value.trim())} error={error || undefined} placeholder="acme" autoFocus />
        <button type="submit">Continue</button>
      </form>
    </main>
  );
}
