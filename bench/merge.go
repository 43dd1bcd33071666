package bench

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// ErrNothingToMerge is returned by Merge without reports.
var ErrNothingToMerge = errors.New("bench: nothing to merge")

// Merge combines reports of runs that ran at the same time on different
// machines (the same profile split across load generators) into the report
// of one run: counts, reasons and histograms add up, rates add up (the
// generators ran side by side), ratios and percentiles are recomputed from
// the merged counts and histograms, so they are exact, not averaged.
// Scenarios are matched by name, in first-seen order.
//
// Adding up is only right for different runs: the same report given twice
// (or a merged report and one of its parts) would double requests and
// rates and look like a load nobody sent. Merge refuses that with a
// *DuplicateRunError (see Duplicates); the merged report's Runs and
// Sources say how many distinct runs it holds.
func Merge(reports ...*Report) (*Report, error) {
	if len(reports) == 0 {
		return nil, ErrNothingToMerge
	}
	if d := Duplicates(reports...); len(d) > 0 {
		return nil, &DuplicateRunError{Duplicates: d}
	}
	first := reports[0]
	out := &Report{
		Version:    ReportVersion,
		Started:    first.Started,
		Schedule:   first.Schedule,
		Warmup:     first.Warmup,
		Population: first.Population,
		Baseline:   first.Baseline,
		Latency:    latencyNote,
	}
	idx := map[string]int{}
	for _, r := range reports {
		out.Sources += max(r.Sources, 1)
		out.Runs = append(out.Runs, r.runStarts()...)
		// Each part's generators; a part's thresholds were judged on the
		// part alone, so the merged report has none until judged again.
		out.Generators = append(out.Generators, r.Generators...)
		out.Canceled = out.Canceled || r.Canceled
		if r.Started.Before(out.Started) {
			out.Started = r.Started
		}
		for _, s := range r.Scenarios {
			i, ok := idx[s.Name]
			if !ok {
				idx[s.Name] = len(out.Scenarios)
				out.Scenarios = append(out.Scenarios, firstScenario(&s))
				continue
			}
			mergeScenario(&out.Scenarios[i], &s)
		}
	}
	slices.SortFunc(out.Runs, time.Time.Compare)
	for i := range out.Scenarios {
		out.Scenarios[i].finish()
		out.Scenarios[i].Histogram, out.Scenarios[i].HistogramUncorrected, out.Scenarios[i].HistogramLag = "", "", ""
	}
	return out, nil
}

// firstScenario copies s as the start of a merged scenario: its maps,
// slices and histograms are private, so merging never writes into an input.
func firstScenario(s *ScenarioReport) ScenarioReport {
	c := *s
	c.Reasons = maps.Clone(s.Reasons)
	c.Unknown = slices.Clone(s.Unknown)
	c.Intervals = slices.Clone(s.Intervals)
	if c.Reasons == nil {
		c.Reasons = map[string]int64{}
	}
	c.corrected, c.uncorrected, c.lag = cloneH(s.corrected), cloneH(s.uncorrected), cloneH(s.lag)
	c.Sources = max(s.Sources, 1)
	return c
}

// ErrDuplicateRun is matched (errors.Is) by every *DuplicateRunError.
var ErrDuplicateRun = errors.New("bench: the same run given twice")

// Duplicate is a report holding a run that an earlier report already holds:
// the same start instant and the same scenario set. Two generators started
// side by side never share the instant to the nanosecond (a report keeps
// it exactly), so a shared one means the same run, read twice.
type Duplicate struct {
	Index, Of int       // the report (1 or later) and the earlier one it repeats
	Started   time.Time // the start instant of the run they share
	Scenarios string    // their scenario set, sorted, comma-separated
}

// Duplicates lists each report that repeats a run of an earlier one, by
// the runs each report holds (Runs for a merged report, else Started). A
// report without a start instant (one built from .hlog or vegeta results)
// identifies no run and is never a duplicate.
func Duplicates(reports ...*Report) []Duplicate {
	type run struct {
		started   int64 // UnixNano: equal instants whatever their location
		scenarios string
	}
	seen := map[run]int{}
	var out []Duplicate
	for i, r := range reports {
		names := scenarioNames(r)
		for _, at := range r.runStarts() {
			k := run{at.UnixNano(), names}
			if j, ok := seen[k]; ok && j != i {
				out = append(out, Duplicate{Index: i, Of: j, Started: at, Scenarios: names})
				break // one line per repeated report
			}
			seen[k] = i
		}
	}
	return out
}

