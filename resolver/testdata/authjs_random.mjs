// authjs_random.mjs: randomized cases recorded from the REAL Auth.js
// (@auth/core 0.41.3 in ../../testdata/authjs/node_modules), replayed by
// TestRecordedAuthJSRandom. Deterministic (seeded PRNG, fixed clock), so
// reruns only change the random IVs of minted tokens.
//
//   node resolver/testdata/authjs_random.mjs > resolver/testdata/authjs_random.json
//
// cookies: random Cookie headers → SessionStore(parse(header)).value and
// the names clean() returns (the clearing order).
// tokens: tokens from the real encode(), randomly mutated (character
// flips, whitespace, '=' padding, dots, truncation) → the real decode():
// the payload or the error name. The secret is a test-only value.
import { parse } from "../../testdata/authjs/node_modules/@auth/core/lib/vendored/cookie.js";
import { SessionStore } from "../../testdata/authjs/node_modules/@auth/core/lib/utils/cookie.js";
import { encode, decode } from "../../testdata/authjs/node_modules/@auth/core/jwt.js";

const NOW_MS = 1764230400123;
const RealDate = Date;
globalThis.Date = class extends RealDate {
  constructor(...a) { if (a.length === 0) super(NOW_MS); else super(...a); }
  static now() { return NOW_MS; }
};

let seed = 20261127;
const rnd = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
const pick = (a) => a[Math.floor(rnd() * a.length)];
const logger = { debug() {}, error() {}, warn() {} };
const P = "authjs.session-token";

const names = [P, P + ".0", P + ".1", P + ".2", P + ".10", P + ".9", P + "-x", P + ".", P + ".x", P + ".0x2", P + ". 1",
  "other", "1", "12", "__proto__", P + ".00", P + ".-1", "a b"];
const vals = ["", "A", "BB", "%41", "%", "%zz", "%C0%80", "%E2%82%AC", '"q"', "x=y", " sp ", "\ttab", "a%2", "%F0%9F%98%80"];
const seps = ["; ", ";", " ; ", ";;", "\t;", "; junk; ", "=;", ";="];
const cookies = [];
for (let i = 0; i < 400; i++) {
  const n = Math.floor(rnd() * 8);
  let h = "";
  for (let j = 0; j < n; j++) {
    if (j > 0) h += pick(seps);
    h += rnd() < 0.1 ? pick(names) : pick(names) + "=" + pick(vals);
  }
  const store = new SessionStore({ name: P, options: {} }, parse(h), logger);
  const token = store.value;
  cookies.push({ header: h, token, names: store.clean().map((c) => c.name) });
}

const secret = "test-only-random-secret-0123456789";
const base = [
  await encode({ token: { name: "Ada", email: "ada@example.com", picture: "https://e.x/p.png", sub: "u1" }, secret, salt: P }),
  await encode({ token: { sub: "u2", name: "Zoë 😀" }, secret, salt: P }),
  await encode({ token: { sub: "u3" }, secret, salt: P, maxAge: -100 }),
];
const alpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const mutate = (t) => {
  const k = Math.floor(rnd() * 8);
  const i = Math.floor(rnd() * t.length);
  switch (k) {
    case 0: return t;
    case 1: return t.slice(0, i) + pick(alpha) + t.slice(i + 1);
    case 2: return t.slice(0, i) + pick([" ", "\t", "\n", "\r", "\f"]) + t.slice(i);
    case 3: { const s = t.split("."); const j = Math.floor(rnd() * 5); s[j] += pick(["=", "==", "===", " ="]); return s.join("."); }
    case 4: return t.slice(0, i) + "." + t.slice(i);
    case 5: return t.slice(0, i);
    case 6: { const s = t.split("."); const j = Math.floor(rnd() * 5); const c = s[j]; s[j] = c.slice(0, -1) + pick(alpha); return s.join("."); }
    default: return t.slice(0, i) + pick(["+", "/", "%", "!", "é"]) + t.slice(i + 1);
  }
};
const tokens = [];
for (let i = 0; i < 400; i++) {
  const tok = mutate(pick(base));
  let payload = null, error = null;
  try { payload = await decode({ token: tok, secret, salt: P }); } catch (e) { error = e.code ?? e.name; }
  tokens.push({ token: tok, payload, error });
}
process.stdout.write(JSON.stringify({ now_ms: NOW_MS, secret, cookie_name: P, cookies, tokens }) + "\n");
