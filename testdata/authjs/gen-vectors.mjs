// gen-vectors.mjs: interop vectors for authscope, produced by the REAL
// Auth.js libraries at a fixed clock.
//
//   cd testdata/authjs && npm ci && node gen-vectors.mjs
//
// writes vectors/<category>.json (arrays of vectors, see README.md). Every
// expectation is what the real code returns: `Auth(request, config)` from
// @auth/core for GET /api/auth/session, `getToken`/`decode` from
// @auth/core/jwt, and next-auth v4's AuthHandler/decode for the legacy
// vectors. Crafted tokens (custom claims, tampering, odd headers) are built
// here, but whether they are accepted is always decided by the real library.
// Each case also states what the author intended ("want"); if the real
// library disagrees the script stops, so a vector's name never lies about
// what it tests. It never changes an expectation.
//
// The secrets are TEST-ONLY values derived from fixed labels so reruns
// produce small diffs; they protect nothing.

import { createHash, createCipheriv, createHmac, randomBytes } from "node:crypto";
import { deflateRawSync } from "node:zlib";
import { mkdirSync, writeFileSync, readdirSync, unlinkSync } from "node:fs";
import { createRequire } from "node:module";
import { Auth, setEnvDefaults } from "@auth/core";
import { encode, decode, getToken } from "@auth/core/jwt";
import { hkdf } from "@panva/hkdf";
import { CompactEncrypt, EncryptJWT, base64url, calculateJwkThumbprint } from "jose";

const require = createRequire(import.meta.url);
const v4jwt = require("next-auth/jwt");
// Not in next-auth's "exports" map: load the files themselves. AuthHandler is
// what next-auth v4's Next.js route handlers call; toResponse is how its App
// Router integration serializes the result.
const { AuthHandler: v4AuthHandler } = require("./node_modules/next-auth/core/index.js");
const { toResponse: v4ToResponse } = require("./node_modules/next-auth/next/utils.js");

// ---------------------------------------------------------------- clock
// jose reads `new Date()`, Auth.js reads Date.now(): replace both.
const RealDate = Date;
let NOW_MS = 0;
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
const setNow = (ms) => {
  NOW_MS = ms;
};

// 2025-11-27T08:00:00.123Z: a non-zero millisecond part on purpose.
const T0 = 1764230400123;
const T0S = Math.floor(T0 / 1000);
const DAY = 86400;
const MAX_AGE = 30 * DAY;

// ---------------------------------------------------------------- secrets
const testSecret = (label) =>
  "test-only-secret-" + createHash("sha256").update("authscope interop " + label).digest("base64url").slice(0, 32);
const S1 = testSecret("current");
const S2 = testSecret("previous");
const S3 = testSecret("older");
const SX = testSecret("unrelated");

// ---------------------------------------------------------------- helpers
const HTTP = "http://localhost:3000";
const HTTPS = "https://app.example.com";
const COOKIE = "authjs.session-token";
const SCOOKIE = "__Secure-authjs.session-token";
const V4COOKIE = "next-auth.session-token";
const SV4COOKIE = "__Secure-next-auth.session-token";

const b64u = (b) => Buffer.from(b).toString("base64url");
const silentLogger = { error() {}, warn() {}, debug() {} };

async function v5Key(secret, salt, enc = "A256CBC-HS512") {
  const len = enc === "A256GCM" ? 32 : 64;
  return hkdf("sha256", secret, salt, `Auth.js Generated Encryption Key (${salt})`, len);
}
async function v4Key(secret) {
  return hkdf("sha256", secret, "", "NextAuth.js Generated Encryption Key", 32);
}
async function kidOf(key) {
  return calculateJwkThumbprint({ kty: "oct", k: base64url.encode(key) }, `sha${key.byteLength << 3}`);
}

// Mint with the real encode() at clock `atMs`.
async function mint(claims, { secret = S1, salt = COOKIE, maxAge = MAX_AGE, atMs = T0 } = {}) {
  const saved = NOW_MS;
  setNow(atMs);
  const t = await encode({ token: claims, secret, salt, maxAge });
  setNow(saved);
  return t;
}
async function mintV4(claims, { secret = S1, maxAge = MAX_AGE, atMs = T0 } = {}) {
  const saved = NOW_MS;
  setNow(atMs);
  const t = await v4jwt.encode({ token: claims, secret, maxAge });
  setNow(saved);
  return t;
}

// craftCBC builds a compact JWE with A256CBC-HS512 (RFC 7518 §5.2.2) by hand,
// so headers can be exactly the given string (member order, duplicates,
// crit, ...) and segments can be tampered with. The real decode judges it.
function craftCBC(headerStr, payload, key, { iv = randomBytes(16), encryptedKey = "" } = {}) {
  const protectedB64 = typeof headerStr === "string" ? b64u(headerStr) : headerStr.raw;
  const aad = Buffer.from(protectedB64, "ascii");
  const macKey = key.subarray(0, 32);
  const encKey = key.subarray(32, 64);
  const c = createCipheriv("aes-256-cbc", encKey, iv);
  const ct = Buffer.concat([c.update(Buffer.from(payload)), c.final()]);
  const al = Buffer.alloc(8);
  al.writeBigUInt64BE(BigInt(aad.length * 8));
  const tag = createHmac("sha512", macKey).update(Buffer.concat([aad, iv, ct, al])).digest().subarray(0, 32);
  return [protectedB64, encryptedKey, b64u(iv), b64u(ct), b64u(tag)].join(".");
}
// A128CBC-HS256: 32-byte key, 16-byte MAC key, tag = first 16 bytes of HMAC-SHA-256.
function craftCBC128(headerStr, payload, key, { iv = randomBytes(16) } = {}) {
  const protectedB64 = b64u(headerStr);
  const aad = Buffer.from(protectedB64, "ascii");
  const c = createCipheriv("aes-128-cbc", key.subarray(16, 32), iv);
  const ct = Buffer.concat([c.update(Buffer.from(payload)), c.final()]);
  const al = Buffer.alloc(8);
  al.writeBigUInt64BE(BigInt(aad.length * 8));
  const tag = createHmac("sha256", key.subarray(0, 16)).update(Buffer.concat([aad, iv, ct, al])).digest().subarray(0, 16);
  return [protectedB64, "", b64u(iv), b64u(ct), b64u(tag)].join(".");
}
function craftGCM(headerStr, payload, key, { iv = randomBytes(12) } = {}) {
  const protectedB64 = b64u(headerStr);
  const c = createCipheriv(`aes-${key.length * 8}-gcm`, key, iv);
  c.setAAD(Buffer.from(protectedB64, "ascii"));
  const ct = Buffer.concat([c.update(Buffer.from(payload)), c.final()]);
  return [protectedB64, "", b64u(iv), b64u(ct), b64u(c.getAuthTag())].join(".");
}
const std = (now = T0S, extra = {}) => ({ iat: now, exp: now + MAX_AGE, jti: "9a8d7c5e-0000-4000-8000-000000000001", ...extra });
const json = (o) => JSON.stringify(o);

// Flip one character of segment i (keeps it valid base64url).
function tamper(token, i, pos = 3) {
  const segs = token.split(".");
  const s = segs[i];
  const p = Math.min(pos, s.length - 1);
  const ch = s[p] === "A" ? "B" : "A";
  segs[i] = s.slice(0, p) + ch + s.slice(p + 1);
  return segs.join(".");
}
function chunksOf(token, size = 3936) {
  const out = [];
  for (let i = 0; i * size < token.length; i++) out.push(token.substr(i * size, size));
  return out;
}
const pairs = (...kv) => kv.map(([k, v]) => `${k}=${v}`).join("; ");

// A realistic user, as the GitHub/credentials providers put it in the token.
const USER = {
  name: "Ada Lovelace",
  email: "ada@example.com",
  picture: "https://avatars.example.com/u/1815?v=4",
  sub: "5b1f6c1e-7a0e-4c3b-9d2a-3f4e5a6b7c8d",
};
// Deterministic filler that does not compress (zip cases) and grows tokens.
function filler(n, label = "pad") {
  let s = "";
  for (let i = 0; s.length < n; i++) s += createHash("sha256").update(label + i).digest("base64url");
  return s.slice(0, n);
}

// ---------------------------------------------------------------- runners
function errName(e) {
  if (!e) return null;
  return e.code ?? e.name ?? "Error";
}
// jose's and Auth.js's error messages are fixed strings about the token's
// structure; they never contain key or token material.
function errMessage(e) {
  return e ? String(e.message) : null;
}

function headersSubset(res) {
  const out = {};
  for (const h of ["content-type", "cache-control", "expires", "pragma"]) {
    const v = res.headers.get(h);
    if (v !== null) out[h] = v;
  }
  return out;
}

// Reassemble the refreshed session cookie(s) from Set-Cookie lines, as the
// next request's SessionStore would, and decode with the real decode.
async function refreshedClaims(setCookies, name, secrets, v4) {
  const parts = [];
  for (const line of setCookies) {
    const first = line.split(";")[0];
    const eq = first.indexOf("=");
    const n = first.slice(0, eq);
    const v = first.slice(eq + 1);
    if (!v || !n.startsWith(name)) continue;
    parts.push([n, decodeURIComponent(v)]);
  }
  if (parts.length === 0) return null;
  parts.sort((a, b) => parseInt(a[0].split(".").pop() || "0") - parseInt(b[0].split(".").pop() || "0"));
  const token = parts.map((p) => p[1]).join("");
  return v4 ? v4jwt.decode({ token, secret: secrets[0] }) : decode({ token, secret: secrets, salt: name });
}