// runStarts returns the start instants of the runs r holds.
func (r *Report) runStarts() []time.Time {
	if len(r.Runs) > 0 {
		return r.Runs
	}
	if r.Started.IsZero() {
		return nil
	}
	return []time.Time{r.Started}
}

// DuplicateRunError is Merge's refusal of reports that repeat a run.
type DuplicateRunError struct {
	Duplicates []Duplicate
}

// Error names the first repeat in one line, and how many more there are.
func (e *DuplicateRunError) Error() string {
	d := e.Duplicates[0]
	msg := fmt.Sprintf("bench: report %d repeats the run of report %d (started %s, scenarios %s): merged, its requests and rates would count twice",
		d.Index+1, d.Of+1, d.Started.UTC().Format(time.RFC3339Nano), d.Scenarios)
	if n := len(e.Duplicates) - 1; n > 0 {
		msg += fmt.Sprintf(" (and %d more repeated)", n)
	}
	return msg
}

// Is matches ErrDuplicateRun.
func (e *DuplicateRunError) Is(target error) bool { return target == ErrDuplicateRun }

// Mismatch is a way a report differs from the first of those given to
// Mismatches: Merge adds runs up as if they were one run split across
// machines, which is only true of runs of the same schedule, warm-up,
// population and scenarios. Merged otherwise, the histograms mix
// different loads and the rates add up to a load nobody sent.
type Mismatch struct {
	Index     int    // the report that differs (1 or later)
	What      string // schedule, warm-up, population or scenarios
	Got, Want string // its value and the first report's
}

// Mismatches lists how each report differs from the first.
func Mismatches(reports ...*Report) []Mismatch {
	if len(reports) < 2 {
		return nil
	}
	first := reports[0]
	var out []Mismatch
	for i, r := range reports[1:] {
		for _, c := range []struct{ what, got, want string }{
			{"schedule", r.Schedule, first.Schedule},
			{"warm-up", r.Warmup.String(), first.Warmup.String()},
			{"population", r.Population.String(), first.Population.String()},
			{"scenarios", scenarioNames(r), scenarioNames(first)},
		} {
			if c.got != c.want {
				out = append(out, Mismatch{Index: i + 1, What: c.what, Got: c.got, Want: c.want})
			}
		}
	}
	return out
}

// scenarioNames is r's scenario set, sorted: the order scenarios ran in
// does not change what merging them means.
func scenarioNames(r *Report) string {
	names := make([]string, len(r.Scenarios))
	for i := range r.Scenarios {
		names[i] = r.Scenarios[i].Name
	}
	slices.Sort(names)
	return strings.Join(names, ",")
}

// String summarises the population for messages.
func (p PopulationConfig) String() string {
	pop := string(p.Popularity)
	if p.Popularity == Zipf {
		pop += " s=" + fmtNum(p.ZipfS)
	}
	return fmt.Sprintf("%d sessions %s, expired %s, tampered %s, no cookie %s", p.Sessions, pop, p.Expired, p.Tampered, p.NoCookie)
}

func mergeScenario(dst, src *ScenarioReport) {
	dst.Requests += src.Requests
	dst.Succeeded += src.Succeeded
	dst.Errors += src.Errors
	dst.Canceled += src.Canceled
	dst.WarmupRequests += src.WarmupRequests
	dst.CacheHits += src.CacheHits
	dst.UpstreamCalls += src.UpstreamCalls
	dst.Overflow += src.Overflow
	dst.Sources += max(src.Sources, 1)
	dst.WindowSeconds = max(dst.WindowSeconds, src.WindowSeconds)
	dst.RateTarget += src.RateTarget
	dst.RateAttempted += src.RateAttempted
	dst.RateAchieved += src.RateAchieved
	for k, v := range src.Reasons {
		dst.Reasons[k] += v
	}
	for _, u := range src.Unknown {
		if !slices.Contains(dst.Unknown, u) {
			dst.Unknown = append(dst.Unknown, u)
		}
	}
	// Interval percentiles of two generators do not combine (their .hlog
	// files do): a scenario of several sources has no series.
	dst.Intervals = nil
	dst.corrected = mergeH(dst.corrected, src.corrected)
	dst.uncorrected = mergeH(dst.uncorrected, src.uncorrected)
	dst.lag = mergeH(dst.lag, src.lag)
}

func cloneH(h *hdr.Histogram) *hdr.Histogram {
	if h == nil {
		return nil
	}
	return h.Clone()
}

func mergeH(dst, src *hdr.Histogram) *hdr.Histogram {
	if src == nil {
		return dst
	}
	if dst == nil {
		return src.Clone()
	}
	dst.Merge(src)
	return dst
}
