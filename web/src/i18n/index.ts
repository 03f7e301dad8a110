// The app's languages: i18next with the two catalogues bundled (they are small), the
// browser's language as the default, and a choice remembered per signed-in user.
import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import { en } from './en';
import { zhCN } from './zh-CN';

export const LANGUAGES = ['en', 'zh-CN'] as const;
export type Language = (typeof LANGUAGES)[number];

/// The supported language closest to a BCP 47 tag: any Chinese is zh-CN, the rest English.
export function closest(tag: string | null | undefined): Language {
  return tag?.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

// The last choice made in this browser, used before anyone is signed in.
const LAST = 'atrium.lang';
const storedFor = (who: string) => `atrium.lang.${who}`;

function read(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function write(key: string, value: string) {
  try {
    localStorage.setItem(key, value);
  } catch {
    // Private mode: the choice lasts for this page only.
  }
}

let who: string | null = null;

/// Keys asked for that no catalogue has. The browser tests read and fail on them.
export const missingKeys: string[] = [];
declare global {
  interface Window {
    __atriumMissingKeys?: string[];
  }
}
if (typeof window !== 'undefined') window.__atriumMissingKeys = missingKeys;

void i18n.use(initReactI18next).init({
  resources: { en: { translation: en }, 'zh-CN': { translation: zhCN } },
  lng: closest(read(LAST) ?? (typeof navigator === 'undefined' ? 'en' : navigator.language)),
  fallbackLng: 'en',
  supportedLngs: [...LANGUAGES],
  interpolation: { escapeValue: false },
  returnNull: false,
  saveMissing: true,
  missingKeyHandler: (_lngs, _ns, key) => {
    if (!missingKeys.includes(key)) missingKeys.push(key);
  },
});

const syncDocument = (lng: string) => {
  if (typeof document !== 'undefined') document.documentElement.lang = lng;
};
syncDocument(i18n.language);
i18n.on('languageChanged', syncDocument);

/// Who is signed in (`plane:user id`), or null: their remembered language, if any, applies.
export function setLanguageOwner(owner: string | null) {
  who = owner;
  const mine = owner ? read(storedFor(owner)) : null;
  if (mine && mine !== i18n.language) void i18n.changeLanguage(closest(mine));
}

export function chooseLanguage(lng: Language) {
  write(LAST, lng);
  if (who) write(storedFor(who), lng);
  void i18n.changeLanguage(lng);
}

export { i18n };
