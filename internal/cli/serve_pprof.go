package cli

import (
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"time"
)

// startPprof serves the runtime profiles (net/http/pprof: CPU, heap,
// allocations, goroutines, execution trace) on addr, a loopback address
// whatever --allow-remote says, on a listener of its own so the session
// endpoint's mux never carries them. It is opt-in (serve --pprof ADDR):
// for profiling serve under a load generator, as issue 15's figures were.
// Profiles hold stacks and sizes, never memory contents; /cmdline is left
// out all the same.
func (proc *process) startPprof(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return usagef("--pprof %q: %v", addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return usagef("--pprof %q: profiles are served on a loopback address only", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("--pprof: listen %s: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	proc.closers = append(proc.closers, srv.Close)
	proc.logger.Info("pprof listening", "addr", ln.Addr().String())
	return nil
}
