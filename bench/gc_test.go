package bench

import (
	"os"
	"runtime/debug"
	"testing"
)

// TestRaiseGCOverlappingRuns: overlapping runs keep the raised target
// until the last one ends, then the process's own comes back.
func TestRaiseGCOverlappingRuns(t *testing.T) {
	if _, set := os.LookupEnv("GOGC"); set {
		t.Skip("GOGC set: runs leave the target alone")
	}
	own := debug.SetGCPercent(123)
	defer debug.SetGCPercent(own)
	a := raiseGC()
	b := raiseGC()
	a()
	a() // idempotent
	if got := debug.SetGCPercent(runGCPercent); got != runGCPercent {
		t.Errorf("one run still going: target %d, want %d", got, runGCPercent)
	}
	b()
	if got := debug.SetGCPercent(123); got != 123 {
		t.Errorf("after the last run: target %d, want the process's 123", got)
	}
}
