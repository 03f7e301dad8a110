import { useState } from 'react';
import { ApiError, del } from '../api';
import { useAction } from '../data';
import { Field, FormError } from '../ui/forms';

/// Deleting drops a tenant's data, so the operator types its slug to confirm.
export function ConfirmDelete({ slug, onClose, onDeleted }: { slug: string; onClose: () => void; onDeleted: () => void }) {
  const [typed, setTyped] = useState('');
  const action = useAction();
  const remove = async () => {
    if (typed !== slug) throw new ApiError(0, 'confirm', `Type ${slug} to confirm.`);
    await del(`/v1/tenants/${slug}`);
    onDeleted();
  };
  const mistyped = action.error?.code === 'confirm' ? action.error.detail : undefined;
  return (
    <form className="panel danger-zone" onSubmit={action.submit(remove)} aria-label={`Delete ${slug}`} noValidate>
      <p>
        Deleting <strong>{slug}</strong> suspends it, exports its schema, then drops the schema, its role and its analytics. The
        export stays downloadable here.
      </p>
      <Field
        id={`confirm-${slug}`}
        label={`Type ${slug} to confirm`}
        value={typed}
        onChange={(e) => {
          setTyped(e.target.value);
          action.setError(null);
        }}
        error={mistyped}
        autoFocus
      />
      <button type="submit" className="danger" disabled={action.busy}>
        {action.busy ? 'Deleting…' : `Delete ${slug}`}
      </button>
      <button type="button" className="secondary" onClick={onClose}>
        Cancel
      </button>
      <FormError error={mistyped ? null : action.error} />
    </form>
  );
}
