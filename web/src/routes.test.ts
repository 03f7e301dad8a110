import { describe, expect, it } from 'vitest';
import { href, matchRoute } from './routes';

describe('routes', () => {
  it('matches paths to screens with their parameters', () => {
    expect(matchRoute('/console')).toEqual({ name: 'consoleTenants', params: {} });
    expect(matchRoute('/console/audit/')).toEqual({ name: 'consoleAudit', params: {} });
    expect(matchRoute('/app/t/acme')).toEqual({ name: 'home', params: { slug: 'acme' } });
    const id = '0190f3b2-1c2d-7e3f-8a9b-0c1d2e3f4a5b';
    expect(matchRoute(`/app/t/acme/customers/${id}`)).toEqual({ name: 'customer', params: { slug: 'acme', id } });
  });

  it('refuses parameters that break their rule', () => {
    expect(matchRoute('/app/t/Bad Slug/customers')).toBeNull();
    expect(matchRoute('/app/t/acme/customers/not-a-uuid')).toBeNull();
    expect(matchRoute('/app/t/acme/nowhere')).toBeNull();
  });

  it('builds paths back', () => {
    expect(href('deals', { slug: 'acme' })).toBe('/app/t/acme/deals');
    expect(href('customer', { slug: 'acme', id: 'x' })).toBe('/app/t/acme/customers/x');
  });
});
