// Command authscope resolves Auth.js sessions natively in Go, lets operators
// browse and redact live sessions, and load-tests session resolution (local
// versus proxy) with HDR latency histograms.
//
// With no arguments it opens the terminal app on the embedded demo. Each
// subcommand documents itself: authscope <command> --help.
//
// main only wires: the signal context (SIGINT and SIGTERM end serve, bench
// and the TUI gracefully) and one call into internal/cli, which holds the
// commands.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/authscope/authscope/internal/cli"
)

// version is set by -ldflags "-X main.version=..." in release builds.
var version = ""

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	exe, _ := os.Executable() // "": bench serves its built-in upstream in process
	code := cli.Run(ctx, cli.Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, Version: version, Executable: exe}, os.Args[1:])
	stop()
	os.Exit(code)
}
