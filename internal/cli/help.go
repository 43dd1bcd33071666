package cli

import (
	"fmt"
	"io"
	"runtime/debug"
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

// buildVersion is what `authscope --version` prints: the release version
// main was built with, else the module version, else "dev".
func buildVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}
