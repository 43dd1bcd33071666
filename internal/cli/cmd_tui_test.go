package cli

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/authscope/authscope/profiles"
	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/store"
	"github.com/authscope/authscope/tui"
)

func TestCookieRowsReadsHeadersAndTokens(t *testing.T) {
	cfg := resolver.Config{Secrets: []string{"cookies-file-secret"}}.WithDefaults()
	codec, err := resolver.NewCodec(cfg)
	if err != nil {
		t.Fatal(err)
	}
	other, err := resolver.NewCodec(resolver.Config{Secrets: []string{"another-secret"}}.WithDefaults())
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	mint := func(c *resolver.Codec, email string, issued time.Time) string {
		tok, err := c.Encode(resolver.Claims{"name": "Ada Lovelace", "email": email, "sub": "u-" + email[:1]}, issued, cfg.MaxAge)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	live := mint(codec, "ada@example.com", now)
	expired := mint(codec, "bob@example.com", now.Add(-2*cfg.MaxAge))
	foreign := mint(other, "eve@example.com", now)
	file := filepath.Join(t.TempDir(), "cookies.txt")
	body := "# browsed cookies\n" +
		"theme=dark; " + cfg.SessionCookieName() + "=" + live + "\n\n" +
		expired + "\n" +
		foreign + "\n"
	if err := os.WriteFile(file, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	rows, err := cookieRows(file, cfg, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 {
		t.Fatalf("%d rows", len(rows))
	}
	if rows[0].Token != live || rows[0].Email != "ada@example.com" || rows[0].UserID != "u-a" || rows[0].Expires.Before(now) {
		t.Fatalf("live row: %+v", rows[0])
	}
	if rows[1].Email != "bob@example.com" || !rows[1].Expires.Before(now) {
		t.Fatalf("expired row: email %q expires %v", rows[1].Email, rows[1].Expires)
	}
	if rows[2].Email != "" || !rows[2].Expires.IsZero() {
		t.Fatalf("a cookie of another secret was decoded: %+v", rows[2])
	}

	if err := os.WriteFile(file, []byte("theme=dark\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := cookieRows(file, cfg, now); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Fatalf("a line without the session cookie: %v", err)
	}
}

// seededSQLite seeds a SQLite session store with live, due and expired
// sessions and returns its DSN and its counts.
func seededSQLite(t *testing.T) (string, store.Counts) {
	t.Helper()
	ctx := t.Context()
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "s.db")
	st, err := store.Open(ctx, dsn, store.Options{CreateIfEmpty: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := store.Seed(ctx, st.(store.Seeder), store.SeedOptions{Users: 10, Sessions: 60, Seed: 1, Now: time.Now(),
		MaxAge: resolver.DefaultMaxAge, UpdateAge: resolver.DefaultUpdateAge}); err != nil {
		t.Fatal(err)
	}
	return dsn, storeCounts(t, dsn)
}

func storeCounts(t *testing.T, dsn string) store.Counts {
	t.Helper()
	st, err := store.Open(t.Context(), dsn, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	c, err := st.(store.Browser).Counts(t.Context(), store.CountQuery{Now: time.Now(), MaxAge: resolver.DefaultMaxAge, UpdateAge: resolver.DefaultUpdateAge})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func dbProfile(t *testing.T, readOnly bool) *profiles.Profile {
	t.Helper()
	src := "name: dbt\nresolver: {mode: local, strategy: database}\nstore: {dsn_env: MYDB}\n"
	if readOnly {
		src = "name: dbt\nresolver: {mode: local, strategy: database, read_only: true}\nstore: {dsn_env: MYDB}\n"
	}
	p, err := profiles.Parse("dbt.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// sqliteDeps wires the TUI to the SQLite store at dsn through dbProfile,
// as `authscope tui --profile` would; closed when the test ends.
func sqliteDeps(t *testing.T, dsn string, readOnly bool) tui.Deps {
	t.Helper()
	getenv := func(k string) string {
		if k == "MYDB" {
			return dsn
		}
		return ""
	}
	deps, closeDeps, err := profileDeps(t.Context(), dbProfile(t, readOnly), getenv, t.TempDir(), jwtSource{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = closeDeps() })
	return deps
}

// Browsing a real store (listing every row and resolving it, as the
// Sessions screen's "last result" does) must not change a row: expired
// sessions stay, due ones are not extended. Revoke still deletes.
func TestTUIBrowsingDatabaseIsReadOnly(t *testing.T) {
	ctx := t.Context()
	dsn, before := seededSQLite(t)
	if before.Expired == 0 || before.Due == 0 {
		t.Fatalf("the seed has no expired or due sessions to protect: %+v", before)
	}
	deps := sqliteDeps(t, dsn, false)
	if deps.ReadOnly {
		t.Fatal("a profile allowing writes is shown read-only")
	}
	eng, err := deps.Resolvers.Build(ctx, tui.Settings{Mode: resolver.ModeLocal, Strategy: resolver.StrategyDatabase})
	if err != nil {
		t.Fatal(err)
	}
	page, err := deps.Sessions.List(ctx, tui.ListQuery{Strategy: resolver.StrategyDatabase, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var expired, live tui.SessionRow
	for _, row := range page.Rows {
		res, err := eng.Resolver.Resolve(ctx, resolver.FromCookieHeader(eng.CookieName+"="+row.Token))
		if err != nil {
			t.Fatal(err)
		}
		switch res.Reason {
		case resolver.ReasonExpired:
			expired = row
		case resolver.ReasonOK:
			live = row
		}
	}
	if expired.Token == "" || live.Token == "" {
		t.Fatal("no expired or live row resolved")
	}
	if after := storeCounts(t, dsn); after != before {
		t.Fatalf("browsing changed the store: before %+v, after %+v", before, after)
	}
	if err := deps.Sessions.Revoke(ctx, live); err != nil {
		t.Fatalf("revoke: %v", err)
	}
	if after := storeCounts(t, dsn); after.Total != before.Total-1 {
		t.Fatalf("revoke did not delete: before %+v, after %+v", before, after)
	}
}

// A read_only profile refuses revocation and says so in the deps.
func TestTUIReadOnlyProfileRefusesRevoke(t *testing.T) {
	ctx := t.Context()
	dsn, before := seededSQLite(t)
	deps := sqliteDeps(t, dsn, true)
	if !deps.ReadOnly {
		t.Fatal("a read_only profile is not shown read-only")
	}
	page, err := deps.Sessions.List(ctx, tui.ListQuery{Strategy: resolver.StrategyDatabase, Limit: 1})
	if err != nil || len(page.Rows) != 1 {
		t.Fatalf("list: %v (%d rows)", err, len(page.Rows))
	}
	if err := deps.Sessions.Revoke(ctx, page.Rows[0]); !errors.Is(err, resolver.ErrReadOnly) {
		t.Fatalf("revoke on a read-only profile: %v", err)
	}
	if after := storeCounts(t, dsn); after != before {
		t.Fatalf("store changed: before %+v, after %+v", before, after)
	}
}

// The jwt detail's claims decoder still shows an expired token's claims,
// with an error saying it expired; a foreign token shows none.
func TestTUIEngineClaimsOfAnExpiredToken(t *testing.T) {
	cfg := resolver.Config{Secrets: []string{"claims-secret"}, Strategy: resolver.StrategyJWT}.WithDefaults()
	codec, err := resolver.NewCodec(cfg)
	if err != nil {
		t.Fatal(err)
	}
	r, err := resolver.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e := engineFor(r, cfg)
	old, err := codec.Encode(resolver.Claims{"email": "ada@example.com"}, time.Now().Add(-2*cfg.MaxAge), cfg.MaxAge)
	if err != nil {
		t.Fatal(err)
	}
	claims, err := e.Claims(old)
	if !errors.Is(err, tui.ErrClaimsExpired) || claims["email"] != "ada@example.com" {
		t.Fatalf("expired token: claims %v, err %v", claims, err)
	}
	live, _ := codec.Encode(resolver.Claims{"email": "bob@example.com"}, time.Now(), cfg.MaxAge)
	if claims, err := e.Claims(live); err != nil || claims["email"] != "bob@example.com" {
		t.Fatalf("live token: %v %v", claims, err)
	}
	other, _ := resolver.NewCodec(resolver.Config{Secrets: []string{"other"}}.WithDefaults())
	foreign, _ := other.Encode(resolver.Claims{"email": "eve@example.com"}, time.Now().Add(-2*cfg.MaxAge), cfg.MaxAge)
	if claims, err := e.Claims(foreign); err == nil || claims != nil {
		t.Fatalf("foreign token decoded: %v %v", claims, err)
	}
}

// Through a deployment's upstream on the database strategy, resolving
// writes (Auth.js extends and prunes): the engine says so, so browsing
// does not resolve. Local resolution is read-only and says it does not.
func TestTUIProxyDatabaseEngineIsMarkedWriting(t *testing.T) {
	ctx := t.Context()
	dsn, _ := seededSQLite(t)
	getenv := func(k string) string {
		if k == "MYDB" {
			return dsn
		}
		return ""
	}
	p := dbProfile(t, false)
	p.Resolver.BaseURL = "http://127.0.0.1:9"
	deps, closeDeps, err := profileDeps(ctx, p, getenv, t.TempDir(), jwtSource{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = closeDeps() }()
	for _, tc := range []struct {
		mode  resolver.Mode
		st    resolver.Strategy
		write bool
	}{
		{resolver.ModeProxy, resolver.StrategyDatabase, true},
		{resolver.ModeLocal, resolver.StrategyDatabase, false},
	} {
		e, err := deps.Resolvers.Build(ctx, tui.Settings{Mode: tc.mode, Strategy: tc.st})
		if err != nil {
			t.Fatalf("%s/%s: %v", tc.mode, tc.st, err)
		}
		if e.Writes != tc.write {
			t.Errorf("%s/%s: Writes %v, want %v", tc.mode, tc.st, e.Writes, tc.write)
		}
		if e.Close != nil {
			_ = e.Close()
		}
	}
}

// The TUI opens the store as the profile describes it: a custom schema's
// mapping, the Redis prefix and the pool size all reach store.Open.
func TestTUIStoreOptionsFollowTheProfile(t *testing.T) {
	p, err := profiles.Parse("custom.yaml", []byte("name: c\nresolver: {strategy: database}\nstore: {dsn_env: DB, schema: custom, key_prefix: 'app:', pool_size: 3, mapping: {users: people, sessions: logins}}\n"))
	if err != nil {
		t.Fatal(err)
	}
	got := storeOptions(p)
	if got.Schema != "custom" || got.Mapping["users"] != "people" || got.Prefix != "app:" || got.MaxConns != 3 || got.ReadOnly {
		t.Fatalf("store options %+v", got)
	}
}

// TestEngineDetailsUpdateAge: the Resolver screen shows the update age the
// resolver runs with: the default when unset, Auth.js's 0 spelled out.
func TestEngineDetailsUpdateAge(t *testing.T) {
	for age, want := range map[time.Duration]string{
		0:                "update age 24h0m0s",
		time.Nanosecond:  "update age 0 (extends on every request)",
		90 * time.Minute: "update age 1h30m0s",
	} {
		if got := engineDetails(resolver.Config{UpdateAge: age})[0]; !strings.Contains(got, want) {
			t.Errorf("UpdateAge %v: %q, want %q", age, got, want)
		}
	}
}
