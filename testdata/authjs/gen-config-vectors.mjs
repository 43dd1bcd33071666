// gen-config-vectors.mjs: configuration interop vectors for authscope,
// produced by the REAL next-auth v5 / @auth/core code paths at a fixed clock.
//
//   cd testdata/authjs && npm ci && node gen-config-vectors.mjs
//
// writes vectors/config/{env,cookies,jws}.json (see README.md):
//
//   env      next-auth v5's setEnvDefaults (lib/env.js, loaded with
//            next/server stubbed: setEnvDefaults never uses it) and
//            @auth/core's, for each environment combination; the action URL
//            next-auth's auth() builds with createActionURL from the
//            request's headers; and what Auth() answers for a request that
//            carries a session cookie under BOTH names (each token minted
//            with its own name as salt and its own "name" claim), so the
//            body says which name the real code read.
//   cookies  custom cookies.sessionToken {name, options}: the real
//            Set-Cookie lines of a refresh (GET /session), of a failed
//            decode (clear) and of a sign-out (POST /signout with a valid
//            CSRF token), and jwt.maxAge separate from session.maxAge.
//   jws      a deployment that overrides jwt.encode/decode to SIGN with
//            jose (HS512 with the secret; ES256 with a key pair, verified
//            through a JWKS this script serves on 127.0.0.1 and jose's
//            createRemoteJWKSet fetches): tokens, Auth()'s answers, and
//            what the real custom decode accepts or refuses.
//
// As in gen-vectors.mjs every case states its intent ("want") and the script
// stops if the real library disagrees. Secrets and keys are TEST-ONLY.

import { register } from "node:module";
import { createHash, createHmac } from "node:crypto";
import { createServer } from "node:http";
import { mkdirSync, writeFileSync } from "node:fs";
import { Auth, createActionURL, setEnvDefaults as coreSetEnvDefaults } from "@auth/core";
import { encode as jweEncode, decode as jweDecode } from "@auth/core/jwt";
import {
  SignJWT,
  jwtVerify,
  generateKeyPair,
  exportJWK,
  exportPKCS8,
  exportSPKI,
  calculateJwkThumbprint,
  createRemoteJWKSet,
  base64url,
} from "jose";

register("./next-stub-loader.mjs", import.meta.url);
const { setEnvDefaults: nextSetEnvDefaults } = await import("./node_modules/next-auth-v5/lib/env.js");

// ---------------------------------------------------------------- clock
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
const T0 = 1764230400123; // 2025-11-27T08:00:00.123Z, as gen-vectors.mjs
const T0S = Math.floor(T0 / 1000);
NOW_MS = T0;
const DAY = 86400;
const MAX_AGE = 30 * DAY;

const testSecret = (label) =>
  "test-only-secret-" + createHash("sha256").update("authscope config " + label).digest("base64url").slice(0, 32);
const SA = testSecret("auth");
const SN = testSecret("nextauth");
const S1 = testSecret("rotation-1");
const silentLogger = { error() {}, warn() {}, debug() {} };
const COOKIE = "authjs.session-token";
const SCOOKIE = "__Secure-authjs.session-token";
const USER = { name: "Ada Lovelace", email: "ada@example.com", picture: "https://avatars.example.com/u/1815?v=4", sub: "user-1815" };

const check = (c, got) => {
  if (c.want !== got) throw new Error(`case ${JSON.stringify(c.name)}: wanted ${c.want}, the real library says ${got}`);
};
const sessionLines = (res, name) => res.headers.getSetCookie().filter((l) => l.startsWith(name));

// ---------------------------------------------------------------- env
const ENV_KEYS = [
  "AUTH_SECRET", "NEXTAUTH_SECRET", "AUTH_SECRET_1", "AUTH_SECRET_2", "AUTH_SECRET_3",
  "AUTH_URL", "NEXTAUTH_URL", "AUTH_TRUST_HOST", "VERCEL", "CF_PAGES", "NODE_ENV", "AUTH_REDIRECT_PROXY_URL",
];

