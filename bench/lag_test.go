package bench

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestLiveSnapshotCarriesLagCaveat: what a live display needs to mark the
// p99s the generator delayed is on the snapshot's report while the run is
// on (the recorder's live report, as the runner builds it for each
// snapshot): the intervals so far with their dispatch lag, which of them
// were delayed, and the one-line caveat.
func TestLiveSnapshotCarriesLagCaveat(t *testing.T) {
	t0 := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	ss := synthetic(1200, 300, t0) // 4 s
	for i := range ss {
		if sec := ss[i].intended.Sub(t0); sec >= 2*time.Second && sec < 2900*time.Millisecond {
			ss[i].start = ss[i].intended.Add(30 * time.Millisecond) // the generator fell behind
		}
	}
	rec := newRecorder(ScenarioSpec{Name: "proxy-jwt"})
	rec.windowStart, rec.ivStart = t0, t0
	next := t0.Add(time.Second)
	for _, s := range ss {
		for !s.start.Before(next) {
			rec.flush(next)
			rec.resetInterval()
			next = next.Add(time.Second)
		}
		rec.add(s, false)
	}
	// Mid-run: the fourth interval is still open.
	corr, uncorr := rec.current()
	live := rec.report(corr, uncorr, window{length: 4 * time.Second, target: 1200})
	if len(live.Intervals) != 3 {
		t.Fatalf("%d closed intervals on the live report, want 3", len(live.Intervals))
	}
	var delayed []int
	for i, iv := range live.Intervals {
		if live.IntervalLagged(iv) {
			delayed = append(delayed, i)
		}
	}
	if len(delayed) != 1 || delayed[0] != 2 {
		t.Errorf("delayed intervals %v, want only the third (index 2)", delayed)
	}
	if !live.GeneratorLagged() {
		t.Fatalf("live report: generator lag p99 %s not flagged", FormatNs(live.DispatchLagNs.P99))
	}
	if note := live.GeneratorLagNote(); !strings.HasPrefix(note, "proxy-jwt: the generator sent requests late (dispatch lag p99 ") || strings.Contains(note, "\n") {
		t.Errorf("caveat %q", note)
	}
	// The snapshot's copy is its own: later intervals do not change it.
	rec.flush(next)
	if len(live.Intervals) != 3 || len(rec.intervals) != 4 {
		t.Errorf("live report shares the recorder's intervals")
	}
	quiet := rec.report(corr, uncorr, window{length: 4 * time.Second, target: 1200})
	quiet.DispatchLagNs = Latency{}
	if quiet.GeneratorLagNote() != "" {
		t.Errorf("caveat without lag: %q", quiet.GeneratorLagNote())
	}
}

// TestRunReportsIntervals: a run's report holds its intervals, which add
// up to its requests.
func TestRunReportsIntervals(t *testing.T) {
	spec, tg := inproc("noop", TargetFunc(func(context.Context, string) (Outcome, error) { return Outcome{Reason: "session"}, nil }))
	rep, err := Execute(t.Context(), Config{Rate: 1000, Duration: Duration(time.Minute), MaxRequests: 300,
		Interval: Duration(100 * time.Millisecond), Scenarios: []ScenarioSpec{spec}}, tg)
	if err != nil {
		t.Fatal(err)
	}
	s := rep.Scenarios[0]
	var n int64
	for i, iv := range s.Intervals {
		n += iv.Requests
		if iv.P99 < iv.P50 || iv.UncorrectedP99 > iv.P99 || !iv.End.After(iv.Start) || (i > 0 && iv.Start.Before(s.Intervals[i-1].End)) {
			t.Errorf("interval %d: %+v", i, iv)
		}
	}
	if len(s.Intervals) == 0 || n != s.Requests {
		t.Errorf("%d intervals of %d requests, want them to add up to %d", len(s.Intervals), n, s.Requests)
	}
}
