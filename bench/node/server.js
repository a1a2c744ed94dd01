'use strict';
// Issue 16's Node baseline: a minimal Fastify + pg server answering two of fulfillment-ops's
// reads with the database work the service does *without* its caches, so bench/node_baseline.sh
// can measure both on the same database:
//
//   GET /api/v1/clients/{client_id}/products/{product_id}
//   GET /api/v1/clients/{client_id}/products?limit=N        (first page only: no ?cursor=)
//
// Per request: the bearer token's payload is decoded, not verified (the issue's "no JWT
// check"); the token's user is read (`SELECT … FROM users WHERE id = $1`, the columns the
// service reads when its user cache misses) and checked as the service checks it (the
// password fingerprint, then a client user names only its own client); then the product
// SELECT the service sends. Both statements are named (prepared once per connection), as the
// service's are. The body is the service's: the same fields, NUMERIC as PostgreSQL's text
// (the column's scale, as the service writes it), dates as YYYY-MM-DD and timestamps as RFC
// 3339 UTC with 0, 3 or 6 fraction digits (chrono's form for microsecond values).
//
// Environment: DATABASE_URL (required), PORT (default 3000), DATABASE_POOL_SIZE (default 10,
// the service's default), PRODUCT_SQL and PAGE_SQL (the statements, with the service's
// placeholders; bench/node_baseline.sh passes the ones it captured from the service, the
// defaults below are copies of diesel's text).

const crypto = require('node:crypto');
const fastify = require('fastify');
const pg = require('pg');

const COLUMNS = [
  'id', 'client_id', 'sku', 'name', 'category', 'current_stock', 'unit_cost', 'unit_price',
  'reorder_cost', 'holding_cost_rate', 'cost_source', 'supplier_lead_days', 'shipping_lead_days',
  'processing_lead_days', 'safety_buffer_days', 'lead_time_source', 'last_cost_update',
  'total_lead_days', 'projected_stockout_date', 'last_order_by_date', 'timing_last_calculated',
  'archived_at', 'created_at', 'updated_at',
].map((c) => `"products"."${c}"`).join(', ');
// $1 product, $2 client, $3 1 (diesel's `.first()`)
const PRODUCT_SQL = process.env.PRODUCT_SQL ||
  `SELECT ${COLUMNS} FROM "products" WHERE (("products"."id" = $1) AND ("products"."client_id" = $2)) LIMIT $3`;
// $1 client, $2 limit + 1 (the extra row says another page follows)
const PAGE_SQL = process.env.PAGE_SQL ||
  `SELECT ${COLUMNS} FROM "products" WHERE (("products"."client_id" = $1) AND ("products"."archived_at" IS NULL)) ORDER BY "products"."sku" ASC LIMIT $2`;
const USER_SQL =
  'SELECT "users"."id", "users"."role", "users"."client_id", "users"."password_hash" FROM "users" WHERE ("users"."id" = $1) LIMIT $2';

// Timestamps as chrono writes them: `2026-10-14T13:24:34.596419Z`, `…:00Z`, `….120Z`.
// PostgreSQL (TimeZone UTC) sends `2026-10-14 13:24:34.596419+00`, trailing zeros dropped.
function timestamp(s) {
  const m = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)(?:\.(\d+))?\+00$/.exec(s);
  if (!m) return s; // BC dates, infinity: not in this data
  let frac = m[3] || '';
  if (frac) frac = '.' + frac.padEnd(frac.length <= 3 ? 3 : 6, '0');
  return `${m[1]}T${m[2]}${frac}Z`;
}
const TIMESTAMPTZ = 1184;
const DATE = 1082;
pg.types.setTypeParser(TIMESTAMPTZ, timestamp);
pg.types.setTypeParser(DATE, (s) => s);
// NUMERIC (1700) stays pg's default: the text PostgreSQL sends, e.g. "0.10".