function withEnv(env, fn) {
  const saved = {};
  for (const k of ENV_KEYS) {
    saved[k] = process.env[k];
    delete process.env[k];
  }
  Object.assign(process.env, env);
  try {
    return fn();
  } finally {
    for (const k of ENV_KEYS) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  }
}

const snapshot = (cfg) => ({
  secret: cfg.secret === undefined ? null : cfg.secret,
  base_path: cfg.basePath ?? null,
  trust_host: cfg.trustHost ?? null,
  redirect_proxy_url: cfg.redirectProxyUrl ?? null,
});

async function envVector(c) {
  const env = c.env;
  const nextCfg = { providers: [], session: { strategy: "jwt" }, logger: silentLogger };
  withEnv(env, () => nextSetEnvDefaults(nextCfg));
  const coreCfg = { providers: [], logger: silentLogger };
  coreSetEnvDefaults({ ...env }, coreCfg);

  // next-auth's auth(): createActionURL("session", headers["x-forwarded-proto"], headers, process.env, config).
  const headers = new Headers(c.request_headers);
  let actionURL = null;
  let actionError = null;
  try {
    actionURL = createActionURL("session", headers.get("x-forwarded-proto"), headers, { ...env }, nextCfg).href;
  } catch (e) {
    actionError = e.code ?? e.name;
  }
  const out = { next_auth: snapshot(nextCfg), core: snapshot(coreCfg), action_url: actionURL, action_url_error: actionError };
  if (!actionURL) {
    check(c, "none");
    return { ...out, status: null, body_raw: null, matched_cookie: null };
  }
  const mintSecret = c.mint_secret;
  const plain = await jweEncode({ token: { ...USER, name: "plain cookie" }, secret: mintSecret, salt: COOKIE, maxAge: MAX_AGE });
  const secure = await jweEncode({ token: { ...USER, name: "secure cookie" }, secret: mintSecret, salt: SCOOKIE, maxAge: MAX_AGE });
  const cookieHeader = `${COOKIE}=${plain}; ${SCOOKIE}=${secure}`;
  const res = await Auth(new Request(actionURL, { headers: { cookie: cookieHeader } }), { ...nextCfg });
  const body = await res.text();
  let matched = null;
  if (body.includes('"plain cookie"')) matched = COOKIE;
  if (body.includes('"secure cookie"')) matched = SCOOKIE;
  check(c, matched ? "session" : "none");
  return { ...out, cookie_header: cookieHeader, status: res.status, body_raw: body, matched_cookie: matched };
}

