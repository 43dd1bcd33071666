// Records authscope's Better Auth vectors from the real package at a fixed
// clock: a user signs up through the real HTTP API (which writes the user
// and session rows and the cookies), then GET /api/auth/get-session runs at
// a chosen later instant with a chosen Cookie header. Each vector states the
// author's intent (`want`: "session" or "null"); the script refuses to write
// vectors when the real library disagrees, so names do not lie.
//
//   node gen-vectors.mjs        # rewrites vectors/*.json
import { mkdirSync, writeFileSync } from "node:fs";
import { installClock, setNow } from "./clock.mjs";
import { call, cookieHeader, openAuth, rows } from "./harness.mjs";
import { serializeSignedCookie } from "better-call";

const T0 = Date.parse("2026-01-15T10:00:00.000Z");
installClock(T0);

const SEC = 1000, MIN = 60 * SEC, HOUR = 60 * MIN, DAY = 24 * HOUR;
// TEST-ONLY secrets: fixed labels, they protect nothing.
const SECRET = "test-only-better-auth-secret-0123456789abcdef";
const OTHER = "test-only-other-secret-fedcba9876543210fedcba";
const PASSWORD = "test-only-password-1";

const out = {};

// signUp creates the user and its session at T0 and returns the Cookie
// header the browser would hold afterwards.
async function signUp(auth, k, user) {
	setNow(T0);
	const r = await call(auth, k, "POST", "/sign-up/email", { body: { password: PASSWORD, ...user }, headers: { "user-agent": "authscope-vectors/1", "x-forwarded-for": "203.0.113.7" } });
	if (r.status !== 200) throw new Error(`sign-up: ${r.status} ${r.body}`);
	return { header: cookieHeader(r.setCookie), setCookie: r.setCookie, body: JSON.parse(r.body) };
}

const ADA = { email: "ada@example.test", name: "Ada Lovelace" };

// record runs one case. c: {category, name, note, knobs, env, at (ms after
// T0), user, cookie(signup) -> header, query, want, tags}.
async function record(c) {
	const saved = {};
	for (const [k, v] of Object.entries(c.env ?? {})) {
		saved[k] = process.env[k];
		process.env[k] = v;
	}
	try {
		const k = c.knobs;
		const { auth, db } = await openAuth(k);
		const su = await signUp(auth, k, c.user ?? ADA);
		const header = c.cookie ? await c.cookie(su) : su.header;
		if (c.deleteRows) db.prepare('DELETE FROM "session"').run();
		const before = rows(db);
		const now = T0 + c.at;
		setNow(now);
		const r = await call(auth, k, "GET", "/get-session" + (c.query ?? ""), { cookie: header });
		const got = r.body === "null" ? "null" : r.status === 200 ? "session" : `status ${r.status}`;
		if (got !== c.want) throw new Error(`${c.name}: wanted ${c.want}, real Better Auth answered ${r.status} ${r.body}`);
		const v = {
			name: c.name,
			category: c.category,
			tags: c.tags ?? [],
			note: c.note ?? "",
			signup_ms: T0,
			now_ms: now,
			options: optionsOf(k),
			env: c.env ?? null,
			signup_set_cookie: su.setCookie,
			rows_deleted_before_request: !!c.deleteRows,
			rows_before: before,
			cookie_header: header ?? null,
			query: c.query ?? "",
			expect: {
				status: r.status,
				body_raw: r.body,
				set_cookie: r.setCookie,
				rows_after: rows(db),
			},
		};
		(out[c.category] ??= []).push(v);
		db.close();
	} finally {
		for (const [k, v] of Object.entries(saved)) {
			if (v === undefined) delete process.env[k];
			else process.env[k] = v;
		}
	}
}

