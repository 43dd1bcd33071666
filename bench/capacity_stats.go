package bench

import (
	"bytes"
	"fmt"
	"math"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// The statistics a capacity probe is judged on: how many samples a
// percentile needs, the confidence interval of a percentile read from an
// HDR histogram, and the signature of saturation in a probe's interval
// histograms. Everything here is deterministic (no resampling), so a
// report and a test see the same figures from the same histogram.

// ciLevel is the confidence of every percentile interval: 95%.
const ciLevel = 0.95

// tailSamples is how many samples a percentile wants beyond it: with 30
// requests slower than the p99, the p99 is read from a real tail, not
// from the second-worst request. The floor keeps low percentiles honest
// too.
const (
	tailSamples = 30
	minSamples  = 1000
)

// samplesFor returns how many samples a probe needs for the percentile q
// (0-100): 3,000 for p99, 30,000 for p99.9, 1,000 for p90 and below.
func samplesFor(q float64) int64 {
	tail := 1 - q/100
	if tail <= 0 {
		return minSamples * 100 // the max: as many as a probe can hold
	}
	return max(minSamples, int64(math.Ceil(tailSamples/tail-1e-6))) // 1 − 0.999 is not exact
}

// QuantileCI is a latency percentile with its 95% confidence interval,
// all in nanoseconds. The interval is the distribution-free one of order
// statistics: the ranks between which the true percentile lies with 95%
// probability come from the binomial distribution of how many samples
// fall below it, and are read back from the histogram as values.
type QuantileCI struct {
	Quantile float64 `json:"quantile"` // 0-100
	Value    int64   `json:"ns"`
	Low      int64   `json:"low_ns"`
	High     int64   `json:"high_ns"`
	// Bounded is false when the samples are too few for an upper bound:
	// the interval's upper rank lies beyond the slowest request, so High
	// (the max) only says "at least".
	Bounded bool `json:"bounded"`
}

// String renders "4.1ms [3.9ms, 4.4ms]".
func (c QuantileCI) String() string {
	hi := FormatNs(c.High)
	if !c.Bounded {
		hi = "≥" + hi
	}
	return fmt.Sprintf("%s [%s, %s]", FormatNs(c.Value), FormatNs(c.Low), hi)
}

// quantileCI reads percentile q (0-100) of h with its confidence interval.
func quantileCI(h *hdr.Histogram, q float64) QuantileCI {
	out := QuantileCI{Quantile: q}
	if h == nil || h.TotalCount() == 0 {
		return out
	}
	n := h.TotalCount()
	out.Value = h.ValueAtPercentile(q)
	lo, hi := binomialRanks(n, q/100, 1-ciLevel)
	out.Low, out.High, out.Bounded = h.Min(), h.Max(), hi <= n
	if lo >= 1 {
		out.Low = valueAtRank(h, lo)
	}
	if out.Bounded {
		out.High = valueAtRank(h, hi)
	}
	return out
}

// valueAtRank returns the r-th smallest sample (1-based) of h.
// ValueAtPercentile takes the rank int(p·n + 0.5); aiming a quarter below
// r keeps float rounding from landing on r−1.
func valueAtRank(h *hdr.Histogram, r int64) int64 {
	return h.ValueAtPercentile(100 * (float64(r) - 0.25) / float64(h.TotalCount()))
}

// binomialRanks returns the order statistics (1-based ranks lo and hi)
// bracketing the p-quantile of n samples with confidence 1−alpha: lo is the
// largest rank with P(B ≤ lo−1) ≤ alpha/2 and hi the smallest with
// P(B ≤ hi−1) ≥ 1−alpha/2, B ~ Binomial(n, p) counting the samples below
// the true quantile. lo is 0 when no sample is low enough (the bound is the
// minimum) and hi is n+1 when none is high enough (no upper bound). The
// probabilities are exact (log-gamma), summed over the window where the
// distribution has its mass.
func binomialRanks(n int64, p, alpha float64) (lo, hi int64) {
	if n <= 0 || p <= 0 || p >= 1 {
		return 0, n + 1
	}
	mean := float64(n) * p
	sd := math.Sqrt(mean * (1 - p))
	from := max(0, int64(math.Floor(mean-12*sd))-2)
	to := min(n, int64(math.Ceil(mean+12*sd))+2)
	lgN, _ := math.Lgamma(float64(n) + 1)
	lp, lq := math.Log(p), math.Log1p(-p)
	lo, hi = 0, n+1
	cdf := 0.0 // P(B ≤ k−1); the mass below the window is negligible (< 1e-30)
	for k := from; k <= to; k++ {
		if cdf <= alpha/2 && k >= 1 {
			lo = k
		}
		lgK, _ := math.Lgamma(float64(k) + 1)
		lgNK, _ := math.Lgamma(float64(n-k) + 1)
		cdf += math.Exp(lgN - lgK - lgNK + float64(k)*lp + float64(n-k)*lq)
		if cdf >= 1-alpha/2 && hi == n+1 {
			hi = k + 1
		}
	}
	return lo, hi
}

// Saturation is the signature of a target past its limit, read from one
// probe: achieved rate falling behind the rate asked, latency growing
// over the step (a queue building: the late intervals slower than the
// early ones), errors. A probe with none of these that still breaks the
// SLO is slow, not saturated.
type Saturation struct {
	// AchievedShare is achieved/asked (1: kept up).
	AchievedShare float64 `json:"achieved_share"`
	// EarlyP50 and LateP50 are the corrected medians of the first and the
	// last third of the step's intervals (ns); 0 when the step had fewer
	// than three intervals.
	EarlyP50 int64 `json:"early_p50_ns"`
	LateP50  int64 `json:"late_p50_ns"`
	// Signs name what was seen: "behind", "queueing", "errors".
	Signs []string `json:"signs,omitempty"`
}

// Saturated reports whether any sign of saturation was seen.
func (s Saturation) Saturated() bool { return len(s.Signs) > 0 }

// queueGrowth is how much slower the late intervals' median must be than
// the early ones' to call it a queue building; queueFloor (a share of the
// SLO's limit) keeps microsecond jitter from counting.
const (
	queueGrowth = 2.0
	queueFloor  = 0.1
)

// saturationOf reads the signature from a probe's report and its interval
// histograms (corrected, in order).
func (c CapacityConfig) saturationOf(rate float64, s *ScenarioReport, intervals []*hdr.Histogram) Saturation {
	sat := Saturation{}
	if rate > 0 {
		sat.AchievedShare = s.RateAchieved / rate
	}
	if s.Requests == 0 || sat.AchievedShare < achievedFloor {
		sat.Signs = append(sat.Signs, "behind")
	}
	if k := len(intervals) / 3; k >= 1 {
		sat.EarlyP50 = mergedP50(intervals[:k])
		sat.LateP50 = mergedP50(intervals[len(intervals)-k:])
		grew := float64(sat.LateP50) >= queueGrowth*float64(sat.EarlyP50)
		if grew && float64(sat.LateP50-sat.EarlyP50) > queueFloor*float64(c.SLO.Limit) {
			sat.Signs = append(sat.Signs, "queueing")
		}
	}
	if c.erred(s) {
		sat.Signs = append(sat.Signs, "errors")
	}
	return sat
}

func mergedP50(hs []*hdr.Histogram) int64 {
	m := newHistogram()
	for _, h := range hs {
		m.Merge(h)
	}
	return m.ValueAtPercentile(50)
}

// readIntervals returns the interval histograms of scenario name, in
// order, from an .hlog the run wrote: corrected (tag NAME) and uncorrected
// (NAME.uncorrected).
func readIntervals(log []byte, name string) (corr, uncorr []*hdr.Histogram, err error) {
	rd := hdr.NewHistogramLogReader(bytes.NewReader(log))
	for {
		h, err := rd.NextIntervalHistogram()
		if err != nil {
			return corr, uncorr, fmt.Errorf("bench: read probe intervals: %w", err)
		}
		switch {
		case h == nil:
			return corr, uncorr, nil
		case h.Tag() == name:
			corr = append(corr, h)
		case h.Tag() == name+uncorrectedSuffix:
			uncorr = append(uncorr, h)
		}
	}
}
