package server

import (
	"context"
	"os"
	"runtime/debug"
	rtmetrics "runtime/metrics"
	"time"
)

// The collector's target while serving. Go's default (GOGC=100) lets the
// heap grow to twice its live size between collections. serve's live heap
// is small and steady (its memos and the dependencies' tables, about a
// megabyte without a result cache) while every request allocates what
// net/http does, so at the default the collector ran every few hundred
// requests and took about 6% of a request's instructions (5.3k of 86k in
// bench/testdata/serve-instr.sh). A higher target runs it less often for
// memory; TuneGC spends at most gcSpare bytes more than the default would
// hold: the target is as high as gcSpare over the live heap allows, between
// 100 and gcMaxPercent, and is worked out again every gcRetune as caches
// fill (a 64 MB live heap gets 200, a gigabyte 106).
const (
	gcSpare      = 64 << 20
	gcMaxPercent = 400
	gcRetune     = 10 * time.Second
)

// gcPercentFor is the target for a live heap of live bytes: the heap may
// reach live×(1+p/100), at most gcSpare beyond the default's live×2.
func gcPercentFor(live uint64) int {
	if live == 0 {
		return gcMaxPercent
	}
	return int(min(100+gcSpare*100/live, gcMaxPercent))
}

// TuneGC sets the collector's target for a serving process (see
// gcPercentFor) until ctx ends, then restores the process's own. A
// process whose environment sets GOGC keeps it. It is the command's to
// call, not New's: the target is the whole process's, and a program
// embedding the handler tunes its own.
func TuneGC(ctx context.Context) {
	if _, set := os.LookupEnv("GOGC"); set {
		return
	}
	current := gcPercentFor(liveHeap())
	saved := debug.SetGCPercent(current)
	go func() {
		t := time.NewTicker(gcRetune)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				debug.SetGCPercent(saved)
				return
			case <-t.C:
				if p := gcPercentFor(liveHeap()); p != current {
					current = p
					debug.SetGCPercent(p)
				}
			}
		}
	}()
}

// liveHeap is the heap the last collection found live, in bytes (0 before
// the first).
func liveHeap() uint64 {
	s := []rtmetrics.Sample{{Name: "/gc/heap/live:bytes"}}
	rtmetrics.Read(s)
	if s[0].Value.Kind() != rtmetrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}
