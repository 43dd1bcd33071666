// next-stub-loader.mjs: a Node module-resolution hook that lets
// gen-config-vectors.mjs import next-auth v5's lib/env.js (the real
// setEnvDefaults) without installing Next.js. env.js imports NextRequest
// from "next/server" only for reqWithEnvURL, which the generator does not
// call; setEnvDefaults never touches it. Registered with module.register.
const STUB = "data:text/javascript," + encodeURIComponent(
  "export class NextRequest { constructor() { throw new Error('next/server is stubbed'); } }\n" +
    "export class NextResponse {}\nexport function headers() { throw new Error('next/headers is stubbed'); }\n",
);

export async function resolve(specifier, context, nextResolve) {
  if (specifier === "next/server" || specifier === "next/headers") {
    return { url: STUB, shortCircuit: true };
  }
  return nextResolve(specifier, context);
}
