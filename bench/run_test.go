package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// scripted is a fake Target whose n-th call takes script[n%len(script)].
type scripted struct {
	script []time.Duration
	calls  atomic.Int64
}

func (s *scripted) Do(ctx context.Context, cookie string) (Outcome, error) {
	n := s.calls.Add(1) - 1
	d := s.script[int(n)%len(s.script)]
	if d > 0 {
		select {
		case <-time.After(d):
		case <-ctx.Done():
			return Outcome{Reason: "canceled"}, ctx.Err()
		}
	}
	if cookie == "" {
		return Outcome{Reason: "no_cookie"}, nil
	}
	return Outcome{Reason: "session"}, nil
}

func inproc(name string, t Target) (ScenarioSpec, Targets) {
	return ScenarioSpec{Name: name, Mode: "local", Strategy: "jwt", Via: ViaInProc},
		Targets{InProc: map[string]Target{name: t}}
}

// timingSlack is how far above a scripted latency a measured one may be:
// timer wake-ups add a little, the race detector's instrumentation a lot.
func timingSlack() (rel float64, abs time.Duration) {
	if raceEnabled {
		return 1, 20 * time.Millisecond
	}
	return 0.25, 3 * time.Millisecond
}

// within reports whether got is in [want, want*(1+rel)+abs].
func within(got, want int64, rel float64, abs time.Duration) bool {
	return got >= want && float64(got) <= float64(want)*(1+rel)+float64(abs)
}

func TestRunPercentilesMatchScript(t *testing.T) {
	// 9 in 10 requests take 2ms, 1 in 10 takes 20ms: p50 is 2ms, p99 20ms.
	// Timer wake-ups add a little; a busy shared machine can add a lot for
	// a moment, so the check gets three attempts.
	var failures []string
	for attempt := range 3 {
		failures = scriptedAttempt(t)
		if len(failures) == 0 {
			return
		}
		t.Logf("attempt %d: %v", attempt+1, failures)
	}
	t.Error(strings.Join(failures, "\n"))
}

func scriptedAttempt(t *testing.T) []string {
	t.Helper()
	ms := time.Millisecond
	tgt := &scripted{script: []time.Duration{2 * ms, 2 * ms, 2 * ms, 2 * ms, 2 * ms, 2 * ms, 2 * ms, 2 * ms, 2 * ms, 20 * ms}}
	spec, tg := inproc("scripted", tgt)
	// The request cap, not the clock, ends the run: a generator starved for
	// a moment still sends all 300.
	cfg := Config{Rate: 200, Duration: Duration(3 * time.Second), MaxRequests: 300, Scenarios: []ScenarioSpec{spec}}
	rep, err := Execute(t.Context(), cfg, tg)
	if err != nil {
		t.Fatal(err)
	}
	s := rep.Scenarios[0]
	var fails []string
	if s.Requests != 300 || s.Succeeded != 300 {
		fails = append(fails, fmt.Sprintf("requests %d succeeded %d, want 300 (rate 200/s for 1.5s)", s.Requests, s.Succeeded))
	}
	for _, c := range []struct {
		name      string
		got, want int64
	}{
		{"p50", s.LatencyNs.P50, int64(2 * ms)},
		{"p99", s.LatencyNs.P99, int64(20 * ms)},
		{"uncorrected p50", s.LatencyUncorrectedNs.P50, int64(2 * ms)},
		{"uncorrected p99", s.LatencyUncorrectedNs.P99, int64(20 * ms)},
	} {
		rel, abs := timingSlack()
		if !within(c.got, c.want, rel, abs) {
			fails = append(fails, fmt.Sprintf("%s = %s, want %s (+%.0f%% +%s)", c.name, FormatNs(c.got), FormatNs(c.want), rel*100, abs))
		}
	}
	if got := s.Reasons["no_cookie"]; got != 300 {
		fails = append(fails, fmt.Sprintf("reasons %v: want 300 no_cookie (no population)", s.Reasons))
	}
	return fails
}

