// Package cli is authscope's command line: one file per command (resolve,
// mint, serve, upstream, seed, db, bench, capacity, report, profiles, tui;
// help and version in help.go), each parsing its flags with the standard
// library's flag package and wiring the packages that do the work.
//
// Run is the whole interface: main gives it the signal context, the
// process's streams and environment, and exits with the code it returns
// (0 ok, 1 failure, 2 usage). Commands read and write only the cliEnv they
// are given, so tests run them in-process.
//
// What lives elsewhere, and why: the /session server is internal/server,
// the embedded demo internal/demo, the resolver-to-bench wiring
// internal/benchtarget, the layering of profile, environment and flags
// into a validated resolver configuration internal/config, the recent-
// sessions wire format internal/recentapi. What stays here is what is
// specific to a command line: flag names, help texts, the mapping of
// errors to exit codes and one-line messages, and turning flags into the
// other packages' configuration.
//
// It may import every other package of the module; nothing imports it but
// main.
package cli
