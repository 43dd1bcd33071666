// server.mjs: the real Auth.js (@auth/express ExpressAuth) on loopback, for
// authscope's live interop tests. Test-only; see README.md.
//
//   node server.mjs [port]          (or PORT=...; 0 or nothing = a free port)
//
// Prints "listening <port>" on stdout once it accepts connections.
//
// Environment:
//   AUTH_SECRET, AUTH_SECRET_1..3  secrets, read by ExpressAuth itself
//                                  (setEnvDefaults: AUTH_SECRET_1 encodes)
//   AUTHJS_ADAPTER                 unset: jwt strategy, no adapter
//                                  "pg": @auth/pg-adapter on DATABASE_URL
//                                  "redis": @auth/unstorage-adapter (redis
//                                  driver) on REDIS_URL, key prefix
//                                  AUTHJS_REDIS_PREFIX (baseKeyPrefix)
//                                  "mongodb": @auth/mongodb-adapter (mongodb@6)
//                                  on MONGODB_URL's database
//                                  "drizzle-mysql": @auth/drizzle-adapter's
//                                  default MySQL schema (mysql2) on
//                                  MYSQL_URL; the tables must exist
//                                  "drizzle-sqlite": the same on SQLite
//                                  (better-sqlite3) at SQLITE_PATH
//                                  "drizzle-pg": the same on PostgreSQL
//                                  (node-postgres) at DATABASE_URL
//                                  "kysely-pg", "kysely-mysql":
//                                  @auth/kysely-adapter on DATABASE_URL /
//                                  MYSQL_URL; the tables must exist
//                                  "supabase": @auth/supabase-adapter on
//                                  DATABASE_URL's next_auth schema, through
//                                  postgrest-shim.mjs (see README.md)
//                                  "prisma-sqlite", "prisma-pg":
//                                  @auth/prisma-adapter on the clients
//                                  generated from prisma/schema-*.prisma,
//                                  SQLite at SQLITE_PATH
//                                  (PRISMA_TIMESTAMP_FORMAT: iso8601 or
//                                  unixepoch-ms) or DATABASE_URL
//   AUTHJS_PG_INIT=1               create the pg-adapter tables if missing
//   AUTHJS_STRATEGY                override session.strategy (jwt|database)
//   AUTHJS_MAX_AGE, AUTHJS_UPDATE_AGE   session.maxAge / updateAge, seconds
//   AUTHJS_COOKIE_NAME             cookies.sessionToken.name
//   AUTHJS_EXIT_ON_STDIN_EOF=1     exit when stdin closes (the parent died)
//   AUTHJS_MAX_HEADER_SIZE         request header limit, bytes (default 256 KiB;
//                                  Node's own 16 KiB refuses 11+ chunks)
//
// With an adapter, POST /test/create-session and POST /test/get-session let
// tests make real Auth.js write and read sessions (see README.md). They exist
// only in this test server, which listens on 127.0.0.1 only.

import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import express from "express";
import { ExpressAuth } from "@auth/express";

const port = Number(process.argv[2] ?? process.env.PORT ?? 0);
const env = process.env;