async function runV5(c) {
  const baseURL = c.base_url ?? HTTP;
  const secrets = c.secrets ?? [S1];
  const maxAge = c.max_age ?? MAX_AGE;
  const nowMs = c.now_ms ?? T0;
  const secure = baseURL.startsWith("https:");
  const name = c.custom_cookie_name ?? (secure ? SCOOKIE : COOKIE);
  setNow(nowMs);
  const config = {
    providers: [],
    secret: secrets,
    trustHost: true,
    basePath: "/api/auth",
    session: { strategy: "jwt", maxAge },
    logger: silentLogger,
  };
  if (c.custom_cookie_name) config.cookies = { sessionToken: { name: c.custom_cookie_name } };
  const headers = new Headers();
  if (c.cookie_header !== null) headers.set("cookie", c.cookie_header);
  const res = await Auth(new Request(`${baseURL}/api/auth/session`, { headers }), config);
  const body = await res.text();
  const setCookie = res.headers.getSetCookie();
  const req = { headers: { cookie: c.cookie_header ?? "" } };
  const raw = await getToken({ req, raw: true, cookieName: name, secureCookie: secure, secret: secrets });
  const token = await getToken({ req, cookieName: name, secureCookie: secure, secret: secrets });
  let decodeError = null;
  let decodeMessage = null;
  if (raw) {
    try {
      await decode({ token: raw, secret: secrets, salt: name });
    } catch (e) {
      decodeError = errName(e);
      decodeMessage = errMessage(e);
    }
  }
  const refreshed = await refreshedClaims(setCookie, name, secrets, false);
  return {
    status: res.status,
    headers: headersSubset(res),
    body_raw: body,
    set_cookie: setCookie,
    refreshed_claims: refreshed,
    token: token ?? null,
    raw: raw ?? null,
    decode_error: decodeError,
    decode_error_message: decodeMessage,
  };
}

async function runV4(c) {
  const baseURL = c.base_url ?? HTTP;
  const secrets = c.secrets ?? [S1];
  const maxAge = c.max_age ?? MAX_AGE;
  const nowMs = c.now_ms ?? T0;
  const secure = baseURL.startsWith("https:");
  const name = secure ? SV4COOKIE : V4COOKIE;
  setNow(nowMs);
  const url = new URL(`${baseURL}/api/auth/session`);
  const headers = new Headers({ host: url.host, "x-forwarded-proto": url.protocol.slice(0, -1) });
  if (c.cookie_header !== null) headers.set("cookie", c.cookie_header);
  const saved = process.env.NEXTAUTH_URL;
  process.env.NEXTAUTH_URL = `${baseURL}/api/auth`;
  const internal = await v4AuthHandler({
    req: new Request(url, { headers }),
    options: { providers: [], secret: secrets[0], session: { strategy: "jwt", maxAge }, logger: silentLogger },
  });
  if (saved === undefined) delete process.env.NEXTAUTH_URL;
  else process.env.NEXTAUTH_URL = saved;
  const res = v4ToResponse(internal);
  const body = await res.text();
  const setCookie = res.headers.getSetCookie();
  const req = { headers: { cookie: c.cookie_header ?? "" }, cookies: parseCookieV4(c.cookie_header ?? "") };
  const raw = await v4jwt.getToken({ req, raw: true, cookieName: name, secureCookie: secure, secret: secrets[0], logger: silentLogger });
  const token = await v4jwt.getToken({ req, cookieName: name, secureCookie: secure, secret: secrets[0], logger: silentLogger });
  let decodeError = null;
  let decodeMessage = null;
  if (raw) {
    try {
      await v4jwt.decode({ token: raw, secret: secrets[0] });
    } catch (e) {
      decodeError = errName(e);
      decodeMessage = errMessage(e);
    }
  }
  return {
    status: res.status,
    headers: headersSubset(res),
    body_raw: body,
    set_cookie: setCookie,
    refreshed_claims: await refreshedClaims(setCookie, name, secrets, true),
    token: token ?? null,
    raw: raw || null,
    decode_error: decodeError,
    decode_error_message: decodeMessage,
  };
}
// next-auth v4's getToken reads req.cookies (Next.js parses them with the
// `cookie` package); mirror that with the same package.
function parseCookieV4(h) {
  return require("cookie").parse(h);
}

// ---------------------------------------------------------------- cases
// Each case: {name, category, tags, want: "session"|"none", cookie_header,
// base_url?, secrets?, custom_cookie_name?, max_age?, now_ms?, legacy_v4?, env?, note?}
const cases = [];
const add = (c) => cases.push(c);

