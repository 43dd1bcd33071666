// Package server is `authscope serve` as a library: an http.Handler that
// answers GET {basePath}/session exactly as Auth.js does, from any
// resolver.Resolver, plus /healthz, /metrics and, when given a shared
// secret, the admin endpoints (POST /_authscope/invalidate and GET
// /_authscope/recent).
//
//	srv, err := server.New(server.Config{Resolver: cfg}, r, server.Options{Logger: logger, Cache: cache})
//	...
//	err = server.Serve(ctx, ln, srv, logger) // graceful shutdown when ctx ends
//
// Design:
//   - New takes what is already built (the resolver, its cache, the buses'
//     publishers and listeners) rather than building it: opening stores,
//     Redis clients and buses is the command's wiring (internal/cli), and a
//     caller embedding the handler brings its own.
//   - Metrics use the Prometheus client library with a registry per
//     server, so a process can run several servers, tests read one
//     server's figures, and by default /metrics also carries the go_* and
//     process_* families. Options.Registry lets a caller add its own
//     families or serve these elsewhere. The family names and labels are
//     the ones serve has always exposed. Cache and bus figures are read
//     from their stats at scrape time, not counted per request; the
//     per-request counters are kept once looked up (counterMemo), and the
//     backend watch takes its lock only when the state changes, so the
//     observers cost a few atomic operations per request
//     (BenchmarkServeLoopback measures the whole stack against a static
//     handler).
//   - The admin endpoints compare SHA-256 digests of the bearer secret in
//     constant time; they exist only when a secret is configured. The
//     recent list holds live tokens, so it is served behind that secret
//     only, with Cache-Control: no-store; its wire types are package
//     internal/recentapi, shared with the TUI's from-serve source.
//   - Logs never carry cookies, tokens or session contents: one line per
//     change of backend health at the default level (backendWatch), one per
//     resolution at debug.
//
// It may import resolver, resolver/bus and internal/recentapi; it must not
// import the CLI, the TUI, bench or profiles.
package server
