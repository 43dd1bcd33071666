// adapters.mjs: the real Auth.js adapters of the harness, each on its
// database, shared by server.mjs (live runs) and gen-adapter-vectors.mjs
// (committed vectors). Test-only; see README.md.
//
// openAdapter(kind, env) returns { adapter, close }. Kinds and the
// environment each reads:
//   pg              @auth/pg-adapter on DATABASE_URL (AUTHJS_PG_INIT=1:
//                   create its tables from schema-pg.sql if missing)
//   redis           @auth/unstorage-adapter, unstorage's redis driver, on
//                   REDIS_URL, key prefix AUTHJS_REDIS_PREFIX
//   mongodb         @auth/mongodb-adapter (mongodb@6) on MONGODB_URL
//   drizzle-mysql   @auth/drizzle-adapter's default MySQL schema (mysql2)
//                   on MYSQL_URL; drizzle-sqlite the same on SQLite
//                   (better-sqlite3) at SQLITE_PATH; drizzle-pg on
//                   PostgreSQL (node-postgres) at DATABASE_URL
//   kysely-pg       @auth/kysely-adapter on DATABASE_URL; kysely-mysql on
//                   MYSQL_URL
//   supabase        @auth/supabase-adapter on DATABASE_URL's next_auth
//                   schema, through postgrest-shim.mjs
//   prisma-sqlite   @auth/prisma-adapter on the clients generated from
//   prisma-pg       prisma/schema-*.prisma (npm ci's postinstall), SQLite at
//   prisma-mysql    SQLITE_PATH (PRISMA_TIMESTAMP_FORMAT: iso8601 or
//                   unixepoch-ms), DATABASE_URL or MYSQL_URL (MariaDB)
// The SQL adapters' tables must exist (the tests create them from the
// adapters' own DDL), except pg with AUTHJS_PG_INIT=1.

import { readFileSync } from "node:fs";

export const kinds = [
  "pg", "redis", "mongodb", "drizzle-mysql", "drizzle-sqlite", "drizzle-pg",
  "kysely-pg", "kysely-mysql", "supabase", "prisma-sqlite", "prisma-pg", "prisma-mysql",
];