async function build() {
  const tok = await mint(USER);
  const tokS = await mint(USER, { salt: SCOOKIE });

  // ---- names (§3)
  add({ category: "names", name: "http default name", want: "session", cookie_header: pairs([COOKIE, tok]) });
  add({ category: "names", name: "https secure name", want: "session", base_url: HTTPS, cookie_header: pairs([SCOOKIE, tokS]) });
  add({ category: "names", name: "https ignores unprefixed name", want: "none", base_url: HTTPS, cookie_header: pairs([COOKIE, tok]) });
  add({ category: "names", name: "http ignores secure name", want: "none", cookie_header: pairs([SCOOKIE, tokS]) });
  add({ category: "names", name: "http token minted for secure salt", tags: ["quirk"], want: "none", note: "the cookie name is the HKDF salt", cookie_header: pairs([COOKIE, tokS]) });
  add({ category: "names", name: "https token minted for http salt", want: "none", base_url: HTTPS, cookie_header: pairs([SCOOKIE, tok]) });
  const custom = "myapp.sid";
  add({ category: "names", name: "custom cookie name", want: "session", custom_cookie_name: custom, cookie_header: pairs([custom, await mint(USER, { salt: custom })]) });
  add({ category: "names", name: "custom cookie name on https stays unprefixed", want: "session", base_url: HTTPS, custom_cookie_name: custom, cookie_header: pairs([custom, await mint(USER, { salt: custom })]) });
  add({ category: "names", name: "custom name ignores default cookie", want: "none", custom_cookie_name: custom, cookie_header: pairs([COOKIE, tok]) });
  add({ category: "names", name: "custom name token under default salt", want: "none", custom_cookie_name: custom, cookie_header: pairs([custom, tok]) });
  add({ category: "names", name: "no cookie header", want: "none", cookie_header: null });
  add({ category: "names", name: "empty cookie header", want: "none", cookie_header: "" });
  add({ category: "names", name: "empty session cookie value", want: "none", cookie_header: `${COOKIE}=` });
  add({ category: "names", name: "empty value next to other cookies", want: "none", cookie_header: `theme=dark; ${COOKIE}=; lang=en` });
  add({ category: "names", name: "only unrelated cookies", want: "none", cookie_header: "theme=dark; lang=en" });
  add({ category: "names", name: "session cookie among others", want: "session", cookie_header: `theme=dark; ${COOKIE}=${tok}; lang=en` });
  add({ category: "names", name: "name case differs", want: "none", cookie_header: pairs(["AuthJS.Session-Token", tok]) });
  add({ category: "names", name: "cookie without equals sign then session", want: "session", cookie_header: `flag; ${COOKIE}=${tok}` });

  // ---- prefix swallowing (§3, quirk)
  add({ category: "prefix", name: "legacy suffixed cookie swallowed", tags: ["quirk"], want: "none", cookie_header: pairs([COOKIE, tok], [`${COOKIE}-legacy`, "x"]) });
  add({ category: "prefix", name: "suffixed cookie before session", tags: ["quirk"], want: "none", cookie_header: pairs([`${COOKIE}-legacy`, "x"], [COOKIE, tok]) });
  add({ category: "prefix", name: "suffixed cookie alone is read as the session", tags: ["quirk"], want: "session", cookie_header: pairs([`${COOKIE}-legacy`, tok]) });
  add({ category: "prefix", name: "suffixed cookie empty is ignored", tags: ["quirk"], want: "session", cookie_header: pairs([COOKIE, tok], [`${COOKIE}-legacy`, ""]) });
  add({ category: "prefix", name: "named chunk suffix non-numeric", tags: ["quirk"], want: "none", cookie_header: pairs([COOKIE, tok], [`${COOKIE}.backup`, "x"]) });
  add({ category: "prefix", name: "csrf and callback cookies are not swallowed", want: "session", cookie_header: pairs(["authjs.csrf-token", "abc%7Cdef"], ["authjs.callback-url", "http%3A%2F%2Flocalhost%3A3000"], [COOKIE, tok]) });

  // ---- duplicates and encoding (§3)
  add({ category: "parsing", name: "duplicate first valid wins", want: "session", cookie_header: pairs([COOKIE, tok], [COOKIE, "garbage"]) });
  add({ category: "parsing", name: "duplicate first garbage wins", want: "none", cookie_header: pairs([COOKIE, "garbage"], [COOKIE, tok]) });
  add({ category: "parsing", name: "duplicate first empty then valid", want: "none", note: "the empty value is kept by the parser and then ignored by SessionStore", cookie_header: pairs([COOKIE, ""], [COOKIE, tok]) });
  const pct = tok.replace(/\./g, "%2E").replace(/^e/, "%65");
  add({ category: "parsing", name: "percent encoded value", want: "session", cookie_header: pairs([COOKIE, pct]) });
  add({ category: "parsing", name: "malformed percent encoding kept raw", want: "none", cookie_header: pairs([COOKIE, tok + "%E0%A4%A"]) });
  add({ category: "parsing", name: "quoted value not unquoted", tags: ["quirk"], want: "none", cookie_header: pairs([COOKIE, `"${tok}"`]) });
  add({ category: "parsing", name: "spaces and tabs trimmed", want: "session", cookie_header: `theme=dark;\t ${COOKIE} \t=  ${tok}\t ; lang=en` });
  add({ category: "parsing", name: "no space after semicolons", want: "session", cookie_header: `a=1;${COOKIE}=${tok};b=2` });
  add({ category: "parsing", name: "trailing semicolon", want: "session", cookie_header: `${COOKIE}=${tok};` });
  add({ category: "parsing", name: "value with equals inside", want: "none", cookie_header: `${COOKIE}=${tok}=x` });
  add({ category: "parsing", name: "percent encoded cookie name is not decoded", want: "none", cookie_header: `authjs%2Esession-token=${tok}` });

  // ---- chunking (§3)
  const big = (n) => ({ ...USER, bio: filler(n) });
  const t2 = await mint(big(3000));
  const t3 = await mint(big(6500));
  const t12 = await mint(big(33000));
  const c2 = chunksOf(t2), c3 = chunksOf(t3), c12 = chunksOf(t12);
  if (c2.length !== 2 || c3.length !== 3 || c12.length < 11) throw new Error(`chunk sizes ${c2.length} ${c3.length} ${c12.length}`);
  const chunkPairs = (cs, name = COOKIE) => cs.map((v, i) => [`${name}.${i}`, v]);
  add({ category: "chunking", name: "two chunks", want: "session", cookie_header: pairs(...chunkPairs(c2)) });
  add({ category: "chunking", name: "three chunks", want: "session", cookie_header: pairs(...chunkPairs(c3)) });
  add({ category: "chunking", name: `${c12.length} chunks numeric order`, want: "session", note: ".10 sorts after .9", cookie_header: pairs(...chunkPairs(c12)) });
  const shuffled = chunkPairs(c12);
  const order = [10, 2, 0, 9, 1, 11, 3, 8, 4, 7, 5, 6].filter((i) => i < shuffled.length);
  add({ category: "chunking", name: `${c12.length} chunks shuffled`, want: "session", cookie_header: pairs(...order.map((i) => shuffled[i])) });
  add({ category: "chunking", name: "two chunks reversed", want: "session", cookie_header: pairs(...chunkPairs(c2).reverse()) });
  add({ category: "chunking", name: "three chunks out of order among others", want: "session", cookie_header: pairs(["a", "1"], chunkPairs(c3)[2], ["b", "2"], chunkPairs(c3)[0], chunkPairs(c3)[1]) });
  add({ category: "chunking", name: "missing middle chunk", want: "none", cookie_header: pairs(chunkPairs(c3)[0], chunkPairs(c3)[2]) });
  add({ category: "chunking", name: "missing last chunk", want: "none", cookie_header: pairs(chunkPairs(c3)[0], chunkPairs(c3)[1]) });
  add({ category: "chunking", name: "stale unchunked plus chunks", tags: ["quirk"], want: "none", cookie_header: pairs([COOKIE, tok], ...chunkPairs(c2)) });
  add({ category: "chunking", name: "chunks plus stale unchunked after", tags: ["quirk"], want: "none", cookie_header: pairs(...chunkPairs(c2), [COOKIE, tok]) });
  add({ category: "chunking", name: "lone chunk zero", tags: ["quirk"], want: "session", cookie_header: pairs([`${COOKIE}.0`, tok]) });
  add({ category: "chunking", name: "lone chunk five", tags: ["quirk"], want: "session", cookie_header: pairs([`${COOKIE}.5`, tok]) });
  const small2 = [tok.slice(0, 200), tok.slice(200)];
  add({ category: "chunking", name: "small token split in two shrinks on refresh", want: "session", cookie_header: pairs(...chunkPairs(small2)) });
  add({ category: "chunking", name: "empty chunk ignored", want: "session", cookie_header: pairs(...chunkPairs(c2), [`${COOKIE}.2`, ""]) });
  add({ category: "chunking", name: "duplicate chunk name first wins", want: "session", cookie_header: pairs(...chunkPairs(c2), [`${COOKIE}.1`, "zzz"]) });
  add({ category: "chunking", name: "large unchunked cookie grows into chunks", want: "session", cookie_header: pairs([COOKIE, t2]) });
  add({ category: "chunking", name: "secure chunks on https", want: "session", base_url: HTTPS, cookie_header: pairs(...chunkPairs(chunksOf(await mint(big(3000), { salt: SCOOKIE })), SCOOKIE)) });
  add({ category: "chunking", name: "negative chunk index sorts first", tags: ["quirk"], want: "session", cookie_header: pairs([`${COOKIE}.1`, c2[1]], [`${COOKIE}.-1`, c2[0]]) });

  // ---- rotation (§1, §4)
  const byOld = await mint(USER, { secret: S2 });
  const kidlessOld = craftCBC(json({ alg: "dir", enc: "A256CBC-HS512" }), json(std()), await v5Key(S2, COOKIE));
  const kidlessNew = craftCBC(json({ alg: "dir", enc: "A256CBC-HS512" }), json({ ...USER, ...std() }), await v5Key(S1, COOKIE));
  const k1 = await v5Key(S1, COOKIE);
  add({ category: "rotation", name: "token by previous secret re-keyed", want: "session", secrets: [S1, S2], cookie_header: pairs([COOKIE, byOld]) });
  add({ category: "rotation", name: "token by current secret", want: "session", secrets: [S1, S2], cookie_header: pairs([COOKIE, tok]) });
  add({ category: "rotation", name: "token by oldest of three", want: "session", secrets: [S1, S2, S3], cookie_header: pairs([COOKIE, await mint(USER, { secret: S3 })]) });
  add({ category: "rotation", name: "kidless token by current secret", want: "session", secrets: [S1, S2], cookie_header: pairs([COOKIE, kidlessNew]) });
  add({ category: "rotation", name: "kidless token by previous secret", tags: ["quirk"], want: "none", secrets: [S1, S2], cookie_header: pairs([COOKIE, kidlessOld]) });
  add({ category: "rotation", name: "unknown kid with current key", want: "none", secrets: [S1, S2], cookie_header: pairs([COOKIE, craftCBC(json({ alg: "dir", enc: "A256CBC-HS512", kid: "not-a-thumbprint" }), json({ ...USER, ...std() }), k1)]) });
  add({ category: "rotation", name: "secret not in list", want: "none", secrets: [S1, S2], cookie_header: pairs([COOKIE, await mint(USER, { secret: SX })]) });
  add({ category: "rotation", name: "previous secret dropped", want: "none", secrets: [S1], cookie_header: pairs([COOKIE, byOld]) });
  add({ category: "rotation", name: "kid of other secret with this key", want: "none", secrets: [S1, S2], cookie_header: pairs([COOKIE, craftCBC(json({ alg: "dir", enc: "A256CBC-HS512", kid: await kidOf(await v5Key(S2, COOKIE)) }), json({ ...USER, ...std() }), k1)]) });
  // Secrets as the framework integrations assemble them from the environment.
  for (const [label, env] of [
    ["env AUTH_SECRET only", { AUTH_SECRET: S1 }],
    ["env AUTH_SECRET_1 encodes", { AUTH_SECRET: S2, AUTH_SECRET_1: S1 }],
    ["env three rotation secrets", { AUTH_SECRET: S3, AUTH_SECRET_1: S1, AUTH_SECRET_2: S2 }],
    ["env secret 2 without 1", { AUTH_SECRET: S2, AUTH_SECRET_2: S1 }],
  ]) {
    const cfg = { providers: [] };
    setEnvDefaults(env, cfg);
    add({ category: "rotation", name: label, want: "session", env, secrets: cfg.secret, cookie_header: pairs([COOKIE, env.AUTH_SECRET === S1 ? tok : byOld]) });
  }

  // ---- expiry (§4)
  const atExp = (exp) => (exp - MAX_AGE) * 1000 + 500; // mint so that exp = given second
  for (const [d, want] of [[-16, "none"], [-15, "none"], [-14, "session"], [0, "session"], [1, "session"]]) {
    add({ category: "expiry", name: `exp now${d >= 0 ? "+" : ""}${d}`, want, cookie_header: pairs([COOKIE, await mint(USER, { atMs: atExp(T0S + d) })]) });
  }
  add({ category: "expiry", name: "exp now-15 at ms 999", want: "none", now_ms: T0S * 1000 + 999, cookie_header: pairs([COOKIE, await mint(USER, { atMs: atExp(T0S - 15) })]) });
  add({ category: "expiry", name: "exp now-14 at ms 000", want: "session", now_ms: T0S * 1000, cookie_header: pairs([COOKIE, await mint(USER, { atMs: atExp(T0S - 14) })]) });
  const crafted = (claims, hdr = { alg: "dir", enc: "A256CBC-HS512" }) => craftCBC(json(hdr), typeof claims === "string" ? claims : json(claims), k1);
  const kidHdr = { alg: "dir", enc: "A256CBC-HS512", kid: await kidOf(k1) };
  add({ category: "expiry", name: "no exp never expires", tags: ["edge"], want: "session", cookie_header: pairs([COOKIE, crafted({ ...USER, iat: T0S - 400 * DAY }, kidHdr)]) });
  add({ category: "expiry", name: "fractional exp now-14.5", tags: ["edge"], want: "session", cookie_header: pairs([COOKIE, crafted({ ...USER, exp: T0S - 14.5 }, kidHdr)]) });
  add({ category: "expiry", name: "fractional exp now-15.5", tags: ["edge"], want: "none", cookie_header: pairs([COOKIE, crafted({ ...USER, exp: T0S - 15.5 }, kidHdr)]) });
  add({ category: "expiry", name: "nbf now+15", tags: ["edge"], want: "session", cookie_header: pairs([COOKIE, crafted({ ...USER, ...std(), nbf: T0S + 15 }, kidHdr)]) });
  add({ category: "expiry", name: "nbf now+16", tags: ["edge"], want: "none", cookie_header: pairs([COOKIE, crafted({ ...USER, ...std(), nbf: T0S + 16 }, kidHdr)]) });
  add({ category: "expiry", name: "iat in the future", tags: ["edge"], want: "session", cookie_header: pairs([COOKIE, crafted({ ...USER, ...std(), iat: T0S + 3600 }, kidHdr)]) });
  add({ category: "expiry", name: "exp as string", tags: ["edge"], want: "none", cookie_header: pairs([COOKIE, crafted({ ...USER, ...std(), exp: String(T0S + 100) }, kidHdr)]) });
  add({ category: "expiry", name: "nbf as string", tags: ["edge"], want: "none", cookie_header: pairs([COOKIE, crafted({ ...USER, ...std(), nbf: "0" }, kidHdr)]) });
  add({ category: "expiry", name: "iat as string", tags: ["edge"], want: "none", cookie_header: pairs([COOKIE, crafted({ ...USER, ...std(), iat: "yesterday" }, kidHdr)]) });
  add({ category: "expiry", name: "exp null", tags: ["edge"], want: "none", cookie_header: pairs([COOKIE, crafted({ ...USER, ...std(), exp: null }, kidHdr)]) });
  add({ category: "expiry", name: "exp huge", tags: ["edge"], want: "session", cookie_header: pairs([COOKIE, crafted({ ...USER, exp: 1e300 }, kidHdr)]) });
  add({ category: "expiry", name: "valid at ms 999", want: "session", now_ms: T0S * 1000 + 999, cookie_header: pairs([COOKIE, tok]) });
  add({ category: "expiry", name: "max age one second", want: "session", max_age: 1, cookie_header: pairs([COOKIE, await mint(USER, { maxAge: 1 })]) });
  add({ category: "expiry", name: "max age ten years", want: "session", max_age: 3650 * DAY, cookie_header: pairs([COOKIE, tok]) });
  add({ category: "expiry", name: "custom max age one hour", want: "session", max_age: 3600, cookie_header: pairs([COOKIE, await mint(USER, { maxAge: 3600, atMs: T0 - 1800 * 1000 })]) });
  add({ category: "expiry", name: "custom max age expired", want: "none", max_age: 3600, cookie_header: pairs([COOKIE, await mint(USER, { maxAge: 3600, atMs: T0 - 3616 * 1000 })]) });

  // ---- tampering (§4): each of the five segments, and re-encodings.
  const segNames = ["header", "encrypted key", "iv", "ciphertext", "tag"];
  for (let i = 0; i < 5; i++) {
    let t;
    if (i === 1) {
      const s = tok.split(".");
      s[1] = "AAAA";
      t = s.join(".");
    } else t = tamper(tok, i, i === 0 ? 10 : 5);
    add({ category: "tampering", name: `tampered ${segNames[i]}`, want: "none", cookie_header: pairs([COOKIE, t]) });
  }
  {
    const s = tok.split(".");
    add({ category: "tampering", name: "tag truncated", want: "none", cookie_header: pairs([COOKIE, [...s.slice(0, 4), s[4].slice(0, 20)].join(".")]) });
    add({ category: "tampering", name: "tag empty", want: "none", cookie_header: pairs([COOKIE, [...s.slice(0, 4), ""].join(".")]) });
    add({ category: "tampering", name: "ciphertext empty", want: "none", cookie_header: pairs([COOKIE, [s[0], s[1], s[2], "", s[4]].join(".")]) });
    add({ category: "tampering", name: "iv wrong length", want: "none", cookie_header: pairs([COOKIE, [s[0], s[1], s[2].slice(0, 16), s[3], s[4]].join(".")]) });
    add({ category: "tampering", name: "last ciphertext char flipped", want: "none", cookie_header: pairs([COOKIE, tamper(tok, 3, s[3].length - 2)]) });
    const hdr = Buffer.from(s[0], "base64url").toString();
    const respaced = b64u(hdr.replace(/,/g, ", "));
    add({ category: "tampering", name: "header re-encoded with same meaning", want: "none", note: "AAD is the header string as received", cookie_header: pairs([COOKIE, [respaced, ...s.slice(1)].join(".")]) });
    add({ category: "tampering", name: "segments swapped iv and tag", want: "none", cookie_header: pairs([COOKIE, [s[0], s[1], s[4], s[3], s[2]].join(".")]) });
  }

  // ---- algorithms and structure (§4)
  const gcmKey = await v5Key(S1, COOKIE, "A256GCM");
  add({ category: "algorithms", name: "A256GCM with v5 derivation and kid", tags: ["edge"], want: "session", cookie_header: pairs([COOKIE, craftGCM(json({ alg: "dir", enc: "A256GCM", kid: await kidOf(gcmKey) }), json({ ...USER, ...std() }), gcmKey)]) });
  add({ category: "algorithms", name: "A256GCM with v5 derivation kidless", tags: ["edge"], want: "session", cookie_header: pairs([COOKIE, craftGCM(json({ alg: "dir", enc: "A256GCM" }), json({ ...USER, ...std() }), gcmKey)]) });
  add({ category: "algorithms", name: "A256GCM with the CBC kid", tags: ["edge"], want: "none", cookie_header: pairs([COOKIE, craftGCM(json({ alg: "dir", enc: "A256GCM", kid: await kidOf(k1) }), json({ ...USER, ...std() }), gcmKey)]) });
  const k128 = (await v5Key(S1, COOKIE)).subarray(0, 16);
  add({ category: "algorithms", name: "enc A128GCM rejected", want: "none", cookie_header: pairs([COOKIE, craftGCM(json({ alg: "dir", enc: "A128GCM" }), json({ ...USER, ...std() }), k128)]) });
  add({ category: "algorithms", name: "enc A128CBC-HS256 rejected", want: "none", cookie_header: pairs([COOKIE, crafted({ ...USER, ...std() }, { alg: "dir", enc: "A128CBC-HS256" })]) });
  add({ category: "algorithms", name: "alg A256KW rejected", want: "none", cookie_header: pairs([COOKIE, craftCBC(json({ alg: "A256KW", enc: "A256CBC-HS512" }), json({ ...USER, ...std() }), k1, { encryptedKey: b64u(randomBytes(72)) })]) });
  add({ category: "algorithms", name: "alg none rejected", want: "none", cookie_header: pairs([COOKIE, crafted({ ...USER, ...std() }, { alg: "none", enc: "A256CBC-HS512" })]) });
  add({ category: "algorithms", name: "alg dir lower case", want: "none", cookie_header: pairs([COOKIE, crafted({ ...USER, ...std() }, { alg: "DIR", enc: "A256CBC-HS512" })]) });
  add({ category: "algorithms", name: "alg missing", want: "none", cookie_header: pairs([COOKIE, crafted({ ...USER, ...std() }, { enc: "A256CBC-HS512" })]) });
  add({ category: "algorithms", name: "enc missing", want: "none", cookie_header: pairs([COOKIE, crafted({ ...USER, ...std() }, { alg: "dir" })]) });
  add({ category: "algorithms", name: "dir with non-empty encrypted key", want: "none", cookie_header: pairs([COOKIE, craftCBC(json(kidHdr), json({ ...USER, ...std() }), k1, { encryptedKey: "AAAA" })]) });
  const jws = [b64u(json({ alg: "HS256", typ: "JWT" })), b64u(json({ ...USER, ...std() })), b64u(createHmac("sha256", S1).update("x").digest())].join(".");
  add({ category: "algorithms", name: "JWS compact", want: "none", cookie_header: pairs([COOKIE, jws]) });
  add({ category: "algorithms", name: "unsecured JWT", want: "none", cookie_header: pairs([COOKIE, `${b64u(json({ alg: "none" }))}.${b64u(json({ ...USER, ...std() }))}.`]) });
  add({ category: "algorithms", name: "four segments", want: "none", cookie_header: pairs([COOKIE, tok.split(".").slice(0, 4).join(".")]) });
  add({ category: "algorithms", name: "six segments", want: "none", cookie_header: pairs([COOKIE, tok + ".AAAA"]) });
  add({ category: "algorithms", name: "crit exp", tags: ["edge"], want: "none", cookie_header: pairs([COOKIE, crafted({ ...USER, ...std() }, { ...kidHdr, crit: ["exp"], exp: T0S + 100 })]) });
  add({ category: "algorithms", name: "crit empty array", tags: ["edge"], want: "none", cookie_header: pairs([COOKIE, crafted({ ...USER, ...std() }, { ...kidHdr, crit: [] })]) });
  add({ category: "algorithms", name: "extra header members ignored", tags: ["edge"], want: "session", cookie_header: pairs([COOKIE, crafted({ ...USER, ...std() }, { typ: "JWT", cty: "JWT", x: 1, ...kidHdr })]) });
  add({ category: "algorithms", name: "header member order differs", tags: ["edge"], want: "session", cookie_header: pairs([COOKIE, crafted({ ...USER, ...std() }, { kid: kidHdr.kid, enc: "A256CBC-HS512", alg: "dir" })]) });
  add({ category: "algorithms", name: "duplicate header member last wins", tags: ["edge"], want: "session", cookie_header: pairs([COOKIE, craftCBC(`{"alg":"A256KW","alg":"dir","enc":"A256CBC-HS512","kid":"${kidHdr.kid}"}`, json({ ...USER, ...std() }), k1)]) });
  add({ category: "algorithms", name: "duplicate header member bad last", tags: ["edge"], want: "none", cookie_header: pairs([COOKIE, craftCBC(`{"alg":"dir","alg":"A256KW","enc":"A256CBC-HS512","kid":"${kidHdr.kid}"}`, json({ ...USER, ...std() }), k1)]) });
  add({ category: "algorithms", name: "header sub differs from payload", tags: ["edge"], want: "none", cookie_header: pairs([COOKIE, crafted({ ...USER, ...std() }, { ...kidHdr, sub: "someone-else" })]) });
  add({ category: "algorithms", name: "header sub equals payload", tags: ["edge"], want: "session", cookie_header: pairs([COOKIE, crafted({ ...USER, ...std() }, { ...kidHdr, sub: USER.sub })]) });
  add({ category: "algorithms", name: "header iss without payload iss", tags: ["edge"], want: "none", cookie_header: pairs([COOKIE, crafted({ ...USER, ...std() }, { ...kidHdr, iss: "https://issuer.example" })]) });
  add({ category: "algorithms", name: "kid not a string", tags: ["edge"], want: "none", cookie_header: pairs([COOKIE, crafted({ ...USER, ...std() }, { alg: "dir", enc: "A256CBC-HS512", kid: 7 })]) });

  // ---- zip (§4, edge)
  const zipTok = async (payload, hdr = { ...kidHdr, zip: "DEF" }) =>
    new CompactEncrypt(new TextEncoder().encode(payload)).setProtectedHeader(hdr).encrypt(k1);
  add({ category: "zip", name: "zip DEF accepted", tags: ["edge"], want: "session", cookie_header: pairs([COOKIE, await zipTok(json({ ...USER, ...std() }))]) });
  add({ category: "zip", name: "zip DEF over 250000 bytes inflated", tags: ["edge"], want: "none", cookie_header: pairs([COOKIE, await zipTok(json({ ...USER, ...std(), pad: "a".repeat(250100) }))]) });
  add({ category: "zip", name: "zip DEF bomb", tags: ["edge"], want: "none", cookie_header: pairs([COOKIE, craftCBC(json({ ...kidHdr, zip: "DEF" }), deflateRawSync(Buffer.alloc(4 << 20, 0x20)), k1)]) });
  add({ category: "zip", name: "zip GZ rejected", tags: ["edge"], want: "none", cookie_header: pairs([COOKIE, craftCBC(json({ ...kidHdr, zip: "GZ" }), deflateRawSync(Buffer.from(json({ ...USER, ...std() }))), k1)]) });
  add({ category: "zip", name: "zip DEF with plain payload", tags: ["edge"], want: "none", cookie_header: pairs([COOKIE, craftCBC(json({ ...kidHdr, zip: "DEF" }), json({ ...USER, ...std() }), k1)]) });
  add({ category: "zip", name: "zip DEF exactly 250000 bytes", tags: ["edge"], want: "session", cookie_header: pairs([COOKIE, craftCBC(json({ ...kidHdr, zip: "DEF" }), deflateRawSync(Buffer.from(padTo(json({ ...USER, ...std() }), 250000))), k1)]) });
  add({ category: "zip", name: "zip DEF 250001 bytes", tags: ["edge"], want: "none", cookie_header: pairs([COOKIE, craftCBC(json({ ...kidHdr, zip: "DEF" }), deflateRawSync(Buffer.from(padTo(json({ ...USER, ...std() }), 250001))), k1)]) });

  // ---- base64 leniency (node-lenient)
  {
    const s = tok.split(".");
    const pad = (x) => x + "=".repeat((4 - (x.length % 4)) % 4 || 0);
    const ivPadded = [s[0], s[1], pad(s[2]), s[3], s[4]];
    add({ category: "base64", name: "padded iv segment", tags: ["node-lenient"], want: "session", cookie_header: pairs([COOKIE, ivPadded.join(".")]) });
    add({ category: "base64", name: "padded tag segment", tags: ["node-lenient"], want: "session", cookie_header: pairs([COOKIE, [s[0], s[1], s[2], s[3], pad(s[4])].join(".")]) });
    add({ category: "base64", name: "over-padded ciphertext", tags: ["node-lenient"], want: "none", cookie_header: pairs([COOKIE, [s[0], s[1], s[2], s[3] + "====", s[4]].join(".")]) });
    const hpad = s[0].length % 4 ? s[0] + "=".repeat(4 - (s[0].length % 4)) : null;
    if (hpad) add({ category: "base64", name: "padded header segment fails tag", tags: ["node-lenient"], want: "none", cookie_header: pairs([COOKIE, [hpad, ...s.slice(1)].join(".")]) });
    add({ category: "base64", name: "space inside ciphertext", tags: ["node-lenient"], want: "session", cookie_header: pairs([COOKIE, [s[0], s[1], s[2], s[3].slice(0, 10) + " " + s[3].slice(10), s[4]].join(".")]) });
    add({ category: "base64", name: "tab inside iv", tags: ["node-lenient"], want: "session", cookie_header: pairs([COOKIE, [s[0], s[1], s[2].slice(0, 4) + "\t" + s[2].slice(4), s[3], s[4]].join(".")]) });
    add({ category: "base64", name: "percent-encoded newline inside tag", tags: ["node-lenient"], want: "session", cookie_header: pairs([COOKIE, [s[0], s[1], s[2], s[3], s[4].slice(0, 6) + "%0A" + s[4].slice(6)].join(".")]) });
    add({ category: "base64", name: "space inside header fails tag", tags: ["node-lenient"], want: "none", cookie_header: pairs([COOKIE, [s[0].slice(0, 8) + " " + s[0].slice(8), ...s.slice(1)].join(".")]) });
    add({ category: "base64", name: "plus in ciphertext", want: "none", cookie_header: pairs([COOKIE, [s[0], s[1], s[2], s[3].slice(0, 5) + "+" + s[3].slice(6), s[4]].join(".")]) });
    add({ category: "base64", name: "slash in iv", want: "none", cookie_header: pairs([COOKIE, [s[0], s[1], "/" + s[2].slice(1), s[3], s[4]].join(".")]) });
    add({ category: "base64", name: "non-canonical trailing bits in iv", tags: ["node-lenient"], want: "session", cookie_header: pairs([COOKIE, [s[0], s[1], noncanon(s[2]), s[3], s[4]].join(".")]) });
  }

  // ---- garbage
  for (const [n, v] of [
    ["word", "garbage"],
    ["single dot", "."],
    ["four dots", "...."],
    ["five empty segments", "...."],
    ["letters in five segments", "a.b.c.d.e"],
    ["header not json", `${b64u("not json")}..${b64u(randomBytes(16))}.${b64u(randomBytes(32))}.${b64u(randomBytes(32))}`],
    ["header json array", `${b64u("[1,2]")}..${b64u(randomBytes(16))}.${b64u(randomBytes(32))}.${b64u(randomBytes(32))}`],
    ["header invalid utf8", `${b64u(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]))}..${b64u(randomBytes(16))}.${b64u(randomBytes(32))}.${b64u(randomBytes(32))}`],
    ["random base64url", b64u(createHash("sha512").update("garbage").digest())],
    ["long garbage", filler(5000, "garbage")],
    ["non-ascii percent", "%E2%9C%93.%E2%9C%93"],
  ]) {
    add({ category: "garbage", name: n, want: "none", cookie_header: pairs([COOKIE, v]) });
  }
  add({ category: "garbage", name: "payload json array", tags: ["edge"], want: "none", cookie_header: pairs([COOKIE, crafted("[1,2,3]", kidHdr)]) });
  add({ category: "garbage", name: "payload json null", tags: ["edge"], want: "none", cookie_header: pairs([COOKIE, crafted("null", kidHdr)]) });
  add({ category: "garbage", name: "payload not json", tags: ["edge"], want: "none", cookie_header: pairs([COOKIE, crafted("hello", kidHdr)]) });
  add({ category: "garbage", name: "payload invalid utf8", tags: ["edge"], want: "none", cookie_header: pairs([COOKIE, craftCBC(json(kidHdr), Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]), k1)]) });
  add({ category: "garbage", name: "payload empty object", tags: ["edge"], want: "session", cookie_header: pairs([COOKIE, crafted("{}", kidHdr)]) });
  add({ category: "garbage", name: "payload duplicate keys last wins", tags: ["edge"], want: "session", cookie_header: pairs([COOKIE, crafted(`{"name":"First","name":"Second","exp":${T0S + 100}}`, kidHdr)]) });
  add({ category: "garbage", name: "payload with BOM accepted", tags: ["edge", "node-lenient"], want: "session", note: "TextDecoder drops a leading BOM", cookie_header: pairs([COOKIE, crafted("\ufeff" + json({ ...USER, ...std() }), kidHdr)]) });

  // ---- claims and body shape (§5)
  add({ category: "claims", name: "only sub", want: "session", cookie_header: pairs([COOKIE, await mint({ sub: USER.sub })]) });
  add({ category: "claims", name: "empty token", want: "session", cookie_header: pairs([COOKIE, await mint({})]) });
  add({ category: "claims", name: "null name email picture", want: "session", cookie_header: pairs([COOKIE, await mint({ name: null, email: null, picture: null, sub: "42" })]) });
  add({ category: "claims", name: "image claim is not picture", want: "session", cookie_header: pairs([COOKIE, await mint({ name: "N", image: "https://x.example/i.png", sub: "1" })]) });
  add({ category: "claims", name: "custom claims not exposed", want: "session", cookie_header: pairs([COOKIE, await mint({ ...USER, role: "admin", orgs: [1, 2], nested: { a: { b: true } } })]) });
  add({ category: "claims", name: "non-string name", want: "session", cookie_header: pairs([COOKIE, await mint({ name: 12345, email: true, picture: { url: "x" }, sub: "1" })]) });
  add({ category: "claims", name: "large numbers and floats", want: "session", cookie_header: pairs([COOKIE, await mint({ ...USER, big: 9007199254740993, f: 0.1, neg: -0, e: 1e21 })]) });
  add({ category: "claims", name: "unicode name and email", want: "session", cookie_header: pairs([COOKIE, await mint({ name: "Zoë Ådahl 张伟 محمد 🚀", email: "zoë@exämple.com", picture: "https://example.com/ü.png", sub: "u1" })]) });
  add({ category: "claims", name: "json escaping in name", want: "session", cookie_header: pairs([COOKIE, await mint({ name: "<script>&\"'\\/\u2028\u2029\u007f", email: "a@b.c", sub: "1" })]) });
  add({ category: "claims", name: "control characters in name", want: "session", cookie_header: pairs([COOKIE, await mint({ name: "a\u0000b\u0001c\td\ne\rf\bg\fh\u001f", sub: "1" })]) });
  add({ category: "claims", name: "astral and lone surrogate", want: "session", cookie_header: pairs([COOKIE, await mint({ name: "𝄞 and \ud800 lone", sub: "1" })]) });
  add({ category: "claims", name: "very long name", want: "session", cookie_header: pairs([COOKIE, await mint({ name: "N".repeat(1000), sub: "1" })]) });
  add({ category: "claims", name: "claims iat exp jti overwritten on refresh", want: "session", cookie_header: pairs([COOKIE, crafted({ ...USER, iat: 1, exp: T0S + 10, jti: "old" }, kidHdr)]) });

  // ---- legacy next-auth v4 (§4)
  const v4 = await mintV4(USER);
  const v4S = await mintV4(USER);
  add({ category: "legacy", name: "v4 valid", legacy_v4: true, want: "session", cookie_header: pairs([V4COOKIE, v4]) });
  add({ category: "legacy", name: "v4 valid https name", legacy_v4: true, want: "session", base_url: HTTPS, cookie_header: pairs([SV4COOKIE, v4S]) });
  add({ category: "legacy", name: "v4 expired", legacy_v4: true, want: "none", cookie_header: pairs([V4COOKIE, await mintV4(USER, { atMs: (T0S - 15 - MAX_AGE) * 1000 })]) });
  add({ category: "legacy", name: "v4 exp now-14", legacy_v4: true, want: "session", cookie_header: pairs([V4COOKIE, await mintV4(USER, { atMs: (T0S - 14 - MAX_AGE) * 1000 })]) });
  add({ category: "legacy", name: "v4 wrong secret", legacy_v4: true, want: "none", cookie_header: pairs([V4COOKIE, await mintV4(USER, { secret: SX })]) });
  add({ category: "legacy", name: "v4 tampered tag", legacy_v4: true, want: "none", cookie_header: pairs([V4COOKIE, tamper(v4, 4)]) });
  add({ category: "legacy", name: "v4 no cookie", legacy_v4: true, want: "none", cookie_header: "" });
  add({ category: "legacy", name: "v4 only sub", legacy_v4: true, want: "session", cookie_header: pairs([V4COOKIE, await mintV4({ sub: "1" })]) });
  const v4big = await mintV4({ ...USER, bio: filler(3000) });
  add({ category: "legacy", name: "v4 chunked", legacy_v4: true, want: "session", note: "v4 chunks at 3933", cookie_header: pairs(...chunkPairs(chunksOf(v4big, 3933), V4COOKIE)) });
  add({ category: "legacy", name: "v5 token in v4 cookie", legacy_v4: true, want: "none", cookie_header: pairs([V4COOKIE, tok]) });
  add({ category: "legacy", name: "v5 token in v5 cookie under v4", legacy_v4: true, want: "none", cookie_header: pairs([COOKIE, tok]) });
  add({ category: "legacy", name: "v4 token in v5 cookie", want: "none", cookie_header: pairs([COOKIE, v4]) });
  add({ category: "legacy", name: "v4 token in v4 cookie under v5", want: "none", cookie_header: pairs([V4COOKIE, v4]) });
  const v4key = await v4Key(S1);
  add({ category: "legacy", name: "v4 A256CBC-HS512 accepted without allow-list", legacy_v4: true, tags: ["edge"], want: "none", note: "v4 derives a 32-byte key, so CBC-HS512 cannot use it", cookie_header: pairs([V4COOKIE, craftCBC(json({ alg: "dir", enc: "A256CBC-HS512" }), json({ ...USER, ...std() }), Buffer.concat([v4key, v4key]))]) });
  add({ category: "legacy", name: "v4 A128CBC-HS256 accepted without allow-list", legacy_v4: true, tags: ["edge"], want: "session", note: "jose 4 has no allow-list and the v4 key is 32 bytes", cookie_header: pairs([V4COOKIE, craftCBC128(json({ alg: "dir", enc: "A128CBC-HS256" }), json({ ...USER, ...std() }), v4key)]) });
  add({ category: "legacy", name: "v4 header kid ignored", legacy_v4: true, tags: ["edge"], want: "session", cookie_header: pairs([V4COOKIE, craftGCM(json({ alg: "dir", enc: "A256GCM", kid: "whatever" }), json({ ...USER, ...std() }), v4key)]) });
  add({ category: "legacy", name: "v4 zip DEF", legacy_v4: true, tags: ["edge"], want: "session", cookie_header: pairs([V4COOKIE, craftGCM(json({ alg: "dir", enc: "A256GCM", zip: "DEF" }), deflateRawSync(Buffer.from(json({ ...USER, ...std() }))), v4key)]) });
  add({ category: "legacy", name: "v4 A128GCM wrong key length", legacy_v4: true, tags: ["edge"], want: "none", cookie_header: pairs([V4COOKIE, craftGCM(json({ alg: "dir", enc: "A128GCM" }), json({ ...USER, ...std() }), v4key.subarray(0, 16))]) });
  add({ category: "legacy", name: "v4 crit rejected", legacy_v4: true, tags: ["edge"], want: "none", cookie_header: pairs([V4COOKIE, craftGCM(json({ alg: "dir", enc: "A256GCM", crit: ["x"], x: 1 }), json({ ...USER, ...std() }), v4key)]) });
  add({ category: "legacy", name: "v4 no exp", legacy_v4: true, tags: ["edge"], want: "session", cookie_header: pairs([V4COOKIE, craftGCM(json({ alg: "dir", enc: "A256GCM" }), json({ ...USER }), v4key)]) });
}

