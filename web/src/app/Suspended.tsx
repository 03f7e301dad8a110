import { useTranslation } from 'react-i18next';
import { LinkPage } from './LinkPage';

/// What a suspended workspace's people see instead of its sign-in form or its screens:
/// that it is paused by the provider, that nothing is lost, and whom to ask. The
/// operator's reason stays with the operator. "Check again" asks the server anew.
export function Suspended({ name, checking, onCheck }: { name: string; checking: boolean; onCheck: () => void }) {
  const { t } = useTranslation();
  return (
    <LinkPage title={t('suspended.title', { name })}>
      <p role="alert">{t('suspended.explain')}</p>
      <p className="hint">{t('suspended.whatToDo')}</p>
      <button type="button" className="secondary" disabled={checking} onClick={onCheck}>
        {checking ? t('states.loading') : t('suspended.check')}
      </button>
    </LinkPage>
  );
}
