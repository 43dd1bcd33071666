// Package engine chooses which session engine answers a request: Auth.js
// (package resolver), Better Auth (package resolver/betterauth), or auto,
// which picks by the session cookie the request carries.
//
// # Why a package of its own
//
// The choice needs both engines, and betterauth already imports resolver
// (its Resolver implements resolver.Resolver and returns resolver.Result),
// so the switch cannot live in resolver without an import cycle, and it
// does not belong in betterauth, which knows nothing of Auth.js. It sits
// above both; commands, the demo and the bench adapter build resolvers
// through it, and a Go service that knows its engine can still import
// either package alone.
//
// # Auto
//
// During a migration from Auth.js to Better Auth users hold either cookie,
// sometimes both. Auto asks Better Auth when its session_token cookie is
// present (the migration's destination: a user who signed in again holds
// the newer session), then Auth.js when Better Auth found no session and an
// Auth.js session cookie (or a chunk of it) is present too; a request with
// neither is Auth.js's no_cookie answer. Result.Engine names the engine
// that answered, so --explain and logs show which side a user is on.
//
// # Configuration
//
// Config.AuthJS is the shared configuration (mode, base URL and path,
// proxy and cache settings); BetterAuthConfig derives Better Auth's from it
// and the environment: BETTER_AUTH_SECRETS, then BETTER_AUTH_SECRET, then
// AUTH_SECRET, and BETTER_AUTH_URL before the base URL.
package engine