function padTo(jsonStr, n) {
  // {"...":...,"pad":"xxx"} grown to exactly n bytes.
  const base = jsonStr.slice(0, -1) + ',"pad":"';
  const rest = n - Buffer.byteLength(base) - 2;
  return base + "p".repeat(rest) + '"}';
}
// A base64url string whose last character carries non-zero unused bits.
function noncanon(s) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const rem = s.length % 4;
  if (rem === 0) return s;
  const bits = rem === 2 ? 4 : 2;
  const last = alphabet.indexOf(s[s.length - 1]);
  return s.slice(0, -1) + alphabet[last | ((1 << bits) - 1)];
}

// ---------------------------------------------------------------- database strategy
// GET /session with the database strategy (AUTHJS.md §6), through the real
// Auth() with an in-memory adapter that behaves like @auth/pg-adapter's
// getSessionAndUser (null when the session or its user is missing) and
// records every call, so a Go store can be checked for the same writes.

function memoryAdapter(state, calls, failOn) {
  const find = (t) => state.sessions.find((x) => x.sessionToken === t);
  const maybeFail = (op) => {
    if (failOn === op) throw new Error(`test adapter: ${op} failed`);
  };
  const unused = (op) => async () => {
    throw new Error(`test adapter: ${op} is not used by GET /session`);
  };
  return {
    async getSessionAndUser(sessionToken) {
      calls.push({ op: "getSessionAndUser", token: sessionToken });
      maybeFail("getSessionAndUser");
      const s = find(sessionToken);
      if (!s) return null;
      const u = state.users.find((x) => x.id === s.userId);
      if (!u) return null;
      return {
        session: { ...s, expires: new Date(s.expires) },
        user: { ...u, emailVerified: u.emailVerified ? new Date(u.emailVerified) : null },
      };
    },
    async updateSession({ sessionToken, expires }) {
      calls.push({ op: "updateSession", token: sessionToken, expires: expires.toISOString() });
      maybeFail("updateSession");
      const s = find(sessionToken);
      if (s) s.expires = expires.toISOString();
      return s ? { ...s, expires: new Date(s.expires) } : null;
    },
    async deleteSession(sessionToken) {
      calls.push({ op: "deleteSession", token: sessionToken });
      maybeFail("deleteSession");
      state.sessions = state.sessions.filter((x) => x.sessionToken !== sessionToken);
    },
    createUser: unused("createUser"),
    getUser: unused("getUser"),
    getUserByEmail: unused("getUserByEmail"),
    getUserByAccount: unused("getUserByAccount"),
    updateUser: unused("updateUser"),
    linkAccount: unused("linkAccount"),
    createSession: unused("createSession"),
    createVerificationToken: unused("createVerificationToken"),
    useVerificationToken: unused("useVerificationToken"),
  };
}

