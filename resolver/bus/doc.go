// Package bus carries cache invalidations between processes and offers a
// shared cache tier, so that several authscope instances (and the database
// Auth.js writes to) agree on which cached sessions are still good.
//
// Two transports deliver resolver.InvalidationEvent values to a
// resolver.Invalidator (normally a *resolver.Cache):
//
//   - Redis pub/sub (Redis): Publish sends an event to a channel; Listen
//     subscribes and applies every event it receives. Any number of
//     instances can publish and listen, which is how they share
//     invalidations.
//   - PostgreSQL LISTEN/NOTIFY (Postgres): Listen holds one dedicated
//     connection in LISTEN and applies each notification; Publish is
//     pg_notify. InstallTrigger, run only on request, adds triggers to the
//     Auth.js tables so that the database itself announces sign-outs
//     (session rows deleted or updated) and user changes, whoever makes
//     them: Auth.js, an admin script or authscope's revoke.
//
// Events never carry a raw session token, only its SHA-256
// (resolver.TokenDigest), which the trigger computes with PostgreSQL's
// sha256(). A listener skips events that carry its own Origin: the
// publishing process has already applied them.
//
// RedisTier is a resolver.SharedTier: a second cache level in Redis keyed by
// the token digest, for when one instance's memory is not enough or several
// instances should share warm entries.
//
// Listeners reconnect with capped exponential backoff and stop when their
// context ends; Close waits for the goroutine to finish, so nothing leaks.
package bus
