package bench

import (
	"math"
	"time"
)

// State is where a scenario is in a run.
type State uint8

// States.
const (
	StatePending State = iota
	StateWarmup
	StateMeasuring
	StateDone
)

// String implements fmt.Stringer.
func (s State) String() string {
	switch s {
	case StatePending:
		return "pending"
	case StateWarmup:
		return "warmup"
	case StateMeasuring:
		return "measuring"
	case StateDone:
		return "done"
	}
	return "unknown"
}

// Snapshot is an immutable view of a run in progress, sent by Run at most
// four times a second (latest wins) and once more, always, when the run
// ends (Final, with the Report). Nothing in it changes after it is sent:
// the receiver may keep it and read it from any goroutine, but must not
// modify it (histograms of finished scenarios are shared, read-only, by
// the later snapshots and the Report).
type Snapshot struct {
	// Elapsed is the time since the run started.
	Elapsed time.Duration
	// Current is the index of the scenario running, -1 once none is.
	Current int
	// Scenarios has one entry per configured scenario, in order.
	Scenarios []ScenarioSnapshot
	// Final marks the last snapshot; Report and Err are set only on it.
	Final    bool
	Canceled bool
	Report   *Report
	// Err is a failure that ended the run or lost output (an unwritable
	// .hlog); figures up to that point are still in Report.
	Err error
}

// ScenarioSnapshot is one scenario's live figures.
type ScenarioSnapshot struct {
	State State
	// Elapsed is the time into the scenario's schedule (warm-up included),
	// Planned the schedule's length.
	Elapsed, Planned time.Duration
	// Report holds the figures so far (the measurement window only).
	Report ScenarioReport
}

// Bucket is one column of a latency histogram: Count requests took
// between From and To nanoseconds.
type Bucket struct {
	From, To int64
	Count    int64
}

// Buckets re-buckets the corrected latency histogram into n log-spaced
// columns between its minimum and maximum, for drawing a histogram of the
// given width. It returns nil when there is nothing to draw.
func (s ScenarioSnapshot) Buckets(n int) []Bucket {
	h := s.Report.corrected
	if n <= 0 || h == nil || h.TotalCount() == 0 {
		return nil
	}
	lo, hi := float64(max(h.Min(), 1)), float64(max(h.Max(), 1))
	if hi <= lo {
		hi = lo * 1.01
	}
	ratio := math.Log(hi / lo)
	out := make([]Bucket, n)
	for i := range out {
		out[i].From = int64(lo * math.Exp(ratio*float64(i)/float64(n)))
		out[i].To = int64(lo * math.Exp(ratio*float64(i+1)/float64(n)))
	}
	for _, b := range h.Distribution() {
		if b.Count == 0 {
			continue
		}
		mid := float64(b.From+b.To) / 2
		i := 0
		if mid > lo {
			i = int(float64(n) * math.Log(mid/lo) / ratio)
		}
		out[min(max(i, 0), n-1)].Count += b.Count
	}
	return out
}
