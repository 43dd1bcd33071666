package bench

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// synthetic returns a reproducible stream of n requests at rate per
// second: mostly fast, with a slow tail, some queueing, mixed outcomes.
func synthetic(n int, rate float64, t0 time.Time) []sample {
	rng := rand.New(rand.NewPCG(1, 2))
	out := make([]sample, n)
	reasons := []string{"session", "session", "session", "expired", "no_cookie", "upstream_error"}
	for i := range out {
		intended := t0.Add(time.Duration(float64(i) / rate * float64(time.Second)))
		lat := time.Duration(20_000 + rng.ExpFloat64()*200_000)
		if rng.IntN(100) == 0 {
			lat += 50 * time.Millisecond
		}
		r := reasons[rng.IntN(len(reasons))]
		out[i] = sample{
			intended: intended,
			start:    intended.Add(time.Duration(rng.IntN(30_000))),
			latency:  lat,
			out:      outcome{reason: r, ok: r != "upstream_error", cacheHit: rng.IntN(3) == 0, upstream: rng.IntN(4) == 0},
		}
	}
	return out
}

// record feeds samples to rec, closing intervals every second, logging
// them to lw when non-nil, and returns the report over window w.
func record(rec *recorder, ss []sample, t0 time.Time, w window, lw *hdr.HistogramLogWriter) ScenarioReport {
	rec.windowStart, rec.ivStart = t0, t0
	next := t0.Add(time.Second)
	flush := func(at time.Time) {
		iv, ivU := rec.flush(at)
		if lw != nil {
			_ = lw.OutputIntervalHistogram(iv)
			_ = lw.OutputIntervalHistogram(ivU)
		}
		rec.resetInterval()
	}
	for _, s := range ss {
		for !s.start.Before(next) {
			flush(next)
			next = next.Add(time.Second)
		}
		rec.add(s, false)
	}
	flush(next)
	return rec.final(w)
}

func newLog(buf *bytes.Buffer, t0 time.Time) *hdr.HistogramLogWriter {
	lw := hdr.NewHistogramLogWriter(buf)
	lw.SetBaseTime(t0.UnixMilli())
	_ = lw.OutputStartTime(t0.UnixMilli())
	_ = lw.OutputBaseTime(t0.UnixMilli())
	return lw
}

// TestMergeOfSplitRunEqualsOneRun splits one stream of requests between
// two "machines" (alternate requests, as two generators at half the rate
// would send), writes each machine's JSON report and .hlog, reads them
// back, merges, and compares with the report of the whole stream.
func TestMergeOfSplitRunEqualsOneRun(t *testing.T) {
	t0 := time.Unix(1_800_000_000, 0)
	const n, rate = 20000, 2000.0
	all := synthetic(n, rate, t0)
	spec := ScenarioSpec{Name: "proxy-cache", Mode: "proxy", Strategy: "jwt", Cache: true, Via: ViaInProc}
	w := window{length: 10 * time.Second, target: n}

	var logAll bytes.Buffer
	one := record(newRecorder(spec), all, t0, w, newLog(&logAll, t0))

	var parts []*Report
	var logs []*bytes.Buffer
	for m := range 2 {
		var mine []sample
		for i := m; i < n; i += 2 {
			mine = append(mine, all[i])
		}
		var lb bytes.Buffer
		sr := record(newRecorder(spec), mine, t0, window{length: w.length, target: n / 2}, newLog(&lb, t0))
		var js bytes.Buffer
		if err := (&Report{Version: ReportVersion, Sources: 1, Baseline: spec.Name, Scenarios: []ScenarioReport{sr}}).WriteJSON(&js); err != nil {
			t.Fatal(err)
		}
		back, err := ReadReport(&js)
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, back)
		logs = append(logs, &lb)
	}
	merged, err := Merge(parts...)
	if err != nil {
		t.Fatal(err)
	}
	if merged.Sources != 2 {
		t.Errorf("sources = %d", merged.Sources)
	}
	got := merged.Scenarios[0]
	opts := cmp.Options{
		cmpopts.IgnoreUnexported(ScenarioReport{}),
		// Intervals: a merged scenario has no latency-over-time series
		// (checked below).
		cmpopts.IgnoreFields(ScenarioReport{}, "Sources", "Histogram", "HistogramUncorrected", "RateAchieved", "LatencyNs.Mean", "LatencyUncorrectedNs.Mean", "Intervals"),
		cmpopts.EquateApprox(1e-9, 0),
	}
	if diff := cmp.Diff(one, got, opts); diff != "" {
		t.Errorf("merged split run differs from one run (-one +merged):\n%s", diff)
	}
	if len(one.Intervals) != 10 || got.Intervals != nil {
		t.Errorf("intervals: one run %d, merged %d; want 10 and none", len(one.Intervals), len(got.Intervals))
	}
	// Achieved rate: each half ends at its own last answer, so the sum is
	// within a request of the whole.
	if d := got.RateAchieved - one.RateAchieved; d > 1 || d < -1 {
		t.Errorf("achieved %.2f vs %.2f", got.RateAchieved, one.RateAchieved)
	}
	for i, h := range []*hdr.Histogram{one.corrected, one.uncorrected} {
		m := []*hdr.Histogram{got.corrected, got.uncorrected}[i]
		if !h.Equals(m) {
			t.Errorf("histogram %d: merged != one run", i)
		}
	}

	// The interval logs merge to the same totals.
	totals, err := ReadHlogs(logs[0], logs[1])
	if err != nil {
		t.Fatal(err)
	}
	whole, err := ReadHlogs(&logAll)
	if err != nil {
		t.Fatal(err)
	}
	for tag, h := range map[string]*hdr.Histogram{spec.Name: one.corrected, spec.Name + uncorrectedSuffix: one.uncorrected} {
		if !totals.ByTag[tag].Equals(h) || !whole.ByTag[tag].Equals(h) {
			t.Errorf("hlog totals for %s differ from the report's histogram", tag)
		}
	}
	var out bytes.Buffer
	if err := totals.WriteMergedHlog(&out); err != nil {
		t.Fatal(err)
	}
	again, err := ReadHlogs(&out)
	if err != nil || !again.ByTag[spec.Name].Equals(one.corrected) || again.Intervals != totals.Intervals {
		t.Errorf("merged hlog does not read back: %v", err)
	}
	lat := totals.Report().Scenarios[0]
	if lat.LatencyNs != one.LatencyNs || lat.Requests != one.Requests {
		t.Errorf("latency-only report from hlogs: %+v vs %+v", lat.LatencyNs, one.LatencyNs)
	}
	// The two machines' logs give the one run's latency over time: their
	// intervals of the same span merge exactly (a log has no dispatch lag).
	want := slices.Clone(one.Intervals)
	for i := range want {
		want[i].LagP99 = 0
	}
	if diff := cmp.Diff(want, lat.Intervals); len(want) != 10 || diff != "" {
		t.Errorf("intervals from the hlogs (-one run +hlogs):\n%s", diff)
	}
}

