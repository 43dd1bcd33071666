// jws-server.mjs: the real Auth() for a deployment whose jwt.encode/decode
// SIGN with jose instead of encrypting, on 127.0.0.1 only, for authscope's
// live JWS interop test (resolver/interop_live_jws_test.go).
//
//   AUTH_SECRET=... AUTHJS_JWS_ALG=HS512 node jws-server.mjs 0
//   AUTH_SECRET=... AUTHJS_JWS_ALG=ES256 AUTHJS_JWS_KEY_FILE=key.pem node jws-server.mjs 0
//
// The codec is the one gen-config-vectors.mjs records: SignJWT with iat and
// exp = now + maxAge; jwtVerify with the allow-list [alg] and a 15 s
// tolerance. HS512 keys with the secret's UTF-8 bytes. ES256 signs with the
// PKCS#8 key in AUTHJS_JWS_KEY_FILE (kid: its RFC 7638 thumbprint), serves
// the public key as a JWKS at GET /jwks.json and verifies through
// createRemoteJWKSet on that URL, as a separate backend would. Prints
// "listening <port>" when ready; exits when stdin closes.
import { createServer } from "node:http";
import { readFileSync } from "node:fs";
import { Auth } from "@auth/core";
import { SignJWT, jwtVerify, importPKCS8, exportJWK, calculateJwkThumbprint, createRemoteJWKSet } from "jose";

const alg = process.env.AUTHJS_JWS_ALG;
if (alg !== "HS512" && alg !== "ES256") throw new Error("AUTHJS_JWS_ALG must be HS512 or ES256");
const secret = process.env.AUTH_SECRET;
if (!secret) throw new Error("AUTH_SECRET is required");

let privateKey, kid, jwksDoc, remote;
if (alg === "ES256") {
  privateKey = await importPKCS8(readFileSync(process.env.AUTHJS_JWS_KEY_FILE, "utf8"), "ES256", { extractable: true });
  const { d, ...pub } = await exportJWK(privateKey);
  kid = await calculateJwkThumbprint(pub);
  jwksDoc = { keys: [{ ...pub, kid, alg: "ES256", use: "sig" }] };
}
const hsKey = new TextEncoder().encode(secret);

const jwt = {
  async encode({ token, maxAge }) {
    const now = Math.floor(Date.now() / 1000);
    const header = alg === "HS512" ? { alg } : { alg, kid };
    return new SignJWT(token).setProtectedHeader(header).setIssuedAt(now).setExpirationTime(now + maxAge)
      .sign(alg === "HS512" ? hsKey : privateKey);
  },
  async decode({ token }) {
    if (!token) return null;
    const { payload } = await jwtVerify(token, alg === "HS512" ? hsKey : remote, { algorithms: [alg], clockTolerance: 15 });
    return payload;
  },
};
const config = {
  providers: [],
  secret: [secret],
  trustHost: true,
  basePath: "/api/auth",
  session: { strategy: "jwt" },
  jwt,
  logger: { error() {}, warn() {}, debug() {} },
};

const server = createServer(async (req, res) => {
  try {
    if (req.url === "/jwks.json" && jwksDoc) {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify(jwksDoc));
      return;
    }
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) headers.set(k, Array.isArray(v) ? v.join(", ") : v);
    const answer = await Auth(new Request(`http://${req.headers.host}${req.url}`, { method: req.method, headers }), config);
    res.statusCode = answer.status;
    answer.headers.forEach((v, k) => {
      if (k !== "set-cookie") res.setHeader(k, v);
    });
    const cookies = answer.headers.getSetCookie();
    if (cookies.length) res.setHeader("set-cookie", cookies);
    res.end(await answer.text());
  } catch (e) {
    res.statusCode = 500;
    res.end(String(e.message));
  }
});
server.listen(Number(process.argv[2] ?? process.env.PORT ?? 0), "127.0.0.1", () => {
  const { port } = server.address();
  if (alg === "ES256") remote = createRemoteJWKSet(new URL(`http://127.0.0.1:${port}/jwks.json`));
  console.log(`listening ${port}`);
});
if (process.env.AUTHJS_EXIT_ON_STDIN_EOF === "1") {
  process.stdin.on("end", () => process.exit(0));
  process.stdin.resume();
}