async function runDB(c) {
  const baseURL = c.base_url ?? HTTP;
  const maxAge = c.max_age ?? MAX_AGE;
  const updateAge = c.update_age ?? DAY;
  const secure = baseURL.startsWith("https:");
  const name = c.custom_cookie_name ?? (secure ? SCOOKIE : COOKIE);
  const state = JSON.parse(JSON.stringify(c.store));
  const calls = [];
  setNow(c.now_ms ?? T0);
  const config = {
    providers: [],
    secret: [S1],
    trustHost: true,
    basePath: "/api/auth",
    adapter: memoryAdapter(state, calls, c.fail_on),
    session: { strategy: "database", maxAge, updateAge },
    logger: silentLogger,
  };
  if (c.custom_cookie_name) config.cookies = { sessionToken: { name: c.custom_cookie_name } };
  const headers = new Headers();
  if (c.cookie_header !== null) headers.set("cookie", c.cookie_header);
  const res = await Auth(new Request(`${baseURL}/api/auth/session`, { headers }), config);
  return {
    status: res.status,
    headers: headersSubset(res),
    body_raw: await res.text(),
    set_cookie: res.headers.getSetCookie(),
    calls,
    store_after: state,
  };
}

const dbCases = [];
function buildDB() {
  const add = (c) => dbCases.push(c);
  const iso = (ms) => new RealDate(ms).toISOString();
  const ada = { id: "1", name: "Ada Lovelace", email: "ada@example.com", emailVerified: "2025-01-02T03:04:05.678Z", image: "https://avatars.example.com/u/1815?v=4" };
  const nul = { id: "2", name: null, email: null, emailVerified: null, image: null };
  const uni = { id: "3", name: "Zoë 张伟 🚀 <b>&\u2028", email: "zoë@exämple.com", emailVerified: null, image: null };
  const tokA = "4f0c2a5e-9b1d-4c7a-8e3f-1a2b3c4d5e6f";
  const sess = (token, userId, expiresMs) => ({ sessionToken: token, userId, expires: iso(expiresMs) });
  const store = (sessions, users = [ada, nul, uni]) => ({ sessions, users });
  const ck = (v, n = COOKIE) => `${n}=${v}`;
  const ms = (s) => s * 1000;
  // Not due: extended less than updateAge ago (expires > now + maxAge - updateAge).
  const fresh = T0 + ms(MAX_AGE) - ms(3600);
  add({ name: "valid not due", want: "session", store: store([sess(tokA, "1", fresh)]), cookie_header: ck(tokA) });
  add({ name: "valid due for update", want: "session", note: "body keeps the stored expiry; the row gets now+maxAge", store: store([sess(tokA, "1", T0 + ms(MAX_AGE) - ms(DAY) - 1)]), cookie_header: ck(tokA) });
  add({ name: "due date exactly now", want: "session", store: store([sess(tokA, "1", T0 + ms(MAX_AGE) - ms(DAY))]), cookie_header: ck(tokA) });
  add({ name: "due date one ms ahead", want: "session", store: store([sess(tokA, "1", T0 + ms(MAX_AGE) - ms(DAY) + 1)]), cookie_header: ck(tokA) });
  add({ name: "expires exactly now", want: "session", note: "strict <, in ms", store: store([sess(tokA, "1", T0)]), cookie_header: ck(tokA) });
  add({ name: "expired one ms ago", want: "none", note: "deleted when met", store: store([sess(tokA, "1", T0 - 1)]), cookie_header: ck(tokA) });
  add({ name: "expired long ago", want: "none", store: store([sess(tokA, "1", T0 - ms(90 * DAY))]), cookie_header: ck(tokA) });
  add({ name: "unknown token", want: "none", store: store([sess(tokA, "1", fresh)]), cookie_header: ck("00000000-0000-4000-8000-000000000000") });
  add({ name: "user missing", want: "none", note: "not deleted, whatever its expiry", store: store([sess(tokA, "99", T0 - ms(DAY))]), cookie_header: ck(tokA) });
  add({ name: "null user fields", want: "session", store: store([sess(tokA, "2", fresh)]), cookie_header: ck(tokA) });
  add({ name: "unicode user", want: "session", store: store([sess(tokA, "3", fresh)]), cookie_header: ck(tokA) });
  add({ name: "no cookie", want: "none", store: store([sess(tokA, "1", fresh)]), cookie_header: null });
  add({ name: "empty cookie", want: "none", store: store([sess(tokA, "1", fresh)]), cookie_header: ck("") });
  add({ name: "https secure name", want: "session", base_url: HTTPS, store: store([sess(tokA, "1", fresh)]), cookie_header: ck(tokA, SCOOKIE) });
  add({ name: "https ignores unprefixed", want: "none", base_url: HTTPS, store: store([sess(tokA, "1", fresh)]), cookie_header: ck(tokA) });
  add({ name: "custom cookie name", want: "session", custom_cookie_name: "myapp.sid", store: store([sess(tokA, "1", fresh)]), cookie_header: ck(tokA, "myapp.sid") });
  add({ name: "chunked token reassembled, chunks kept", tags: ["quirk"], want: "session", store: store([sess(tokA, "1", fresh)]), cookie_header: `${COOKIE}.1=${tokA.slice(18)}; ${COOKIE}.0=${tokA.slice(0, 18)}` });
  add({ name: "prefix swallowing breaks the token", tags: ["quirk"], want: "none", store: store([sess(tokA, "1", fresh)]), cookie_header: `${ck(tokA)}; ${COOKIE}-legacy=x` });
  add({ name: "percent encoded token", want: "session", store: store([sess(tokA, "1", fresh)]), cookie_header: ck(tokA.replace(/-/g, "%2D")) });
  add({ name: "sql metacharacters in token", want: "none", store: store([sess(tokA, "1", fresh)]), cookie_header: ck("x'%20OR%20'1'='1") });
  add({ name: "custom max and update age due", want: "session", max_age: 3600, update_age: 60, store: store([sess(tokA, "1", T0 + ms(3600) - ms(61))]), cookie_header: ck(tokA) });
  add({ name: "custom max and update age not due", want: "session", max_age: 3600, update_age: 60, store: store([sess(tokA, "1", T0 + ms(3600) - ms(59))]), cookie_header: ck(tokA) });
  add({ name: "update age zero updates every time", want: "session", update_age: 0, store: store([sess(tokA, "1", fresh)]), cookie_header: ck(tokA) });
  add({ name: "store fails on lookup", want: "none", fail_on: "getSessionAndUser", note: "200 null and the cookie is kept", store: store([sess(tokA, "1", fresh)]), cookie_header: ck(tokA) });
  add({ name: "store fails on update", want: "none", fail_on: "updateSession", store: store([sess(tokA, "1", T0 + ms(MAX_AGE) - ms(DAY) - 1)]), cookie_header: ck(tokA) });
  add({ name: "store fails on delete", want: "none", fail_on: "deleteSession", store: store([sess(tokA, "1", T0 - 1)]), cookie_header: ck(tokA) });
  add({ name: "expires ms precision kept", want: "session", now_ms: T0, store: store([sess(tokA, "1", fresh + 456)]), cookie_header: ck(tokA) });
}

