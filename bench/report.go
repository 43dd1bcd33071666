package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// ReportVersion is the version of the JSON report format.
const ReportVersion = 1

// Report is the result of a run, or of merging runs (see Merge). It is what
// `--json` writes and `authscope report` reads.
type Report struct {
	Version int       `json:"version"`
	Started time.Time `json:"started"`
	// Sources counts the runs merged into this report (1 for a plain run).
	// Merge refuses a run given twice, so they are distinct runs.
	Sources int `json:"sources"`
	// Runs lists the start instants of the distinct runs merged into this
	// report, earliest first (empty for a plain run: Started is its own).
	// Merge reads it to refuse a merged report merged again with one of
	// its parts.
	Runs []time.Time `json:"runs,omitempty"`
	// Canceled: the run was stopped early; figures cover what completed.
	Canceled   bool             `json:"canceled,omitempty"`
	Schedule   string           `json:"schedule"`
	Warmup     Duration         `json:"warmup"`
	Population PopulationConfig `json:"population"`
	Baseline   string           `json:"baseline"`
	// Latency says how latency_ns is measured.
	Latency   string           `json:"latency"`
	Scenarios []ScenarioReport `json:"scenarios"`
	// Generators describe the load generators of the runs in this report,
	// one per run (a merged report lists each generator's): their worker
	// limits and host. Reports written before they were recorded have
	// none; compare then says it could not check them.
	Generators []Generator `json:"generators,omitempty"`
	// Thresholds are the thresholds judged on this report (bench or report
	// --threshold), one result per threshold and scenario.
	Thresholds []ThresholdResult `json:"thresholds,omitempty"`
}

// latencyNote is Report.Latency.
const latencyNote = "latency_ns: from each request's intended send time (coordinated omission corrected); latency_uncorrected_ns: from its actual send time, as vegeta reports"

// Latency holds percentiles in nanoseconds.
type Latency struct {
	P50   int64   `json:"p50"`
	P90   int64   `json:"p90"`
	P99   int64   `json:"p99"`
	P999  int64   `json:"p999"`
	P9999 int64   `json:"p9999"`
	Max   int64   `json:"max"`
	Mean  float64 `json:"mean"`
}

// Percentiles lists the quantiles of Latency, on hdrhistogram's 0-100 scale.
var percentiles = []float64{50, 90, 99, 99.9, 99.99}

func latencyOf(h *hdr.Histogram) Latency {
	if h == nil || h.TotalCount() == 0 {
		return Latency{}
	}
	v := h.ValueAtPercentilesSlice(percentiles)
	return Latency{P50: v[0], P90: v[1], P99: v[2], P999: v[3], P9999: v[4], Max: h.Max(), Mean: h.Mean()}
}

// Quantile returns the latency at q (0-100) from l's fields: 50, 90, 99,
// 99.9, 99.99 or 100 (max).
func (l Latency) Quantile(q float64) (int64, bool) {
	switch q {
	case 50:
		return l.P50, true
	case 90:
		return l.P90, true
	case 99:
		return l.P99, true
	case 99.9:
		return l.P999, true
	case 99.99:
		return l.P9999, true
	case 100:
		return l.Max, true
	}
	return 0, false
}

// ScenarioReport holds one scenario's figures over the measurement window.
type ScenarioReport struct {
	Name     string `json:"name"`
	Mode     string `json:"mode"`
	Strategy string `json:"strategy"`
	Cache    bool   `json:"cache"`
	Via      Via    `json:"via"`
	URL      string `json:"url,omitempty"`

	Requests       int64 `json:"requests"`
	Succeeded      int64 `json:"succeeded"`
	Errors         int64 `json:"errors"`
	Canceled       int64 `json:"canceled,omitempty"`
	WarmupRequests int64 `json:"warmup_requests"`

	WindowSeconds float64 `json:"window_s"`
	// RateTarget is what the schedule asked for, RateAttempted what was
	// sent, RateAchieved what succeeded (over the window, or until the last
	// answer if later), all per second.
	RateTarget    float64 `json:"rate_target"`
	RateAttempted float64 `json:"rate_attempted"`
	RateAchieved  float64 `json:"rate_achieved"`

	SuccessRatio  float64          `json:"success_ratio"`
	ErrorRatio    float64          `json:"error_ratio"`
	Reasons       map[string]int64 `json:"reasons"`
	CacheHits     int64            `json:"cache_hits"`
	CacheHitRatio float64          `json:"cache_hit_ratio"`
	UpstreamCalls int64            `json:"upstream_calls"`

	LatencyNs            Latency `json:"latency_ns"`
	LatencyUncorrectedNs Latency `json:"latency_uncorrected_ns"`
	// DispatchLagNs is how late requests were sent against the schedule.
	// With unbounded workers it is the generator's own lateness (CPU
	// starvation): the corrected latency includes it.
	DispatchLagNs Latency `json:"dispatch_lag_ns"`
	// Intervals are the percentiles of each interval (Config.Interval) of
	// the window with requests in it, in order: latency over time. A
	// scenario merged from several sources has none (percentiles of
	// different generators' intervals do not combine; their .hlog files do).
	Intervals []IntervalLatency `json:"intervals,omitempty"`
	// Overflow counts latencies above 60 s (recorded as 60 s).
	Overflow int64 `json:"overflow,omitempty"`
	Sources  int   `json:"sources"`
	// Unknown lists what the source did not record, so the table shows
	// "-" rather than a zero: "target" (the rate asked), "rates" (sent/s,
	// ok/s), "success", "cache", "upstream", "sessions" (which answers
	// were sessions). A .hlog holds latencies only; vegeta results lack
	// the cache, the upstream and the resolver's reasons.
	Unknown []string `json:"unknown,omitempty"`

	// Histogram and HistogramUncorrected are the full latency histograms,
	// HdrHistogram V2 compressed and base64 encoded (the .hlog payload
	// format), so reports merge exactly.
	Histogram            string `json:"histogram"`
	HistogramUncorrected string `json:"histogram_uncorrected"`
	HistogramLag         string `json:"histogram_lag,omitempty"`

	corrected, uncorrected, lag *hdr.Histogram
}

