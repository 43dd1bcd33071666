package bench

import (
	"bytes"
	"context"
	"errors"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
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

func TestRecorderPercentilesMatchScript(t *testing.T) {
	// 9 in 10 requests take 2ms, 1 in 10 takes 20ms, each sent when due (no
	// queueing, simulated in virtual time): p50 is 2ms, p99 20ms, corrected
	// and uncorrected alike, to the histogram's precision (3 digits).
	ms := time.Millisecond
	cfg := Config{Rate: 200, Duration: Duration(3 * time.Second), MaxRequests: 300, Scenarios: []ScenarioSpec{{Name: "scripted", Via: ViaInProc}}}
	s := simulate(cfg, 0, func(n uint64) time.Duration {
		if n%10 == 9 {
			return 20 * ms
		}
		return 2 * ms
	})
	if s.Requests != 300 || s.Succeeded != 300 || s.Reasons["session"] != 300 {
		t.Errorf("requests %d succeeded %d reasons %v, want 300 (the cap)", s.Requests, s.Succeeded, s.Reasons)
	}
	for _, c := range []struct {
		name      string
		got, want int64
	}{
		{"p50", s.LatencyNs.P50, int64(2 * ms)},
		{"p99", s.LatencyNs.P99, int64(20 * ms)},
		{"uncorrected p50", s.LatencyUncorrectedNs.P50, int64(2 * ms)},
		{"uncorrected p99", s.LatencyUncorrectedNs.P99, int64(20 * ms)},
		{"max", s.LatencyNs.Max, int64(20 * ms)},
	} {
		if c.got < c.want || float64(c.got) > float64(c.want)*1.001 {
			t.Errorf("%s = %s, want %s", c.name, FormatNs(c.got), FormatNs(c.want))
		}
	}
	// 300 requests at 200/s: the cap ends dispatch at the 300th send, 1.495s in.
	if s.DispatchLagNs.Max >= int64(minLatency) {
		t.Errorf("dispatch lag max %s, want 0 (below the histogram's 1µs floor)", FormatNs(s.DispatchLagNs.Max))
	}
	if math.Abs(s.WindowSeconds-1.495) > 1e-9 || math.Abs(s.RateAttempted-300/1.495) > 1e-6 {
		t.Errorf("window %vs attempted %v/s, want 1.495s and 300 over it", s.WindowSeconds, s.RateAttempted)
	}
}

// TestRunPercentilesMatchScript runs the same script end to end. Only what
// the machine's speed cannot change is checked: the counts, and that no
// latency is below what the target took (timers never wake early; the
// exact figures are TestRecorderPercentilesMatchScript's).
func TestRunPercentilesMatchScript(t *testing.T) {
	ms := time.Millisecond
	tgt := &scripted{script: []time.Duration{2 * ms, 2 * ms, 2 * ms, 2 * ms, 2 * ms, 2 * ms, 2 * ms, 2 * ms, 2 * ms, 20 * ms}}
	spec, tg := inproc("scripted", tgt)
	// The request cap, not the clock, ends the run: a generator starved for
	// a moment still sends all 300.
	cfg := Config{Rate: 200, Duration: Duration(time.Minute), MaxRequests: 300, Scenarios: []ScenarioSpec{spec}}
	rep, err := Execute(t.Context(), cfg, tg)
	if err != nil {
		t.Fatal(err)
	}
	s := rep.Scenarios[0]
	if s.Requests != 300 || s.Succeeded != 300 {
		t.Errorf("requests %d succeeded %d, want 300 (the cap)", s.Requests, s.Succeeded)
	}
	if got := s.Reasons["no_cookie"]; got != 300 {
		t.Errorf("reasons %v: want 300 no_cookie (no population)", s.Reasons)
	}
	for _, c := range []struct {
		name      string
		got, want int64
	}{
		{"p50", s.LatencyNs.P50, int64(2 * ms)},
		{"p99", s.LatencyNs.P99, int64(20 * ms)}, // 30 of 300 took 20ms
		{"uncorrected p50", s.LatencyUncorrectedNs.P50, int64(2 * ms)},
		{"uncorrected p99", s.LatencyUncorrectedNs.P99, int64(20 * ms)},
		// Each request's corrected latency is at least its uncorrected one.
		{"p50 vs uncorrected", s.LatencyNs.P50, s.LatencyUncorrectedNs.P50},
		{"p99 vs uncorrected", s.LatencyNs.P99, s.LatencyUncorrectedNs.P99},
	} {
		if c.got < c.want {
			t.Errorf("%s = %s, want >= %s", c.name, FormatNs(c.got), FormatNs(c.want))
		}
	}
}

func TestRecorderCoordinatedOmissionCorrection(t *testing.T) {
	// One server, 100/s, simulated in virtual time: the 50th request (sent
	// at 500ms) stalls 400ms. Timed from its actual send, only that request
	// is slow; timed from the schedule, the requests queued behind it are
	// too: request i > 50 is due at 10i ms but starts at 900+(i-51) ms, so
	// requests 51-83 wait 100ms or more (850-9i ms); 34 of 200 are >= 100ms.
	ms := time.Millisecond
	cfg := Config{Rate: 100, Duration: Duration(3 * time.Second), MaxRequests: 200, Scenarios: []ScenarioSpec{{Name: "stall", Via: ViaInProc}}}
	s := simulate(cfg, 1, func(n uint64) time.Duration {
		if n == 50 {
			return 400 * ms
		}
		return ms
	})
	if s.Requests != 200 {
		t.Fatalf("requests = %d, want 200", s.Requests)
	}
	near := func(got int64, want time.Duration) bool {
		return got >= int64(want) && float64(got) <= float64(want)*1.001
	}
	if !near(s.LatencyUncorrectedNs.P90, ms) || !near(s.LatencyUncorrectedNs.P99, ms) {
		t.Errorf("uncorrected p90 %s p99 %s, want 1ms: only one request stalled", FormatNs(s.LatencyUncorrectedNs.P90), FormatNs(s.LatencyUncorrectedNs.P99))
	}
	if !near(s.LatencyNs.P50, ms) {
		t.Errorf("corrected p50 = %s, want 1ms: most requests never queued", FormatNs(s.LatencyNs.P50))
	}
	if s.LatencyNs.P90 < int64(100*ms) {
		t.Errorf("corrected p90 = %s, want >= 100ms: 17%% of requests queued 100ms+ behind the stall", FormatNs(s.LatencyNs.P90))
	}
	c, u := s.Histograms()
	if got := c.ValueAtPercentile(100 * (1 - 34.0/200)); got >= int64(100*ms) {
		t.Errorf("corrected p83 = %s, want < 100ms: only 34 requests waited that long", FormatNs(got))
	}
	if got := c.ValueAtPercentile(100 * (1 - 33.5/200)); got < int64(100*ms) {
		t.Errorf("corrected p83.25 = %s, want >= 100ms: 34 requests waited that long", FormatNs(got))
	}
	if !near(s.LatencyUncorrectedNs.Max, 400*ms) || !near(s.LatencyNs.Max, 400*ms) {
		t.Errorf("max corrected %s uncorrected %s: want both the 400ms stall", FormatNs(s.LatencyNs.Max), FormatNs(s.LatencyUncorrectedNs.Max))
	}
	if !near(s.DispatchLagNs.Max, 390*ms) {
		t.Errorf("dispatch lag max %s, want 390ms (request 51, due at 510ms, sent at 900ms)", FormatNs(s.DispatchLagNs.Max))
	}
	if c.Mean() <= u.Mean() {
		t.Errorf("corrected mean %v not above uncorrected %v", c.Mean(), u.Mean())
	}
}

// TestRunCoordinatedOmissionCorrection runs the stall end to end with one
// worker. What it checks holds at any machine speed: the stalled request
// took 400ms or more; the one worker sends requests one after another, so
// requests 51-80 (due 10ms apart) cannot start before the stall ends and
// their corrected latencies, with the stalled one's, are >= 100ms: 31 of
// 200, above the 10% that p90 leaves out.
func TestRunCoordinatedOmissionCorrection(t *testing.T) {
	script := make([]time.Duration, 200)
	for i := range script {
		script[i] = time.Millisecond
	}
	script[50] = 400 * time.Millisecond
	tgt := &scripted{script: script}
	spec, tg := inproc("stall", tgt)
	// The cap ends the run, not the schedule: a starved generator still
	// sends all 200.
	cfg := Config{Rate: 100, Duration: Duration(time.Minute), MaxRequests: 200, Workers: 1, MaxWorkers: 1, Scenarios: []ScenarioSpec{spec}}
	rep, err := Execute(t.Context(), cfg, tg)
	if err != nil {
		t.Fatal(err)
	}
	s := rep.Scenarios[0]
	if s.Requests != 200 {
		t.Fatalf("requests = %d, want 200", s.Requests)
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
	// The reader reads nothing until the run has queued its final snapshot
	// (the finalQueued seam says when), so it has missed every live one.
	spec, tg := inproc("a", &scripted{script: []time.Duration{0}})
	queued := make(chan struct{})
	onFinal := func(o *runOptions) { o.finalQueued = func() { close(queued) } }
	ch, err := Run(t.Context(), Config{Rate: 1000, Duration: Duration(2 * time.Second), MaxRequests: 600, Scenarios: []ScenarioSpec{spec}}, tg, onFinal)
	if err != nil {
		t.Fatal(err)
	}
	<-queued
	var got []Snapshot
	for s := range ch {
		got = append(got, s)
	}
	if len(got) != 1 || !got[0].Final || got[0].Report.Scenarios[0].Requests != 600 {
		t.Fatalf("got %d snapshots (final %v): a slow reader must see only the final one, with all 600 requests", len(got), len(got) > 0 && got[0].Final)
	}
}

// TestRunMemoryBounded: a run keeps no per-request state (histograms are
// fixed-size, intervals keep a few numbers each, results stream out), so
// its heap must not grow with the requests sent. The run's per-request
// path is driven in virtual time, without goroutines or a clock: the real
// pacer gives each request its intended time, a simulated target a vegeta
// Result (headers and all), and the runner's own code classifies and
// records it, closes and logs each interval to an .hlog and publishes a
// live snapshot every few thousand requests. The heap is read after forced
// GCs at a fifth of the requests and at the end; what a run may
// legitimately add between the two is a constant (the snapshot in the
// channel, the interval list's growth) far below the 1 byte a request
// allowed, so the check is deterministic on any machine. The same loop with
// a planted leak of one 8-byte value a request must fail it: that proves
// the check can fail.
func TestRunMemoryBounded(t *testing.T) {
	n := 1_000_000
	if raceEnabled || testing.Short() {
		n = 250_000
	}
	clean := retainedPerRequest(t, n, nil)
	var leak []int64
	leaky := retainedPerRequest(t, n, func(s sample) { leak = append(leak, s.intended.UnixNano()) })
	t.Logf("retained per request: %.3f bytes clean, %.3f with a planted 8-byte leak", clean, leaky)
	if clean > 1 {
		t.Errorf("the run retains %.2f bytes a request: it keeps per-request state", clean)
	}
	if leaky < 4 {
		t.Errorf("a planted leak of 8 bytes a request measured %.2f bytes: the check cannot see a leak", leaky)
	}
}

// retainedPerRequest drives n requests through the run's per-request path
// (see TestRunMemoryBounded), calling keep (when set) on each, and returns
// the heap's growth per request between a fifth of them and the end.
func retainedPerRequest(t *testing.T, n int, keep func(sample)) float64 {
	t.Helper()
	const rate = 100_000 // virtual: 10 s for a million requests
	spec := ScenarioSpec{Name: "noop", Via: ViaInProc}
	cfg := Config{Rate: rate, Duration: Duration(time.Duration(n) * time.Second / rate), Interval: Duration(100 * time.Millisecond),
		Scenarios: []ScenarioSpec{spec}}.WithDefaults()
	r := &runner{cfg: cfg, opts: runOptions{hlog: &countingWriter{n: new(int64)}}, ch: make(chan Snapshot, 1),
		states: make([]ScenarioSnapshot, 1)}
	r.startOutputs()
	plan := cfg.Plan()
	p := newPacer(plan, 0)
	began := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	p.began.Store(&began)
	rec := newRecorder(spec)
	rec.windowStart, rec.ivStart = began, began
	nextIv := began.Add(time.Duration(cfg.Interval))
	heap := func() uint64 {
		runtime.GC()
		runtime.GC() // the second sweeps what the first finalised
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	var from uint64
	headers := http.Header{HeaderReason: {"session"}, HeaderCache: {"hit"}}
	for seq := range uint64(n) {
		intended, _ := p.intended(seq)
		for !intended.Before(nextIv) {
			r.logInterval(rec, nextIv)
			nextIv = nextIv.Add(time.Duration(cfg.Interval))
		}
		start := intended.Add(time.Duration(seq%7) * time.Microsecond)
		res := &vegeta.Result{Attack: spec.Name, Seq: seq, Code: 200, Timestamp: start,
			Latency: time.Duration(20+seq%200) * time.Microsecond, Headers: headers.Clone()}
		s := fromResult(res, intended)
		rec.add(s, false)
		if keep != nil {
			keep(s)
		}
		if seq%5000 == 4999 { // a live snapshot, as the run loop takes them
			st := &r.states[0]
			corr, uncorr := rec.current()
			st.Report = rec.report(corr, uncorr, r.window(p, plan, rec, began, start, time.Time{}))
			r.publish(r.snapshot())
		}
		if seq == uint64(n/5) {
			from = heap()
		}
	}
	to := heap()
	// Everything the run holds stays reachable until measured (the
	// compiler would otherwise let the last GC free it), a leak's too.
	runtime.KeepAlive(rec)
	runtime.KeepAlive(r)
	runtime.KeepAlive(keep)
	if len(r.errs) > 0 {
		t.Fatal(r.errs)
	}
	return float64(int64(to)-int64(from)) / float64(n-n/5)
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
	// The request cap, not the clock, ends the run: a schedule that ended
	// first would stop a starved generator short of 200 (the pacer never
	// runs past the schedule to catch up). At 400/s the cap is reached in
	// half a second on a machine that keeps up.
	cfg := Config{Rate: 400, Duration: Duration(time.Minute), MaxRequests: 200,
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
	// The transport refuses too (a redirect, a URL changed after Validate):
	// it never dials a host not allowed.
	tr := newHTTPTransport(newRunConns(Config{}.HostAllowed))
	defer tr.CloseIdleConnections()
	for _, u := range []string{"http://10.0.0.1/", "http://example.com:8080/x"} {
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		if _, err := tr.RoundTrip(req); !errors.Is(err, ErrHostNotAllowed) {
			t.Errorf("transport, %s: err = %v, want ErrHostNotAllowed", u, err)
		}
	}
}

func TestRunHTTPClientKeepsNetHTTPDeadlinePath(t *testing.T) {
	// An HTTP scenario's client sends through an *http.Transport itself:
	// net/http applies a Client.Timeout to any other RoundTripper with a
	// timer, two channels and a goroutine per request, a cost the vegeta
	// CLI does not pay (see runConns). The host guard lives in its dialer.
	r := &runner{cfg: Config{Timeout: Duration(time.Second)}}
	_, c, closeIdle := r.client(t.Context(), ScenarioSpec{Name: "x", Via: ViaHTTP, URL: "http://127.0.0.1:1/"})
	defer closeIdle()
	if _, ok := c.Transport.(*http.Transport); !ok || c.Timeout != time.Second {
		t.Errorf("client transport %T, timeout %s: want *http.Transport and the Config's 1s", c.Transport, c.Timeout)
	}
}

func TestRunNeedsTargets(t *testing.T) {
	cfg := Config{Rate: 10, Duration: Duration(time.Second), Scenarios: []ScenarioSpec{{Name: "x"}, {Name: "y", Via: ViaHTTP}}}
	_, err := Run(t.Context(), cfg, Targets{})
	if err == nil || !strings.Contains(err.Error(), `"x": no in-process target`) || !strings.Contains(err.Error(), `"y": no URL`) {
		t.Errorf("err = %v", err)
	}
}

func TestRunWithoutLiveSnapshots(t *testing.T) {
	// With the option a reader gets each scenario's end and the final
	// snapshot only; without it (the control) live ones arrive during the
	// run, so the check can fail. The report is complete either way.
	for _, noLive := range []bool{false, true} {
		spec, tg := inproc("a", &scripted{script: []time.Duration{0}})
		var opts []Option
		if noLive {
			opts = append(opts, WithoutLiveSnapshots())
		}
		cfg := Config{Rate: 200, Duration: Duration(time.Second), Warmup: Duration(100 * time.Millisecond), Scenarios: []ScenarioSpec{spec}}
		ch, err := Run(t.Context(), cfg, tg, opts...)
		if err != nil {
			t.Fatal(err)
		}
		live, ends := 0, 0
		var last Snapshot
		for s := range ch {
			last = s
			switch {
			case s.Final:
			case s.Scenarios[0].State == StateDone:
				ends++
			default:
				live++
			}
		}
		if !last.Final || last.Report.Scenarios[0].Requests == 0 || len(last.Report.Scenarios[0].Intervals) == 0 {
			t.Fatalf("noLive %v: final %v, report without requests or intervals", noLive, last.Final)
		}
		if noLive && (live != 0 || ends != 1) {
			t.Errorf("without live snapshots: %d live, %d scenario ends, want 0 and 1", live, ends)
		}
		if !noLive && live == 0 {
			t.Errorf("control: no live snapshot over a 1s run, want some (every %s)", snapshotEvery)
		}
	}
}

func TestRunInprocTimeout(t *testing.T) {
	// An in-process target that outlasts Config.Timeout gets its context
	// ended at the timeout (the transport's deadline: the client carries
	// none, see inprocTransport) and the request counts as a timeout.
	spec, tg := inproc("slow", TargetFunc(func(ctx context.Context, _ string) (Outcome, error) {
		<-ctx.Done()
		return Outcome{}, ctx.Err()
	}))
	cfg := Config{Rate: 20, Duration: Duration(300 * time.Millisecond), Warmup: 0, Timeout: Duration(50 * time.Millisecond),
		Scenarios: []ScenarioSpec{spec}}
	start := time.Now()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second) // a missing deadline fails, not hangs
	defer cancel()
	rep, err := Execute(ctx, cfg, tg)
	if err != nil {
		t.Fatal(err)
	}
	s := rep.Scenarios[0]
	if s.Requests == 0 || s.Reasons["timeout"] != s.Requests || s.Succeeded != 0 {
		t.Errorf("requests %d, reasons %v, succeeded %d: want every request a timeout", s.Requests, s.Reasons, s.Succeeded)
	}
	if el := time.Since(start); el > 10*time.Second {
		t.Errorf("run took %s: the timeout did not end the requests", el)
	}
	r := &runner{cfg: cfg.WithDefaults(), targets: tg}
	_, c, closeIdle := r.client(t.Context(), spec)
	defer closeIdle()
	if tr, ok := c.Transport.(inprocTransport); !ok || c.Timeout != 0 || tr.timeout != 50*time.Millisecond {
		t.Errorf("client timeout %s, transport %T: want the 50ms deadline on the in-process transport alone", c.Timeout, c.Transport)
	}
}

// TestRunHTTPConnectionsCapped: an HTTP scenario opens no more connections
// than Config.Connections (64 by default) however many requests are in
// flight; the ones beyond wait for a connection and are counted late. A
// slow target at 4,000/s needs about 80 in flight: uncapped, the attacker
// started a worker and dialled a connection for each.
func TestRunHTTPConnectionsCapped(t *testing.T) {
	for _, c := range []struct {
		conns, want int
	}{{4, 4}, {0, DefaultConnections}} {
		var opened atomic.Int64
		srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			time.Sleep(20 * time.Millisecond)
			w.Header().Set(HeaderReason, "session")
		}))
		srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
			if s == http.StateNew {
				opened.Add(1)
			}
		}
		srv.Start()
		cfg := Config{Rate: 4000, Duration: Duration(300 * time.Millisecond), Connections: c.conns,
			Scenarios: []ScenarioSpec{{Name: "slow", Via: ViaHTTP, URL: srv.URL + "/"}}}
		rep, err := Execute(t.Context(), cfg, Targets{})
		srv.Close()
		if err != nil {
			t.Fatal(err)
		}
		s := rep.Scenarios[0]
		if got := opened.Load(); got > int64(c.want) || got < 2 {
			t.Errorf("connections %d: %d opened, want at most %d", c.conns, got, c.want)
		}
		if s.Requests == 0 || s.DispatchLagNs.P99 == 0 {
			t.Errorf("connections %d: %d requests, dispatch lag p99 %d: the wait for a connection is not counted", c.conns, s.Requests, s.DispatchLagNs.P99)
		}
	}
}
