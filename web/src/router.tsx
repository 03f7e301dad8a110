// A small History API router: the route table (routes.ts) says what each path shows;
// this is where the path changes, and the one place that announces it (the tracking SDK
// listens).
import { useEffect, useState, type AnchorHTMLAttributes, type MouseEvent } from 'react';
import { matchRoute, type Match } from './routes';

const listeners = new Set<() => void>();

export function navigate(to: string, replace = false) {
  if (replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  listeners.forEach((l) => l());
}

export function onRouteChange(fn: () => void): () => void {
  listeners.add(fn);
  window.addEventListener('popstate', fn);
  return () => {
    listeners.delete(fn);
    window.removeEventListener('popstate', fn);
  };
}

export function usePath(): string {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => onRouteChange(() => setPath(location.pathname)), []);
  return path;
}

export function Link({ to, onClick, ...rest }: { to: string } & AnchorHTMLAttributes<HTMLAnchorElement>) {
  const click = (e: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(e);
    if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
    e.preventDefault();
    navigate(to);
  };
  return <a href={to} onClick={click} {...rest} />;
}

/// The route the address bar shows, or null when no route has that path.
export function useRoute(): Match | null {
  return matchRoute(usePath());
}
