// EXHIBIT, NOT PRODUCT. A deliberately naive multi-tenant service, written the way the
// design conversation's first version was, so that chapter 8 of the course can attack
// it (docs/learn/en/08-pool-pollution-and-injection.md). It is never built into Atrium
// and must never be deployed. Every line marked BUG is the point of the exhibit.
//
//   DATABASE_URL=postgres://... PORT=8099 node index.js
const http = require('node:http');
const { Pool } = require('pg');

// One pooled connection makes the leak happen every time instead of sometimes; with ten
// it happens one request in ten, which is worse, because nobody can reproduce it.
const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 1 });

function send(res, status, body) {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body) + '\n');
}

http
  .createServer(async (req, res) => {
    const url = new URL(req.url, 'http://localhost');
    const client = await pool.connect();
    try {
      const tenant = req.headers['x-tenant-id'];
      if (tenant) {
        // BUG 1: session-level SET. It outlives this request: the connection goes back
        // to the pool still pointing at this tenant's schema.
        // BUG 2: the header is pasted into SQL, and a query without parameters may hold
        // several statements.
        await client.query(`SET search_path TO tenant_${tenant}`);
      }
      if (url.pathname === '/customers') {
        // BUG 3: ?tid= pasted into SQL as well.
        const tid = url.searchParams.get('tid');
        const sql = tid ? `SELECT name FROM tenant_${tid}.customers` : 'SELECT name FROM customers';
        const { rows } = await client.query(sql);
        return send(res, 200, rows.map((r) => r.name));
      }
      send(res, 404, { error: 'not found' });
    } catch (e) {
      send(res, 500, { error: e.message });
    } finally {
      client.release();
    }
  })
  .listen(Number(process.env.PORT || 8099), '127.0.0.1');