const envCases = [
  { name: "AUTH_SECRET only", env: { AUTH_SECRET: SA }, mint_secret: SA, want: "session" },
  { name: "NEXTAUTH_SECRET only", env: { NEXTAUTH_SECRET: SN }, mint_secret: SN, want: "session" },
  { name: "AUTH_SECRET wins over NEXTAUTH_SECRET", env: { AUTH_SECRET: SA, NEXTAUTH_SECRET: SN }, mint_secret: SA, want: "session" },
  { name: "NEXTAUTH_SECRET loses to AUTH_SECRET", env: { AUTH_SECRET: SA, NEXTAUTH_SECRET: SN }, mint_secret: SN, want: "none" },
  { name: "AUTH_SECRET_1 ignored when AUTH_SECRET is set", tags: ["quirk"], note: "next-auth sets config.secret to the string, so core's rotation list is never built", env: { AUTH_SECRET: SA, AUTH_SECRET_1: S1 }, mint_secret: S1, want: "none" },
  { name: "AUTH_SECRET_1 ignored when NEXTAUTH_SECRET is set", tags: ["quirk"], env: { NEXTAUTH_SECRET: SN, AUTH_SECRET_1: S1 }, mint_secret: S1, want: "none" },
  { name: "rotation secrets without AUTH_SECRET", env: { AUTH_SECRET_1: S1, AUTH_SECRET_2: SN }, mint_secret: S1, want: "session" },
  { name: "empty AUTH_SECRET hides NEXTAUTH_SECRET", tags: ["quirk"], note: "?? keeps the empty string; core then finds no secret (500)", env: { AUTH_SECRET: "", NEXTAUTH_SECRET: SN }, mint_secret: SN, want: "none" },
  { name: "AUTH_URL at the root keeps /api/auth", env: { AUTH_SECRET: SA, AUTH_URL: "https://app.example.com" }, mint_secret: SA, want: "session" },
  { name: "AUTH_URL path is the basePath", env: { AUTH_SECRET: SA, AUTH_URL: "https://app.example.com/custom/auth" }, mint_secret: SA, want: "session" },
  { name: "NEXTAUTH_URL path is the basePath", env: { NEXTAUTH_SECRET: SN, NEXTAUTH_URL: "https://app.example.com/custom/auth" }, mint_secret: SN, want: "session" },
  { name: "AUTH_URL trailing slash kept in basePath", tags: ["quirk"], env: { AUTH_SECRET: SA, AUTH_URL: "http://localhost:3000/api/auth/" }, mint_secret: SA, want: "session" },
  { name: "AUTH_URL wins over NEXTAUTH_URL", env: { AUTH_SECRET: SA, AUTH_URL: "http://localhost:3000/a/auth", NEXTAUTH_URL: "https://app.example.com/n/auth" }, mint_secret: SA, want: "session" },
  { name: "AUTH_URL http beats forwarded https", env: { AUTH_SECRET: SA, AUTH_URL: "http://localhost:3000" }, request_headers: { host: "app.example.com", "x-forwarded-proto": "https" }, mint_secret: SA, want: "session" },
  { name: "unparsable AUTH_URL falls back to /api/auth", env: { AUTH_SECRET: SA, AUTH_URL: "not a url" }, mint_secret: SA, want: "none" },
  { name: "no URL, forwarded https picks the secure name", env: { AUTH_SECRET: SA }, request_headers: { host: "app.example.com", "x-forwarded-proto": "https" }, mint_secret: SA, want: "session" },
  { name: "no URL, forwarded http picks the plain name", env: { AUTH_SECRET: SA }, request_headers: { host: "app.example.com", "x-forwarded-proto": "http" }, mint_secret: SA, want: "session" },
  { name: "no URL, forwarded host", env: { AUTH_SECRET: SA }, request_headers: { host: "internal:8080", "x-forwarded-host": "app.example.com", "x-forwarded-proto": "https" }, mint_secret: SA, want: "session" },
  { name: "AUTH_TRUST_HOST=false still trusts", tags: ["quirk"], note: "!!'false' is true", env: { AUTH_SECRET: SA, AUTH_TRUST_HOST: "false", NODE_ENV: "production" }, mint_secret: SA, want: "session" },
  { name: "production without a trust signal", env: { AUTH_SECRET: SA, NODE_ENV: "production" }, mint_secret: SA, want: "none" },
  { name: "production on Vercel", env: { AUTH_SECRET: SA, NODE_ENV: "production", VERCEL: "1" }, mint_secret: SA, want: "session" },
  { name: "production with AUTH_URL", env: { AUTH_SECRET: SA, NODE_ENV: "production", AUTH_URL: "https://app.example.com" }, mint_secret: SA, want: "session" },
  { name: "production with NEXTAUTH_URL only", tags: ["quirk"], note: "core's trustHost reads AUTH_URL, not NEXTAUTH_URL", env: { NEXTAUTH_SECRET: SN, NODE_ENV: "production", NEXTAUTH_URL: "https://app.example.com" }, mint_secret: SN, want: "none" },
];

// ---------------------------------------------------------------- cookies
function csrfPair(secret) {
  const tok = createHash("sha256").update("authscope csrf " + secret).digest("hex");
  return { tok, value: `${tok}|${createHash("sha256").update(`${tok}${secret}`).digest("hex")}` };
}

