// Every screen's path in one table: which face shows it, its title (a catalogue key),
// and its parameters, typed from the pattern and checked against one rule each.

export const ROUTES = {
  consoleTenants: { path: '/console', title: 'titles.tenants' },
  consoleOverview: { path: '/console/overview', title: 'titles.overview' },
  consoleTenant: { path: '/console/tenants/:slug', title: 'titles.tenant' },
  consoleOperators: { path: '/console/operators', title: 'titles.operators' },
  consoleClusters: { path: '/console/clusters', title: 'titles.clusters' },
  consoleBackups: { path: '/console/backups', title: 'titles.backups' },
  consoleAudit: { path: '/console/audit', title: 'titles.audit' },
  picker: { path: '/app', title: 'titles.picker' },
  accept: { path: '/app/t/:slug/accept', title: 'titles.accept' },
  home: { path: '/app/t/:slug', title: 'titles.customers' },
  customers: { path: '/app/t/:slug/customers', title: 'titles.customers' },
  customer: { path: '/app/t/:slug/customers/:id', title: 'titles.customer' },
  deals: { path: '/app/t/:slug/deals', title: 'titles.deals' },
  orders: { path: '/app/t/:slug/orders', title: 'titles.orders' },
  dashboard: { path: '/app/t/:slug/dashboard', title: 'titles.dashboard' },
  team: { path: '/app/t/:slug/team', title: 'titles.team' },
  settings: { path: '/app/t/:slug/settings', title: 'titles.settings' },
  reset: { path: '/app/t/:slug/reset', title: 'titles.reset' },
} as const;

export type RouteName = keyof typeof ROUTES;
type PathOf<N extends RouteName> = (typeof ROUTES)[N]['path'];
type ParamNames<P extends string> = P extends `${string}:${infer N}/${infer R}` ? N | ParamNames<`/${R}`> : P extends `${string}:${infer N}` ? N : never;
export type Params<N extends RouteName> = Record<ParamNames<PathOf<N>>, string>;

/// What each parameter may be; anything else is not a route.
const PARAM_RULES: Record<string, RegExp> = {
  slug: /^[a-z][a-z0-9_]{2,39}$/,
  id: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
};

export type Match = { [N in RouteName]: { name: N; params: Params<N> } }[RouteName];

/// The route a path shows, or null. A trailing slash is ignored.
export function matchRoute(pathname: string): Match | null {
  const parts = pathname.replace(/\/+$/, '').split('/');
  for (const [name, { path }] of Object.entries(ROUTES)) {
    const pattern = path.split('/');
    if (pattern.length !== parts.length) continue;
    const params: Record<string, string> = {};
    const ok = pattern.every((p, i) => {
      if (!p.startsWith(':')) return p === parts[i];
      params[p.slice(1)] = parts[i];
      return PARAM_RULES[p.slice(1)]?.test(parts[i]) ?? true;
    });
    if (ok) return { name, params } as Match;
  }
  return null;
}

/// The path of a route with its parameters filled in.
export function href<N extends RouteName>(name: N, params: Params<N>): string {
  return ROUTES[name].path.replace(/:([a-z]+)/g, (_, k: string) => (params as Record<string, string>)[k]);
}