func TestRunCoordinatedOmissionCorrection(t *testing.T) {
	// One worker, 100/s: the 50th request stalls 400ms. Timed from its actual
	// send, only that request is slow; timed from the schedule, the ~40
	// requests queued behind it are too.
	script := make([]time.Duration, 200)
	for i := range script {
		script[i] = time.Millisecond
	}
	script[50] = 400 * time.Millisecond
	tgt := &scripted{script: script}
	spec, tg := inproc("stall", tgt)
	cfg := Config{Rate: 100, Duration: Duration(3 * time.Second), MaxRequests: 200, Workers: 1, MaxWorkers: 1, Scenarios: []ScenarioSpec{spec}}
	rep, err := Execute(t.Context(), cfg, tg)
	if err != nil {
		t.Fatal(err)
	}
	s := rep.Scenarios[0]
	if s.Requests != 200 {
		t.Fatalf("requests = %d, want 200", s.Requests)
	}
	if s.LatencyUncorrectedNs.P90 > int64(10*time.Millisecond) {
		t.Errorf("uncorrected p90 = %s, want ~1ms: only one request stalled", FormatNs(s.LatencyUncorrectedNs.P90))
	}
	if s.LatencyNs.P90 < int64(100*time.Millisecond) {
		t.Errorf("corrected p90 = %s, want >= 100ms: ~20%% of requests queued behind the stall", FormatNs(s.LatencyNs.P90))
	}
	if s.LatencyUncorrectedNs.Max < int64(400*time.Millisecond) || s.LatencyNs.Max < s.LatencyUncorrectedNs.Max {
		t.Errorf("max corrected %s uncorrected %s: want both >= the 400ms stall", FormatNs(s.LatencyNs.Max), FormatNs(s.LatencyUncorrectedNs.Max))
	}
	c, u := s.Histograms()
	if c.Mean() < u.Mean() {
		t.Errorf("corrected mean %v below uncorrected %v", c.Mean(), u.Mean())
	}
}

func TestRunCancelKeepsPartialResults(t *testing.T) {
	// The run is cancelled from inside the target when the 150th call, a
	// minute-long one, starts: what is in flight at the cancel is known,
	// whatever the machine's speed.
	tgt := &scripted{script: []time.Duration{time.Millisecond}}
	slow := &scripted{script: []time.Duration{time.Minute}} // in flight when cancelled
	cfg := Config{Rate: 200, Duration: Duration(time.Minute), Scenarios: []ScenarioSpec{
		{Name: "first", Mode: "local", Via: ViaInProc},
		{Name: "second", Mode: "proxy", Via: ViaInProc},
	}}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var calls atomic.Int64
	var cancelledAt atomic.Pointer[time.Time]
	start := time.Now()
	ch, err := Run(ctx, cfg, Targets{InProc: map[string]Target{"first": TargetFunc(func(ctx context.Context, c string) (Outcome, error) {
		if calls.Add(1) == 150 {
			now := time.Now()
			cancelledAt.Store(&now)
			cancel()
			return slow.Do(ctx, c)
		}
		return tgt.Do(ctx, c)
	}), "second": tgt}})
	if err != nil {
		t.Fatal(err)
	}
	var last Snapshot
	n := 0
	for s := range ch {
		last = s
		n++
	}
	total := time.Since(start)
	at := cancelledAt.Load()
	if at == nil {
		t.Fatalf("the run ended after %d calls without reaching the cancelling one", calls.Load())
	}
	// The minute-long call and the minute-long schedule would keep a run
	// that ignored the cancel going for a minute.
	if d := time.Since(*at); d > 30*time.Second {
		t.Errorf("run took %s after the cancel: cancellation did not stop it", d)
	}
	if !last.Final || !last.Canceled || last.Report == nil || !last.Report.Canceled {
		t.Fatalf("last snapshot final=%v canceled=%v report=%v", last.Final, last.Canceled, last.Report != nil)
	}
	first, second := last.Report.Scenarios[0], last.Report.Scenarios[1]
	if first.Requests < 50 || first.Requests > 200 {
		t.Errorf("first: %d requests, want the ~150 sent before cancel", first.Requests)
	}
	if first.Errors != 0 {
		t.Errorf("first: %d errors: requests cut by our own cancel must not count as errors (reasons %v)", first.Errors, first.Reasons)
	}
	// The 150th request is due 149/200 s after the start and is never sent
	// early, so the window is at least that; it ends at the cancel, so it
	// is within the time the test waited, not the minute planned.
	if first.LatencyNs.P50 == 0 || first.WindowSeconds < 149.0/200 || first.WindowSeconds > total.Seconds() {
		t.Errorf("first: p50 %d window %.2fs (test ran %s): want figures for the part that ran", first.LatencyNs.P50, first.WindowSeconds, total)
	}
	if first.RateTarget < 150 || first.RateTarget > 250 {
		t.Errorf("first: rate target %.0f, want ~200 over the shortened window", first.RateTarget)
	}
	if second.Requests != 0 || last.Scenarios[1].State != StatePending {
		t.Errorf("second: %d requests state %s, want untouched", second.Requests, last.Scenarios[1].State)
	}
	if limit := 2 + 4*int(math.Ceil(total.Seconds())); n > limit {
		t.Errorf("%d snapshots in %s: want at most 4 a second plus the final", n, total)
	}
}

