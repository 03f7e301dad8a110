// Multi-tenant load on the Atrium API: a random tenant (with its own key) per iteration
// and a realistic mix of list, create, update, stage change and event batches.
//
//   k6 run loadtest/k6/crm-mix.js                       # full: 0 -> 20 -> 50 VUs and back, ~80 s
//   SHORT=1 k6 run loadtest/k6/crm-mix.js               # bounded ~30 s run (used by e2e tests)
//
// Environment: API (default http://127.0.0.1:8080), CONTROL (http://127.0.0.1:8090),
// ADMIN_TOKEN (the development default), TENANTS (10..100, default 20).
// Targets 127.0.0.0/8 by default; it stops by itself.
//
// Every request carries a `tenant` tag, and each tenant has thresholds of its own: the
// summary lists every tenant's average and p95 response time, and a run fails when any
// one tenant is slow or failing, even if the average over all of them looks fine.
import http from 'k6/http';
import { check } from 'k6';

const API = __ENV.API || 'http://127.0.0.1:8080';
const CONTROL = __ENV.CONTROL || 'http://127.0.0.1:8090';
const ADMIN = __ENV.ADMIN_TOKEN || 'dev-only-insecure-admin-token';
const TENANTS = Math.min(100, Math.max(10, parseInt(__ENV.TENANTS || '20', 10)));
const STAGES = ['qualified', 'proposal', 'won', 'lost'];

export const options = {
  stages: __ENV.SHORT
    ? [{ duration: '5s', target: 20 }, { duration: '10s', target: 50 }, { duration: '10s', target: 50 }, { duration: '5s', target: 0 }]
    : [{ duration: '15s', target: 20 }, { duration: '20s', target: 50 }, { duration: '30s', target: 50 }, { duration: '15s', target: 0 }],
  thresholds: {
    http_req_failed: ['rate<0.01'],
    http_req_duration: ['p(95)<500'],
    // Tighter, per endpoint.
    'http_req_duration{endpoint:customers_list}': ['p(95)<250'],
    'http_req_duration{endpoint:events_batch}': ['p(95)<250'],
    ...perTenant(),
  },
  setupTimeout: '120s',
};

function slugOf(i) {
  return `k6_tenant_${i}`;
}

// Thresholds are fixed before setup() runs, so they name the tenants it will create.
function perTenant() {
  const t = {};
  for (let i = 0; i < TENANTS; i++) {
    t[`http_req_duration{tenant:${slugOf(i)}}`] = ['avg<200', 'p(95)<500'];
    t[`http_req_failed{tenant:${slugOf(i)}}`] = ['rate<0.01'];
  }
  return t;
}

// Creates (or finds) the load tenants and issues one key each, via the operator API.
export function setup() {
  const admin = { headers: { Authorization: `Bearer ${ADMIN}`, 'Content-Type': 'application/json' } };
  const tenants = [];
  for (let i = 0; i < TENANTS; i++) {
    const slug = slugOf(i);
    const t = http.post(`${CONTROL}/v1/tenants`, JSON.stringify({ slug, plan: 'pro' }), admin);
    check(t, { 'tenant ready': (r) => r.status === 200 || r.status === 201 });
    const k = http.post(`${CONTROL}/v1/tenants/${slug}/keys`, JSON.stringify({ name: 'k6' }), admin);
    check(k, { 'key issued': (r) => r.status === 201 });
    tenants.push({ slug, key: k.json('secret') });
  }
  return { tenants };
}

// A 429 on event batches is the per-tenant rate limit doing its job, not a failure.
const eventsExpected = http.expectedStatuses({ min: 200, max: 399 }, 429);

function req(tenant, method, path, body, endpoint) {
  const params = {
    headers: { Authorization: `Bearer ${tenant.key}`, 'Content-Type': 'application/json' },
    tags: { endpoint, tenant: tenant.slug },
  };
  if (endpoint === 'events_batch') {
    params.responseCallback = eventsExpected;
  }
  return http.request(method, `${API}/v1/t/${tenant.slug}${path}`, body ? JSON.stringify(body) : null, params);
}

export default function (data) {
  const t = data.tenants[Math.floor(Math.random() * data.tenants.length)];
  const roll = Math.random();
  if (roll < 0.4) {
    const r = req(t, 'GET', '/customers?limit=20', null, 'customers_list');
    check(r, { 'list 200': (x) => x.status === 200 });
  } else if (roll < 0.6) {
    const r = req(t, 'POST', '/customers', { name: `k6 customer ${__VU}-${__ITER}` }, 'customer_create');
    check(r, { 'create 201': (x) => x.status === 201 });
  } else if (roll < 0.7) {
    const c = req(t, 'POST', '/customers', { name: `k6 to update ${__VU}-${__ITER}` }, 'customer_create');
    if (c.status === 201) {
      const r = http.patch(`${API}/v1/t/${t.slug}/customers/${c.json('id')}`, JSON.stringify({ industry: 'Load testing' }), {
        headers: { Authorization: `Bearer ${t.key}`, 'Content-Type': 'application/json', 'If-Match': c.headers['Etag'] },
        tags: { endpoint: 'customer_update', tenant: t.slug },
      });
      check(r, { 'update 200': (x) => x.status === 200 });
    }
  } else if (roll < 0.8) {
    const c = req(t, 'POST', '/customers', { name: `k6 deal owner ${__VU}-${__ITER}` }, 'customer_create');
    if (c.status === 201) {
      const d = req(t, 'POST', '/deals', { customer_id: c.json('id'), title: 'k6 deal', amount_cents: 125000, currency: 'EUR' }, 'deal_create');
      if (d.status === 201) {
        const s = req(t, 'POST', `/deals/${d.json('id')}/stage`, { stage: STAGES[Math.floor(Math.random() * STAGES.length)] }, 'deal_stage');
        check(s, { 'stage 200': (x) => x.status === 200 });
      }
    }
  } else {
    const events = [];
    for (let i = 0; i < 5; i++) {
      events.push({ name: i === 4 ? 'click' : 'pageview', actor: `k6-${__VU}`, session_id: `s-${__VU}`, path: ['/', '/customers', '/deals'][i % 3] });
    }
    const r = req(t, 'POST', '/events', { events }, 'events_batch');
    check(r, { 'events 202 or 429': (x) => x.status === 202 || x.status === 429 });
  }
}
