package cli

import (
	"context"
	"testing"
	"time"

	"github.com/authscope/authscope/profiles"
	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/betterauth"
	bapg "github.com/authscope/authscope/resolver/betterauth/pgstore"
	"github.com/authscope/authscope/resolver/store"
	"github.com/authscope/authscope/resolver/store/storetest"
	"github.com/authscope/authscope/tui"
)

// The TUI on a real Better Auth deployment's profile (resolver.engine:
// better-auth, a PostgreSQL store): rows list from the Better Auth tables,
// each resolves through the engine without pruning or extending, and
// revocation deletes.
func TestTUIBetterAuthProfile(t *testing.T) {
	const secret = "test-only-tui-secret-0123456789abcdef0123"
	dsn := storetest.PostgresDB(t)
	env := map[string]string{"BETTER_AUTH_SECRET": secret, "BADB": dsn}
	if code, out, errs := runCLI(t, env, "", "seed", "--engine", "better-auth", "--db", dsn, "--create-schema", "--users", "3", "--sessions", "10"); code != 0 {
		t.Fatalf("seed: %d %s %s", code, out, errs)
	}
	p, err := profiles.Parse("ba.yaml", []byte("name: ba\nresolver: {mode: local, engine: better-auth}\nstore: {dsn_env: BADB}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if n, err := tuiEngine("", p); err != nil || n != "better-auth" {
		t.Fatalf("engine %q %v", n, err)
	}
	getenv := func(k string) string { return env[k] }
	deps, closeDeps, err := betterAuthProfileDeps(t.Context(), p, getenv, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer closeDeps()
	counts := func() store.Counts {
		st, err := bapg.Open(context.Background(), dsn, bapg.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		c, err := st.Counts(context.Background(), store.CountQuery{Now: time.Now(), MaxAge: betterauth.DefaultExpiresIn, UpdateAge: betterauth.DefaultUpdateAge})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	before := counts()
	eng, err := deps.Resolvers.Build(t.Context(), tui.Settings{Mode: resolver.ModeLocal, Strategy: resolver.StrategyDatabase})
	if err != nil {
		t.Fatal(err)
	}
	page, err := deps.Sessions.List(t.Context(), tui.ListQuery{Strategy: resolver.StrategyDatabase, Limit: 100})
	if err != nil || len(page.Rows) != 10 {
		t.Fatalf("list: %d rows, %v", len(page.Rows), err)
	}
	reasons := map[resolver.Reason]int{}
	var live tui.SessionRow
	for _, row := range page.Rows {
		res, err := eng.Resolver.Resolve(t.Context(), resolver.FromCookieHeader(eng.CookieName+"="+row.Token))
		if err != nil {
			t.Fatal(err)
		}
		reasons[res.Reason]++
		if res.OK() {
			live = row
		}
	}
	if reasons[resolver.ReasonOK] != 9 || reasons[resolver.ReasonExpired] != 1 {
		t.Fatalf("reasons %v", reasons)
	}
	if after := counts(); after != before {
		t.Fatalf("browsing changed the store: %+v then %+v", before, after)
	}
	if err := deps.Sessions.Revoke(t.Context(), live); err != nil {
		t.Fatal(err)
	}
	if after := counts(); after.Total != before.Total-1 {
		t.Fatalf("revoke: %+v then %+v", before, after)
	}
	for _, bad := range []string{"auto", "nope"} {
		if _, err := tuiEngine(bad, p); err == nil {
			t.Errorf("--engine %s accepted", bad)
		}
	}
}