// optionsOf is what Go needs to know of the configuration.
function optionsOf(k) {
	return {
		secret: k.secret ?? null,
		base_url: k.baseURL ?? "http://localhost:3000",
		base_path: "/api/auth",
		cookie_prefix: k.cookiePrefix ?? null,
		expires_in: k.expiresIn ?? null,
		update_age: k.updateAge ?? null,
		disable_session_refresh: !!k.disableSessionRefresh,
		user_additional_fields: fieldsOf(k.userFields),
		session_additional_fields: fieldsOf(k.sessionFields),
		cookie_cache: k.cookieCache ? { strategy: k.cookieCache.strategy ?? "compact", max_age: k.cookieCache.maxAge ?? null } : null,
	};
}

// fieldsOf lists additionalFields as Go configures them.
function fieldsOf(f) {
	if (!f) return null;
	return Object.entries(f).map(([name, a]) => ({ name, type: a.type, returned: a.returned !== false }));
}

const get = (h, name) => h.split("; ").find((p) => p.startsWith(name + "="))?.slice(name.length + 1);
const replace = (h, name, value) => h.split("; ").map((p) => (p.startsWith(name + "=") ? `${name}=${value}` : p)).join("; ");
const only = (h, ...names) => h.split("; ").filter((p) => names.some((n) => p.startsWith(n + "="))).join("; ");
const TOKEN = "better-auth.session_token";
const DATA = "better-auth.session_data";
const base = { secret: SECRET };

