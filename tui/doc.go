// Package tui is authscope's terminal app: a session explorer and a
// load-run cockpit, built on Bubble Tea v2, Bubbles and Lip Gloss.
//
// # Screens
//
// Three screens share a tab bar and a status bar (profile, mode, strategy,
// cache, redaction, last message or error):
//
//   - Sessions: a paged table of sessions (the store's for the database
//     strategy, a cookie population's for jwt) with their state and the
//     last resolution's result and latency; a filter, a sort, and a detail
//     view with the resolved session JSON and decoded claims.
//   - Resolver: the mode, strategy, cache and redaction settings, each
//     toggled with one key, and live counters of the resolver in use.
//   - Load: load profiles, live progress and rates, HDR percentiles of every
//     scenario side by side, a percentile-curve chart (local and proxy in
//     different colours), reasons, capacity search and report export.
//
// # Design
//
// The root Model owns one concrete model per screen (Glow style) and a
// *common shared by pointer (size, styles, keys, settings, the current
// resolver). Update never does I/O: listing, resolving, building a
// resolver, revoking, running and exporting are tea.Cmds that capture
// values and return messages carrying the id they were issued under (a
// list or resolve sequence, an engine generation, a run id). The owner of
// a message drops it when the id is no longer current, so a result from
// before a toggle, a newer page or a stopped run never lands. Load runs
// stream through a channel re-armed one message at a time (the Bubble Tea
// realtime pattern); the source throttles them.
//
// The session table holds only a window of rows (three screens' worth)
// around the visible part; moving past it asks the source for the window
// there and renders placeholders until it arrives, so browsing 100,000
// sessions costs the same as browsing 100. The sources that do this over a
// store or an in-memory cookie population live in tui/backend.
//
// # Redaction
//
// Redaction is on by default and uses resolver's Redactor, the policy every
// surface shares: e-mails as a•••@example.com, names as initials, tokens
// only as keyed fingerprints. One session at a time can be revealed from
// its detail after a confirmation, and is re-redacted when the detail is
// left; tokens and secrets are never shown, revealed or not, and what y
// copies is always the redacted JSON. The filter matches only what the
// list shows (masked name and e-mail, fingerprint), so it cannot find rows
// by a hidden value, and the name and e-mail sorts order by the masked
// values, so an order cannot tell apart what the column shows as equal.
// Stores sort by expiry or user only, so the database listing offers no
// name or e-mail sort (the help says so). r on the Resolver screen locks reveal at once;
// unlocking asks for the same confirmation as a reveal.
//
// # Writes
//
// Browsing never writes: the Engine a ResolverFactory builds is read-only
// (resolver.Config.ReadOnly), so showing a row's last result neither
// prunes an expired session nor extends a due one, and the CLI opens
// the browsed store read-only. Revocation (x one session, X every
// session of its user; database sessions only, after a confirmation, and
// the resolver's cache drops what it held for them) is the one write;
// Deps.ReadOnly turns it off and the status bar then says "read-only".
//
// # Dependencies
//
// The screens depend on the rest of authscope only through the
// consumer-side interfaces in deps.go (SessionSource, ResolverFactory,
// Runner, LatencyRecorder) and the plain value types they carry, some of
// them resolver's (Session, Claims, Strategy, Mode, Reason, Redactor). tui
// imports no store, no package bench and no histogram: the adapters over
// those (BrowserSource, MemorySource, BenchRunner, LatencyHistogram) are
// in tui/backend, which imports tui, never the other way round. So the
// screens are built and tested against fakes (fakes_test.go), the
// adapters are tested against real stores and real runs in their own
// package, and the CLI wires the two together.
package tui