// Histograms returns the corrected and uncorrected latency histograms
// (nanoseconds). Callers must not modify them.
func (s *ScenarioReport) Histograms() (corrected, uncorrected *hdr.Histogram) {
	return s.corrected, s.uncorrected
}

// finish recomputes the derived fields from counts and histograms.
func (s *ScenarioReport) finish() {
	if s.Requests > 0 {
		s.SuccessRatio = float64(s.Succeeded) / float64(s.Requests)
		s.ErrorRatio = float64(s.Errors) / float64(s.Requests)
		s.CacheHitRatio = float64(s.CacheHits) / float64(s.Requests)
	}
	s.LatencyNs = latencyOf(s.corrected)
	s.LatencyUncorrectedNs = latencyOf(s.uncorrected)
	if s.lag != nil {
		s.DispatchLagNs = latencyOf(s.lag)
	}
}

// IntervalLatency is one interval's figures, nanoseconds: corrected and
// uncorrected p50 and p99, and the p99 of the dispatch lag (how late the
// generator sent its requests).
type IntervalLatency struct {
	Start          time.Time `json:"start"`
	End            time.Time `json:"end"`
	Requests       int64     `json:"requests"`
	P50            int64     `json:"p50"`
	P99            int64     `json:"p99"`
	UncorrectedP50 int64     `json:"uncorrected_p50"`
	UncorrectedP99 int64     `json:"uncorrected_p99"`
	LagP99         int64     `json:"lag_p99"`
}

// IntervalLagged reports whether the generator was late enough in iv that
// iv's corrected p99 includes its delay: GeneratorLagged's rule applied to
// one interval. A live display marks such intervals ("generator delayed
// these p99s") rather than show their p99 as the target's.
func (s *ScenarioReport) IntervalLagged(iv IntervalLatency) bool {
	return s.lagged(iv.LagP99, iv.UncorrectedP50)
}

// GeneratorLagged reports whether the generator fell behind its schedule
// enough to matter. Dispatch lag (how late each request left against its
// intended send time) is always there in small amounts: timer slack and
// scheduling on a shared machine. It matters only when its p99 is large
// against both
//   - half the send interval (one generator's interval: RateTarget over
//     Sources): a lag below it still sends every request before the next
//     one is due, so the schedule's shape is kept; and
//   - the target's own median (uncorrected p50): a lag below it is noise
//     against what the run measures.
//
// When it is large against both, the corrected figures (measured from the
// intended send time) include the generator's lateness (a starved CPU, or
// capped workers), not only the target's latency.
func (s *ScenarioReport) GeneratorLagged() bool {
	return s.lagged(s.DispatchLagNs.P99, s.LatencyUncorrectedNs.P50)
}

// lagged is GeneratorLagged's rule for a dispatch lag p99 and the target's
// median (uncorrected p50) over the same requests.
func (s *ScenarioReport) lagged(lag, targetP50 int64) bool {
	if lag <= 0 {
		return false
	}
	var halfInterval int64
	if s.RateTarget > 0 {
		perGenerator := s.RateTarget / float64(max(s.Sources, 1))
		halfInterval = int64(float64(time.Second) / perGenerator / 2)
	}
	return lag > max(halfInterval, targetP50)
}

