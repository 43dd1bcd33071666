package bench

import (
	"slices"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// newHistogram returns the histogram every latency goes in: nanoseconds,
// 1 µs to 60 s, 3 significant digits (about 200 KiB, fixed: memory does not
// grow with the run).
func newHistogram() *hdr.Histogram {
	return hdr.New(int64(minLatency), int64(maxLatency), significantDigits)
}

// recorder accumulates one scenario's results. Latencies go into the
// current interval's histograms only; at each interval boundary they are
// merged into the totals and (optionally) written to the .hlog, then reset.
// Nothing is kept per request. Not safe for concurrent use: the run loop
// owns it.
type recorder struct {
	spec ScenarioSpec

	total, totalU *hdr.Histogram // measurement window so far (flushed intervals)
	iv, ivU       *hdr.Histogram // the current interval
	ivStart       time.Time
	// lag is each request's dispatch lag (actual send − intended send):
	// how late the generator itself was.
	lag *hdr.Histogram
	// ivLag is the current interval's dispatch lag, and intervals the
	// closed intervals' percentiles: a few numbers an interval, for the
	// latency-over-time chart and its "generator delayed" marks.
	ivLag     *hdr.Histogram
	intervals []IntervalLatency

	requests, ok, errors, canceled, warmup int64
	cacheHits, upstream, overflow          int64
	reasons                                map[string]int64

	windowStart time.Time // began + warm-up
	lastEnd     time.Time // latest completion in the window
}

func newRecorder(spec ScenarioSpec) *recorder {
	return &recorder{
		spec:    spec,
		total:   newHistogram(),
		totalU:  newHistogram(),
		iv:      newHistogram(),
		ivU:     newHistogram(),
		lag:     newHistogram(),
		ivLag:   newHistogram(),
		reasons: map[string]int64{},
	}
}

// sample is one finished request as the recorder sees it.
type sample struct {
	intended time.Time     // when the schedule wanted it sent
	start    time.Time     // when vegeta sent it (Result.Timestamp)
	latency  time.Duration // vegeta's Result.Latency (from start)
	out      outcome
}

// fromResult builds the sample of a vegeta Result.
func fromResult(r *vegeta.Result, intended time.Time) sample {
	return sample{intended: intended, start: r.Timestamp, latency: r.Latency, out: classify(r)}
}

// add records one request. Warm-up requests (intended before the window)
// are only counted; requests cut short by the run's own cancellation are
// counted apart and kept out of the latencies.
func (rc *recorder) add(s sample, runCanceled bool) {
	if s.intended.Before(rc.windowStart) {
		rc.warmup++
		return
	}
	if runCanceled && s.out.reason == "canceled" {
		rc.canceled++
		return
	}
	rc.requests++
	rc.reasons[s.out.reason]++
	if s.out.ok {
		rc.ok++
	} else {
		rc.errors++
	}
	if s.out.cacheHit {
		rc.cacheHits++
	}
	if s.out.upstream {
		rc.upstream++
	}
	end := s.start.Add(s.latency)
	if end.After(rc.lastEnd) {
		rc.lastEnd = end
	}
	// Coordinated-omission correction: time from the intended send time.
	// vegeta's start is never before it (see pacer), so the corrected
	// latency is never below the uncorrected one; clamp against rounding.
	corrected := end.Sub(s.intended)
	if corrected < s.latency {
		corrected = s.latency
	}
	if corrected > maxLatency {
		rc.overflow++ // corrected >= uncorrected: one count per request
	}
	recordClamped(rc.iv, corrected)
	recordClamped(rc.ivU, s.latency)
	recordClamped(rc.lag, s.start.Sub(s.intended))
	recordClamped(rc.ivLag, s.start.Sub(s.intended))
}

// recordClamped adds d to h, clamped into the trackable range (the recorder
// counts what was clamped in overflow, so nothing is silently lost).
func recordClamped(h *hdr.Histogram, d time.Duration) {
	v := min(max(int64(d), 0), int64(maxLatency))
	_ = h.RecordValue(v) // in range by construction
}

// flush closes the current interval at now: merges it into the totals and
// returns it (stamped with its start and end) to be logged. The returned
// histograms are only valid until the next add.
func (rc *recorder) flush(now time.Time) (iv, ivU *hdr.Histogram) {
	start := rc.ivStart
	if start.IsZero() || start.Before(rc.windowStart) {
		start = rc.windowStart
	}
	for _, h := range []*hdr.Histogram{rc.iv, rc.ivU} {
		h.SetStartTimeMs(start.UnixMilli())
		h.SetEndTimeMs(now.UnixMilli())
	}
	rc.iv.SetTag(rc.spec.Name)
	rc.ivU.SetTag(rc.spec.Name + uncorrectedSuffix)
	rc.total.Merge(rc.iv)
	rc.totalU.Merge(rc.ivU)
	if n := rc.iv.TotalCount(); n > 0 {
		rc.intervals = append(rc.intervals, IntervalLatency{
			Start: start, End: now, Requests: n,
			P50: rc.iv.ValueAtQuantile(50), P99: rc.iv.ValueAtQuantile(99),
			UncorrectedP50: rc.ivU.ValueAtQuantile(50), UncorrectedP99: rc.ivU.ValueAtQuantile(99),
			LagP99: rc.ivLag.ValueAtQuantile(99),
		})
	}
	rc.ivStart = now
	return rc.iv, rc.ivU
}

// resetInterval empties the interval histograms after they were logged.
func (rc *recorder) resetInterval() {
	rc.iv.Reset()
	rc.ivU.Reset()
	rc.ivLag.Reset()
}

// uncorrectedSuffix tags the uncorrected histograms in .hlog files.
const uncorrectedSuffix = ".uncorrected"

// current returns copies of the totals including the open interval.
func (rc *recorder) current() (corr, uncorr *hdr.Histogram) {
	corr, uncorr = rc.total.Clone(), rc.totalU.Clone()
	corr.Merge(rc.iv)
	uncorr.Merge(rc.ivU)
	return corr, uncorr
}

// window describes the measurement window for rates: from windowStart to
// end (when dispatch stopped), with target the requests the schedule asked
// for in it.
type window struct {
	length time.Duration
	target float64
}

// final builds the scenario's report once it is over: the totals, and the
// dispatch lag histogram handed over (the recorder is done with it).
func (rc *recorder) final(w window) ScenarioReport {
	sr := rc.report(rc.total, rc.totalU, w)
	sr.lag = rc.lag
	return sr
}

// report builds the scenario's report from histograms (the totals, or a
// live copy) and the window.
func (rc *recorder) report(corr, uncorr *hdr.Histogram, w window) ScenarioReport {
	sr := ScenarioReport{
		Name:           rc.spec.Name,
		Mode:           rc.spec.Mode,
		Strategy:       rc.spec.Strategy,
		Cache:          rc.spec.Cache,
		Via:            rc.spec.Via,
		URL:            rc.spec.URL,
		Requests:       rc.requests,
		Succeeded:      rc.ok,
		Errors:         rc.errors,
		Canceled:       rc.canceled,
		WarmupRequests: rc.warmup,
		CacheHits:      rc.cacheHits,
		UpstreamCalls:  rc.upstream,
		Overflow:       rc.overflow,
		Sources:        1,
		Reasons:        make(map[string]int64, len(rc.reasons)),
		corrected:      corr,
		uncorrected:    uncorr,
	}
	for k, v := range rc.reasons {
		sr.Reasons[k] = v
	}
	sr.DispatchLagNs = latencyOf(rc.lag)
	sr.Intervals = slices.Clone(rc.intervals) // the snapshot's own: rc appends on
	if w.length > 0 {
		secs := w.length.Seconds()
		sr.WindowSeconds = secs
		sr.RateTarget = w.target / secs
		sr.RateAttempted = float64(rc.requests+rc.canceled) / secs
		done := secs
		if !rc.lastEnd.IsZero() {
			done = max(secs, rc.lastEnd.Sub(rc.windowStart).Seconds())
		}
		sr.RateAchieved = float64(rc.ok) / done
	}
	sr.finish()
	return sr
}
