package cli

import (
	"fmt"
	"io"
	"runtime/debug"
	"strings"
)

// printUsage is `authscope --help`.
func printUsage(w io.Writer) {
	fmt.Fprint(w, `authscope: Auth.js sessions, resolved natively in Go.

Usage:
  authscope [command] [flags]
  authscope [tui flags]          (no command: the terminal UI, on the embedded demo by default)

Commands:
`)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `
Run "authscope <command> --help" for a command's flags.
Secrets come from AUTH_SECRET (and AUTH_SECRET_1..3 for rotation), never from flags.
`)
}

// buildVersion is what `authscope --version` prints after the name.
func buildVersion() string {
	bi, _ := debug.ReadBuildInfo()
	return describeBuild(version, bi)
}

// describeBuild names the build: the release version main was built with,
// else the module version (a `go install ...@v1.2.3` build), else
// "(devel)"; then the VCS revision, its commit time and whether the tree
// had uncommitted changes, as `go build` stamps them, and the Go version.
// A bug report quoting it names the exact source.
func describeBuild(release string, bi *debug.BuildInfo) string {
	v := release
	if v == "" && bi != nil && bi.Main.Version != "" {
		v = bi.Main.Version
	}
	if v == "" {
		v = "(devel)"
	}
	if bi == nil {
		return v
	}
	var rev, at string
	modified := false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	var parts []string
	if rev != "" {
		parts = append(parts, "commit "+rev)
	}
	if at != "" {
		parts = append(parts, at)
	}
	if modified {
		parts = append(parts, "modified")
	}
	if bi.GoVersion != "" {
		parts = append(parts, bi.GoVersion)
	}
	if len(parts) == 0 {
		return v
	}
	return v + " (" + strings.Join(parts, ", ") + ")"
}
