import { useState } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import { del } from '../api/client';
import { useAction } from '../data';
import { Field, FormError } from '../ui/forms';

/// Deleting drops a tenant's data, so the operator types its slug to confirm.
export function ConfirmDelete({ slug, onClose, onDeleted }: { slug: string; onClose: () => void; onDeleted: () => void }) {
  const { t } = useTranslation();
  const [typed, setTyped] = useState('');
  const [mistyped, setMistyped] = useState(false);
  const action = useAction();
  const remove = async () => {
    if (typed !== slug) {
      setMistyped(true);
      return;
    }
    await del(`/v1/tenants/${slug}`);
    onDeleted();
  };
  return (
    <form className="panel danger-zone" onSubmit={action.submit(remove)} aria-label={t('tenants.deleteTitle', { slug })} noValidate>
      <p>
        <Trans i18nKey="tenants.deleteExplain" values={{ slug }} components={{ b: <strong /> }} />
      </p>
      <Field
        id={`confirm-${slug}`}
        label={t('tenants.typeToConfirm', { slug })}
        value={typed}
        onChange={(e) => {
          setTyped(e.target.value);
          setMistyped(false);
        }}
        error={mistyped ? t('tenants.typeToConfirm', { slug }) : undefined}
        autoFocus
      />
      <button type="submit" className="danger" disabled={action.busy}>
        {action.busy ? t('tenants.deleting') : t('tenants.deleteButton', { slug })}
      </button>
      <button type="button" className="secondary" onClick={onClose}>
        {t('common.cancel')}
      </button>
      <FormError error={action.error} />
    </form>
  );
}
