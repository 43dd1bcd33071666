package backend

import (
	"testing"
	"time"
)

// The histogram answers percentiles within its 3 significant figures and
// clamps latencies outside its range instead of dropping them.
func TestLatencyHistogram(t *testing.T) {
	l := NewLatencyHistogram()
	for i := 1; i <= 100; i++ {
		l.Record(time.Duration(i) * time.Millisecond)
	}
	near := func(got, want time.Duration) bool {
		d := got - want
		return d >= -want/500 && d <= want/500
	}
	if p := l.Percentile(50); !near(p, 50*time.Millisecond) {
		t.Fatalf("p50 = %v, want about 50ms", p)
	}
	if p := l.Percentile(99); !near(p, 99*time.Millisecond) {
		t.Fatalf("p99 = %v, want about 99ms", p)
	}
	c := NewLatencyHistogram()
	c.Record(time.Nanosecond)
	c.Record(2 * time.Hour)
	// Two hours is past the range: unclamped it would not be recorded and
	// the maximum would be the 1ns. The bottom bucket is 512ns wide.
	if lo, hi := c.Percentile(0), c.Percentile(100); lo > time.Microsecond || !near(hi, time.Minute) {
		t.Fatalf("clamped to %v..%v, want ≤1µs..1m", lo, hi)
	}
}
