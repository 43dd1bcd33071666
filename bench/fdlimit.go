package bench

// File descriptors. Every HTTP connection a run opens is a descriptor, and
// when the target is a loopback server in the same process (`bench --via
// http` against its own `serve`), every connection is two. An open-model
// run against a slow target grows its workers without bound, each with a
// connection, until accept(2) fails with "too many open files" and the run
// measures nothing. Two things prevent that:
//
//   - the soft RLIMIT_NOFILE is raised to the hard limit. Go 1.19 and later
//     already do this at startup on Unix (package syscall, to hard−1), so
//     raiseFileLimit only acts when the limit was lowered since (prlimit,
//     or a caller's own Setrlimit); it never lowers it.
//   - HTTP scenarios are bounded to what the limit leaves: at most
//     connBudget connections (the transport's MaxConnsPerHost) and as many
//     workers. Requests beyond it wait for a connection, which the
//     corrected latency shows as dispatch lag (GeneratorLagged).
//
// The limit alone is not enough: it is a count the whole process shares, so
// only a bound on what a run opens keeps a run from exhausting it.

const (
	// fdReserve is kept free for everything else the process opens: the
	// outputs, the store's connections, the server's listener, logs.
	fdReserve = 128
	// minConns is the fewest connections a run gets, however tight the
	// limit: below it a run could not measure anything.
	minConns = 4
	// maxInprocWorkers bounds the workers of in-process scenarios, which
	// hold no descriptor but a goroutine each: an open-model run far above
	// the target's capacity would otherwise grow them until memory runs
	// out. Beyond it requests wait (and show as dispatch lag).
	maxInprocWorkers = 20_000
)

// connBudget returns how many connections an HTTP scenario may hold, given
// the soft limit and the descriptors already open: half of what is left
// after the reserve (a loopback server in the process takes the other half).
func connBudget(soft, open uint64) int {
	free := int64(soft) - int64(open) - fdReserve
	return int(max(free/2, minConns))
}

// fileBudget raises the descriptor limit where it can and returns the
// connection budget of this run's HTTP scenarios (0: unknown, no bound).
func fileBudget() int {
	soft, ok := raiseFileLimit()
	if !ok {
		return 0
	}
	return connBudget(soft, openFiles())
}
