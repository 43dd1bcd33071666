package backend

import (
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"

	"github.com/authscope/authscope/tui"
)

// LatencyHistogram is a tui.LatencyRecorder over an HDR histogram with
// bench's range and precision (1µs to 60s, 3 significant figures), so the
// Resolver screen's percentiles read like a load run's. Latencies outside
// the range are clamped to it rather than dropped: a resolution slower than
// a minute still counts, as a minute. Not safe for concurrent use (tui
// records under its own lock).
type LatencyHistogram struct {
	h *hdrhistogram.Histogram
}

// NewLatencyHistogram returns an empty histogram; its signature fits
// tui.Deps.Latencies.
func NewLatencyHistogram() tui.LatencyRecorder {
	return &LatencyHistogram{h: hdrhistogram.New(minLatency, maxLatency, 3)}
}

// The histogram's range in nanoseconds.
const (
	minLatency = int64(time.Microsecond)
	maxLatency = int64(time.Minute)
)

// Record implements tui.LatencyRecorder.
func (l *LatencyHistogram) Record(d time.Duration) {
	v := min(max(d.Nanoseconds(), minLatency), maxLatency)
	// In range by construction: RecordValue cannot fail.
	_ = l.h.RecordValue(v)
}

// Percentile implements tui.LatencyRecorder.
func (l *LatencyHistogram) Percentile(p float64) time.Duration {
	return time.Duration(l.h.ValueAtPercentile(p))
}