let adapter;
let closeAdapter = async () => {};
if (env.AUTHJS_ADAPTER === "pg") {
  const { default: pg } = await import("pg");
  const { default: PostgresAdapter } = await import("@auth/pg-adapter");
  if (!env.DATABASE_URL) fail("AUTHJS_ADAPTER=pg needs DATABASE_URL");
  const pool = new pg.Pool({ connectionString: env.DATABASE_URL, max: 5 });
  if (env.AUTHJS_PG_INIT === "1") {
    await pool.query(readFileSync(new URL("./schema-pg.sql", import.meta.url), "utf8"));
  }
  adapter = PostgresAdapter(pool);
  closeAdapter = () => pool.end();
} else if (env.AUTHJS_ADAPTER === "redis") {
  const { createStorage } = await import("unstorage");
  const { default: redisDriver } = await import("unstorage/drivers/redis");
  const { UnstorageAdapter } = await import("@auth/unstorage-adapter");
  if (!env.REDIS_URL) fail("AUTHJS_ADAPTER=redis needs REDIS_URL");
  const storage = createStorage({ driver: redisDriver({ url: env.REDIS_URL }) });
  adapter = UnstorageAdapter(storage, { baseKeyPrefix: env.AUTHJS_REDIS_PREFIX ?? "" });
  closeAdapter = () => storage.dispose();
} else if (env.AUTHJS_ADAPTER === "mongodb") {
  const { MongoClient } = await import("mongodb");
  const { MongoDBAdapter } = await import("@auth/mongodb-adapter");
  if (!env.MONGODB_URL) fail("AUTHJS_ADAPTER=mongodb needs MONGODB_URL");
  const client = new MongoClient(env.MONGODB_URL);
  await client.connect();
  adapter = MongoDBAdapter(client);
  closeAdapter = () => client.close();
} else if (env.AUTHJS_ADAPTER === "drizzle-mysql") {
  const { default: mysql } = await import("mysql2/promise");
  const { drizzle } = await import("drizzle-orm/mysql2");
  const { DrizzleAdapter } = await import("@auth/drizzle-adapter");
  if (!env.MYSQL_URL) fail("AUTHJS_ADAPTER=drizzle-mysql needs MYSQL_URL");
  const pool = mysql.createPool({ uri: env.MYSQL_URL, connectionLimit: 5 });
  adapter = DrizzleAdapter(drizzle({ client: pool }));
  closeAdapter = () => pool.end();
} else if (env.AUTHJS_ADAPTER === "drizzle-sqlite") {
  const { default: Database } = await import("better-sqlite3");
  const { drizzle } = await import("drizzle-orm/better-sqlite3");
  const { DrizzleAdapter } = await import("@auth/drizzle-adapter");
  if (!env.SQLITE_PATH) fail("AUTHJS_ADAPTER=drizzle-sqlite needs SQLITE_PATH");
  const sqlite = new Database(env.SQLITE_PATH);
  sqlite.pragma("busy_timeout = 5000");
  adapter = DrizzleAdapter(drizzle({ client: sqlite }));
  closeAdapter = async () => sqlite.close();
} else if (env.AUTHJS_ADAPTER === "drizzle-pg") {
  const { default: pg } = await import("pg");
  const { drizzle } = await import("drizzle-orm/node-postgres");
  const { DrizzleAdapter } = await import("@auth/drizzle-adapter");
  if (!env.DATABASE_URL) fail("AUTHJS_ADAPTER=drizzle-pg needs DATABASE_URL");
  const pool = new pg.Pool({ connectionString: env.DATABASE_URL, max: 5 });
  adapter = DrizzleAdapter(drizzle({ client: pool }));
  closeAdapter = () => pool.end();
} else if (env.AUTHJS_ADAPTER === "kysely-pg" || env.AUTHJS_ADAPTER === "kysely-mysql") {
  const { Kysely, PostgresDialect, MysqlDialect } = await import("kysely");
  const { KyselyAdapter } = await import("@auth/kysely-adapter");
  let dialect;
  if (env.AUTHJS_ADAPTER === "kysely-pg") {
    const { default: pg } = await import("pg");
    if (!env.DATABASE_URL) fail("AUTHJS_ADAPTER=kysely-pg needs DATABASE_URL");
    dialect = new PostgresDialect({ pool: new pg.Pool({ connectionString: env.DATABASE_URL, max: 5 }) });
  } else {
    const { createPool } = await import("mysql2");
    if (!env.MYSQL_URL) fail("AUTHJS_ADAPTER=kysely-mysql needs MYSQL_URL");
    dialect = new MysqlDialect({ pool: createPool({ uri: env.MYSQL_URL, connectionLimit: 5 }) });
  }
  const db = new Kysely({ dialect });
  adapter = KyselyAdapter(db);
  closeAdapter = () => db.destroy();
} else if (env.AUTHJS_ADAPTER === "supabase") {
  const { default: pg } = await import("pg");
  const { SupabaseAdapter } = await import("@auth/supabase-adapter");
  const { postgrestFetch } = await import("./postgrest-shim.mjs");
  if (!env.DATABASE_URL) fail("AUTHJS_ADAPTER=supabase needs DATABASE_URL");
  // Supabase runs in UTC; PostgREST's timestamps carry that offset.
  const pool = new pg.Pool({ connectionString: env.DATABASE_URL, max: 5, options: "-c TimeZone=UTC" });
  // The adapter builds its client from url and secret only; its fetch is
  // pointed at the shim through the global fetch supabase-js falls back to.
  // supabase-js builds its Realtime client eagerly and wants a WebSocket
  // class, which Node 20 lacks; the adapter never opens one.
  globalThis.WebSocket ??= class {
    constructor() {
      throw new Error("server.mjs: Supabase Realtime is not used");
    }
  };
  const realFetch = globalThis.fetch;
  const shim = postgrestFetch(pool);
  const origin = "http://supabase.invalid";
  globalThis.fetch = (input, init) =>
    String(input instanceof Request ? input.url : input).startsWith(origin) ? shim(input, init) : realFetch(input, init);
  adapter = SupabaseAdapter({ url: origin, secret: "test-only-service-role-key" });
  closeAdapter = () => pool.end();
} else if (env.AUTHJS_ADAPTER === "prisma-sqlite" || env.AUTHJS_ADAPTER === "prisma-pg") {
  // The clients `npm ci` generated (postinstall: prisma generate) from
  // prisma/schema-*.prisma, on Prisma 7's driver adapters (better-sqlite3,
  // pg): no query engine binary. PRISMA_TIMESTAMP_FORMAT picks the SQLite
  // adapter's date storage (iso8601, its default, or unixepoch-ms).
  const { PrismaAdapter } = await import("@auth/prisma-adapter");
  let client, factory;
  if (env.AUTHJS_ADAPTER === "prisma-sqlite") {
    ({ default: client } = await import("./prisma-client-sqlite/index.js"));
    const { PrismaBetterSqlite3 } = await import("@prisma/adapter-better-sqlite3");
    if (!env.SQLITE_PATH) fail("AUTHJS_ADAPTER=prisma-sqlite needs SQLITE_PATH");
    factory = new PrismaBetterSqlite3(
      { url: "file:" + env.SQLITE_PATH, timeout: 5000 },
      { timestampFormat: env.PRISMA_TIMESTAMP_FORMAT || "iso8601" },
    );
  } else {
    ({ default: client } = await import("./prisma-client-pg/index.js"));
    const { PrismaPg } = await import("@prisma/adapter-pg");
    if (!env.DATABASE_URL) fail("AUTHJS_ADAPTER=prisma-pg needs DATABASE_URL");
    factory = new PrismaPg({ connectionString: env.DATABASE_URL, max: 5 });
  }
  const prisma = new client.PrismaClient({ adapter: factory });
  adapter = PrismaAdapter(prisma);
  closeAdapter = () => prisma.$disconnect();
} else if (env.AUTHJS_ADAPTER) {
  fail(`AUTHJS_ADAPTER=${env.AUTHJS_ADAPTER}: want pg, redis, mongodb, drizzle-mysql, drizzle-sqlite, drizzle-pg, kysely-pg, kysely-mysql, supabase, prisma-sqlite or prisma-pg`);
}