// ---------------------------------------------------------------- HTTP surface
// The whole response of the real Auth() for requests around GET /session:
// methods, paths, CSRF and callback-url cookies, POST (update), config
// errors. For an HTTP handler that serves /session as Auth.js does.

async function runHTTP(c) {
  const baseURL = c.base_url ?? HTTP;
  const secrets = c.secrets ?? [S1];
  setNow(c.now_ms ?? T0);
  const config = {
    providers: [],
    secret: secrets.length ? secrets : undefined,
    trustHost: true,
    basePath: "/api/auth",
    session: { strategy: "jwt", maxAge: c.max_age ?? MAX_AGE },
    logger: silentLogger,
  };
  const headers = new Headers(c.request.headers ?? {});
  const init = { method: c.request.method, headers };
  if (c.request.body !== undefined) init.body = c.request.body;
  const res = await Auth(new Request(`${baseURL}${c.request.path}`, init), config);
  return {
    status: res.status,
    headers: headersSubset(res),
    body_raw: await res.text(),
    set_cookie: res.headers.getSetCookie(),
  };
}

const httpCases = [];
async function buildHTTP() {
  const add = (c) => httpCases.push(c);
  const hex = (label) => createHash("sha256").update(label).digest("hex");
  const csrfTok = hex("csrf token");
  const csrfFor = (secrets, tok = csrfTok) => `${tok}%7C${createHash("sha256").update(tok + secrets.join(",")).digest("hex")}`;
  const tok = await mint(USER);
  const tokS = await mint(USER, { salt: SCOOKIE });
  const both = `authjs.csrf-token=${csrfFor([S1])}; authjs.callback-url=${encodeURIComponent(HTTP)}`;
  const get = (path, cookie, extra = {}) => ({ method: "GET", path, headers: { ...(cookie !== undefined ? { cookie } : {}), ...extra } });
  const S = "/api/auth/session";

  add({ name: "get no cookies", request: get(S) });
  add({ name: "get with valid csrf and callback cookies", request: get(S, both) });
  add({ name: "get session with valid csrf and callback cookies", request: get(S, `${both}; ${COOKIE}=${tok}`) });
  add({ name: "get session without csrf cookies", request: get(S, `${COOKIE}=${tok}`) });
  add({ name: "get tampered session with csrf cookies", request: get(S, `${both}; ${COOKIE}=${tamper(tok, 4)}`) });
  add({ name: "csrf hash wrong", request: get(S, `authjs.csrf-token=${csrfTok}%7C${hex("nope")}; authjs.callback-url=${encodeURIComponent(HTTP)}`) });
  add({ name: "csrf for another secret", request: get(S, `authjs.csrf-token=${csrfFor([SX])}; authjs.callback-url=${encodeURIComponent(HTTP)}`) });
  add({ name: "csrf without hash", request: get(S, `authjs.csrf-token=${csrfTok}; authjs.callback-url=${encodeURIComponent(HTTP)}`) });
  add({ name: "csrf with rotation secrets joined", secrets: [S1, S2], request: get(S, `authjs.csrf-token=${csrfFor([S1, S2])}; authjs.callback-url=${encodeURIComponent(HTTP)}`) });
  add({ name: "csrf for first secret only under rotation", secrets: [S1, S2], request: get(S, `authjs.csrf-token=${csrfFor([S1])}; authjs.callback-url=${encodeURIComponent(HTTP)}`) });
  add({ name: "callback url same origin path kept", request: get(S, `authjs.csrf-token=${csrfFor([S1])}; authjs.callback-url=${encodeURIComponent(HTTP + "/dashboard?x=1")}`) });
  add({ name: "callback url other origin replaced", request: get(S, `authjs.csrf-token=${csrfFor([S1])}; authjs.callback-url=${encodeURIComponent("https://evil.example/")}`) });
  add({ name: "callback url relative", request: get(S, `authjs.csrf-token=${csrfFor([S1])}; authjs.callback-url=%2Fdashboard`) });
  add({ name: "callback url not encoded", request: get(S, `authjs.csrf-token=${csrfFor([S1])}; authjs.callback-url=${HTTP}`) });
  add({ name: "https names", base_url: HTTPS, request: get(S, `${SCOOKIE}=${tokS}`) });
  add({ name: "https with valid host csrf", base_url: HTTPS, request: get(S, `__Host-authjs.csrf-token=${csrfFor([S1])}; __Secure-authjs.callback-url=${encodeURIComponent(HTTPS)}; ${SCOOKIE}=${tokS}`) });
  add({ name: "https ignores http csrf names", base_url: HTTPS, request: get(S, both) });
  add({ name: "trailing slash", request: get(S + "/", both) });
  add({ name: "query string", request: get(S + "?update=1", both) });
  add({ name: "trailing slash and query", request: get(S + "/?x=1", both) });
  add({ name: "double trailing slash", request: get(S + "//", both) });
  add({ name: "unknown action", request: get("/api/auth/sessions", both) });
  add({ name: "session sub path", request: get(S + "/extra", both) });
  add({ name: "base path only", request: get("/api/auth", both) });
  add({ name: "upper case action", request: get("/api/auth/Session", both) });
  add({ name: "put", request: { method: "PUT", path: S, headers: { cookie: both } } });
  add({ name: "delete", request: { method: "DELETE", path: S, headers: { cookie: both } } });
  add({ name: "patch with session", request: { method: "PATCH", path: S, headers: { cookie: `${both}; ${COOKIE}=${tok}` } } });
  add({ name: "post without csrf", request: { method: "POST", path: S, headers: { cookie: `${COOKIE}=${tok}`, "content-type": "application/json" }, body: "{}" } });
  add({ name: "post with csrf cookie but no body token", request: { method: "POST", path: S, headers: { cookie: `${both}; ${COOKIE}=${tok}`, "content-type": "application/json" }, body: "{}" } });
  add({ name: "post json with csrf", request: { method: "POST", path: S, headers: { cookie: `${both}; ${COOKIE}=${tok}`, "content-type": "application/json" }, body: JSON.stringify({ csrfToken: csrfTok }) } });
  add({ name: "post form with csrf", request: { method: "POST", path: S, headers: { cookie: `${both}; ${COOKIE}=${tok}`, "content-type": "application/x-www-form-urlencoded" }, body: `csrfToken=${csrfTok}` } });
  add({ name: "post json with wrong csrf", request: { method: "POST", path: S, headers: { cookie: `${both}; ${COOKIE}=${tok}`, "content-type": "application/json" }, body: JSON.stringify({ csrfToken: hex("other") }) } });
  add({ name: "post json with csrf no session", request: { method: "POST", path: S, headers: { cookie: both, "content-type": "application/json" }, body: JSON.stringify({ csrfToken: csrfTok }) } });
  add({ name: "post json with csrf tampered session", request: { method: "POST", path: S, headers: { cookie: `${both}; ${COOKIE}=${tamper(tok, 3)}`, "content-type": "application/json" }, body: JSON.stringify({ csrfToken: csrfTok }) } });
  add({ name: "missing secret", secrets: [], request: get(S, `${COOKIE}=${tok}`) });
  add({ name: "missing secret no cookie", secrets: [], request: get(S) });
}