async function cookieVector(c) {
  const secure = c.base_url.startsWith("https:");
  const name = c.session_token?.name ?? (secure ? SCOOKIE : COOKIE);
  const config = () => ({
    providers: [],
    secret: [SA],
    trustHost: true,
    basePath: "/api/auth",
    session: { strategy: "jwt", maxAge: c.max_age ?? MAX_AGE },
    ...(c.jwt_max_age && { jwt: { maxAge: c.jwt_max_age } }),
    ...(c.session_token && { cookies: { sessionToken: c.session_token } }),
    logger: silentLogger,
  });
  const claims = c.big ? { ...USER, bio: "x".repeat(5000).replace(/x/g, (_, i) => "abcdefghij"[i % 10]) } : USER;
  const token = await jweEncode({ token: claims, secret: SA, salt: name, maxAge: MAX_AGE });
  const chunks = [];
  if (token.length > 3936) for (let i = 0; i * 3936 < token.length; i++) chunks.push([`${name}.${i}`, token.substr(i * 3936, 3936)]);
  else chunks.push([name, token]);
  const cookieHeader = chunks.map(([k, v]) => `${k}=${v}`).join("; ");
  const badHeader = `${name}=not-a-token`;

  const get = async (cookie) => Auth(new Request(`${c.base_url}/api/auth/session`, { headers: { cookie } }), config());
  const refresh = await get(cookieHeader);
  const refreshBody = await refresh.text();
  check(c, refreshBody === "null" ? "none" : "session");
  const clear = await get(badHeader);

  const csrfName = secure ? "__Host-authjs.csrf-token" : "authjs.csrf-token";
  const { tok, value } = csrfPair(SA);
  const signoutReq = new Request(`${c.base_url}/api/auth/signout`, {
    method: "POST",
    headers: { cookie: `${csrfName}=${encodeURIComponent(value)}; ${cookieHeader}`, "content-type": "application/x-www-form-urlencoded" },
    body: `csrfToken=${tok}`,
  });
  const signout = await Auth(signoutReq, config());
  if (signout.status !== 302) throw new Error(`${c.name}: signout status ${signout.status}`);
  // The refreshed cookie(s) reassembled in chunk order and decoded with the
  // real decode: exp shows jwt.maxAge, the Expires attribute session.maxAge.
  const fresh = sessionLines(refresh, name).map((l) => l.split(";")[0]).filter((p) => !p.endsWith("="));
  fresh.sort((a, b) => parseInt(a.split("=")[0].split(".").pop() || "0") - parseInt(b.split("=")[0].split(".").pop() || "0"));
  const refreshedToken = fresh.map((p) => decodeURIComponent(p.slice(p.indexOf("=") + 1))).join("");
  const refreshedClaims = refreshedToken ? await jweDecode({ token: refreshedToken, secret: [SA], salt: name }) : null;
  return {
    cookie_name: name,
    cookie_header: cookieHeader,
    bad_cookie_header: badHeader,
    expect: {
      body_raw: refreshBody,
      refresh_set_cookie: sessionLines(refresh, name),
      clear_set_cookie: sessionLines(clear, name),
      signout_set_cookie: sessionLines(signout, name),
      refreshed_claims: refreshedClaims,
    },
  };
}

const cookieCases = [
  { name: "defaults on http", base_url: "http://localhost:3000", want: "session" },
  { name: "defaults on https", base_url: "https://app.example.com", want: "session" },
  { name: "parent domain", base_url: "https://app.example.com", session_token: { options: { domain: ".example.com" } }, want: "session" },
  { name: "path and sameSite none", base_url: "https://app.example.com", session_token: { options: { path: "/app", sameSite: "none", secure: true } }, want: "session" },
  { name: "custom name with every option", base_url: "https://app.example.com", session_token: { name: "myapp.sid", options: { domain: "example.com", path: "/", sameSite: "strict", httpOnly: true, secure: true } }, want: "session" },
  { name: "secure off on https", base_url: "https://app.example.com", session_token: { options: { secure: false } }, want: "session" },
  { name: "secure on over http", base_url: "http://localhost:3000", session_token: { options: { secure: true } }, want: "session" },
  { name: "chunked with domain", base_url: "https://app.example.com", big: true, session_token: { options: { domain: ".example.com" } }, want: "session" },
  { name: "jwt maxAge shorter than session maxAge", base_url: "http://localhost:3000", jwt_max_age: 3600, want: "session", note: "the token's exp is now + jwt.maxAge, the cookie's Expires now + session.maxAge" },
];

