// Package resolver resolves Auth.js (next-auth v5 / @auth/core) sessions in
// Go, answering "who is this request?" exactly as the deployment's own
// GET {basePath}/session would: the seed's getServerSession(input).
//
// # Modes and strategies
//
// A Config picks a Mode and a Strategy; New builds the matching Resolver:
//
//   - local + jwt (JWTResolver): reassemble the session cookie, decrypt the
//     JWE (dir with A256CBC-HS512 or A256GCM, HKDF-SHA256 keys salted with
//     the cookie name, kid thumbprints for secret rotation, 15 s clock
//     tolerance), build the default session body. No network, no Node: a
//     few microseconds and a dozen allocations per call, because keys and
//     thumbprints are derived once per secret and cookie name, not per call
//     as Auth.js does.
//   - local + database: look the opaque token up in a Store (SQLite,
//     PostgreSQL, Redis; opened by package store) and apply Auth.js's rules: strict
//     expiry, pruning of expired rows, at most one extension per updateAge,
//     the stored expiry in the body. Config.ReadOnly turns every write off.
//   - proxy: forward the Cookie header to the upstream's /session with a
//     deadline and a body cap, no redirects, and trust its answer.
//
// With Config.Cache.Enabled the resolver is wrapped in Cache: entries keyed
// by a keyed hash of the reassembled token (never the token), a TTL that
// never outlives the session, singleflight for concurrent misses, and
// invalidation by token, user or all (package bus carries invalidations
// over PostgreSQL LISTEN/NOTIFY and Redis pub/sub). Handler serves any
// Resolver as Auth.js's /session endpoint, byte for byte.
//
// # Errors and reasons
//
// Resolve returns an error only when the resolver itself cannot work
// (ErrUnconfigured), as the seed's getServerSession throws. Everything
// that goes wrong for one request (no cookie, garbage, wrong key, expired,
// store or upstream failure) is a Result with a nil Session and a typed
// Reason, so callers get nil like the seed's null and tools can still say
// why. NoSessionError carries the detail; it never contains token bytes.
//
// # Fidelity
//
// Where the seed's prose and real Auth.js disagree, real Auth.js wins, and
// its quirks are reproduced: the cookie parser's first-wins and
// percent-decoding rules, the prefix match that swallows
// "authjs.session-token-legacy", V8's sort order for chunk names, kid-less
// tokens tried only with the first secret, JSON.stringify's output, atob's
// leniency on padding and whitespace. The tests replay vectors produced by
// the real @auth/core, next-auth v4 and adapters (testdata/authjs).
//
// The JavaScript built-ins behind those quirks (JSON.stringify and a
// JSON.parse-compatible decoder, V8's sort, decodeURIComponent, parseInt,
// toISOString) live in the internal package resolver/internal/js, each
// tested against the ECMAScript rules and Node's recorded output; this
// package keeps Auth.js's own logic on top of them.
//
// # Redaction
//
// Sessions hold personal data. Redactor is the one policy every surface
// uses to show, log or export them, and Session, User, Claims and Value
// print redacted through fmt and slog whatever the verb, so a stray log
// line cannot leak an e-mail address or a token.
//
// # Rooms
//
// This package is what a Go service links to answer "who is this
// request?": Config, New, the resolvers, Cache, Handler, the redaction
// policy, and the Store interface the database strategy reads through,
// with its row types and errors (ErrReadOnly, ErrNotFound,
// ErrMalformedRow). Everything an operator does to a store beyond what
// GET /session does lives in resolver/store: opening one from a DSN
// (drivers register themselves, so a service links only the drivers it
// imports), browsing (store.Browser), seeding (store.Seeder) and the
// store.ReadOnly decorator. Keeping them out of here keeps the resolver's
// API the size of the problem it solves.
//
// Everything in the package is safe for concurrent use unless its
// documentation says otherwise. The package knows nothing of the TUI or
// the load generator.
package resolver
