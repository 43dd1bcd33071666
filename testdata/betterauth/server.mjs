// A live Better Auth for authscope's interop tests: email and password
// sign-in, Kysely's built-in adapter on BA_DB: a better-sqlite3 file (WAL,
// so Go can read it concurrently), a postgres:// URL (pg Pool) or a
// mysql:// URL (mysql2 pool); mounted at /api/auth through
// better-auth/node, on 127.0.0.1 only. Prints "listening <port>" when
// ready.
//
//   BETTER_AUTH_SECRET=... BA_DB=/tmp/ba.sqlite node server.mjs 0
//   BETTER_AUTH_SECRET=... BA_DB=postgres://postgres@127.0.0.1:5432/db node server.mjs 0
import { createServer } from "node:http";
import { toNodeHandler } from "better-auth/node";
import { openAuth, redisStorage } from "./harness.mjs";

const env = process.env;
const num = (v) => (v === undefined || v === "" ? undefined : Number(v));
const knobs = {
	baseURL: env.BA_BASE_URL,
	cookiePrefix: env.BA_COOKIE_PREFIX || undefined,
	expiresIn: num(env.BA_EXPIRES_IN),
	updateAge: num(env.BA_UPDATE_AGE),
	disableSessionRefresh: env.BA_DISABLE_REFRESH === "1",
	cookieCache: env.BA_COOKIE_CACHE ? { strategy: env.BA_COOKIE_CACHE, ...(env.BA_COOKIE_CACHE_MAX_AGE ? { maxAge: num(env.BA_COOKIE_CACHE_MAX_AGE) } : {}) } : undefined,
	jwt: env.BA_JWT === "1",
};
if (!env.BA_DB) {
	console.error("BA_DB (a SQLite file, postgres:// or mysql:// URL) is required");
	process.exit(2);
}
// BA_REDIS: sessions in a Redis secondaryStorage (keys after BA_REDIS_PREFIX).
if (env.BA_REDIS) knobs.secondaryStorage = await redisStorage(env.BA_REDIS, env.BA_REDIS_PREFIX ?? "");
const { auth } = await openAuth(knobs, env.BA_DB);
const handler = toNodeHandler(auth);
const server = createServer((req, res) => {
	if (req.url.startsWith("/api/auth")) return handler(req, res);
	res.statusCode = 404;
	res.end("not found");
});
server.listen(Number(process.argv[2] ?? env.PORT ?? 0), "127.0.0.1", () => {
	console.log(`listening ${server.address().port}`);
});
if (env.BA_EXIT_ON_STDIN_EOF === "1") {
	process.stdin.on("end", () => process.exit(0));
	process.stdin.resume();
}