// openAdapter opens the adapter of a kind on the database env names.
export async function openAdapter(kind, env = process.env) {
  let adapter;
  let close = async () => {};
  if (kind === "pg") {
    const { default: pg } = await import("pg");
    const { default: PostgresAdapter } = await import("@auth/pg-adapter");
    if (!env.DATABASE_URL) throw new Error("AUTHJS_ADAPTER=pg needs DATABASE_URL");
    const pool = new pg.Pool({ connectionString: env.DATABASE_URL, max: 5 });
    if (env.AUTHJS_PG_INIT === "1") {
      await pool.query(readFileSync(new URL("./schema-pg.sql", import.meta.url), "utf8"));
    }
    adapter = PostgresAdapter(pool);
    close = () => pool.end();
  } else if (kind === "redis") {
    const { createStorage } = await import("unstorage");
    const { default: redisDriver } = await import("unstorage/drivers/redis");
    const { UnstorageAdapter } = await import("@auth/unstorage-adapter");
    if (!env.REDIS_URL) throw new Error("AUTHJS_ADAPTER=redis needs REDIS_URL");
    const storage = createStorage({ driver: redisDriver({ url: env.REDIS_URL }) });
    adapter = UnstorageAdapter(storage, { baseKeyPrefix: env.AUTHJS_REDIS_PREFIX ?? "" });
    close = () => storage.dispose();
  } else if (kind === "mongodb") {
    const { MongoClient } = await import("mongodb");
    const { MongoDBAdapter } = await import("@auth/mongodb-adapter");
    if (!env.MONGODB_URL) throw new Error("AUTHJS_ADAPTER=mongodb needs MONGODB_URL");
    const client = new MongoClient(env.MONGODB_URL);
    await client.connect();
    adapter = MongoDBAdapter(client);
    close = () => client.close();
  } else if (kind === "drizzle-mysql") {
    const { default: mysql } = await import("mysql2/promise");
    const { drizzle } = await import("drizzle-orm/mysql2");
    const { DrizzleAdapter } = await import("@auth/drizzle-adapter");
    if (!env.MYSQL_URL) throw new Error("AUTHJS_ADAPTER=drizzle-mysql needs MYSQL_URL");
    const pool = mysql.createPool({ uri: env.MYSQL_URL, connectionLimit: 5 });
    adapter = DrizzleAdapter(drizzle({ client: pool }));
    close = () => pool.end();
  } else if (kind === "drizzle-sqlite") {
    const { default: Database } = await import("better-sqlite3");
    const { drizzle } = await import("drizzle-orm/better-sqlite3");
    const { DrizzleAdapter } = await import("@auth/drizzle-adapter");
    if (!env.SQLITE_PATH) throw new Error("AUTHJS_ADAPTER=drizzle-sqlite needs SQLITE_PATH");
    const sqlite = new Database(env.SQLITE_PATH);
    sqlite.pragma("busy_timeout = 5000");
    adapter = DrizzleAdapter(drizzle({ client: sqlite }));
    close = async () => sqlite.close();
  } else if (kind === "drizzle-pg") {
    const { default: pg } = await import("pg");
    const { drizzle } = await import("drizzle-orm/node-postgres");
    const { DrizzleAdapter } = await import("@auth/drizzle-adapter");
    if (!env.DATABASE_URL) throw new Error("AUTHJS_ADAPTER=drizzle-pg needs DATABASE_URL");
    const pool = new pg.Pool({ connectionString: env.DATABASE_URL, max: 5 });
    adapter = DrizzleAdapter(drizzle({ client: pool }));
    close = () => pool.end();
  } else if (kind === "kysely-pg" || kind === "kysely-mysql") {
    const { Kysely, PostgresDialect, MysqlDialect } = await import("kysely");
    const { KyselyAdapter } = await import("@auth/kysely-adapter");
    let dialect;
    if (kind === "kysely-pg") {
      const { default: pg } = await import("pg");
      if (!env.DATABASE_URL) throw new Error("AUTHJS_ADAPTER=kysely-pg needs DATABASE_URL");
      dialect = new PostgresDialect({ pool: new pg.Pool({ connectionString: env.DATABASE_URL, max: 5 }) });
    } else {
      const { createPool } = await import("mysql2");
      if (!env.MYSQL_URL) throw new Error("AUTHJS_ADAPTER=kysely-mysql needs MYSQL_URL");
      dialect = new MysqlDialect({ pool: createPool({ uri: env.MYSQL_URL, connectionLimit: 5 }) });
    }
    const db = new Kysely({ dialect });
    adapter = KyselyAdapter(db);
    close = () => db.destroy();
  } else if (kind === "supabase") {
    const { default: pg } = await import("pg");
    const { SupabaseAdapter } = await import("@auth/supabase-adapter");
    const { postgrestFetch } = await import("./postgrest-shim.mjs");
    if (!env.DATABASE_URL) throw new Error("AUTHJS_ADAPTER=supabase needs DATABASE_URL");
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
    close = () => pool.end();
  } else if (kind === "prisma-sqlite" || kind === "prisma-pg" || kind === "prisma-mysql") {
    // The clients `npm ci` generated (postinstall: prisma generate) from
    // prisma/schema-*.prisma, on Prisma 7's driver adapters (better-sqlite3,
    // pg, mariadb): no query engine binary. PRISMA_TIMESTAMP_FORMAT picks the SQLite
    // adapter's date storage (iso8601, its default, or unixepoch-ms).
    const { PrismaAdapter } = await import("@auth/prisma-adapter");
    let client, factory;
    if (kind === "prisma-sqlite") {
      ({ default: client } = await import("./prisma-client-sqlite/index.js"));
      const { PrismaBetterSqlite3 } = await import("@prisma/adapter-better-sqlite3");
      if (!env.SQLITE_PATH) throw new Error("AUTHJS_ADAPTER=prisma-sqlite needs SQLITE_PATH");
      factory = new PrismaBetterSqlite3(
        { url: "file:" + env.SQLITE_PATH, timeout: 5000 },
        { timestampFormat: env.PRISMA_TIMESTAMP_FORMAT || "iso8601" },
      );
    } else if (kind === "prisma-mysql") {
      ({ default: client } = await import("./prisma-client-mysql/index.js"));
      const { PrismaMariaDb } = await import("@prisma/adapter-mariadb");
      if (!env.MYSQL_URL) throw new Error("AUTHJS_ADAPTER=prisma-mysql needs MYSQL_URL");
      const u = new URL(env.MYSQL_URL);
      factory = new PrismaMariaDb({
        host: u.hostname, port: Number(u.port || 3306), user: decodeURIComponent(u.username),
        password: decodeURIComponent(u.password), database: u.pathname.slice(1), connectionLimit: 5,
      });
    } else {
      ({ default: client } = await import("./prisma-client-pg/index.js"));
      const { PrismaPg } = await import("@prisma/adapter-pg");
      if (!env.DATABASE_URL) throw new Error("AUTHJS_ADAPTER=prisma-pg needs DATABASE_URL");
      factory = new PrismaPg({ connectionString: env.DATABASE_URL, max: 5 });
    }
    const prisma = new client.PrismaClient({ adapter: factory });
    adapter = PrismaAdapter(prisma);
    close = () => prisma.$disconnect();
  } else {
    throw new Error(`AUTHJS_ADAPTER=${kind}: want one of ${kinds.join(", ")}`);
  }
  return { adapter, close };
}
