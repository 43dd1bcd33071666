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
//   AUTHJS_ADAPTER                 unset: jwt strategy, no adapter; else an
//                                  adapter kind of adapters.mjs (pg, redis,
//                                  mongodb, drizzle-*, kysely-*, supabase,
//                                  prisma-*), on the database its
//                                  environment names (see adapters.mjs)
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
import { createServer } from "node:http";
import express from "express";
import { ExpressAuth } from "@auth/express";
import { openAdapter } from "./adapters.mjs";

const port = Number(process.argv[2] ?? process.env.PORT ?? 0);
const env = process.env;

let adapter;
let closeAdapter = async () => {};
if (env.AUTHJS_ADAPTER) {
  try {
    ({ adapter, close: closeAdapter } = await openAdapter(env.AUTHJS_ADAPTER, env));
  } catch (e) {
    fail(String(e?.message ?? e));
  }
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