// GeneratorLagNote is the one-line caveat for a scenario whose generator
// lagged (see GeneratorLagged), "" otherwise: what a live display shows
// under a p99 the generator delayed, and the HTML report beside it.
func (s *ScenarioReport) GeneratorLagNote() string {
	if !s.GeneratorLagged() {
		return ""
	}
	return fmt.Sprintf("%s: the generator sent requests late (dispatch lag p99 %s): its corrected p99 %s includes that delay; uncorrected p99 %s",
		s.Name, FormatNs(s.DispatchLagNs.P99), FormatNs(s.LatencyNs.P99), FormatNs(s.LatencyUncorrectedNs.P99))
}

// Unknowns.
const (
	UnknownTarget   = "target"
	UnknownRates    = "rates"
	UnknownSuccess  = "success"
	UnknownCache    = "cache"
	UnknownUpstream = "upstream"
	UnknownSessions = "sessions"
)

// Knows reports whether the source recorded what (an Unknown* label).
func (s *ScenarioReport) Knows(what string) bool { return !slices.Contains(s.Unknown, what) }

// NoSessionResolved reports whether requests succeeded yet none resolved a
// session (every answer was "no session"): against a real upstream, the
// sign of a secret or cookie name it does not share, which success alone
// hides.
func (s *ScenarioReport) NoSessionResolved() bool {
	return s.Succeeded > 0 && s.Knows(UnknownSessions) && len(s.Reasons) > 0 && s.Reasons["session"] == 0
}

// NoneSucceeded reports whether the scenario sent requests and none got an
// answer counted as a success: the target was down, refused every request,
// or is not an Auth.js /session endpoint. Its latencies then describe
// failures, not resolutions.
// A source that did not record successes (a .hlog) says nothing either way.
func (s *ScenarioReport) NoneSucceeded() bool {
	return s.Requests > 0 && s.Succeeded == 0 && s.Knows(UnknownSuccess)
}

// encode fills the base64 histogram fields.
func (s *ScenarioReport) encode() error {
	for _, p := range []struct {
		h   *hdr.Histogram
		dst *string
	}{{s.corrected, &s.Histogram}, {s.uncorrected, &s.HistogramUncorrected}, {s.lag, &s.HistogramLag}} {
		if p.h == nil {
			continue
		}
		b, err := p.h.Encode(hdr.V2CompressedEncodingCookieBase)
		if err != nil {
			return fmt.Errorf("bench: encode histogram of %s: %w", s.Name, err)
		}
		*p.dst = string(b)
	}
	return nil
}

// decode reads the base64 histogram fields.
func (s *ScenarioReport) decode() error {
	var err error
	if s.Histogram != "" {
		if s.corrected, err = hdr.Decode([]byte(s.Histogram)); err != nil {
			return fmt.Errorf("bench: histogram of %s: %w", s.Name, err)
		}
	}
	if s.HistogramUncorrected != "" {
		if s.uncorrected, err = hdr.Decode([]byte(s.HistogramUncorrected)); err != nil {
			return fmt.Errorf("bench: uncorrected histogram of %s: %w", s.Name, err)
		}
	}
	if s.HistogramLag != "" {
		if s.lag, err = hdr.Decode([]byte(s.HistogramLag)); err != nil {
			return fmt.Errorf("bench: dispatch lag histogram of %s: %w", s.Name, err)
		}
	}
	return nil
}

// Scenario returns the scenario report named name.
func (r *Report) Scenario(name string) (*ScenarioReport, bool) {
	for i := range r.Scenarios {
		if r.Scenarios[i].Name == name {
			return &r.Scenarios[i], true
		}
	}
	return nil, false
}

// WriteJSON writes r as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	for i := range r.Scenarios {
		if err := r.Scenarios[i].encode(); err != nil {
			return err
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// ReadReport reads a JSON report written by WriteJSON.
func ReadReport(rd io.Reader) (*Report, error) {
	var r Report
	if err := json.NewDecoder(rd).Decode(&r); err != nil {
		return nil, fmt.Errorf("bench: read report: %w", err)
	}
	if r.Version != ReportVersion {
		return nil, fmt.Errorf("bench: report version %d, want %d", r.Version, ReportVersion)
	}
	for i := range r.Scenarios {
		if err := r.Scenarios[i].decode(); err != nil {
			return nil, err
		}
	}
	return &r, nil
}

// sortedReasons returns the reason labels of s, most frequent first.
func (s *ScenarioReport) sortedReasons() []string {
	keys := slices.Collect(maps.Keys(s.Reasons))
	slices.SortFunc(keys, func(a, b string) int {
		if d := s.Reasons[b] - s.Reasons[a]; d != 0 {
			if d > 0 {
				return 1
			}
			return -1
		}
		if a < b {
			return -1
		}
		return 1
	})
	return keys
}
