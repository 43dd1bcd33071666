package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/authscope/authscope/bench"
	"github.com/authscope/authscope/internal/benchtarget"
	"github.com/authscope/authscope/internal/demo"
	"github.com/authscope/authscope/profiles"
	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/tui"
	"github.com/authscope/authscope/tui/backend"
)

func startTestDemo(t *testing.T) *demo.Demo {
	t.Helper()
	p, err := profiles.Find("demo", "")
	if err != nil {
		t.Fatal(err)
	}
	d, err := demo.Start(t.Context(), p, func(k string) string {
		if k == benchtarget.SecretEnv {
			return "demo-test-secret"
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := d.Close(); err != nil {
			t.Error(err)
		}
	})
	return d
}

func resolveWith(t *testing.T, d *demo.Demo, mode resolver.Mode, st resolver.Strategy, token string) resolver.Result {
	t.Helper()
	r, cfg, err := d.Resolver(mode, st, false)
	if err != nil {
		t.Fatal(err)
	}
	res, err := r.Resolve(t.Context(), resolver.FromPairs(cfg.SessionCookieName(), token))
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestDemoEveryModeAndStrategyResolves: the demo works on a fresh machine
// in all four combinations, with the people the browser lists.
func TestDemoEveryModeAndStrategyResolves(t *testing.T) {
	d := startTestDemo(t)
	if len(d.JWTRows()) != demo.Cookies {
		t.Fatalf("%d cookies minted", len(d.JWTRows()))
	}
	now := time.Now()
	var live tui.SessionRow
	for _, r := range d.JWTRows() {
		if r.Expires.After(now.Add(time.Hour)) && r.Email != "" {
			live = r
			break
		}
	}
	for _, mode := range []resolver.Mode{resolver.ModeLocal, resolver.ModeProxy} {
		res := resolveWith(t, d, mode, resolver.StrategyJWT, live.Token)
		if !res.OK() {
			t.Fatalf("jwt %s: %s %v", mode, res.Reason, res.Err)
		}
		if got, _ := res.Session.User.Email.Str(); got != live.Email {
			t.Fatalf("jwt %s: email %q, want %q", mode, got, live.Email)
		}
	}

	// The TUI's own wiring of the demo's sessions (revocation included).
	src := demoDeps(d, &profiles.Profile{Name: "demo"}, t.TempDir()).Sessions.(backend.ByStrategy).Database
	page, err := src.List(t.Context(), tui.ListQuery{Strategy: resolver.StrategyDatabase, Sort: tui.SortExpires, Offset: 0, Limit: 5000})
	if err != nil {
		t.Fatal(err)
	}
	if page.Total != demo.Sessions || len(page.Rows) != demo.Sessions {
		t.Fatalf("store lists %d of %d", len(page.Rows), page.Total)
	}
	row := page.Rows[len(page.Rows)-1] // latest expiry: live
	for _, mode := range []resolver.Mode{resolver.ModeLocal, resolver.ModeProxy} {
		res := resolveWith(t, d, mode, resolver.StrategyDatabase, row.Token)
		if !res.OK() {
			t.Fatalf("database %s: %s %v", mode, res.Reason, res.Err)
		}
	}
	// A window near the end (listed backwards) matches the forward listing.
	tail, err := src.List(t.Context(), tui.ListQuery{Strategy: resolver.StrategyDatabase, Sort: tui.SortExpires, Offset: demo.Sessions - 40, Limit: 30})
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range tail.Rows {
		if r.Key != page.Rows[demo.Sessions-40+i].Key {
			t.Fatalf("tail window row %d differs from the forward listing", i)
		}
	}
	// The TUI's engine with the cache on: the second resolution is a hit.
	eng, err := demoFactory{d}.Build(t.Context(), tui.Settings{Mode: resolver.ModeProxy, Strategy: resolver.StrategyDatabase, Cache: true})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = eng.Close() }()
	cookie := resolver.FromPairs(eng.CookieName, row.Token)
	for range 2 {
		if res, err := eng.Resolver.Resolve(t.Context(), cookie); err != nil || !res.OK() {
			t.Fatalf("cached proxy: %v %v", res.Reason, err)
		}
	}
	if eng.CacheStats == nil || eng.CacheStats().Hits == 0 {
		t.Fatal("the cached engine reports no hits")
	}
	// Revocation through the browser's source and the engine, as the TUI
	// does it: gone from the store, the upstream's answers and the cache.
	if err := src.Revoke(t.Context(), row); err != nil {
		t.Fatal(err)
	}
	if res := resolveWith(t, d, resolver.ModeProxy, resolver.StrategyDatabase, row.Token); res.OK() {
		t.Fatal("revoked session still resolves through the upstream")
	}
	if res, _ := eng.Resolver.Resolve(t.Context(), cookie); !res.OK() {
		t.Fatal("the cache should still hold the revoked session before invalidation: the test proves nothing")
	}
	eng.Invalidate(row)
	if res, _ := eng.Resolver.Resolve(t.Context(), cookie); res.OK() {
		t.Fatal("revoked session still served from the cache after invalidation")
	}
}

func TestTUINeedsATerminal(t *testing.T) {
	var out, errOut bytes.Buffer
	env := &cliEnv{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut, getenv: func(string) string { return "" }}
	if code := run(t.Context(), env, []string{"tui"}); code != 2 {
		t.Fatalf("exit %d, want 2 (stderr %q)", code, errOut.String())
	}
	if !strings.Contains(errOut.String(), "needs a terminal") {
		t.Fatalf("stderr %q", errOut.String())
	}
}

// TestDemoCompareProfileRuns runs the built-in comparison (every way of
// resolving, cache off and on, the upstream baseline) offered on the Load
// screen, shortened, through the TUI's runner.
func TestDemoCompareProfileRuns(t *testing.T) {
	p, err := profiles.Find("demo", "")
	if err != nil {
		t.Fatal(err)
	}
	lp, err := profileLoad("compare", p, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	lp.Config.Duration, lp.Config.Warmup, lp.Config.Rate = bench.Duration(200*time.Millisecond), 0, 50
	r := backend.NewBenchRunner([]backend.LoadProfile{lp}, demo.Capacity(), t.TempDir())
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	ch, err := r.Start(ctx, "compare", tui.Settings{})
	if err != nil {
		t.Fatal(err)
	}
	var last tui.RunSnapshot
	for s := range ch {
		last = s
	}
	if !last.Final || last.Err != nil || len(last.Scenarios) != len(lp.Config.Scenarios) {
		t.Fatalf("final %v err %v: %d scenarios", last.Final, last.Err, len(last.Scenarios))
	}
	for _, sc := range last.Scenarios {
		if sc.Requests == 0 {
			t.Fatalf("%s sent no requests", sc.Name)
		}
	}
}
