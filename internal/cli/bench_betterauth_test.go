package cli

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/authscope/authscope/bench"
	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/betterauth"
	bapg "github.com/authscope/authscope/resolver/betterauth/pgstore"
	"github.com/authscope/authscope/resolver/engine"
	"github.com/authscope/authscope/resolver/store/storetest"
)

// TestBenchBetterAuthDeployment: bench --engine better-auth on a real
// deployment's profile: ba-db reads the PostgreSQL store `seed --engine
// better-auth` filled (read-only), ba-proxy asks --url's get-session.
func TestBenchBetterAuthDeployment(t *testing.T) {
	const secret = "test-only-bench-secret-0123456789abcdef012"
	dsn := storetest.PostgresDB(t)
	env := map[string]string{"BETTER_AUTH_SECRET": secret, "BADB": dsn}
	if code, out, errs := runCLI(t, env, "", "seed", "--engine", "better-auth", "--db", dsn, "--create-schema", "--users", "5", "--sessions", "40", "--seed", "3"); code != 0 {
		t.Fatalf("seed: %d %s %s", code, out, errs)
	}
	// The deployment's get-session, over the same store.
	st, err := bapg.Open(context.Background(), dsn, bapg.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	r, err := betterauth.New(betterauth.Config{Secrets: betterauth.Secrets{Current: secret}}, betterauth.WithStore(st))
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /api/auth/get-session", engine.NewGetSessionHandler(r, nil, nil))
	up := httptest.NewServer(mux)
	defer up.Close()

	dir := t.TempDir()
	prof := filepath.Join(dir, "prod.yaml")
	os.WriteFile(prof, []byte("name: prod\nresolver: {mode: local, engine: better-auth}\nstore: {dsn_env: BADB}\n"), 0o644)
	cfg := filepath.Join(dir, "bench.yaml")
	os.WriteFile(cfg, []byte(`rate: 100
duration: 300ms
population: {sessions: 20}
scenarios:
  - {name: ba-db, mode: local, strategy: ba-database}
  - {name: ba-proxy, mode: proxy, strategy: ba-database}
`), 0o644)
	out := filepath.Join(dir, "out.json")
	code, stdout, errs := runCLI(t, env, "", "bench", "--profile", prof, "--config", cfg, "--db-seed", "3", "--url", up.URL+"/api/auth", "--json", out)
	if code != 0 {
		t.Fatalf("bench: exit %d\n%s\n%s", code, stdout, errs)
	}
	for _, note := range []string{"the deployment's store", "upstream (better-auth): " + up.URL} {
		if !strings.Contains(stdout+errs, note) {
			t.Errorf("no note %q in:\n%s\n%s", note, stdout, errs)
		}
	}
	f, _ := os.Open(out)
	defer f.Close()
	rep, err := bench.ReadReport(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Scenarios) != 2 {
		t.Fatalf("%d scenarios", len(rep.Scenarios))
	}
	for _, sc := range rep.Scenarios {
		if sc.Requests == 0 || sc.Errors != 0 || sc.Reasons[string(resolver.ReasonOK)] == 0 {
			t.Errorf("%s: %d requests, %d errors, reasons %v", sc.Name, sc.Requests, sc.Errors, sc.Reasons)
		}
	}
	if code, _, errs := runCLI(t, env, "", "bench", "--profile", prof, "--config", cfg, "--engine", "auto"); code != 2 {
		t.Fatalf("--engine auto: exit %d %s", code, errs)
	}
}