const pool = new pg.Pool({
  connectionString: process.env.DATABASE_URL,
  max: Number(process.env.DATABASE_POOL_SIZE || 10),
  options: '-c TimeZone=UTC',
  application_name: 'node-baseline',
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

class Problem extends Error {
  constructor(status, title, detail) {
    super(detail);
    this.status = status;
    this.title = title;
  }
}
const unauthorized = (detail) => new Problem(401, 'Unauthorized', detail);
const notFound = (what) => new Problem(404, 'Not Found', `${what} not found`);

// The service's password fingerprint: hex of the first 12 bytes of SHA-256(hash).
function fingerprint(passwordHash) {
  return crypto.createHash('sha256').update(passwordHash).digest().subarray(0, 12).toString('hex');
}

// The token's claims, decoded and not verified.
function claims(request) {
  const auth = request.headers.authorization || '';
  const token = auth.startsWith('Bearer ') ? auth.slice(7) : '';
  const payload = token.split('.')[1];
  if (!payload) throw unauthorized('send Authorization: Bearer <access token>');
  let c;
  try {
    c = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw unauthorized('the token is malformed');
  }
  if (typeof c.sub !== 'string' || !UUID.test(c.sub)) throw unauthorized('the token is malformed');
  return c;
}

// The user lookup and the tenancy check, on the request's connection.
async function authorize(db, request, clientId) {
  const c = claims(request);
  const { rows } = await db.query({ name: 'user', text: USER_SQL, values: [c.sub, 1] });
  const user = rows[0];
  if (!user) throw unauthorized("the token's user no longer exists");
  if (fingerprint(user.password_hash) !== c.pwd) {
    throw unauthorized('the password changed since this token was issued; sign in again');
  }
  if (!UUID.test(clientId)) throw notFound('client');
  if (user.role === 'client' && user.client_id !== clientId.toLowerCase()) throw notFound('client');
  if (user.role !== 'client') throw new Problem(501, 'Not Implemented', 'this baseline serves client users only');
}

// One pooled connection per request, as the service's requests hold one.
async function withConnection(fn) {
  const db = await pool.connect();
  try {
    return await fn(db);
  } finally {
    db.release();
  }
}

const app = fastify({ logger: false });

app.setErrorHandler((err, request, reply) => {
  const status = err instanceof Problem ? err.status : err.statusCode || 500;
  if (status >= 500 && !(err instanceof Problem)) console.error(err);
  reply.code(status).type('application/problem+json').send({
    type: 'about:blank',
    title: err.title || 'Internal Server Error',
    status,
    detail: err.message,
  });
});

app.get('/api/v1/clients/:client_id/products/:product_id', (request) =>
  withConnection(async (db) => {
    const { client_id: clientId, product_id: productId } = request.params;
    await authorize(db, request, clientId);
    if (!UUID.test(productId)) throw notFound('product');
    const { rows } = await db.query({ name: 'product', text: PRODUCT_SQL, values: [productId, clientId, 1] });
    if (!rows[0]) throw notFound('product');
    return rows[0];
  }));

app.get('/api/v1/clients/:client_id/products', (request) =>
  withConnection(async (db) => {
    const clientId = request.params.client_id;
    await authorize(db, request, clientId);
    const q = request.query;
    if (q.cursor) throw new Problem(422, 'Unprocessable Entity', 'this baseline serves first pages only');
    const limit = q.limit === undefined ? 50 : Number(q.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) {
      throw new Problem(422, 'Unprocessable Entity', 'limit: must be between 1 and 500');
    }
    const { rows } = await db.query({ name: 'page', text: PAGE_SQL, values: [clientId, limit + 1] });
    const more = rows.length > limit;
    if (more) rows.length = limit;
    const nextCursor = more
      ? Buffer.from(JSON.stringify(rows[rows.length - 1].sku)).toString('base64url')
      : null;
    return { data: rows, next_cursor: nextCursor };
  }));

app.get('/healthz', async () => ({ status: 'ok' }));

const port = Number(process.env.PORT || 3000);
app.listen({ port, host: '127.0.0.1' }).catch((err) => {
  console.error(err);
  process.exit(1);
});
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => app.close().then(() => pool.end()).then(() => process.exit(0)));
}
