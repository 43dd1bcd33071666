// Package benchtarget is where sessions meet the load generator: package
// bench measures opaque targets and knows nothing of Auth.js, package
// resolver resolves sessions and knows nothing of load; this package
// adapts one to the other.
//
// It holds:
//   - [ResolverTarget], the adapter from a resolver.Resolver to a
//     bench.Target (one resolution per request, labelled by its reason);
//   - [Population] and [MintPopulation], the Cookie header values a run
//     draws from (each live cookie with a tampered twin);
//   - [Env], what a run starts on this machine around a resolver: the
//     profile's configuration (a generated secret for demo profiles),
//     a seeded SQLite store, Auth.js-compatible upstreams on loopback
//     ([SessionHandler]), released together by Close; for bench and
//     capacity the built-in upstream runs in a child process
//     ([UpstreamProcess], [RunUpstreamChild]), as a deployment's does;
//   - [Setup], which builds the targets and populations of a bench.Config's
//     scenarios for `authscope bench`, `capacity` and the TUI's Load screen;
//   - Better Auth's scenarios ([BetterAuthScenarios]: ba-db, ba-cookie-cache,
//     ba-proxy) over a seeded Kysely-layout SQLite store ([SeedBetterAuth]),
//     in the same comparison as Auth.js's.
//
// Why a package of its own: the CLI, the TUI's runner and the embedded demo
// (internal/demo) all wire runs this way, and keeping the wiring beside
// neither bench nor resolver keeps those two libraries independent of each
// other. It may import bench, resolver, resolver/engine,
// resolver/betterauth, resolver/store and profiles; it
// must not import the CLI, the TUI or the demo.
package benchtarget
