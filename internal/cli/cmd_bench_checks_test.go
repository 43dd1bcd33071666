package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/authscope/authscope/bench"
)

// oneLine checks a usage or input error: the exit code, a single line on
// stderr, and that it says want.
func oneLine(t *testing.T, args []string, wantCode int, want string) {
	t.Helper()
	code, stdout, stderr := runCmd(t, args...)
	if code != wantCode || strings.Count(strings.TrimSpace(stderr), "\n") != 0 || !strings.Contains(stderr, want) {
		t.Errorf("%v: exit %d (want %d), stderr %q (want one line with %q)", args, code, wantCode, stderr, want)
	}
	if stdout != "" {
		t.Errorf("%v: stdout %q, want nothing (no table for refused input)", args, stdout)
	}
}

func TestReportRefusesBadInputs(t *testing.T) {
	dir := t.TempDir()
	garbage, empty, res := filepath.Join(dir, "g.hlog"), filepath.Join(dir, "e.hlog"), filepath.Join(dir, "r.bin")
	os.WriteFile(garbage, []byte("garbage\n"), 0o644)
	os.WriteFile(empty, nil, 0o644)
	os.WriteFile(res, []byte("not results"), 0o644)
	oneLine(t, []string{"report", garbage}, 1, garbage+": not an HdrHistogram interval log")
	oneLine(t, []string{"report", empty}, 1, empty+": empty file")
	oneLine(t, []string{"report", res}, 1, res+": not a vegeta results file")
	oneLine(t, []string{"report", dir}, 1, dir+": is a directory")
	oneLine(t, []string{"report", filepath.Join(dir, "missing.json")}, 1, filepath.Join(dir, "missing.json"))
	oneLine(t, []string{"report", "--bogus", garbage}, 2, "flag provided but not defined: -bogus")
	oneLine(t, []string{"report", "--hlog", filepath.Join(dir, "m.hlog"), res}, 2, "--hlog needs .hlog inputs")
	// A refused report writes nothing.
	out := filepath.Join(dir, "out.json")
	oneLine(t, []string{"report", "--json", out, garbage}, 1, garbage)
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("--json of a refused report: %v, want no file", err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 3 {
		t.Errorf("%d entries in the directory, want the 3 inputs (no temporary files left)", len(ents))
	}
}

// TestBenchRefusesZeroAndContradictoryValues: values given explicitly are
// never replaced by a default; each is a one-line usage error, before any
// load is sent.
func TestBenchRefusesZeroAndContradictoryValues(t *testing.T) {
	bench := []string{"bench", "--scenarios", "local-jwt", "--sessions", "10"}
	capacity := []string{"capacity", "--scenarios", "local-jwt", "--sessions", "10", "--peak", "100/s"}
	for _, c := range []struct {
		args []string
		want string
	}{
		{append(bench, "--rate", "0", "--duration", "1s"), "--rate 0: want a positive rate"},
		{append(bench, "--rate", "0/s"), "--rate 0/s"},
		{append(bench, "--duration", "0s"), "--duration 0s: want a positive duration"},
		{append(bench, "--duration", "-1s"), "--duration -1s"},
		{append(bench, "--timeout", "0s"), "--timeout 0s"},
		{append(bench, "--workers", "0"), "--workers 0"},
		{append(bench, "--max-workers", "0"), "--max-workers 0"},
		{append(bench, "--max-requests", "0"), "--max-requests 0"},
		{append(bench, "--warmup", "-1s"), "--warmup -1s"},
		{append(bench, "--interval", "0s"), "--interval 0s"},
		{append(bench, "--zipf-s", "0"), "--zipf-s 0"},
		{append(bench, "--seed", "0"), "--seed 0"},
		{append(bench, "--rate", "10", "--schedule", "1s@10"), "--schedule replaces --rate and --duration"},
		{append(capacity, "--step", "0s"), "--step 0s"},
		{append(capacity, "--step-warmup", "-1s"), "--step-warmup -1s"},
		{append(capacity, "--start-rate", "0"), "--start-rate 0"},
		{append(capacity, "--max-rate", "0/s"), "--max-rate 0/s"},
		{append(capacity, "--max-steps", "-1"), "--max-steps -1"},
		{append(capacity, "--max-time", "-1s"), "--max-time -1s"},
		{append(capacity, "--max-instances", "-2"), "--max-instances -2"},
		{append(capacity, "--start-rate", "200/s", "--max-rate", "10/s"), "--start-rate 200/s is above --max-rate 10/s"},
		{append(capacity, "--rate", "50"), "flag provided but not defined: -rate"},
	} {
		oneLine(t, c.args, 2, c.want)
	}
}

// TestBenchOutputsCheckedBeforeRun: an output that cannot be written fails
// before any request is sent (a minute-long run here would otherwise
// happen first), and leaves an earlier report at another output untouched.
func TestBenchOutputsCheckedBeforeRun(t *testing.T) {
	dir := t.TempDir()
	notDir := filepath.Join(dir, "file")
	os.WriteFile(notDir, []byte("x"), 0o644)
	earlier := filepath.Join(dir, "earlier.json")
	os.WriteFile(earlier, []byte("{\"keep\": true}\n"), 0o644)
	long := []string{"bench", "--scenarios", "local-jwt", "--sessions", "10", "--rate", "50", "--duration", "1m", "--warmup", "0s"}
	for _, c := range []struct {
		flag, path string
	}{
		{"--json", filepath.Join(notDir, "out.json")},
		{"--html", filepath.Join(notDir, "r.html")},
		{"--hdr", filepath.Join(notDir, "hdr")},
		{"--hlog", filepath.Join(notDir, "run.hlog")},
		{"--results", filepath.Join(notDir, "res.bin")},
		{"--json", dir}, // a directory
	} {
		args := append(long, "--json", earlier, c.flag, c.path)
		if c.flag == "--json" {
			args = append(long, "--html", filepath.Join(dir, "r.html"), c.flag, c.path)
		}
		oneLine(t, args, 1, c.path)
	}
	// A missing parent directory is refused (exit 2), not created; --hdr
	// DIR alone may be created.
	missing := filepath.Join(dir, "missing", "sub")
	oneLine(t, append(long, "--json", filepath.Join(missing, "x.json")), 2, "does not exist")
	if _, err := os.Stat(filepath.Join(dir, "missing")); err == nil {
		t.Errorf("bench --json created the missing directory")
	}
	// capacity too: its --json is checked before the first probe.
	oneLine(t, []string{"capacity", "--scenarios", "local-jwt", "--sessions", "10", "--peak", "10/s", "--step", "1m",
		"--json", filepath.Join(notDir, "cap.json")}, 1, filepath.Join(notDir, "cap.json"))
	if b, _ := os.ReadFile(earlier); string(b) != "{\"keep\": true}\n" {
		t.Errorf("earlier report clobbered by a refused run: %q", b)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 2 {
		t.Errorf("%d entries, want the 2 files made here (no outputs or temporary files from refused runs)", len(ents))
	}
}

// TestBenchAllRequestsFailed: a scenario whose every request failed gets a
// warning; when that is every scenario, bench exits 1.
func TestBenchAllRequestsFailed(t *testing.T) {
	down := []string{"--url", "http://127.0.0.1:1/api/auth", "--sessions", "10", "--rate", "50", "--duration", "2s", "--max-requests", "10", "--warmup", "0s", "--quiet"}
	code, stdout, stderr := runCmd(t, append([]string{"bench", "--scenarios", "proxy-jwt"}, down...)...)
	if code != 1 || !strings.Contains(stderr, "no request of any scenario succeeded") {
		t.Errorf("all failed: exit %d, stderr %q", code, stderr)
	}
	if !regexp.MustCompile(`WARNING proxy-jwt: none of its 10 requests succeeded \(upstream_error 100%\)`).MatchString(stdout) {
		t.Errorf("no warning naming the failure:\n%s", stdout)
	}
	// The local scenario does not use the upstream: the run measured
	// something, so it exits 0, with the proxy's warning.
	code, stdout, stderr = runCmd(t, append([]string{"bench", "--scenarios", "local-jwt,proxy-jwt"}, down...)...)
	if code != 0 || !strings.Contains(stdout, "WARNING proxy-jwt: none of its") || strings.Contains(stdout, "WARNING local-jwt: none") {
		t.Errorf("one failed: exit %d\n%s\n%s", code, stdout, stderr)
	}
}

func TestBenchHelpDocumentsExitStatus(t *testing.T) {
	code, _, stderr := runCmd(t, "bench", "--help")
	if code != 0 || !strings.Contains(stderr, "Exit status:") || !strings.Contains(stderr, "1 when no request of any scenario") {
		t.Errorf("bench --help: exit %d\n%s", code, stderr)
	}
}

// TestCapacityMaxRateCapsSearch: the default start rate (1000/s) is above
// --max-rate 10/s: the search starts at 10/s, probes nothing above, and
// says the capacity is a lower bound.
func TestCapacityMaxRateCapsSearch(t *testing.T) {
	code, stdout, stderr := runCmd(t, "capacity", "--scenarios", "local-jwt", "--sessions", "10", "--slo", "p99=1s", "--max-errors", "50%",
		"--peak", "100/s", "--max-rate", "10/s", "--step", "1s", "--step-warmup", "0s", "--max-steps", "3", "--min-samples", "10")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	probes := regexp.MustCompile(`(?m)^\s+probed (\d+)/s: `).FindAllStringSubmatch(stderr, -1)
	if len(probes) == 0 || probes[0][1] != "10" {
		t.Errorf("first probe not at the 10/s ceiling:\n%s", stderr)
	}
	for _, m := range probes {
		if r, _ := strconv.Atoi(m[1]); r > 10 {
			t.Errorf("probed %d/s above --max-rate 10/s:\n%s", r, stderr)
		}
	}
	// A starved machine may fail the 10/s probe (achieved rate); the
	// ceiling is then not reached, and says nothing about the wording.
	if passed := regexp.MustCompile(`(?m)^\s+probed 10/s: pass$`).MatchString(stderr); passed != strings.Contains(stdout, "capacity ≥10/s (stopped at max-rate") {
		t.Errorf("10/s probe passed: %v, but the report does not say so:\n%s\n%s", passed, stderr, stdout)
	}
}

// TestCapacityHelpOffersOnlyItsFlags: capacity sets each probe's rate and
// length itself, so its --help does not offer bench's load-shape flags,
// and it documents the lower bound and the undecided exit.
func TestCapacityHelpOffersOnlyItsFlags(t *testing.T) {
	code, _, stderr := runCmd(t, "capacity", "--help")
	if code != 0 || !strings.Contains(stderr, "could not establish capacity") || !strings.Contains(stderr, "-max-steps") {
		t.Errorf("capacity --help: exit %d\n%s", code, stderr)
	}
	for _, f := range []string{"-rate ", "-duration ", "-schedule ", "-warmup "} {
		if regexp.MustCompile(`(?m)^\s+` + regexp.QuoteMeta(f)).MatchString(stderr) {
			t.Errorf("capacity --help offers %s\n%s", f, stderr)
		}
	}
}

// TestBenchRateZeroClaimsNoDefault: the default rate depends on the
// profile (compare runs at 200/s), so the refusal names none.
func TestBenchRateZeroClaimsNoDefault(t *testing.T) {
	code, _, stderr := runCmd(t, "bench", "--scenarios", "local-jwt", "--rate", "0")
	if code != 2 || !strings.Contains(stderr, "--rate 0: want a positive rate") || strings.Contains(stderr, "default") {
		t.Errorf("exit %d: %s", code, stderr)
	}
}

// TestBenchMaxRequestsWithinWarmup: the request cap counts the warm-up's
// requests, so a cap the warm-up alone reaches would measure nothing and
// is refused before any load, naming the cap and the warm-up's count.
func TestBenchMaxRequestsWithinWarmup(t *testing.T) {
	args := []string{"bench", "--profile", "compare", "--scenarios", "local-jwt", "--sessions", "10", "--rate", "100", "--duration", "5s", "--warmup", "1s"}
	oneLine(t, append(args, "--max-requests", "50"), 2, "max requests 50 leave none to measure: the warm-up (1s at 100/s) sends 100 requests")
	oneLine(t, append(args, "--max-requests", "100"), 2, "raise the cap above 100")
	// One above the warm-up measures exactly one request.
	code, stdout, stderr := runCmd(t, append(args, "--max-requests", "101", "--quiet")...)
	if code != 0 || !regexp.MustCompile(`local-jwt\s+local/jwt\s+inproc\s+1\s`).MatchString(stdout) {
		t.Errorf("--max-requests 101: exit %d\n%s\n%s", code, stdout, stderr)
	}
}

// TestBenchNothingMeasuredExitsOne: a scenario that measured no request
// (here a schedule whose only measured step has rate 0) counts as failed:
// with no other scenario, bench warns and exits 1 rather than reporting
// an empty row as success.
func TestBenchNothingMeasuredExitsOne(t *testing.T) {
	code, stdout, stderr := runCmd(t, "bench", "--scenarios", "local-jwt", "--sessions", "10", "--schedule", "200ms@0", "--warmup", "0s", "--quiet")
	if code != 1 || !strings.Contains(stderr, "no request of any scenario succeeded") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
	if !strings.Contains(stdout, "WARNING local-jwt: no request was measured") {
		t.Errorf("no warning for the empty scenario:\n%s", stdout)
	}
}

// TestBenchDatabaseProfileWithoutSecret: a database-strategy profile
// usually sets no JWT secret. The built-in comparison then skips its JWT
// scenarios with a warning naming AUTH_SECRET and measures the database
// ones; JWT scenarios asked for by name are a one-line error naming the
// variable and the scenarios, not the codec's "needs at least one secret".
func TestBenchDatabaseProfileWithoutSecret(t *testing.T) {
	dir := t.TempDir()
	dsn := "sqlite:" + filepath.Join(dir, "s.db")
	prof := filepath.Join(dir, "db.yaml")
	os.WriteFile(prof, []byte("name: db\nresolver:\n  mode: local\n  strategy: database\n  base_path: /api/auth\nstore:\n  dsn_env: BENCH_DSN\n"), 0o644)
	runEnv := func(args ...string) (int, string, string) {
		var out, errb strings.Builder
		env := &cliEnv{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: func(k string) string {
			if k == "BENCH_DSN" {
				return dsn
			}
			return ""
		}}
		return run(t.Context(), env, args), out.String(), errb.String()
	}
	if code, _, stderr := runEnv("seed", "--db", dsn, "--users", "10", "--sessions", "30"); code != 0 {
		t.Fatalf("seed: exit %d: %s", code, stderr)
	}
	load := []string{"bench", "--profile", prof, "--sessions", "10", "--rate", "20", "--duration", "500ms", "--warmup", "0s", "--max-requests", "5", "--quiet"}
	code, stdout, stderr := runEnv(load...)
	if code != 0 || !strings.Contains(stderr, "warning: skipping local-jwt, local-jwt-cache, proxy-jwt, proxy-jwt-cache, upstream-jwt: no JWT secret") ||
		!strings.Contains(stderr, "set AUTH_SECRET") {
		t.Errorf("default scenarios: exit %d, stderr %q", code, stderr)
	}
	if !strings.Contains(stdout, "local-db-cache") || strings.Contains(stdout, "local-jwt") || !strings.Contains(stdout, "p99 vs local-db") {
		t.Errorf("table:\n%s", stdout)
	}
	code, stdout, stderr = runEnv(append(load, "--scenarios", "local-db,local-jwt,proxy-jwt")...)
	if code != 1 || stdout != "" || strings.Count(strings.TrimSpace(stderr), "\n") != 0 ||
		!strings.Contains(stderr, "scenarios local-jwt, proxy-jwt mint JWT session cookies and need the secret: set AUTH_SECRET") {
		t.Errorf("asked-for JWT scenarios: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

// TestReportRefusesMismatchedRuns: reports of runs with a different
// schedule, warm-up, population or scenario set are not parts of one run;
// report refuses to merge them (one line per difference, exit 1, nothing
// written) unless --force, which merges with the same lines as warnings.
func TestReportRefusesMismatchedRuns(t *testing.T) {
	dir := t.TempDir()
	write := func(name, schedule string, warmup time.Duration, sessions int, scenarios ...string) string {
		r := bench.Report{Version: bench.ReportVersion, Sources: 1, Schedule: schedule, Warmup: bench.Duration(warmup),
			Population: bench.PopulationConfig{Sessions: sessions, Popularity: bench.Uniform}}
		for _, sc := range scenarios {
			r.Scenarios = append(r.Scenarios, bench.ScenarioReport{Name: sc, Mode: "local", Requests: 10, Succeeded: 10, Reasons: map[string]int64{"session": 10}})
		}
		path := filepath.Join(dir, name)
		b, _ := json.Marshal(r)
		os.WriteFile(path, b, 0o644)
		return path
	}
	a := write("a.json", "5s@100", time.Second, 100, "local-jwt", "proxy-jwt")
	same := write("same.json", "5s@100", time.Second, 100, "proxy-jwt", "local-jwt")
	b := write("b.json", "2s@200", 0, 100, "local-jwt")
	out := filepath.Join(dir, "merged.json")

	code, stdout, stderr := runCmd(t, "report", "--json", out, a, b)
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	if code != 1 || stdout != "" || len(lines) != 4 ||
		lines[0] != b+": schedule 2s@200, but "+a+" has 5s@100" ||
		lines[1] != b+": warm-up 0s, but "+a+" has 1s" ||
		lines[2] != b+": scenarios local-jwt, but "+a+" has local-jwt,proxy-jwt" ||
		!strings.Contains(lines[3], "--force merges them anyway") {
		t.Errorf("mismatched: exit %d, stdout %q, stderr:\n%s", code, stdout, stderr)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("refused merge wrote --json: %v", err)
	}
	code, stdout, stderr = runCmd(t, "report", "--force", a, b)
	if code != 0 || !strings.Contains(stdout, "merged from 2 runs") || strings.Count(stderr, "warning: "+b+": ") != 3 {
		t.Errorf("--force: exit %d\n%s\n%s", code, stdout, stderr)
	}
	// One difference is one difference.
	warm := write("warm.json", "5s@100", 2*time.Second, 100, "local-jwt", "proxy-jwt")
	if _, _, stderr := runCmd(t, "report", a, warm); !strings.Contains(stderr, "(1 difference above)") {
		t.Errorf("one difference: stderr %q", stderr)
	}
	// The same run split across machines (scenario order aside) merges
	// silently.
	if code, _, stderr := runCmd(t, "report", a, same); code != 0 || stderr != "" {
		t.Errorf("same schedule: exit %d, stderr %q", code, stderr)
	}
}

// TestBenchErrorsSayBenchOnce: an error from the scenario wiring is
// prefixed once, by the command, not again by each layer it crossed
// ("authscope bench: bench: scenario proxy-jwt: bench: host not allowed").
func TestBenchErrorsSayBenchOnce(t *testing.T) {
	for _, cmd := range []string{"bench", "capacity"} {
		args := []string{cmd, "--scenarios", "proxy-jwt", "--url", "http://203.0.113.9/api/auth"}
		if cmd == "capacity" {
			args = append(args, "--peak", "100/s")
		}
		code, _, stderr := runCmd(t, args...)
		if code != 2 || !strings.Contains(stderr, "scenario proxy-jwt: ") || !strings.Contains(stderr, "host not allowed") {
			t.Errorf("%v: exit %d, stderr %q; want 2 naming the scenario and the refused host", args, code, stderr)
		}
		if n := strings.Count(stderr, "bench: "); cmd == "bench" && n != 1 || cmd == "capacity" && n != 0 {
			t.Errorf("%v: stderr %q repeats the bench: prefix", args, stderr)
		}
	}
}

// TestReportRefusesEndlessAndRepeatedInputs: what issue 13 met end to end.
// /dev/zero is refused at its first byte (it was read to 24 GB), a run
// given twice is refused naming both files (it doubled requests and
// rates), and a distinct pair says how many runs it merged.
func TestReportRefusesEndlessAndRepeatedInputs(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err == nil {
		oneLine(t, []string{"report", "/dev/zero"}, 1, "/dev/zero: not")
	}
	dir := t.TempDir()
	write := func(name string, started time.Time) string {
		r := bench.Report{Version: bench.ReportVersion, Sources: 1, Started: started, Schedule: "5s@100",
			Population: bench.PopulationConfig{Sessions: 10, Popularity: bench.Uniform},
			Scenarios:  []bench.ScenarioReport{{Name: "local-jwt", Mode: "local", Requests: 10, Succeeded: 10, Reasons: map[string]int64{"session": 10}}}}
		path := filepath.Join(dir, name)
		b, _ := json.Marshal(r)
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	t0 := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	a, copyOfA, b := write("a.json", t0), write("copy.json", t0), write("b.json", t0.Add(time.Second))
	oneLine(t, []string{"report", a, a}, 1, a+" repeats the run of "+a)
	oneLine(t, []string{"report", "--force", a, copyOfA}, 1, copyOfA+" repeats the run of "+a)
	code, stdout, stderr := runCmd(t, "report", a, b)
	if code != 0 || !strings.Contains(stdout, "merged from 2 runs") {
		t.Errorf("two runs: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

// TestBenchRefusesUnschedulableRate: a rate beyond what the generator can
// schedule is a usage error before any load (it ran 20 s and reported
// nothing, exhausting file descriptors).
func TestBenchRefusesUnschedulableRate(t *testing.T) {
	oneLine(t, []string{"bench", "--rate", "1e12", "--duration", "1s"}, 2, "exceeds")
}

// TestCapacityRefusesUnschedulableRate: a search whose ceiling the
// generator cannot schedule is a usage error before the demo or a store
// is set up, not a failure at the first probe.
func TestCapacityRefusesUnschedulableRate(t *testing.T) {
	oneLine(t, []string{"capacity", "--max-rate", "2000000/s", "--peak", "10/s", "--slo", "p99=5ms"}, 2, "the most the generator can schedule")
}
