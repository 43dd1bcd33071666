package server

import (
	"context"
	"os"
	"runtime/debug"
	"testing"
	"time"
)

func TestGCPercentFor(t *testing.T) {
	for _, c := range []struct {
		live uint64
		want int
	}{
		{0, 400}, {1 << 20, 400}, {16 << 20, 400}, {32 << 20, 300}, {64 << 20, 200}, {128 << 20, 150}, {1 << 30, 106}, {1 << 40, 100},
	} {
		got := gcPercentFor(c.live)
		if got != c.want {
			t.Errorf("live %d MiB: target %d, want %d", c.live>>20, got, c.want)
		}
		// The heap beyond the default's (live×2) stays within gcSpare.
		if extra := float64(c.live) * float64(got-100) / 100; extra > gcSpare {
			t.Errorf("live %d MiB: target %d lets the heap grow %.0f MiB beyond the default's", c.live>>20, got, extra/(1<<20))
		}
	}
}

// gcPercent reads the process's target without changing it.
func gcPercent() int {
	p := debug.SetGCPercent(100)
	debug.SetGCPercent(p)
	return p
}

func TestTuneGC(t *testing.T) {
	if v, set := os.LookupEnv("GOGC"); set {
		t.Cleanup(func() { os.Setenv("GOGC", v) })
		os.Unsetenv("GOGC")
	}
	before := gcPercent()
	ctx, cancel := context.WithCancel(t.Context())
	TuneGC(ctx)
	if got, want := gcPercent(), gcPercentFor(liveHeap()); got != want || got <= 100 {
		t.Errorf("serving: target %d, want %d (above the default for this test's small heap)", got, want)
	}
	cancel()
	deadline := time.Now().Add(5 * time.Second)
	for gcPercent() != before && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if got := gcPercent(); got != before {
		t.Errorf("after serving: target %d, want the process's own %d back", got, before)
	}

	t.Setenv("GOGC", "150")
	debug.SetGCPercent(150)
	t.Cleanup(func() { debug.SetGCPercent(before) })
	TuneGC(t.Context())
	if got := gcPercent(); got != 150 {
		t.Errorf("with GOGC=150 in the environment: target %d, want it kept", got)
	}
}