// ---------------------------------------------------------------- jws
// The custom codec a deployment writes: SignJWT with iat and exp (now +
// maxAge), verified with an algorithm allow-list and Auth.js's 15 s
// tolerance. HS512 uses the first secret's UTF-8 bytes as the key.
const hsKey = (secret) => new TextEncoder().encode(Array.isArray(secret) ? secret[0] : secret);
function jwsCodec(kind, keys) {
  return {
    async encode({ token, secret, maxAge }) {
      const now = Math.floor(Date.now() / 1000);
      const header = kind === "HS512" ? { alg: "HS512" } : { alg: "ES256", kid: keys.kid };
      return new SignJWT(token).setProtectedHeader(header).setIssuedAt(now).setExpirationTime(now + maxAge)
        .sign(kind === "HS512" ? hsKey(secret) : keys.privateKey);
    },
    async decode({ token, secret }) {
      if (!token) return null;
      const key = kind === "HS512" ? hsKey(secret) : keys.jwks;
      const { payload } = await jwtVerify(token, key, { algorithms: [kind], clockTolerance: 15 });
      return payload;
    },
  };
}

async function jwsVector(c, codec, kind) {
  const config = {
    providers: [],
    secret: [SA],
    trustHost: true,
    basePath: "/api/auth",
    session: { strategy: "jwt", maxAge: MAX_AGE },
    jwt: codec,
    logger: silentLogger,
  };
  const res = await Auth(new Request(`http://localhost:3000/api/auth/session`, { headers: { cookie: `${COOKIE}=${c.token}` } }), config);
  const body = await res.text();
  let decoded = null;
  let decodeError = null;
  try {
    decoded = await codec.decode({ token: c.token, secret: [SA] });
  } catch (e) {
    decodeError = e.code ?? e.name;
  }
  check(c, decoded ? "session" : "none");
  const lines = sessionLines(res, COOKIE);
  let refreshed = null;
  if (decoded && lines.length === 1) {
    const v = lines[0].split(";")[0].slice(COOKIE.length + 1);
    refreshed = await codec.decode({ token: v, secret: [SA] });
  }
  return {
    name: c.name,
    codec: kind,
    tags: c.tags ?? [],
    ...(c.note && { note: c.note }),
    token: c.token,
    expect: { decoded, decode_error: decodeError, body_raw: body, set_cookie: lines, refreshed_claims: refreshed },
  };
}

function rawJWS(header, payload, sign) {
  const h = base64url.encode(JSON.stringify(header));
  const p = base64url.encode(JSON.stringify(payload));
  return `${h}.${p}.${sign ? sign(`${h}.${p}`) : ""}`;
}