func TestRunFinalSnapshotAfterSlowReader(t *testing.T) {
	spec, tg := inproc("a", &scripted{script: []time.Duration{0}})
	ch, err := Run(t.Context(), Config{Rate: 1000, Duration: Duration(2 * time.Second), MaxRequests: 600, Scenarios: []ScenarioSpec{spec}}, tg)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(1500 * time.Millisecond) // read nothing while the run ends
	var got []Snapshot
	for s := range ch {
		got = append(got, s)
	}
	if len(got) != 1 || !got[0].Final || got[0].Report.Scenarios[0].Requests != 600 {
		t.Fatalf("got %d snapshots (final %v): a slow reader must see only the final one, with all 600 requests", len(got), len(got) > 0 && got[0].Final)
	}
}

// TestRunMemoryBounded: a run keeps no per-request state (histograms are
// fixed-size, results stream out), so its heap must not grow with the
// requests sent. The heap is sampled (after a GC) at every snapshot and
// compared between an early and a late window placed by request count, not
// by the clock, so a CPU-starved machine only makes the run longer. What a
// run may legitimately hold at a sample is bounded and independent of the
// request count: the requests in flight (the workers are capped here, so a
// starved generator cannot pile up goroutines and their requests, which is
// the open model working as designed, not a leak), the snapshot being
// built. The minimum over several samples per window leaves most of those
// out, but the runner may be building the next snapshot (two histogram
// clones) at every sample of a window, so the test allows one snapshot's
// histograms plus 16 bytes per request between the windows: a third of
// the smallest per-request record a leak would keep (a sample or a Result
// is 48 bytes or more). Under -race, fewer requests make the check coarser
// (it catches about 80 bytes per request).
func TestRunMemoryBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("long in-process run")
	}
	spec, tg := inproc("noop", TargetFunc(func(context.Context, string) (Outcome, error) { return Outcome{Reason: "session"}, nil }))
	rate, total := Rate(8000), uint64(32000)
	if raceEnabled {
		rate, total = 3000, 12000
	}
	// The duration only bounds a starved run; the request cap ends it.
	cfg := Config{Rate: rate, Duration: Duration(12 * time.Second), MaxRequests: total, // 4s unless starved
		Workers: 8, MaxWorkers: 8, Interval: Duration(100 * time.Millisecond), Scenarios: []ScenarioSpec{spec}}
	ch, err := Run(t.Context(), cfg, tg, WithHlog(&countingWriter{n: new(int64)}))
	if err != nil {
		t.Fatal(err)
	}
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	type window struct {
		from, to float64 // share of total
		min      uint64
		samples  int
		firstReq int64
	}
	early, late := &window{from: 0.2, to: 0.45, min: math.MaxUint64}, &window{from: 0.7, to: 1, min: math.MaxUint64}
	for s := range ch {
		if s.Final {
			continue
		}
		req := s.Scenarios[0].Report.Requests
		for _, w := range []*window{early, late} {
			if float64(req) >= w.from*float64(total) && float64(req) < w.to*float64(total) {
				if w.samples == 0 {
					w.firstReq = req
				}
				w.samples++
				w.min = min(w.min, heap())
			}
		}
	}
	// Snapshots are latest-wins: a reader starved of CPU sees few.
	if early.samples < 3 || late.samples < 3 {
		t.Skipf("too few heap samples to judge (%d early, %d late): this machine starved the test of CPU", early.samples, late.samples)
	}
	between := late.firstReq - early.firstReq
	growth := int64(late.min) - int64(early.min)
	snapshot := 2 * int64(newHistogram().ByteSize())
	if growth > snapshot+16*between {
		t.Errorf("heap grew %d KiB over %d requests (%.0f bytes per request): the run keeps per-request state", growth>>10, between, float64(growth)/float64(between))
	}
	t.Logf("heap %d KiB -> %d KiB over %d requests (min of %d and %d samples)", early.min>>10, late.min>>10, between, early.samples, late.samples)
}

