package tui

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/authscope/authscope/resolver"
)

// testNow is the fixed clock every test and golden uses.
var testNow = time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)

// demoRows makes n deterministic rows of one strategy.
func demoRows(n int, strategy resolver.Strategy) []SessionRow {
	first := []string{"Alice", "Bob", "Carol", "Dave", "Erin", "Frank", "Grace", "Heidi"}
	last := []string{"Smith", "Jones", "Okafor", "Nakamura", "Garcia", "Müller"}
	rows := make([]SessionRow, n)
	for i := range rows {
		f, l := first[i%len(first)], last[(i/len(first))%len(last)]
		rows[i] = SessionRow{
			Key:      fmt.Sprintf("k%06d", i),
			Token:    fmt.Sprintf("secret-token-%s-%06d", strategy, i),
			UserID:   fmt.Sprintf("user-%06d", i),
			Name:     f + " " + l,
			Email:    fmt.Sprintf("%s.%s%d@example.com", strings.ToLower(f), strings.ToLower(l), i),
			Strategy: strategy,
			// Spread expiries over -1h..+30d so all three states appear.
			Expires: testNow.Add(-time.Hour + time.Duration(i%720)*time.Hour),
		}
	}
	return rows
}

// countingResolver counts Resolve calls; it knows the tokens of rows.
type countingResolver struct {
	calls atomic.Int64
	known map[string]SessionRow
}

func (r *countingResolver) Resolve(_ context.Context, in resolver.Input) (resolver.Result, error) {
	r.calls.Add(1)
	_, tok, _ := strings.Cut(in.CookieHeader(), "=")
	row, ok := r.known[tok]
	if !ok {
		return resolver.Result{Reason: resolver.ReasonUnknownSession, Source: "fake"}, nil
	}
	s := &resolver.Session{Expires: row.Expires}
	s.User.Name = resolver.String(row.Name)
	s.User.Email = resolver.String(row.Email)
	s.User.ID = row.UserID
	return resolver.Result{Session: s, Reason: resolver.ReasonOK, Source: "fake"}, nil
}

// fakeFactory builds engines around one countingResolver.
type fakeFactory struct {
	res         *countingResolver
	mu          sync.Mutex
	builds      []Settings
	invalidated []string
	// invalidatedUsers records InvalidateUser calls.
	invalidatedUsers []string
	fail             error
	// layout is the Engine's store layout (store.LayoutName).
	layout string
}

func (f *fakeFactory) Build(_ context.Context, s Settings) (Engine, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.builds = append(f.builds, s)
	if f.fail != nil {
		return Engine{}, f.fail
	}
	e := Engine{
		Resolver: f.res,
		Describe: fmt.Sprintf("fake %s/%s", s.Mode, s.Strategy),
		Details:  []string{"cookie authjs.session-token · max age 720h0m0s"},
		Layout:   f.layout,
		Claims: func(string) (resolver.Claims, error) {
			return resolver.Claims{"name": "Alice Smith", "email": "alice.smith0@example.com", "sub": "user-000000", "iat": 1, "exp": 2}, nil
		},
		Invalidate: func(r SessionRow) {
			f.mu.Lock()
			f.invalidated = append(f.invalidated, r.Key)
			f.mu.Unlock()
		},
		InvalidateUser: func(id string) {
			f.mu.Lock()
			f.invalidatedUsers = append(f.invalidatedUsers, id)
			f.mu.Unlock()
		},
	}
	if s.Cache {
		e.CacheStats = func() CacheStats { return CacheStats{Hits: 3, Misses: 1} }
	}
	return e, nil
}

func (f *fakeFactory) buildCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.builds)
}

// exactLatencies is a LatencyRecorder that keeps every latency and answers
// the nearest-rank percentile (tui/backend's HDR histogram approximates it).
type exactLatencies struct{ d []time.Duration }

func newExactLatencies() LatencyRecorder { return &exactLatencies{} }

func (l *exactLatencies) Record(d time.Duration) { l.d = append(l.d, d) }

func (l *exactLatencies) Percentile(p float64) time.Duration {
	s := slices.Sorted(slices.Values(l.d))
	i := int(math.Ceil(p/100*float64(len(s)))) - 1
	return s[min(max(i, 0), len(s)-1)]
}

// fakeRunner emits scripted snapshots.
type fakeRunner struct {
	snaps   []RunSnapshot
	steps   []CapacityStep
	started atomic.Int64
	hold    bool // keep the channel open until ctx ends
}

func (r *fakeRunner) Profiles() []string { return []string{"demo-mixed", "smoke"} }

func (r *fakeRunner) Start(ctx context.Context, profile string, _ Settings) (<-chan RunSnapshot, error) {
	r.started.Add(1)
	ch := make(chan RunSnapshot, len(r.snaps)+1)
	for _, s := range r.snaps {
		s.Profile = profile
		ch <- s
	}
	if !r.hold {
		close(ch)
		return ch, nil
	}
	go func() { <-ctx.Done(); close(ch) }()
	return ch, nil
}

func (r *fakeRunner) Capacity(context.Context, string, Settings) (<-chan CapacityStep, error) {
	ch := make(chan CapacityStep, len(r.steps))
	for _, s := range r.steps {
		ch <- s
	}
	close(ch)
	return ch, nil
}

func (r *fakeRunner) Export(_ context.Context, s RunSnapshot) (string, error) {
	return "/tmp/authscope-" + s.Profile + ".hlog", nil
}

func (r *fakeRunner) ExportCapacity(_ context.Context, profile string, _ []CapacityStep) (string, error) {
	return "/tmp/authscope-" + profile + "-capacity.json", nil
}

// sampleSnapshot is a finished two-scenario run.
func sampleSnapshot(final bool) RunSnapshot {
	curve := func(base time.Duration) []Quantile {
		ps := []float64{0, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 100}
		out := make([]Quantile, len(ps))
		for i, p := range ps {
			out[i] = Quantile{Percentile: p, Latency: base * time.Duration(1+i*i)}
		}
		return out
	}
	return RunSnapshot{
		Elapsed: 4 * time.Second, Duration: 10 * time.Second,
		AttemptedRate: 500, AchievedRate: 497,
		Final: final,
		Scenarios: []ScenarioStats{
			{Name: "jwt-local", Mode: resolver.ModeLocal, Requests: 1988, Percentiles: curve(20 * time.Microsecond), Max: 2 * time.Millisecond,
				Reasons: map[resolver.Reason]uint64{resolver.ReasonOK: 1980, resolver.ReasonExpired: 8}},
			{Name: "jwt-proxy", Mode: resolver.ModeProxy, Requests: 1985, Errors: 3, Percentiles: curve(400 * time.Microsecond), Max: 40 * time.Millisecond,
				Reasons: map[resolver.Reason]uint64{resolver.ReasonOK: 1975, resolver.ReasonUpstreamTimeout: 3, resolver.ReasonExpired: 7}},
		},
	}
}

// sampleSteps is a finished capacity search as a Runner streams it.
func sampleSteps() []CapacityStep {
	const sc = "database-local-cached"
	return []CapacityStep{
		{Started: true, Scenario: sc, Criteria: "p99 ≤ 25ms, errors ≤ 1%", Rate: 100},
		{Scenario: sc, Rate: 100, P99: time.Millisecond, Success: 1, OK: true},
		{Scenario: sc, Rate: 200, P99: 90 * time.Millisecond, Success: 0.97},
		{Scenario: sc, Criteria: "p99 ≤ 25ms, errors ≤ 1%", Rate: 150, Final: true, OK: true},
	}
}