// ---------------------------------------------------------------- main
await build();
buildDB();
await buildHTTP();
const out = new Map();
const seen = new Set();
const mismatches = [];
for (const c of cases) {
  if (seen.has(c.name)) throw new Error(`duplicate vector name ${c.name}`);
  seen.add(c.name);
  const e = c.legacy_v4 ? await runV4(c) : await runV5(c);
  let got = e.body_raw !== "null" && e.body_raw !== "{}" ? "session" : "none";
  if (got !== c.want) {
    mismatches.push(`${c.name}: real Auth.js says ${got}, case wants ${c.want} (${e.decode_error})`);
    continue;
  }
  const baseURL = c.base_url ?? HTTP;
  const secure = baseURL.startsWith("https:");
  const v = {
    name: c.name,
    category: c.category,
    tags: c.tags ?? [],
    ...(c.note ? { note: c.note } : {}),
    now_ms: c.now_ms ?? T0,
    secrets: c.secrets ?? [S1],
    ...(c.env ? { env: c.env } : {}),
    base_url: baseURL,
    cookie_name: c.custom_cookie_name ?? (c.legacy_v4 ? (secure ? SV4COOKIE : V4COOKIE) : secure ? SCOOKIE : COOKIE),
    custom_cookie_name: c.custom_cookie_name ?? null,
    legacy_v4: !!c.legacy_v4,
    max_age: c.max_age ?? MAX_AGE,
    cookie_header: c.cookie_header,
    expect: e,
  };
  if (!out.has(c.category)) out.set(c.category, []);
  out.get(c.category).push(v);
}
if (mismatches.length) {
  console.error(mismatches.join("\n"));
  process.exit(1);
}
setNow(RealDate.now());
const dir = new URL("./vectors/", import.meta.url);
mkdirSync(dir, { recursive: true });
for (const f of readdirSync(dir)) if (f.endsWith(".json")) unlinkSync(new URL(f, dir));
let n = 0;
for (const [cat, vs] of out) {
  writeFileSync(new URL(`${cat}.json`, dir), JSON.stringify(vs, null, 2) + "\n");
  n += vs.length;
}
const dbVectors = [];
for (const c of dbCases) {
  const e = await runDB(c);
  const got = e.body_raw !== "null" ? "session" : "none";
  if (got !== c.want) {
    console.error(`database ${c.name}: real Auth.js says ${got}, case wants ${c.want}`);
    process.exit(1);
  }
  const baseURL = c.base_url ?? HTTP;
  dbVectors.push({
    name: c.name,
    category: "database",
    tags: c.tags ?? [],
    ...(c.note ? { note: c.note } : {}),
    now_ms: c.now_ms ?? T0,
    base_url: baseURL,
    cookie_name: c.custom_cookie_name ?? (baseURL.startsWith("https:") ? SCOOKIE : COOKIE),
    custom_cookie_name: c.custom_cookie_name ?? null,
    max_age: c.max_age ?? MAX_AGE,
    update_age: c.update_age ?? DAY,
    cookie_header: c.cookie_header,
    store: c.store,
    fail_on: c.fail_on ?? null,
    expect: e,
  });
}
const httpVectors = [];
for (const c of httpCases) {
  const e = await runHTTP(c);
  const baseURL = c.base_url ?? HTTP;
  httpVectors.push({
    name: c.name,
    category: "http",
    tags: c.tags ?? [],
    now_ms: c.now_ms ?? T0,
    secrets: c.secrets ?? [S1],
    base_url: baseURL,
    cookie_name: baseURL.startsWith("https:") ? SCOOKIE : COOKIE,
    max_age: c.max_age ?? MAX_AGE,
    request: { method: c.request.method, path: c.request.path, headers: c.request.headers ?? {}, body: c.request.body ?? null },
    expect: e,
  });
}
setNow(RealDate.now());
const httpDir = new URL("./http/", dir);
mkdirSync(httpDir, { recursive: true });
writeFileSync(new URL("session.json", httpDir), JSON.stringify(httpVectors, null, 2) + "\n");
const dbDir = new URL("./db/", dir);
mkdirSync(dbDir, { recursive: true });
writeFileSync(new URL("database.json", dbDir), JSON.stringify(dbVectors, null, 2) + "\n");
console.log(`wrote ${n} vectors in ${out.size} files to vectors/, ${dbVectors.length} database vectors to vectors/db/, ${httpVectors.length} HTTP vectors to vectors/http/`);
