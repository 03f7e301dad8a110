// The frame of a signed-in face (console or tenant app): a skip link first in tab order,
// the top bar with its navigation (behind a menu button on narrow screens), the language
// switch, and the main region the skip link lands on.
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { LanguageSwitch } from '../i18n/LanguageSwitch';
import { Link } from '../router';

/// [to, label, data-track name]
export type NavLink = readonly [string, string, string?];

export function Shell({ brand, navLabel, links, current, who, tools, onSignOut, children }: { brand: string; navLabel: string; links: NavLink[]; current: string; who: ReactNode; tools?: ReactNode; onSignOut: () => void; children: ReactNode }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  return (
    <div className="shell">
      <a className="skip" href="#main">
        {t('shell.skip')}
      </a>
      <header className={open ? 'topbar open' : 'topbar'}>
        <strong className="brand">{brand}</strong>
        <button type="button" className="menu" aria-expanded={open} aria-controls="site-nav" onClick={() => setOpen(!open)}>
          {t('shell.menu')}
        </button>
        <div className="bar" id="site-nav">
          <nav aria-label={navLabel}>
            {links.map(([to, label, track]) => (
              <Link key={to} to={to} aria-current={current === to ? 'page' : undefined} data-track={track} onClick={() => setOpen(false)}>
                {label}
              </Link>
            ))}
          </nav>
          <span className="who">{who}</span>
          {tools}
          <LanguageSwitch />
          <button className="secondary" onClick={onSignOut}>
            {t('shell.signOut')}
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
