package bench

import (
	"os"
	"runtime/debug"
	"sync"
)

// runGCPercent is the garbage collector's target while runs are going
// (GOGC=400), unless the environment sets GOGC. Per request the generator
// allocates what vegeta's attacker does (the Request, its headers, the
// Result and its body) over a small live heap of fixed size (the
// histograms, the connections' buffers): at the default target the
// collector (marking, assists, sweeping) took about an eighth of the
// generator's CPU at its ceiling. At 400 it runs about a quarter as often
// and the heap stays in the tens of megabytes.
const runGCPercent = 400

// gcRaise holds the raised target while at least one run is going (runs
// may overlap: the TUI starts one while another ends), and restores the
// process's own when the last one ends.
var gcRaise struct {
	mu    sync.Mutex
	runs  int
	saved int
}

// raiseGC raises the GC target for a run; the returned func undoes it.
func raiseGC() (restore func()) {
	if _, set := os.LookupEnv("GOGC"); set {
		return func() {}
	}
	gcRaise.mu.Lock()
	defer gcRaise.mu.Unlock()
	if gcRaise.runs++; gcRaise.runs == 1 {
		gcRaise.saved = debug.SetGCPercent(runGCPercent)
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			gcRaise.mu.Lock()
			defer gcRaise.mu.Unlock()
			if gcRaise.runs--; gcRaise.runs == 0 {
				debug.SetGCPercent(gcRaise.saved)
			}
		})
	}
}
