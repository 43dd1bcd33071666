package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/authscope/authscope/bench"
)

// runCmd runs authscope in-process and returns its exit code and output.
func runCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := &cliEnv{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}
	code := run(t.Context(), env, args)
	return code, out.String(), errb.String()
}

func readJSONReport(t *testing.T, path string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestBenchCompareAndReport runs the built-in comparison on the demo (a
// short run of three scenarios: local JWT in-process and over loopback
// HTTP, proxy to the built-in upstream, the upstream directly), checks the
// JSON report's fields, then merges two reports with `report`.
func TestBenchCompareAndReport(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out.json")
	// The request cap ends each scenario (a starved generator still sends 100).
	code, stdout, stderr := runCmd(t, "bench", "--profile", "compare", "--rate", "200", "--duration", "60s", "--max-requests", "120", "--warmup", "100ms",
		"--scenarios", "local-jwt,proxy-jwt,upstream-jwt", "--sessions", "50", "--upstream-latency", "1ms",
		"--json", out, "--html", filepath.Join(dir, "r.html"), "--hdr", filepath.Join(dir, "hdr"), "--results", filepath.Join(dir, "res.bin"))
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "p99 vs local-jwt") || !strings.Contains(stdout, "proxy-jwt") {
		t.Errorf("table:\n%s", stdout)
	}
	m := readJSONReport(t, out)
	scs := m["scenarios"].([]any)
	if len(scs) != 3 {
		t.Fatalf("%d scenarios", len(scs))
	}
	for _, s := range scs {
		s := s.(map[string]any)
		for _, k := range []string{"name", "mode", "strategy", "cache", "requests", "rate_attempted", "rate_achieved", "success_ratio",
			"reasons", "cache_hit_ratio", "upstream_calls", "latency_ns", "latency_uncorrected_ns"} {
			if _, ok := s[k]; !ok {
				t.Errorf("%s: no %q", s["name"], k)
			}
		}
		for _, k := range []string{"p50", "p90", "p99", "p999", "p9999", "max"} {
			if v, _ := s["latency_ns"].(map[string]any)[k].(float64); v <= 0 {
				t.Errorf("%s: latency_ns.%s = %v", s["name"], k, v)
			}
		}
		if s["requests"].(float64) != 100 || s["success_ratio"].(float64) != 1 {
			t.Errorf("%s: requests %v success %v, want 100 all answered", s["name"], s["requests"], s["success_ratio"])
		}
	}
	local, proxy := scs[0].(map[string]any), scs[1].(map[string]any)
	if local["upstream_calls"].(float64) != 0 || proxy["upstream_calls"].(float64) != 100 {
		t.Errorf("upstream calls: local %v proxy %v", local["upstream_calls"], proxy["upstream_calls"])
	}
	// The proxy pays the modelled 1ms hop (a certain lower bound; how fast
	// local decoding runs depends on the machine, so it is not compared).
	if pp50 := proxy["latency_ns"].(map[string]any)["p50"].(float64); pp50 < float64(time.Millisecond) {
		t.Errorf("proxy p50 %v: want >= 1ms, the modelled hop", pp50)
	}
	if reasons := local["reasons"].(map[string]any); reasons["session"] == nil || reasons["expired"] == nil {
		t.Errorf("local reasons %v: want sessions and the population's expired share", reasons)
	}
	for _, f := range []string{"r.html", "res.bin", "hdr/run.hlog", "hdr/local-jwt.hgrm", "hdr/proxy-jwt.uncorrected.hgrm"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}

	// report refuses the same run twice (its counts would double), and
	// merges reports of distinct runs (here the run as a second generator
	// started 1ms later would report it: counts double) and interval logs.
	if code, _, stderr := runCmd(t, "report", out, out); code != 1 || !strings.Contains(stderr, out+" repeats the run of "+out) {
		t.Errorf("same report twice: exit %d, stderr %q", code, stderr)
	}
	second := filepath.Join(dir, "second.json")
	m["started"] = time.Now().Add(time.Millisecond).Format(time.RFC3339Nano)
	if b, err := json.Marshal(m); err != nil || os.WriteFile(second, b, 0o644) != nil {
		t.Fatal(err)
	}
	code, stdout, stderr = runCmd(t, "report", "--json", filepath.Join(dir, "merged.json"), "--hlog", filepath.Join(dir, "merged.hlog"),
		out, second, filepath.Join(dir, "hdr", "run.hlog"))
	if code != 0 {
		t.Fatalf("report: exit %d\n%s\n%s", code, stdout, stderr)
	}
	mm := readJSONReport(t, filepath.Join(dir, "merged.json"))
	if mm["sources"].(float64) != 2 || mm["scenarios"].([]any)[0].(map[string]any)["requests"].(float64) != 200 {
		t.Errorf("merged: sources %v requests %v", mm["sources"], mm["scenarios"].([]any)[0].(map[string]any)["requests"])
	}
	if !strings.Contains(stdout, "merged from 2 runs") {
		t.Errorf("report table:\n%s", stdout)
	}
	// vegeta results alone give the uncorrected figures.
	code, stdout, _ = runCmd(t, "report", filepath.Join(dir, "res.bin"), filepath.Join(dir, "res.bin"))
	if code != 0 || !regexpMatch(`proxy-jwt\s.*\s200\s`, stdout) {
		t.Errorf("report from results: exit %d\n%s", code, stdout)
	}
	// Interval logs alone give a latency-only report.
	code, stdout, _ = runCmd(t, "report", filepath.Join(dir, "merged.hlog"))
	if code != 0 || !strings.Contains(stdout, "upstream-jwt") {
		t.Errorf("report from hlog: exit %d\n%s", code, stdout)
	}
}

func TestBenchHTTPViaLoopback(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out.json")
	code, stdout, stderr := runCmd(t, "bench", "--rate", "200", "--duration", "2s", "--max-requests", "60", "--warmup", "0s", "--scenarios", "local-db", "--via", "http",
		"--sessions", "30", "--json", out, "--quiet")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	s := readJSONReport(t, out)["scenarios"].([]any)[0].(map[string]any)
	if s["via"] != "http" || s["requests"].(float64) != 60 {
		t.Errorf("via %v requests %v", s["via"], s["requests"])
	}
	if r := s["reasons"].(map[string]any); r["session"] == nil {
		t.Errorf("reasons %v: the loopback endpoint's reason headers were not counted", r)
	}
}

func TestBenchConfigFileAndUsage(t *testing.T) {
	dir := t.TempDir()
	yml := filepath.Join(dir, "bench.yaml")
	os.WriteFile(yml, []byte(`schedule: 200ms@100,200ms@100->300
warmup: 100ms
population:
  sessions: 20
  popularity: zipf
  zipf_s: 1.3
  expired: 10%
scenarios:
  - {name: jwt, mode: local, strategy: jwt}
`), 0o644)
	out := filepath.Join(dir, "out.json")
	code, stdout, stderr := runCmd(t, "bench", "--config", yml, "--json", out, "--quiet")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	f, _ := os.Open(out)
	defer f.Close()
	rep, err := bench.ReadReport(f)
	if err != nil {
		t.Fatal(err)
	}
	// 20 + 40 requests scheduled; a starved generator may send fewer.
	if rep.Schedule != "200ms@100,200ms@100->300" || rep.Scenarios[0].Requests < 30 || rep.Scenarios[0].Requests > 61 {
		t.Errorf("schedule %q requests %d (want 20 + 40)", rep.Schedule, rep.Scenarios[0].Requests)
	}
	os.WriteFile(yml, []byte("rate: 10\nbogus: 1\nscenarios: [{name: a, mode: local}]\n"), 0o644)
	for _, args := range [][]string{
		{"bench", "--config", yml},
		{"bench", "--rate", "fast"},
		{"bench", "--scenarios", "nope"},
		{"bench", "--expired", "200%"},
		{"bench", "--url", "http://10.0.0.1:3000/api/auth", "--scenarios", "proxy-jwt", "--duration", "1s"},
		{"capacity", "--slo", "p99"},
		{"capacity"},
		{"report"},
	} {
		code, _, stderr := runCmd(t, args...)
		if code != 2 {
			t.Errorf("%v: exit %d, want 2 (usage): %s", args, code, stderr)
		}
	}
}

func TestCapacityPlanGatesExitCode(t *testing.T) {
	// Low rates and a loose SLO: the test is about the plan and the exit
	// code, so a busy machine must not fail a probe.
	common := []string{"capacity", "--scenarios", "local-jwt", "--sessions", "20", "--slo", "p99=1s",
		"--start-rate", "20", "--max-rate", "40", "--step", "500ms", "--step-warmup", "100ms", "--min-samples", "10"}
	code, stdout, stderr := runCmd(t, append(common, "--peak", "200/s", "--headroom", "0%")...)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	// 20/s and 40/s pass; 40/s is the ceiling asked, a lower bound: at
	// most 5 instances for 200/s.
	if !strings.Contains(stdout, "capacity ≥40/s (stopped at max-rate") || !regexpMatch(`local-jwt\s+≥40\s+≤5\s`, stdout) {
		t.Errorf("plan:\n%s", stdout)
	}
	// Failing --max-instances on that floor is undecided, not NO: exit 1
	// with its own message.
	code, stdout, stderr = runCmd(t, append(common, "--peak", "200/s", "--max-instances", "2")...)
	if code != 1 || !strings.Contains(stdout, "unknown: search stopped before a limit was found") || strings.Contains(stdout, "NO:") ||
		!strings.Contains(stderr, "could not establish capacity") {
		t.Errorf("undecided plan: exit %d, want 1\n%s\n%s", code, stdout, stderr)
	}
	// A measured failure (no step meets a 1ns p99) is a NO. On a starved
	// machine the generator's lag with other processes busy would make the
	// failures inconclusive (the host, not the target): --host-bound 100%
	// lets the target's own latency decide.
	code, stdout, _ = runCmd(t, append(common, "--peak", "200/s", "--slo", "p99=1ns", "--max-steps", "2", "--host-bound", "100%")...)
	if code != 1 || !strings.Contains(stdout, "NO: no rate met the SLO") {
		t.Errorf("infeasible plan: exit %d, want 1\n%s", code, stdout)
	}
}

func TestBenchCancelWritesPartial(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out.json")
	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(800*time.Millisecond, cancel)
	var so, se bytes.Buffer
	env := &cliEnv{stdin: strings.NewReader(""), stdout: &so, stderr: &se, getenv: func(string) string { return "" }}
	code := run(ctx, env, []string{"bench", "--scenarios", "local-jwt", "--rate", "100", "--duration", "1m", "--warmup", "0s", "--sessions", "10", "--json", out})
	if code != 1 || !strings.Contains(se.String(), "interrupted") {
		t.Errorf("exit %d stderr %s", code, se.String())
	}
	m := readJSONReport(t, out)
	if m["canceled"] != true || m["scenarios"].([]any)[0].(map[string]any)["requests"].(float64) < 20 {
		t.Errorf("partial report: canceled %v scenarios %v", m["canceled"], m["scenarios"])
	}
}

func regexpMatch(pattern, s string) bool { return regexp.MustCompile(pattern).MatchString(s) }

// TestBenchProfileSection: a profile's bench section is decoded strictly
// into bench.Config (the schema profiles leaves to this command).
func TestBenchProfileSection(t *testing.T) {
	dir := t.TempDir()
	prof := filepath.Join(dir, "cmp.yaml")
	os.WriteFile(prof, []byte(`name: cmp
demo: true
resolver: {mode: local, strategy: jwt, secret_env: AUTHSCOPE_DEMO_SECRET}
bench:
  rate: 100/s
  duration: 300ms
  population: {sessions: 20, popularity: zipf, zipf_s: 1.2, expired: 5%}
  scenarios:
    - {name: jwt, mode: local, strategy: jwt}
    - {name: up, mode: upstream, strategy: jwt, via: http}
`), 0o644)
	out := filepath.Join(dir, "out.json")
	code, stdout, stderr := runCmd(t, "bench", "--profile", prof, "--json", out, "--quiet")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	scs := readJSONReport(t, out)["scenarios"].([]any)
	if len(scs) != 2 || scs[1].(map[string]any)["via"] != "http" {
		t.Errorf("scenarios %v", scs)
	}
	os.WriteFile(prof, []byte("name: cmp\ndemo: true\nresolver: {secret_env: AUTHSCOPE_DEMO_SECRET}\nbench: {rate: 100, duraton: 1s}\n"), 0o644)
	if code, _, stderr := runCmd(t, "bench", "--profile", prof); code != 2 || !strings.Contains(stderr, "duraton") {
		t.Errorf("misspelt key: exit %d: %s", code, stderr)
	}
}

// TestCompareProfile: the built-in compare profile loads, and its bench
// section runs (briefly).
func TestCompareProfile(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out.json")
	code, stdout, stderr := runCmd(t, "bench", "--profile", "compare", "--duration", "200ms", "--warmup", "0s",
		"--rate", "100", "--sessions", "30", "--scenarios", "local-db-cache,proxy-jwt-cache", "--json", out, "--quiet")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	if n := len(readJSONReport(t, out)["scenarios"].([]any)); n != 2 {
		t.Errorf("%d scenarios", n)
	}
}

// TestBenchDatabaseScenariosReadOnly: database scenarios do not write, so
// the second meets the expired sessions the first met (a pruning resolver
// would have deleted them: unknown_session; no tampered cookies here, the
// other source of it), and the reasons agree.
func TestBenchDatabaseScenariosReadOnly(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out.json")
	code, stdout, stderr := runCmd(t, "bench", "--scenarios", "local-db,local-db-cache", "--sessions", "20", "--expired", "50%", "--tampered", "0%",
		"--rate", "100", "--duration", "2s", "--max-requests", "60", "--warmup", "0s", "--json", out, "--quiet")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	kinds := map[string][]string{}
	for _, sc := range readJSONReport(t, out)["scenarios"].([]any) {
		s := sc.(map[string]any)
		var keys []string
		for k := range s["reasons"].(map[string]any) {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		kinds[s["name"].(string)] = keys
	}
	if !slices.Contains(kinds["local-db"], "expired") || slices.Contains(kinds["local-db-cache"], "unknown_session") {
		t.Errorf("reasons %v", kinds)
	}
	if diff := cmp.Diff(kinds["local-db"], kinds["local-db-cache"]); diff != "" {
		t.Errorf("local-db and local-db-cache reasons differ (-local-db +cache):\n%s", diff)
	}
}
