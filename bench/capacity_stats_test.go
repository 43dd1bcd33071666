package bench

import (
	"strings"
	"testing"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// TestBinomialRanks checks the order-statistic interval against the
// published table: the 95% interval of the median of 100 samples is the
// 40th to the 61st; and a p99 of 100 samples has no upper bound.
func TestBinomialRanks(t *testing.T) {
	if lo, hi := binomialRanks(100, 0.5, 0.05); lo != 40 || hi != 61 {
		t.Errorf("median of 100: ranks %d..%d, want 40..61", lo, hi)
	}
	if _, hi := binomialRanks(100, 0.99, 0.05); hi <= 100 {
		t.Errorf("p99 of 100: upper rank %d, want none (> 100)", hi)
	}
	// 3,000 samples bound the p99 on both sides, around rank 2,970.
	lo, hi := binomialRanks(3000, 0.99, 0.05)
	if lo < 2950 || lo > 2965 || hi < 2976 || hi > 2990 {
		t.Errorf("p99 of 3000: ranks %d..%d", lo, hi)
	}
}

func TestQuantileCI(t *testing.T) {
	h := newHistogram()
	for v := int64(1); v <= 10000; v++ {
		_ = h.RecordValue(v * int64(time.Microsecond))
	}
	ci := quantileCI(h, 99)
	within := func(got, want int64) bool { return got >= want*99/100 && got <= want*101/100 }
	if !ci.Bounded || !within(ci.Value, 9900_000) || ci.Low >= ci.Value || ci.High <= ci.Value ||
		!within(ci.Low, 9880_000) || !within(ci.High, 9920_000) {
		t.Errorf("p99 of 1..10000µs: %+v", ci)
	}
	few := newHistogram()
	for v := int64(1); v <= 50; v++ {
		_ = few.RecordValue(v * int64(time.Millisecond))
	}
	if ci := quantileCI(few, 99); ci.Bounded || ci.High != few.Max() || !strings.HasPrefix(ci.String()[strings.Index(ci.String(), ",")+2:], "≥") {
		t.Errorf("p99 of 50 samples claims an upper bound: %+v %s", ci, ci)
	}
	if got := samplesFor(99); got != 3000 {
		t.Errorf("samples for p99: %d", got)
	}
	if got := samplesFor(99.9); got != 30000 {
		t.Errorf("samples for p99.9: %d", got)
	}
}

// TestFailureExplained: which failures the host explains (measured
// again), which the generator's lateness alone explains (judged without
// it: on the target's own figures, or for the generator's ceiling on its
// keeping its schedule), and which are the target's.
func TestFailureExplained(t *testing.T) {
	cc := CapacityConfig{SLO: SLO{Quantile: 99, Limit: 10 * time.Millisecond}, MaxErrors: 0.001}.withDefaults()
	ceiling := cc
	ceiling.ceiling = true
	report := func(ownP99, lag, lagP50 time.Duration, achieved float64) *ScenarioReport {
		u := newHistogram()
		for range 100 {
			_ = u.RecordValue(int64(ownP99))
		}
		s := &ScenarioReport{Requests: 1000, Succeeded: 1000, RateTarget: 1000, RateAttempted: 1000, RateAchieved: achieved, Sources: 1, uncorrected: u}
		s.DispatchLagNs.P99, s.DispatchLagNs.P50 = int64(lag), int64(lagP50)
		s.LatencyUncorrectedNs.P50 = int64(ownP99)
		return s
	}
	quiet := HostLoad{Known: true, Cores: 2, OtherCores: 0.2}
	busy := HostLoad{Known: true, Cores: 2, OtherCores: 1.6, OwnWaitShare: 0.4}
	// Neighbours on the CPU this process left idle: they delayed nothing.
	idleUsed := HostLoad{Known: true, Cores: 2, OtherCores: 1.6, OwnWaitShare: 0.02}
	ms := time.Millisecond
	for _, c := range []struct {
		name       string
		cc         CapacityConfig
		s          *ScenarioReport
		load       HostLoad
		host, late string // "": not explained that way; else a word of the explanation
	}{
		{"on time, target slow, neighbours on idle CPU", cc, report(20*ms, 0, 0, 1000), idleUsed, "", ""},
		{"on time, target slow, neighbours delayed it", cc, report(20*ms, 0, 0, 1000), busy, "waited for a CPU", ""},
		{"run-queue delay unknown", cc, report(20*ms, 0, 0, 1000), HostLoad{Known: true, Cores: 2, OtherCores: 1.6, OwnWaitShare: -1}, "other processes", ""},
		{"steal", cc, report(20*ms, 0, 0, 1000), HostLoad{Known: true, Cores: 2, StealShare: 0.3}, "steal", ""},
		{"late on a busy host", cc, report(20*ms, 30*ms, 0, 1000), busy, "other processes", ""},
		{"late, load average stands in", cc, report(20*ms, 30*ms, 0, 1000), HostLoad{Cores: 2, Load1: 6}, "load average", ""},
		{"late, target held", cc, report(ms, 30*ms, 0, 1000), quiet, "", "target's own p99 1.00ms held"},
		{"late on a quiet host, target slow too", cc, report(20*ms, 30*ms, 0, 1000), quiet, "", ""},
		{"late, target behind what it was sent", cc, report(ms, 30*ms, 0, 800), quiet, "", ""},
		{"late, generator behind the rate asked", cc, func() *ScenarioReport { r := report(ms, 30*ms, 0, 800); r.RateAttempted = 800; return r }(), quiet, "", ""},
		{"ceiling: behind the rate asked", ceiling, func() *ScenarioReport {
			r := report(0, 30*ms, 500*time.Microsecond, 800)
			r.RateAttempted = 800
			return r
		}(), quiet, "", ""},
		{"lag within its bound", cc, report(ms, 2*ms, 0, 1000), quiet, "", ""},
		{"ceiling: late tail, on schedule", ceiling, report(0, 30*ms, 500*time.Microsecond, 1000), quiet, "", "kept its schedule"},
		{"ceiling: fallen behind", ceiling, report(0, 30*ms, 20*ms, 1000), quiet, "", ""},
	} {
		if got := c.cc.hostExplains(c.s, c.load); (c.host == "") != (got == "") || !strings.Contains(got, c.host) {
			t.Errorf("%s: host %q, want %q", c.name, got, c.host)
		}
		if c.host != "" {
			continue // the host's: re-measured, never judged without the lag
		}
		if got := c.cc.lateOnly(1000, c.s, nil, Saturation{}); (c.late == "") != (got == "") || !strings.Contains(got, c.late) {
			t.Errorf("%s: late only %q, want %q", c.name, got, c.late)
		}
	}
}

// TestSaturationQueueing: a step whose late intervals are much slower than
// its early ones is a queue building; microsecond wobble is not.
func TestSaturationQueueing(t *testing.T) {
	cc := CapacityConfig{SLO: SLO{Quantile: 99, Limit: 10 * time.Millisecond}}.withDefaults()
	ivs := func(p50s ...time.Duration) []*hdr.Histogram {
		var out []*hdr.Histogram
		for _, v := range p50s {
			h := newHistogram()
			_ = h.RecordValue(int64(v))
			out = append(out, h)
		}
		return out
	}
	s := &ScenarioReport{Requests: 10, RateAchieved: 100}
	if sat := cc.saturationOf(100, s, ivs(time.Millisecond, time.Millisecond, 2*time.Millisecond, 4*time.Millisecond, 8*time.Millisecond, 9*time.Millisecond)); !sat.Saturated() || sat.Signs[0] != "queueing" {
		t.Errorf("growing queue not seen: %+v", sat)
	}
	if sat := cc.saturationOf(100, s, ivs(20*time.Microsecond, 20*time.Microsecond, 60*time.Microsecond, 60*time.Microsecond)); sat.Saturated() {
		t.Errorf("microsecond wobble called saturation: %+v", sat)
	}
	if sat := cc.saturationOf(200, s, nil); len(sat.Signs) != 1 || sat.Signs[0] != "behind" {
		t.Errorf("achieved 100/s of 200/s: %+v", sat)
	}
}