type countingWriter struct{ n *int64 }

func (w *countingWriter) Write(p []byte) (int, error) { *w.n += int64(len(p)); return len(p), nil }

func TestRunHTTPAndClassification(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch c := r.Header.Get("Cookie"); {
		case c == "":
			w.Write([]byte("null"))
		case strings.HasPrefix(c, "bad"):
			http.Error(w, "boom", http.StatusInternalServerError)
		default:
			w.Header().Set("Set-Cookie", "secret=1")
			w.Write([]byte(`{"user":{"name":"x"},"expires":"2030-01-01T00:00:00.000Z"}`))
		}
	}))
	defer srv.Close()
	pop := StaticPopulation{Valid: []string{"ok=1", "ok=2"}, Tampered: []string{"bad=1"}}
	cfg := Config{Rate: 400, Duration: Duration(time.Second), MaxRequests: 200,
		Population: PopulationConfig{Sessions: 2, NoCookie: 0.25, Tampered: 0.25},
		Scenarios:  []ScenarioSpec{{Name: "serve", Mode: "local", Via: ViaHTTP, URL: srv.URL + "/api/auth/session"}}}
	var results bytes.Buffer
	rep, err := Execute(t.Context(), cfg, Targets{Population: pop}, WithResults(&results))
	if err != nil {
		t.Fatal(err)
	}
	s := rep.Scenarios[0]
	if s.Requests != 200 {
		t.Fatalf("requests %d, want 200", s.Requests)
	}
	for reason, share := range map[string]float64{"session": 0.5, "no_session": 0.25, "http_500": 0.25} {
		if got := float64(s.Reasons[reason]) / 200; got < share-0.12 || got > share+0.12 {
			t.Errorf("reason %s: share %.2f, want ~%.2f (%v)", reason, got, share, s.Reasons)
		}
	}
	if s.Errors != s.Reasons["http_500"] {
		t.Errorf("errors %d, want the http_500 count %d", s.Errors, s.Reasons["http_500"])
	}
	if bytes.Contains(results.Bytes(), []byte("secret")) || bytes.Contains(results.Bytes(), []byte("ok=1")) ||
		bytes.Contains(results.Bytes(), []byte("expires")) {
		t.Error("results file holds a cookie or a body")
	}
	if results.Len() == 0 {
		t.Error("results file empty")
	}
}

func TestRunRefusesHostsNotAllowed(t *testing.T) {
	for _, u := range []string{"http://10.1.2.3/api/auth/session", "http://example.com/", "http://192.168.1.1:8080/"} {
		cfg := Config{Rate: 10, Duration: Duration(time.Second),
			Scenarios: []ScenarioSpec{{Name: "x", Via: ViaHTTP, URL: u}}}
		if _, err := Run(t.Context(), cfg, Targets{}); !errors.Is(err, ErrHostNotAllowed) {
			t.Errorf("%s: err = %v, want ErrHostNotAllowed", u, err)
		}
	}
	cfg := Config{Rate: 10, Duration: Duration(time.Second), AllowedHosts: []string{"example.com"},
		Scenarios: []ScenarioSpec{{Name: "x", Via: ViaHTTP, URL: "http://127.0.0.1:1/"}}}
	if _, err := Run(t.Context(), cfg, Targets{}); !errors.Is(err, ErrHostNotAllowed) {
		t.Errorf("loopback not in an explicit allow-list: err = %v, want ErrHostNotAllowed", err)
	}
	// The transport refuses too (a redirect, a URL changed after Validate).
	g := guardTransport{next: http.DefaultTransport, cfg: Config{}}
	req, _ := http.NewRequest(http.MethodGet, "http://10.0.0.1/", nil)
	if _, err := g.RoundTrip(req); !errors.Is(err, ErrHostNotAllowed) {
		t.Errorf("guard transport: err = %v, want ErrHostNotAllowed", err)
	}
}

func TestRunNeedsTargets(t *testing.T) {
	cfg := Config{Rate: 10, Duration: Duration(time.Second), Scenarios: []ScenarioSpec{{Name: "x"}, {Name: "y", Via: ViaHTTP}}}
	_, err := Run(t.Context(), cfg, Targets{})
	if err == nil || !strings.Contains(err.Error(), `"x": no in-process target`) || !strings.Contains(err.Error(), `"y": no URL`) {
		t.Errorf("err = %v", err)
	}
}
