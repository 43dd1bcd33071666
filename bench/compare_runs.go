package bench

import (
	"fmt"
	"math"
	"slices"
)

// Several baseline runs. One run's intervals (quantileCI, widened by the
// spread of its own one-second intervals) hold the noise within a run,
// but on a shared machine two runs of the same build differ by more: the
// neighbours' load, CPU frequency and cache state last whole runs. Only
// repeated runs show that between-run variance, so CompareRuns takes k
// baseline runs of the same build and forms each metric's noise bound
// from two parts:
//
//   - the union of the baseline runs' own 95% intervals (never narrower
//     than any one run's, so k = 1 is exactly Compare's single-run bound);
//   - the 95% prediction interval for one more run drawn like the
//     baselines: mean ± t·s·√(1 + 1/k) over the k runs' point values,
//     with Student's t at k−1 degrees of freedom. It is the textbook
//     interval for "where does the next observation fall", it already
//     holds the new run's own drift (the 1 in √(1 + 1/k)), and its t
//     makes few baselines honest: 12.7 for two runs (their spread is
//     known poorly), 4.3 for three, 2.8 for five.
//
// Latencies and rates take that interval on the logarithms of the runs'
// figures: a busy machine scales them (every request a share slower)
// rather than adding a constant, so their drift is symmetric in log
// space, and a plain interval would under-reach above the runs (false
// regressions) and over-reach below them. Error ratios, near 0 and
// bounded by 1, keep the plain scale.
//
// The new run is then judged against that bound as against a single
// baseline's interval: a regression only when its own interval lies above
// the bound by more than the regression bound. The baseline figure shown
// is the centre of the interval: the runs' geometric mean for latencies
// and rates, the mean for error ratios.
//
// A 95% interval's tail remains: the synthetic drift tests
// (compare_runs_test.go: 15% run-to-run drift, 60 seeds) see the same
// build flagged in at most one seed in 60 with two to five baselines,
// against 14-18 in 60 with one baseline; three baselines catch a 2 ms
// slowdown and a 30% throughput drop in every seed, two do not (t = 12.7).

// predictionInterval returns the mean of vals (k ≥ 2) and the half-width
// of the 95% prediction interval for one more value drawn like them.
func predictionInterval(vals []float64) (mean, half float64) {
	k := float64(len(vals))
	for _, v := range vals {
		mean += v
	}
	mean /= k
	ss := 0.0
	for _, v := range vals {
		ss += (v - mean) * (v - mean)
	}
	sd := math.Sqrt(ss / (k - 1))
	return mean, studentT975(len(vals)-1) * sd * math.Sqrt(1+1/k)
}

// predictionBounds is the centre and the ends of the prediction interval
// of vals. On the log scale (latencies and rates: positive, and a busy
// machine scales them rather than adding to them) it is computed on the
// logarithms, so the centre is the geometric mean and the interval is
// wider above than below, as the runs' drift is; a value ≤ 0 falls back
// to the plain scale.
func predictionBounds(vals []float64, logScale bool) (centre, lo, hi float64) {
	if logScale && !slices.ContainsFunc(vals, func(v float64) bool { return v <= 0 }) {
		logs := make([]float64, len(vals))
		for i, v := range vals {
			logs[i] = math.Log(v)
		}
		m, h := predictionInterval(logs)
		return math.Exp(m), math.Exp(m - h), math.Exp(m + h)
	}
	m, h := predictionInterval(vals)
	return m, m - h, m + h
}

// poolRuns forms the baselines' noise bound for one metric from each
// run's interval: on the log scale for latencies and rates, on the plain
// one clamped to [0, 1] for a ratio. One run's interval is returned as it
// is. Bounded only when every run's is: a percentile one baseline run
// cannot bound is not enough samples.
func poolRuns(ivs []Interval, ratio bool) Interval {
	if len(ivs) == 1 {
		return ivs[0]
	}
	out := Interval{Low: math.Inf(1), High: math.Inf(-1), Bounded: true, Runs: len(ivs)}
	vals := make([]float64, len(ivs))
	for i, iv := range ivs {
		vals[i] = iv.Value
		out.Low, out.High = min(out.Low, iv.Low), max(out.High, iv.High)
		out.Bounded = out.Bounded && iv.Bounded && iv.Samples > 0
		out.Samples += iv.Samples
		out.Spread = out.Spread || iv.Spread
	}
	centre, lo, hi := predictionBounds(vals, !ratio)
	ceiling := math.Inf(1)
	if ratio {
		ceiling = 1
	}
	out.Value = centre
	if lo = max(0, lo); lo < out.Low {
		out.Low, out.BetweenRuns = lo, true
	}
	if hi = min(ceiling, hi); hi > out.High {
		out.High, out.BetweenRuns = hi, true
	}
	return out
}

// runValues is each baseline run's point value, nil for a single run (the
// base interval already shows it).
func runValues(ivs []Interval) []float64 {
	if len(ivs) < 2 {
		return nil
	}
	vals := make([]float64, len(ivs))
	for i, iv := range ivs {
		vals[i] = iv.Value
	}
	return vals
}

// noiseBoundText says how many baseline runs there were and how the
// noise bound was formed.
func noiseBoundText(k int) string {
	if k == 1 {
		return "1 baseline run: each figure's noise bound is that run's own 95% interval; a shift lasting a whole run is in no interval (give several baseline runs to bound it)"
	}
	s := fmt.Sprintf("%d baseline runs: each figure's noise bound is the union of the runs' own 95%% intervals and the 95%% prediction interval for one more run from their spread (mean ± t·s·√(1+1/k), t = %.3g at %d degrees of freedom; on the logarithms for latencies and rates, so the base figure is their geometric mean)",
		k, studentT975(k-1), k-1)
	if k == 2 {
		s += "; two runs bound their spread poorly, three or more narrow it"
	}
	return s
}