const session = {};
if (env.AUTHJS_STRATEGY) session.strategy = env.AUTHJS_STRATEGY;
if (env.AUTHJS_MAX_AGE) session.maxAge = Number(env.AUTHJS_MAX_AGE);
if (env.AUTHJS_UPDATE_AGE) session.updateAge = Number(env.AUTHJS_UPDATE_AGE);

const config = {
  providers: [],
  session,
  ...(adapter ? { adapter } : {}),
  ...(env.AUTHJS_COOKIE_NAME ? { cookies: { sessionToken: { name: env.AUTHJS_COOKIE_NAME } } } : {}),
  // Errors (JWTSessionError for every rejected cookie) are expected in
  // tests; keep stderr for real failures only.
  logger: { error() {}, warn() {}, debug() {} },
};

const app = express();
// X-Forwarded-Proto: https makes the request https, so Auth.js uses the
// __Secure- cookie names (useSecureCookies).
app.set("trust proxy", true);
app.set("x-powered-by", false);

if (adapter) {
  app.post("/test/create-session", express.json(), async (req, res) => {
    try {
      const { user = {}, userId, expires, sessionToken = randomUUID() } = req.body ?? {};
      let uid = userId;
      if (uid === undefined) {
        const created = await adapter.createUser({
          id: randomUUID(),
          name: user.name ?? null,
          email: user.email ?? `${randomUUID()}@example.test`,
          emailVerified: user.emailVerified ? new Date(user.emailVerified) : null,
          image: user.image ?? null,
        });
        uid = created.id;
      }
      const s = await adapter.createSession({ sessionToken, userId: uid, expires: new Date(expires) });
      res.json({ sessionToken: s.sessionToken, userId: String(s.userId), expires: new Date(s.expires).toISOString() });
    } catch (e) {
      res.status(500).json({ error: String(e?.message ?? e) });
    }
  });
  app.post("/test/get-session", express.json(), async (req, res) => {
    try {
      res.json((await adapter.getSessionAndUser(req.body?.sessionToken)) ?? null);
    } catch (e) {
      res.status(500).json({ error: String(e?.message ?? e) });
    }
  });
}

// ExpressAuth derives basePath from req.baseUrl minus req.params[0]; a
// regular expression gives the numbered capture Express 5 no longer makes
// for "/api/auth/*".
app.use(/^\/api\/auth\/(.+)$/, ExpressAuth(config));

// Node's default 16 KiB header limit would refuse a request carrying 11+
// session chunks before Auth.js sees it; the interop tests need those.
const maxHeaderSize = Number(env.AUTHJS_MAX_HEADER_SIZE ?? 256 * 1024);
const server = createServer({ maxHeaderSize }, app);
server.listen(port, "127.0.0.1", () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});
server.on("error", (e) => fail(String(e?.message ?? e)));

let closing = false;
async function shutdown() {
  if (closing) return;
  closing = true;
  server.close();
  server.closeAllConnections?.();
  await closeAdapter().catch(() => {});
  process.exit(0);
}
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
if (env.AUTHJS_EXIT_ON_STDIN_EOF === "1") {
  process.stdin.on("end", shutdown);
  process.stdin.on("close", shutdown);
  process.stdin.resume();
}

function fail(msg) {
  process.stderr.write(`server.mjs: ${msg}\n`);
  process.exit(2);
}
