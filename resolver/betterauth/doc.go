// Package betterauth resolves Better Auth sessions in Go, answering "who
// is this request?" exactly as the deployment's own
// GET {basePath}/get-session would, without Node. It is authscope's second
// engine beside package resolver's Auth.js one; the semantics it follows,
// with file references into better-auth 1.7.29, are in
// testdata/betterauth/SEMANTICS.md.
//
// # Design
//
// Resolve is better-auth's getSession route transcribed step by step
// (resolve.go): the signed session_token cookie (cookie.go: better-call's
// parser and HMAC-SHA256 signature, checked in constant time), then the
// session_data cookie cache when enabled (cache.go: compact, jwt, jwe;
// cachewrite.go writes it back), then the Store (store.go) with Better
// Auth's rules: strict expiry with pruning of expired rows, extension to
// now+expiresIn once expiresAt−expiresIn+updateAge is reached,
// disableSessionRefresh, dont_remember. Each answer carries the body and
// the Set-Cookie lines Better Auth would send, byte for byte.
//
// Byte-exact bodies need JavaScript's JSON: member order is insertion
// order and differs by path (a database read gives the adapter's schema
// order with id last, a cache hit zod's shape order), so records are
// Objects (ordered members); jsjson*.go map them onto the JavaScript
// built-ins of resolver/internal/js (JSON.parse, JSON.stringify,
// toISOString), which the Auth.js engine uses too, and add Better Auth's
// ISO-date reviver.
//
// Keys are derived once per Resolver (the JWE cache's HKDF keys and their
// kid thumbprints), never per request. Secrets, tokens and personal data
// are never printed: Session.String is redacted and errors name only the
// failing step.
//
// The JWT plugin's tokens verify with JWTVerifier against a JWKS, static
// (ParseJWKS) or fetched (RemoteJWKS: cached, refreshed on an unknown kid
// at most once per cooldown).
//
// # Stores
//
// Store is the three calls getSession makes on Better Auth's internal
// adapter: find by token (session and user), update expiry, delete.
// Records come back in the adapter's output form (AdapterOutput converts a
// SQL row). MemoryStore holds rows in memory; package sqlitestore reads and
// writes the Kysely SQLite layout a live server uses; package sqlstore is
// the one SQL store for PostgreSQL and MySQL (opened by pgstore and
// mysqlstore, layouts found in the catalog); package redisstore reads
// secondaryStorage's keys.
//
// # Wiring
//
// Resolver implements resolver.Resolver, so the cache decorator, the
// middleware and the bench adapter take it as they take the Auth.js
// resolvers; the generic resolver.Session it returns maps user name, email,
// image and id and the session's expiresAt. Callers that serve
// Better-Auth-compatible get-session bodies use ResolveBody and
// MarshalBody for the exact bytes and Answer.SetCookie for the headers.
package betterauth
