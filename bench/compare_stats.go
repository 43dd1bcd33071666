package bench

import "math"

// The order-statistic interval of a percentile (quantileCI) is the
// sampling noise of one run: it assumes the requests are independent
// draws from one distribution. A shared machine is not that steady: other
// processes, CPU frequency and steal come and go within a run, and then
// two runs of the same build differ by more than that interval. A run's
// own interval series (ScenarioReport.Intervals: each second's p50 and
// p99) shows that drift, so for those two percentiles Compare widens the
// interval to the batch-means one: the percentile ± t·sd/√k over the k
// intervals' values (Student's t at 97.5%, k−1 degrees of freedom). A
// drift that lasts the whole run, the same in every interval, is not in
// it: only interleaved or repeated runs show that. Merged reports carry no
// interval series (percentiles of different generators' intervals do not
// combine) and keep the order-statistic interval.

// spreadMinIntervals is how many intervals the batch-means interval needs.
const spreadMinIntervals = 3

// intervalSpread returns the half-width of the batch-means interval of
// percentile q (50 or 99: what intervals record) over the intervals with
// enough requests to read that percentile; false when q is neither or
// fewer than spreadMinIntervals qualify.
func intervalSpread(ivs []IntervalLatency, q float64) (float64, bool) {
	if q != 50 && q != 99 {
		return 0, false
	}
	need := MinSamplesFor(q)
	var vals []float64
	for _, iv := range ivs {
		if iv.Requests < need {
			continue
		}
		v := iv.P50
		if q == 99 {
			v = iv.P99
		}
		vals = append(vals, float64(v))
	}
	k := len(vals)
	if k < spreadMinIntervals {
		return 0, false
	}
	mean := 0.0
	for _, v := range vals {
		mean += v
	}
	mean /= float64(k)
	ss := 0.0
	for _, v := range vals {
		ss += (v - mean) * (v - mean)
	}
	sd := math.Sqrt(ss / float64(k-1))
	return studentT975(k-1) * sd / math.Sqrt(float64(k)), true
}

// studentT975 is Student's t distribution's 97.5% point for df degrees of
// freedom (df ≥ 1), from the standard table; between rows it takes the
// row of fewer degrees (a wider interval), beyond 30 the normal's.
func studentT975(df int) float64 {
	table := []struct {
		df int
		t  float64
	}{{1, 12.706}, {2, 4.303}, {3, 3.182}, {4, 2.776}, {5, 2.571}, {6, 2.447}, {7, 2.365}, {8, 2.306}, {9, 2.262},
		{10, 2.228}, {12, 2.179}, {15, 2.131}, {20, 2.086}, {25, 2.060}, {30, 2.042}}
	if df > 30 {
		return 1.960
	}
	t := table[0].t
	for _, row := range table {
		if row.df <= df {
			t = row.t
		}
	}
	return t
}
