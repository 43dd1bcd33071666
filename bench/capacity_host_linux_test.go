//go:build linux

package bench

import (
	"testing"
	"time"
)

// TestWatchHostReadsRunQueueWait: on Linux the probe's host evidence
// includes this process's run-queue wait share, a fraction.
func TestWatchHostReadsRunQueueWait(t *testing.T) {
	run, _, ok := readSchedstat()
	if !ok || run <= 0 {
		t.Skipf("schedstat not readable here (run %v, ok %v)", run, ok)
	}
	done := watchHost()
	for end := time.Now().Add(50 * time.Millisecond); time.Now().Before(end); {
	}
	h := done()
	if !h.Known || h.OwnWaitShare < 0 || h.OwnWaitShare > 1 {
		t.Errorf("host %+v: want a known wait share in [0, 1]", h)
	}
}