// TestMergeOfSplitLiveRuns: two real runs at half the rate merge into the
// counts of one run at the full rate.
func TestMergeOfSplitLiveRuns(t *testing.T) {
	tgt := TargetFunc(func(ctx context.Context, c string) (Outcome, error) {
		time.Sleep(200 * time.Microsecond)
		return Outcome{Reason: "session", CacheHit: true}, nil
	})
	run := func(rate Rate) *Report {
		spec, tg := inproc("s", tgt)
		// The cap ends each run, so a starved moment cannot change counts.
		rep, err := Execute(t.Context(), Config{Rate: rate, Duration: Duration(2 * time.Second), MaxRequests: uint64(rate),
			Scenarios: []ScenarioSpec{spec}}, tg)
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	one := run(400).Scenarios[0]
	a, b := run(200), run(200)
	ra, rb := a.Scenarios[0].RateTarget, b.Scenarios[0].RateTarget
	merged, err := Merge(a, b)
	if err != nil {
		t.Fatal(err)
	}
	m := merged.Scenarios[0]
	if m.Requests != one.Requests || m.Reasons["session"] != one.Reasons["session"] || m.CacheHits != one.CacheHits {
		t.Errorf("merged %d requests %v, one run %d %v", m.Requests, m.Reasons, one.Requests, one.Reasons)
	}
	// Each run's rate divides by its own window, which ends when its cap
	// was reached: wall-clock timing of the generator, so comparing it with
	// the single run's would test the machine's speed. What Merge promises
	// is that concurrent sources' rates add up.
	if ra <= 0 || rb <= 0 || m.RateTarget != ra+rb {
		t.Errorf("rate target merged %.3f, want the sum of the parts %.3f + %.3f", m.RateTarget, ra, rb)
	}
	c, _ := m.Histograms()
	if c.TotalCount() != one.Requests {
		t.Errorf("merged histogram holds %d, want %d", c.TotalCount(), one.Requests)
	}
}

func TestRecorderOverflowAndWarmup(t *testing.T) {
	t0 := time.Unix(1_800_000_000, 0)
	rec := newRecorder(ScenarioSpec{Name: "x"})
	rec.windowStart = t0
	rec.add(sample{intended: t0.Add(-time.Second), start: t0, latency: time.Millisecond, out: outcome{reason: "session", ok: true}}, false)
	rec.add(sample{intended: t0, start: t0, latency: 2 * time.Minute, out: outcome{reason: "timeout"}}, false)
	rec.add(sample{intended: t0, start: t0, latency: time.Millisecond, out: outcome{reason: "canceled"}}, true)
	rec.flush(t0.Add(time.Second))
	r := rec.report(rec.total, rec.totalU, window{length: time.Second, target: 1})
	if r.WarmupRequests != 1 || r.Requests != 1 || r.Overflow != 1 || r.Canceled != 1 || r.Errors != 1 {
		t.Errorf("warmup %d requests %d overflow %d canceled %d errors %d", r.WarmupRequests, r.Requests, r.Overflow, r.Canceled, r.Errors)
	}
	if !rec.total.ValuesAreEquivalent(r.LatencyNs.Max, int64(maxLatency)) {
		t.Errorf("overflowed value recorded as %d, want clamped to 60s", r.LatencyNs.Max)
	}
}

func TestLatencyGolden(t *testing.T) {
	h := newHistogram()
	for i := int64(1); i <= 10000; i++ {
		_ = h.RecordValue(i * 1000) // 1µs .. 10ms uniformly
	}
	got := latencyOf(h)
	got.Mean = 0
	want := Latency{P50: 5_001_215, P90: 9_003_007, P99: 9_904_127, P999: 9_994_239, P9999: 10_002_431, Max: 10_002_431}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("percentiles (-want +got):\n%s", diff)
	}
	// The golden values are the exact quantiles to 3 significant digits.
	for q, exact := range map[float64]int64{50: 5_000_000, 90: 9_000_000, 99: 9_900_000, 99.9: 9_990_000, 100: 10_000_000} {
		v, _ := got.Quantile(q)
		if d := float64(v-exact) / float64(exact); d < 0 || d > 0.001 {
			t.Errorf("p%v = %d, exact %d: off by %.4f", q, v, exact, d)
		}
	}
}

