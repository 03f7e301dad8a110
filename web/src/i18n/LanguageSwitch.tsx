import { useTranslation } from 'react-i18next';
import { chooseLanguage, closest, LANGUAGES } from '.';

/// Each language named in itself, so anyone can find theirs.
const NAMES = { en: 'English', 'zh-CN': '简体中文' } as const;

export function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  return (
    <label className="language">
      <span className="sr-only">{t('shell.language')}</span>
      <select value={closest(i18n.language)} onChange={(e) => chooseLanguage(closest(e.target.value))} data-testid="language">
        {LANGUAGES.map((l) => (
          <option key={l} value={l} lang={l}>
            {NAMES[l]}
          </option>
        ))}
      </select>
    </label>
  );
}
