// The frame of a signed-in face (console or tenant app): a skip link first in tab order,
// the top bar with its navigation, and the main region the skip link lands on.
import type { ReactNode } from 'react';
import { Link } from '../router';

/// [to, label, data-track name]
export type NavLink = readonly [string, string, string?];

export function Shell({ brand, navLabel, links, current, who, tools, onSignOut, children }: { brand: string; navLabel: string; links: NavLink[]; current: string; who: ReactNode; tools?: ReactNode; onSignOut: () => void; children: ReactNode }) {
  return (
    <div className="shell">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <strong className="brand">{brand}</strong>
        <nav aria-label={navLabel}>
          {links.map(([to, label, track]) => (
            <Link key={to} to={to} aria-current={current === to ? 'page' : undefined} data-track={track}>
              {label}
            </Link>
          ))}
        </nav>
        <span className="who">{who}</span>
        {tools}
        <button className="secondary" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