async function buildJWS() {
  // ES256 key pair (TEST-ONLY), served as a JWKS on loopback for createRemoteJWKSet.
  const { publicKey, privateKey } = await generateKeyPair("ES256", { extractable: true });
  const jwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(jwk);
  const jwksDoc = { keys: [{ ...jwk, kid, alg: "ES256", use: "sig" }] };
  const server = createServer((req, res) => {
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify(jwksDoc));
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const jwksURL = new URL(`http://127.0.0.1:${server.address().port}/jwks.json`);
  const es = { kid, privateKey, jwks: createRemoteJWKSet(jwksURL) };
  const hs = jwsCodec("HS512");
  const ecc = jwsCodec("ES256", es);
  const now = T0S;
  const std = { iat: now, exp: now + MAX_AGE };
  const hsSign = (secret, alg = "sha512") => (input) => createHmac(alg, secret).update(input).digest("base64url");

  const out = [];
  const hsCases = [
    { name: "HS512 signed by the custom encode", want: "session", token: await hs.encode({ token: USER, secret: [SA], maxAge: MAX_AGE }) },
    { name: "HS512 by another secret", want: "none", token: await hs.encode({ token: USER, secret: [SN], maxAge: MAX_AGE }) },
    { name: "HS256 refused by the allow-list", want: "none", token: rawJWS({ alg: "HS256" }, { ...USER, ...std }, hsSign(SA, "sha256")) },
    { name: "alg none refused", want: "none", token: rawJWS({ alg: "none" }, { ...USER, ...std }) },
    { name: "HS512 tampered payload", want: "none", token: (() => { const [h, , s] = rawJWS({ alg: "HS512" }, { ...USER, ...std }, hsSign(SA)).split("."); return [h, base64url.encode(JSON.stringify({ ...USER, ...std, name: "Eve" })), s].join("."); })() },
    { name: "HS512 expired 10s ago is within tolerance", want: "session", token: rawJWS({ alg: "HS512" }, { ...USER, iat: now - 100, exp: now - 10 }, hsSign(SA)) },
    { name: "HS512 expired 20s ago", want: "none", token: rawJWS({ alg: "HS512" }, { ...USER, iat: now - 100, exp: now - 20 }, hsSign(SA)) },
    { name: "HS512 with extra header members and claims", want: "session", token: rawJWS({ typ: "JWT", alg: "HS512" }, { ...USER, role: "admin", n: 1.5, ...std }, hsSign(SA)) },
    { name: "JWE token on a signing deployment", want: "none", token: await jweEncode({ token: USER, secret: SA, salt: COOKIE, maxAge: MAX_AGE }) },
  ];
  for (const c of hsCases) out.push(await jwsVector(c, hs, "HS512"));
  const other = await generateKeyPair("ES256");
  const esCases = [
    { name: "ES256 signed by the custom encode", want: "session", token: await ecc.encode({ token: USER, maxAge: MAX_AGE }) },
    { name: "ES256 by a key not in the JWKS", want: "none", token: await new SignJWT({ ...USER }).setProtectedHeader({ alg: "ES256", kid }).setIssuedAt(now).setExpirationTime(now + MAX_AGE).sign(other.privateKey) },
    { name: "ES256 unknown kid", want: "none", token: await new SignJWT({ ...USER }).setProtectedHeader({ alg: "ES256", kid: "unknown" }).setIssuedAt(now).setExpirationTime(now + MAX_AGE).sign(privateKey) },
    { name: "ES256 without kid matches the only key", want: "session", token: await new SignJWT({ ...USER }).setProtectedHeader({ alg: "ES256" }).setIssuedAt(now).setExpirationTime(now + MAX_AGE).sign(privateKey) },
    { name: "HS512 token on an ES256 deployment", want: "none", token: await hs.encode({ token: USER, secret: [SA], maxAge: MAX_AGE }) },
  ];
  for (const c of esCases) out.push(await jwsVector(c, ecc, "ES256"));
  server.close();
  return {
    now_ms: T0,
    max_age: MAX_AGE,
    secrets: [SA],
    cookie_name: COOKIE,
    es256: {
      kid,
      jwks: jwksDoc,
      public_key_pem: await exportSPKI(publicKey),
      private_key_pem: await exportPKCS8(privateKey),
    },
    vectors: out,
  };
}

// ---------------------------------------------------------------- main
const env = [];
for (const c of envCases) {
  const hdrs = c.request_headers ?? { host: "localhost:3000", "x-forwarded-proto": "http" };
  const v = await envVector({ ...c, request_headers: hdrs });
  env.push({ name: c.name, tags: c.tags ?? [], ...(c.note && { note: c.note }), now_ms: T0, env: c.env, request_headers: hdrs, mint_secret: c.mint_secret, expect: v });
}
const cookies = [];
for (const c of cookieCases) {
  const v = await cookieVector(c);
  cookies.push({ name: c.name, tags: c.tags ?? [], ...(c.note && { note: c.note }), now_ms: T0, secrets: [SA], base_url: c.base_url, max_age: c.max_age ?? MAX_AGE, jwt_max_age: c.jwt_max_age ?? null, session_token: c.session_token ?? null, ...v });
}
const jws = await buildJWS();

const dir = new URL("./vectors/config/", import.meta.url);
mkdirSync(dir, { recursive: true });
writeFileSync(new URL("env.json", dir), JSON.stringify(env, null, 2) + "\n");
writeFileSync(new URL("cookies.json", dir), JSON.stringify(cookies, null, 2) + "\n");
writeFileSync(new URL("jws.json", dir), JSON.stringify(jws, null, 2) + "\n");
console.log(`wrote ${env.length} env, ${cookies.length} cookie and ${jws.vectors.length} jws vectors`);
