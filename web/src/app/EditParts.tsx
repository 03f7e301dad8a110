// The parts of every edit form: Save with its outcome, and Delete, which asks first, in
// place (the button turns into the question with "Delete" and "Cancel"). A refusal
// because the row changed meanwhile (reloaded by then) is said there, and the user may
// try again.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useAction } from '../data';
import { FormError } from '../ui/forms';
import { shownError, type RowEdit } from './crm';

export function ConfirmDelete({ label, question, onConfirm }: { label: string; question: string; onConfirm: () => Promise<unknown> }) {
  const { t } = useTranslation();
  const [asking, setAsking] = useState(false);
  const action = useAction();
  if (!asking)
    return (
      <button type="button" className="secondary" aria-label={label} onClick={() => setAsking(true)} data-track="delete">
        {t('crm.delete')}
      </button>
    );
  return (
    <div role="group" aria-label={label} className="confirm">
      <span>{question}</span>
      <span className="actions">
        <button type="button" className="danger" disabled={action.busy} onClick={() => void action.run(onConfirm)} data-track="confirm-delete">
          {t('crm.confirmDelete')}
        </button>
        <button
          type="button"
          className="secondary"
          onClick={() => {
            setAsking(false);
            action.setError(null);
          }}
        >
          {t('common.cancel')}
        </button>
      </span>
      <FormError error={shownError(t, action.error)} />
    </div>
  );
}

/// An announcement of what just happened ("Order for Tyres deleted."), when there is one.
export function Said({ text }: { text: string | null }) {
  if (!text) return null;
  return (
    <p className="status" role="status">
      {text}
    </p>
  );
}

/// Save, "Saved." once it is, and the form's error.
export function SaveBar<T extends { version: number }>({ edit, shownOn }: { edit: RowEdit<T>; shownOn: string[] }) {
  const { t } = useTranslation();
  return (
    <div className="save-bar">
      <span className="actions">
        <button type="submit" disabled={edit.action.busy} data-track="save">
          {t('crm.save')}
        </button>
        {edit.saved && (
          <span role="status" className="ok">
            {t('crm.saved')}
          </span>
        )}
      </span>
      <FormError error={shownError(t, edit.action.error)} shownOn={shownOn} />
    </div>
  );
}