// --- database sessions (no cookie cache) ---
const db = "database";
const cc = "cookie_cache";
await record({ category: db, name: "valid", knobs: base, at: HOUR, want: "session" });
await record({ category: db, name: "valid_just_created", knobs: base, at: 0, want: "session" });
await record({ category: db, name: "due_for_update", note: "expiresAt - expiresIn + updateAge <= now: extended to now + expiresIn, cookie re-set", knobs: base, at: DAY + SEC, want: "session" });
await record({ category: db, name: "due_for_update_boundary", note: "exactly at the updateAge boundary (<=)", knobs: base, at: DAY, want: "session" });
await record({ category: db, name: "not_due_1ms_before", knobs: base, at: DAY - 1, want: "session" });
await record({ category: db, name: "disable_session_refresh", knobs: { ...base, disableSessionRefresh: true }, at: 3 * DAY, want: "session" });
await record({ category: db, name: "query_disable_refresh", knobs: base, at: 3 * DAY, query: "?disableRefresh=true", want: "session" });
await record({ category: db, name: "custom_expires_update_age", knobs: { ...base, expiresIn: 3600, updateAge: 600 }, at: 601 * SEC, want: "session" });
await record({ category: db, name: "update_age_zero", note: "updateAge 0 extends on every request", knobs: { ...base, updateAge: 0 }, at: 5 * SEC, want: "session" });
await record({ category: db, name: "expired", note: "the expired row is deleted and the cookies cleared", knobs: base, at: 7 * DAY + 1, want: "null" });
await record({ category: db, name: "expired_exact_instant", note: "expiresAt < now is expired; at expiresAt exactly it is still valid (and due for update)", knobs: base, at: 7 * DAY, want: "session" });
await record({ category: db, name: "no_cookie", knobs: base, at: HOUR, cookie: () => null, want: "null" });
await record({ category: db, name: "other_cookies_only", knobs: base, at: HOUR, cookie: () => "theme=dark; _ga=GA1.2.3", want: "null" });
await record({ category: db, name: "tampered_signature", knobs: base, at: HOUR, cookie: (s) => {
	const v = decodeURIComponent(get(s.header, TOKEN));
	const sig = v.slice(v.lastIndexOf(".") + 1);
	const flipped = (sig[0] === "A" ? "B" : "A") + sig.slice(1);
	return replace(s.header, TOKEN, encodeURIComponent(v.slice(0, v.lastIndexOf(".") + 1) + flipped));
}, want: "null" });
await record({ category: db, name: "tampered_token", note: "a valid-looking token with the original signature", knobs: base, at: HOUR, cookie: (s) => {
	const v = decodeURIComponent(get(s.header, TOKEN));
	return replace(s.header, TOKEN, encodeURIComponent((v[0] === "a" ? "b" : "a") + v.slice(1)));
}, want: "null" });
await record({ category: db, name: "wrong_secret", knobs: base, at: HOUR, cookie: async (s) => {
	const tok = decodeURIComponent(get(s.header, TOKEN)).split(".")[0];
	const line = await serializeSignedCookie(TOKEN, tok, OTHER);
	return replace(s.header, TOKEN, line.slice(TOKEN.length + 1));
}, want: "null" });
await record({ category: db, name: "unsigned_token", knobs: base, at: HOUR, cookie: (s) => replace(s.header, TOKEN, decodeURIComponent(get(s.header, TOKEN)).split(".")[0]), want: "null" });
await record({ category: db, name: "signature_not_url_encoded", tags: ["edge"], note: "the cookie parser only URL-decodes values containing %", knobs: base, at: HOUR, cookie: (s) => replace(s.header, TOKEN, decodeURIComponent(get(s.header, TOKEN))), want: "session" });
await record({ category: db, name: "unknown_token_signed", note: "a correctly signed token with no row", knobs: base, at: HOUR, cookie: async (s) => {
	const line = await serializeSignedCookie(TOKEN, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", SECRET);
	return line.split(";")[0];
}, want: "null" });
await record({ category: db, name: "duplicate_cookie_first_wins", tags: ["edge"], knobs: base, at: HOUR, cookie: (s) => `${TOKEN}=garbage; ${s.header}`, want: "null" });
await record({ category: db, name: "quoted_value", tags: ["edge"], knobs: base, at: HOUR, cookie: (s) => replace(s.header, TOKEN, `"${get(s.header, TOKEN)}"`), want: "session" });
await record({ category: db, name: "user_fields_image_null_email_verified_false", knobs: base, at: HOUR, user: { email: "Grace@Example.Test", name: "Grace \"Amazing\" Hopper \u2028 <é>" }, want: "session" });

// --- additionalFields (user and session), one not returned ---
const extra = {
	...base,
	userFields: { role: { type: "string", defaultValue: "reader" }, plan: { type: "number", defaultValue: 3 }, internalNote: { type: "string", returned: false, defaultValue: "hidden" }, beta: { type: "boolean", defaultValue: true }, lastSeen: { type: "date", required: false } },
	sessionFields: { device: { type: "string", defaultValue: "web" }, secretFlag: { type: "boolean", returned: false, defaultValue: false } },
};
await record({ category: db, name: "additional_fields", note: "additional fields follow the core fields in config order, id last; returned:false fields are not in the body", knobs: extra, at: HOUR, want: "session" });
await record({ category: db, name: "additional_fields_due_for_update", knobs: extra, at: 2 * DAY, want: "session" });
await record({ category: cc, name: "compact_additional_fields_served_from_cache", knobs: { ...extra, cookieCache: { strategy: "compact" } }, at: MIN, want: "session" });
await record({ category: cc, name: "compact_additional_fields_db_fallback", knobs: { ...extra, cookieCache: { strategy: "compact" } }, at: MIN, cookie: (s) => only(s.header, TOKEN), want: "session" });

// --- secrets from the environment ---
const sec = "secrets";
await record({ category: sec, name: "env_better_auth_secret_over_auth_secret", env: { BETTER_AUTH_SECRET: SECRET, AUTH_SECRET: OTHER }, knobs: {}, at: HOUR, want: "session" });
await record({ category: sec, name: "env_auth_secret_fallback", env: { AUTH_SECRET: OTHER }, knobs: {}, at: HOUR, want: "session" });
await record({ category: sec, name: "versioned_secrets_env_current_first", note: "BETTER_AUTH_SECRETS wins over BETTER_AUTH_SECRET; its first entry signs cookies", env: { BETTER_AUTH_SECRETS: `2:${SECRET}, 1:${OTHER}`, BETTER_AUTH_SECRET: OTHER }, knobs: {}, at: HOUR, want: "session" });
await record({ category: sec, name: "versioned_secrets_jwe_cache", note: "the JWE cache's kid is the current secret's key thumbprint", env: { BETTER_AUTH_SECRETS: `2:${SECRET}, 1:${OTHER}` }, knobs: { cookieCache: { strategy: "jwe" } }, at: MIN, want: "session" });
await record({ category: sec, name: "configured_secret_over_env", env: { BETTER_AUTH_SECRET: OTHER }, knobs: base, at: HOUR, want: "session" });

// --- cookie names ---
const names = "names";
const httpsKnobs = { ...base, baseURL: "https://app.example.test" };
await record({ category: names, name: "https_secure_prefix", knobs: httpsKnobs, at: HOUR, want: "session" });
await record({ category: names, name: "https_without_prefix_ignored", knobs: httpsKnobs, at: HOUR, cookie: (s) => s.header.replaceAll("__Secure-", ""), want: "null" });
await record({ category: names, name: "http_with_secure_prefix_ignored", knobs: base, at: HOUR, cookie: (s) => s.header.replaceAll("better-auth.", "__Secure-better-auth."), want: "null" });
await record({ category: names, name: "custom_cookie_prefix", knobs: { ...base, cookiePrefix: "myapp" }, at: HOUR, want: "session" });
await record({ category: names, name: "custom_prefix_default_name_ignored", knobs: { ...base, cookiePrefix: "myapp" }, at: HOUR, cookie: (s) => s.header.replaceAll("myapp.", "better-auth."), want: "null" });

// --- cookie cache ---
for (const strategy of ["compact", "jwt", "jwe"]) {
	const k = { ...base, cookieCache: { strategy } };
	await record({ category: cc, name: `${strategy}_served_from_cache`, note: "the cache is trusted: the body comes from the cookie (zod key order), the database is not read", knobs: k, at: MIN, want: "session" });
	await record({ category: cc, name: `${strategy}_cache_expired_db_fallback`, note: "cache past maxAge (300s): read from the database, cache cookie re-set", knobs: k, at: 301 * SEC, want: "session" });
	await record({ category: cc, name: `${strategy}_tampered_cache_db_fallback`, knobs: k, at: MIN, cookie: (s) => {
		const v = get(s.header, DATA);
		const i = Math.floor(v.length / 2);
		return replace(s.header, DATA, v.slice(0, i) + (v[i] === "A" ? "B" : "A") + v.slice(i + 1));
	}, want: "session" });
	await record({ category: cc, name: `${strategy}_cache_without_session_token`, note: "with the cookie cache on, no signed session_token means null, whatever the cache says", knobs: k, at: MIN, cookie: (s) => only(s.header, DATA), want: "null" });
	await record({ category: cc, name: `${strategy}_cache_survives_deleted_row`, note: "the cache answers even after the session row is gone (revocation waits for maxAge)", knobs: k, at: MIN, cookie: (s) => s.header, want: "session", deleteRows: true });
}
await record({ category: cc, name: "compact_custom_max_age", knobs: { ...base, cookieCache: { strategy: "compact", maxAge: 60 } }, at: 61 * SEC, want: "session" });
await record({ category: cc, name: "compact_cache_only_token_db", note: "no cache cookie: database read, cache cookie set", knobs: { ...base, cookieCache: { strategy: "compact" } }, at: MIN, cookie: (s) => only(s.header, TOKEN), want: "session" });
await record({ category: cc, name: "compact_chunked", note: "a large user: the cache cookie is split into session_data.0, .1, ...", knobs: { ...base, cookieCache: { strategy: "compact" } }, at: MIN, user: { email: "big@example.test", name: "B".repeat(5000) }, want: "session" });
await record({ category: cc, name: "compact_chunked_written", note: "database answer for a large user: the new cache is written as chunks .0, .1, ...", knobs: { ...base, cookieCache: { strategy: "compact" } }, at: MIN, user: { email: "big@example.test", name: "B".repeat(5000) }, cookie: (s) => only(s.header, TOKEN), want: "session" });
await record({ category: cc, name: "compact_chunked_expired_rewritten", note: "an expired chunked cache: expired then rewritten", knobs: { ...base, cookieCache: { strategy: "compact" } }, at: 301 * SEC, user: { email: "big@example.test", name: "B".repeat(5000) }, want: "session" });
await record({ category: cc, name: "cache_disabled_stale_cache_cookie_cleaned", knobs: base, at: MIN, cookie: (s) => `${s.header}; ${DATA}=stale`, want: "session" });

// --- JWT plugin: GET /token and GET /jwks (EdDSA / Ed25519 by default) ---
import { jwtVerify, createLocalJWKSet, decodeJwt } from "jose";
for (const [name, plugin] of [["eddsa_default", true], ["es256", { jwks: { keyPairConfig: { alg: "ES256" } } }], ["rs256_custom_claims", { jwks: { keyPairConfig: { alg: "RS256", modulusLength: 2048 } }, jwt: { issuer: "https://issuer.example.test", audience: "authscope", expirationTime: "1h", definePayload: ({ user }) => ({ email: user.email, role: "reader" }) } }]]) {
	const k = { ...base, jwt: plugin };
	const { auth, db } = await openAuth(k);
	const su = await signUp(auth, k, ADA);
	setNow(T0 + MIN);
	const tok = await call(auth, k, "GET", "/token", { cookie: su.header });
	const jwks = await call(auth, k, "GET", "/jwks", {});
	const gs = await call(auth, k, "GET", "/get-session", { cookie: su.header });
	const token = JSON.parse(tok.body).token;
	const set = createLocalJWKSet(JSON.parse(jwks.body));
	const checks = [];
	for (const [at, label] of [[T0 + 2 * MIN, "valid"], [(decodeJwt(token).exp + 1) * 1000, "expired_1s_after_exp"]]) {
		setNow(at);
		let ok = true;
		try {
			await jwtVerify(token, set, { issuer: decodeJwt(token).iss, audience: decodeJwt(token).aud });
		} catch {
			ok = false;
		}
		checks.push({ label, now_ms: at, valid: ok });
	}
	const tampered = token.slice(0, -4) + (token.at(-4) === "A" ? "B" : "A") + token.slice(-3);
	setNow(T0 + 2 * MIN);
	let tamperedOK = true;
	try {
		await jwtVerify(tampered, set);
	} catch {
		tamperedOK = false;
	}
	if (!checks[0].valid || checks[1].valid || tamperedOK) throw new Error(`jwt ${name}: unexpected verification results`);
	(out.jwt_plugin ??= []).push({
		name,
		category: "jwt_plugin",
		note: "token from GET /api/auth/token; the same JWT also rides get-session's set-auth-jwt header",
		issued_ms: T0 + MIN,
		jwks_raw: jwks.body,
		token,
		set_auth_jwt: gs.headers["set-auth-jwt"] ?? null,
		payload: decodeJwt(token),
		expected_issuer: decodeJwt(token).iss,
		expected_audience: decodeJwt(token).aud,
		checks,
		tampered_token: tampered,
	});
	db.close();
}

// --- the SQLite DDL Better Auth's migrations create (Kysely adapter) ---
{
	const { db } = await openAuth({ ...base, jwt: true });
	out.sqlite_schema = db.prepare("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY rowid").all();
	db.close();
}

mkdirSync("vectors", { recursive: true });
for (const [cat, vs] of Object.entries(out)) {
	writeFileSync(`vectors/${cat}.json`, JSON.stringify(vs, null, "\t") + "\n");
	console.log(`vectors/${cat}.json: ${vs.length}`);
}
