// gen-adapter-vectors.mjs: one phase of the adapter vectors
// (vectors/adapters/<kind>.json), run by the Go generator
// TestGenerateAdapterVectors (resolver/interop_adapter_vectors_test.go),
// which creates the database from the adapter's own DDL and dumps the raw
// rows between the phases. Test-only; see README.md.
//
//   node gen-adapter-vectors.mjs write     the real adapter writes the users
//                                          and sessions; prints the cases
//   node gen-adapter-vectors.mjs resolve   reads the cases on stdin; the real
//                                          Auth() answers GET /session for
//                                          each cookie; prints the answers
//
// AUTHJS_ADAPTER and the database environment as in adapters.mjs. The clock
// is fixed (Date is replaced), so expiries and refreshed cookies are exact.

import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";

const RealDate = Date;
export const NOW_MS = 1764230400123; // 2025-11-27T08:00:00.123Z, as gen-vectors.mjs
class FixedDate extends RealDate {
  constructor(...args) {
    if (args.length === 0) super(NOW_MS);
    else super(...args);
  }
  static now() {
    return NOW_MS;
  }
}
globalThis.Date = FixedDate;

const { Auth } = await import("@auth/core");
const { openAdapter } = await import("./adapters.mjs");

const kind = process.env.AUTHJS_ADAPTER;
const MAX_AGE = 30 * 86400;
const UPDATE_AGE = 86400;
const BASE_URL = "http://localhost:3000";
const COOKIE = "authjs.session-token";
// TEST-ONLY: the database strategy signs only the CSRF cookie with it.
const SECRET = "authscope-adapter-vectors-test-only-secret";
const at = (ms) => new RealDate(NOW_MS + ms);

// A user id no row has, in the form the adapter's id column takes.
const missingUser = kind === "kysely-pg" || kind === "supabase" ? "00000000-0000-4000-8000-000000000999" : "999999";

// The cases: each a session the adapter writes (or none), then the cookie
// sent. Tokens are fixed so the vectors diff cleanly when regenerated.
const tok = (n) => `4f0c2a5e-9b1d-4c7a-8e3f-${String(n).padStart(12, "0")}`;
const ada = { name: "Ada Lovelace", email: "ada@example.test", emailVerified: "2025-01-02T03:04:05.678Z", image: "https://avatars.example.com/u/1815?v=4" };
const cases = [
  { name: "fresh", user: ada, expires: MAX_AGE * 1000 - 3600e3 },
  { name: "due for update", user: "ada", expires: (MAX_AGE - UPDATE_AGE) * 1000 - 3600e3 },
  { name: "due at the boundary", user: "ada", expires: (MAX_AGE - UPDATE_AGE) * 1000 },
  { name: "expired", user: "ada", expires: -60e3 },
  { name: "expired by one millisecond", user: "ada", expires: -1 },
  { name: "null user fields", user: { email: "nulls@example.test" }, expires: MAX_AGE * 1000 - 3600e3 },
  { name: "unicode user", user: { name: "Zoë 张伟 🚀 <b>&\u2028", email: "zoë@exämple.test" }, expires: MAX_AGE * 1000 - 3600e3 },
  { name: "user missing", userId: missingUser, expires: MAX_AGE * 1000 - 3600e3 },
  { name: "chunked cookie", user: "ada", expires: MAX_AGE * 1000 - 3600e3, chunked: true },
  { name: "unknown token", none: true },
];

async function write() {
  const { adapter, close } = await openAdapter(kind);
  const out = [];
  const ids = {};
  try {
    for (const [i, c] of cases.entries()) {
      const token = tok(i + 1);
      if (!c.none) {
        let userId = c.userId ?? ids[c.user];
        if (userId === undefined) {
          const u = await adapter.createUser({
            id: randomUUID(),
            name: c.user.name ?? null,
            email: c.user.email,
            emailVerified: c.user.emailVerified ? new Date(c.user.emailVerified) : null,
            image: c.user.image ?? null,
          });
          userId = String(u.id);
          if (c.user === ada) ids.ada = userId;
        }
        await adapter.createSession({ sessionToken: token, userId, expires: at(c.expires) });
      }
      const cookie = c.chunked ? `${COOKIE}.1=${token.slice(10)}; ${COOKIE}.0=${token.slice(0, 10)}` : `${COOKIE}=${token}`;
      out.push({ name: c.name, session_token: token, cookie_header: cookie });
    }
  } finally {
    await close();
  }
  return { now_ms: NOW_MS, max_age: MAX_AGE, update_age: UPDATE_AGE, base_url: BASE_URL, cookie_name: COOKIE, cases: out };
}

async function resolve(input) {
  const { adapter, close } = await openAdapter(kind);
  const config = {
    providers: [],
    adapter,
    secret: SECRET,
    trustHost: true,
    basePath: "/api/auth",
    session: { strategy: "database", maxAge: MAX_AGE, updateAge: UPDATE_AGE },
    logger: { error() {}, warn() {}, debug() {} },
  };
  const out = [];
  try {
    for (const c of input.cases) {
      const req = new Request(`${BASE_URL}/api/auth/session`, { headers: { cookie: c.cookie_header } });
      const res = await Auth(req, config);
      const setCookie = res.headers.getSetCookie().filter((l) => l.startsWith(COOKIE));
      out.push({ ...c, expect: { status: res.status, body_raw: await res.text(), session_set_cookie: setCookie } });
    }
  } finally {
    await close();
  }
  return { ...input, cases: out };
}

const phase = process.argv[2];
let result;
if (phase === "write") result = await write();
else if (phase === "resolve") result = await resolve(JSON.parse(readFileSync(0, "utf8")));
else {
  process.stderr.write("usage: node gen-adapter-vectors.mjs write|resolve\n");
  process.exit(2);
}
process.stdout.write(JSON.stringify(result) + "\n");
process.exit(0);
