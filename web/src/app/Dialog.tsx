// A modal dialog over the screen (the browser's own <dialog>: focus moves into it and
// stays there, Escape closes it, the page behind is inert), with a title and a Close;
// closed, focus goes back to what opened it.
import { useEffect, useId, useRef, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import './crm.css';

export function Dialog({ title, onClose, children }: { title: string; onClose: () => void; children: ReactNode }) {
  const { t } = useTranslation();
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const d = ref.current;
    // The browser gives focus back to the opener only when an open dialog closes, not
    // when React removes it, as it does here: so this does, if the opener is still there.
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (d && !d.open) d.showModal();
    return () => {
      d?.close();
      if (opener?.isConnected) opener.focus();
    };
  }, []);
  return (
    <dialog
      ref={ref}
      className="crm-dialog"
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <header>
        <h2 id={titleId}>{title}</h2>
        <button type="button" className="secondary" onClick={onClose}>
          {t('common.close')}
        </button>
      </header>
      {children}
    </dialog>
  );
}
