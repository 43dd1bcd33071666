// Package demo is the embedded demo a bare `authscope` opens: everything
// the terminal app needs, made at start-up on this machine and gone when
// it exits.
//
// [Start] generates a secret for the run (AUTHSCOPE_DEMO_SECRET fixes it),
// seeds a SQLite store in a temporary directory with a few thousand
// sessions, mints JWT cookies for the same people, and starts two
// Auth.js-compatible upstreams (one per strategy) on free loopback ports
// for proxy mode. [Demo.LoadProfiles] are the Load screen's runs: local
// against proxy for each strategy, every scenario a real resolver.
//
// Why a package of its own: the demo is a small deployment, not command
// wiring; the CLI only turns it into the TUI's dependencies. It builds on
// internal/benchtarget's Env (the same loopback environment bench runs
// use) and may import bench, resolver, resolver/store, profiles and the
// tui package's data types; it must not import the CLI.
package demo
