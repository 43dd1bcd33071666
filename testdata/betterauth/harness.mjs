// Shared by gen-vectors.mjs and server.mjs: builds a real Better Auth
// (email and password sign-in, Kysely's built-in adapter on better-sqlite3)
// from a small option set, creates its tables with Better Auth's own
// migrations, and talks to it through its HTTP handler.
import Database from "better-sqlite3";
import { betterAuth } from "better-auth";
import { getMigrations } from "better-auth/db/migration";
import { jwt } from "better-auth/plugins/jwt";

export const BASE_PATH = "/api/auth";

// authOptions maps the harness's knobs onto betterAuth() options. Only what
// a knob sets is passed, so everything else keeps Better Auth's defaults.
export function authOptions(k, db) {
	const o = {
		database: db,
		baseURL: k.baseURL ?? "http://localhost:3000",
		basePath: BASE_PATH,
		emailAndPassword: { enabled: true },
		telemetry: { enabled: false },
		logger: { disabled: !process.env.BETTER_AUTH_DEBUG },
		session: {},
		advanced: {},
		plugins: [],
	};
	if (k.secret !== undefined) o.secret = k.secret;
	if (k.expiresIn !== undefined) o.session.expiresIn = k.expiresIn;
	if (k.updateAge !== undefined) o.session.updateAge = k.updateAge;
	if (k.freshAge !== undefined) o.session.freshAge = k.freshAge;
	if (k.disableSessionRefresh) o.session.disableSessionRefresh = true;
	if (k.cookieCache) o.session.cookieCache = { enabled: true, ...k.cookieCache };
	if (k.cookiePrefix) o.advanced.cookiePrefix = k.cookiePrefix;
	if (k.userFields) o.user = { additionalFields: k.userFields };
	if (k.sessionFields) o.session.additionalFields = k.sessionFields;
	if (k.secondaryStorage) o.secondaryStorage = k.secondaryStorage;
	if (k.jwt) o.plugins.push(jwt(k.jwt === true ? {} : k.jwt));
	return o;
}

// openDatabase opens what Better Auth's Kysely adapter runs on: a
// better-sqlite3 file (WAL, so Go reads it concurrently), a pg Pool for a
// postgres:// URL, or a mysql2 pool for a mysql:// URL (timezone "Z", as
// Better Auth's MySQL guide configures it, so DATETIME and TIMESTAMP
// values are UTC).
export async function openDatabase(where = ":memory:") {
	if (/^postgres(ql)?:\/\//.test(where)) {
		const { default: pg } = await import("pg");
		return new pg.Pool({ connectionString: where, max: 4 });
	}
	if (where.startsWith("mysql://")) {
		const { createPool } = await import("mysql2/promise");
		return createPool({ uri: where, timezone: "Z", connectionLimit: 4 });
	}
	const db = new Database(where);
	if (where !== ":memory:") db.pragma("journal_mode = WAL");
	return db;
}

// openAuth opens (or creates) the database and migrates it with Better
// Auth's own migrations.
export async function openAuth(k, file = ":memory:") {
	const db = await openDatabase(file);
	const opts = authOptions(k, db);
	const { runMigrations } = await getMigrations(opts);
	await runMigrations();
	return { auth: betterAuth(opts), db, opts };
}

// call sends one request through auth.handler and returns what the wire
// would carry.
export async function call(auth, k, method, path, { cookie, body, headers = {} } = {}) {
	const origin = k.baseURL ?? "http://localhost:3000";
	const h = new Headers(headers);
	if (cookie) h.set("cookie", cookie);
	if (body !== undefined) h.set("content-type", "application/json");
	h.set("origin", origin);
	const res = await auth.handler(new Request(origin + BASE_PATH + path, {
		method,
		headers: h,
		body: body === undefined ? undefined : JSON.stringify(body),
	}));
	const text = await res.text();
	return { status: res.status, body: text, setCookie: res.headers.getSetCookie(), headers: Object.fromEntries(res.headers) };
}

// cookieHeader turns Set-Cookie lines into the Cookie header a browser
// would send next (expired cookies dropped).
export function cookieHeader(setCookie, jar = new Map()) {
	for (const line of setCookie) {
		const [pair, ...attrs] = line.split(";");
		const i = pair.indexOf("=");
		const name = pair.slice(0, i).trim();
		const value = pair.slice(i + 1).trim();
		if (attrs.some((a) => /^\s*max-age=0\s*$/i.test(a))) jar.delete(name);
		else jar.set(name, value);
	}
	return [...jar].map(([n, v]) => `${n}=${v}`).join("; ");
}

// rows reads the user and session tables as SQLite holds them.
export function rows(db) {
	return {
		user: db.prepare('SELECT * FROM "user" ORDER BY "id"').all(),
		session: db.prepare('SELECT * FROM "session" ORDER BY "id"').all(),
	};
}

// redisStorage is a secondaryStorage on Redis (the `redis` client), as
// Better Auth's guide writes one: keys as Better Auth names them, after an
// optional prefix; EX when Better Auth gives a TTL.
export async function redisStorage(url, prefix = "") {
	const { createClient } = await import("redis");
	const client = createClient({ url });
	await client.connect();
	return {
		client,
		get: (key) => client.get(prefix + key),
		set: (key, value, ttl) => (ttl ? client.set(prefix + key, value, { EX: ttl }) : client.set(prefix + key, value)),
		delete: async (key) => {
			await client.del(prefix + key);
		},
	};
}
