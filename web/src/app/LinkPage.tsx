// The frame of the pages people reach from a link or before signing in (accept an
// invite, set a new password, a suspended workspace): one card in the middle of the
// page with the language switch, as the sign-in form. With `onSubmit` the card is a form.
import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { LanguageSwitch } from '../i18n/LanguageSwitch';

/// The token of a link that carries one in its fragment (`#token=…`), which the browser
/// never sends to any server. A second link opened in the same tab changes only the
/// fragment, so the token follows it.
export function useHashToken(): string {
  const read = () => new URLSearchParams(location.hash.slice(1)).get('token') ?? '';
  const [token, setToken] = useState(read);
  useEffect(() => {
    const changed = () => setToken(read());
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  return token;
}

export function LinkPage({ title, onSubmit, children }: { title: string; onSubmit?: (e: FormEvent) => void; children: ReactNode }) {
  const body = (
    <>
      <div className="signin-top">
        <LanguageSwitch />
      </div>
      <h1 id="link-title">{title}</h1>
      {children}
    </>
  );
  return (
    <main className="signin" id="main">
      {onSubmit ? (
        <form onSubmit={onSubmit} aria-labelledby="link-title" noValidate>
          {body}
        </form>
      ) : (
        <section className="card-page" aria-labelledby="link-title">
          {body}
        </section>
      )}
    </main>
  );
}