// TestMismatchesNamePopulation: runs over different populations (here a
// hotter Zipf set) are different loads; scenario order is not a difference.
func TestMismatchesNamePopulation(t *testing.T) {
	a := &Report{Schedule: "1s@10", Population: PopulationConfig{Sessions: 10, Popularity: Uniform},
		Scenarios: []ScenarioReport{{Name: "x"}, {Name: "y"}}}
	b := &Report{Schedule: "1s@10", Population: PopulationConfig{Sessions: 10, Popularity: Zipf, ZipfS: 1.5},
		Scenarios: []ScenarioReport{{Name: "y"}, {Name: "x"}}}
	got := Mismatches(a, b, a)
	want := []Mismatch{{Index: 1, What: "population",
		Got:  "10 sessions zipf s=1.5, expired 0%, tampered 0%, no cookie 0%",
		Want: "10 sessions uniform, expired 0%, tampered 0%, no cookie 0%"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("mismatches (-want +got):\n%s", diff)
	}
}

// TestMergeRefusesTheSameRunTwice: the same report given twice, or a merged
// report with one of its parts, would double requests and rates. Merge
// refuses both in one line naming the repeat; distinct runs merge and say
// how many they are.
func TestMergeRefusesTheSameRunTwice(t *testing.T) {
	t0 := time.Date(2026, 12, 6, 9, 0, 0, 123456789, time.UTC)
	run := func(start time.Time, names ...string) *Report {
		r := &Report{Version: ReportVersion, Sources: 1, Started: start}
		for _, n := range names {
			r.Scenarios = append(r.Scenarios, ScenarioReport{Name: n, Requests: 10, Succeeded: 10, RateTarget: 100, Sources: 1})
		}
		// Through JSON, as `report` reads them: the instant must survive.
		var b bytes.Buffer
		if err := r.WriteJSON(&b); err != nil {
			t.Fatal(err)
		}
		back, err := ReadReport(&b)
		if err != nil {
			t.Fatal(err)
		}
		return back
	}
	a, b := run(t0, "x", "y"), run(t0.Add(time.Nanosecond), "x", "y")
	ab, err := Merge(a, b)
	if err != nil {
		t.Fatal(err)
	}
	if ab.Sources != 2 || len(ab.Runs) != 2 || ab.Scenarios[0].Requests != 20 {
		t.Errorf("distinct runs: sources %d runs %v requests %d", ab.Sources, ab.Runs, ab.Scenarios[0].Requests)
	}
	// The merged report read back still knows its runs.
	var js bytes.Buffer
	if err := ab.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	abBack, err := ReadReport(&js)
	if err != nil {
		t.Fatal(err)
	}
	// Scenario order does not make it another run.
	aAgain := run(t0.In(time.FixedZone("x", 3600)), "y", "x")
	for _, c := range []struct {
		name    string
		reports []*Report
		want    string
	}{
		{"same report twice", []*Report{a, a}, "bench: report 2 repeats the run of report 1 (started 2026-12-06T09:00:00.123456789Z, scenarios x,y)"},
		{"same run, other zone and order", []*Report{a, aAgain}, "report 2 repeats the run of report 1"},
		{"merged and a part", []*Report{abBack, b}, "report 2 repeats the run of report 1 (started 2026-12-06T09:00:00.12345679Z"},
		{"two repeats", []*Report{a, b, a, b}, "(and 1 more repeated)"},
	} {
		got, err := Merge(c.reports...)
		if !errors.Is(err, ErrDuplicateRun) || got != nil {
			t.Errorf("%s: merged %v, err %v: want ErrDuplicateRun", c.name, got != nil, err)
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, c.want) || strings.Contains(msg, "\n") {
			t.Errorf("%s: error %q, want one line containing %q", c.name, msg, c.want)
		}
	}
	// Another scenario set at the same instant is another run (a
	// generator told to run other scenarios), left to Mismatches.
	if _, err := Merge(a, run(t0, "z")); err != nil {
		t.Errorf("other scenario set refused: %v", err)
	}
}
