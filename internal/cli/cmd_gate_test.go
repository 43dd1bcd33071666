package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// Load runs as a release gate, through the CLI: thresholds on bench and
// report, and compare. The runs are short loopback runs of the built-in
// comparison's local-jwt scenario, capped by request count; nothing here
// asserts a speed: the passing thresholds hold for any latency under a
// minute, the failing ones for any latency at all.

// gateRun is one short in-process bench run of local-jwt: 400 requests
// (enough for p99, too few for p99.9), its report written to out.
func gateRun(t *testing.T, out string, thresholds ...string) (int, string, string) {
	t.Helper()
	args := []string{"bench", "--profile", "compare", "--scenarios", "local-jwt", "--rate", "400", "--duration", "60s", "--max-requests", "400",
		"--warmup", "0s", "--sessions", "20", "--quiet", "--json", out}
	for _, th := range thresholds {
		args = append(args, "--threshold", th)
	}
	return runCmd(t, args...)
}

// reportThresholds reads the thresholds a JSON report carries.
func reportThresholds(t *testing.T, path string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, r := range readJSONReport(t, path)["thresholds"].([]any) {
		out = append(out, r.(map[string]any))
	}
	return out
}

func TestBenchThresholdsGate(t *testing.T) {
	dir := t.TempDir()
	pass, fail := filepath.Join(dir, "pass.json"), filepath.Join(dir, "fail.json")
	code, stdout, stderr := gateRun(t, pass, "local-jwt:p99<1m", "*:success>=50%", "local-jwt:max<=1m")
	if code != 0 {
		t.Fatalf("passing thresholds: exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, want := range []string{"\nthresholds:\n  PASS local-jwt: p99 ", "(400 samples)", "PASS local-jwt: success 100% >= 50%", "all 3 thresholds met"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	if gens, _ := readJSONReport(t, pass)["generators"].([]any); len(gens) != 1 || gens[0].(map[string]any)["cpus"].(float64) < 1 {
		t.Errorf("generators %v", gens)
	}
	ths := reportThresholds(t, pass)
	if len(ths) != 3 || ths[0]["status"] != "pass" || ths[0]["samples"].(float64) != 400 || ths[0]["threshold"] != "local-jwt:p99<1m" {
		t.Errorf("JSON thresholds %v", ths)
	}

	// No share is over 100%, no latency under 1ns (a failure, or
	// inconclusive when the generator was late on a busy machine), and 400
	// samples cannot judge a p99.9.
	code, stdout, stderr = gateRun(t, fail, "local-jwt:success>100%", "local-jwt:p99.9<1m", "local-jwt:p50<1m", "local-jwt:max<1ns")
	if code != 1 {
		t.Fatalf("failing thresholds: exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, want := range []string{"FAIL local-jwt: success 100% > 100%", "INCONCLUSIVE local-jwt: p99.9 ", "too few samples to judge p99.9: 400, it needs at least 3688 (counted as failed)",
		"PASS local-jwt: p50", "3 of 4 thresholds not met"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	if !regexp.MustCompile(`\n  (FAIL|INCONCLUSIVE) local-jwt: max `).MatchString(stdout) {
		t.Errorf("max<1ns passed:\n%s", stdout)
	}
	if !strings.Contains(stderr, "authscope bench: 3 of 4 thresholds not met") {
		t.Errorf("stderr %q", stderr)
	}
	if ths := reportThresholds(t, fail); len(ths) != 4 || ths[0]["status"] != "fail" || ths[1]["status"] != "inconclusive" || ths[2]["status"] != "pass" {
		t.Errorf("JSON thresholds %v", ths)
	}

	// report judges the merge of both runs (two generators: 800 samples).
	merged := filepath.Join(dir, "merged.json")
	code, stdout, stderr = runCmd(t, "report", "--json", merged, "--threshold", "local-jwt:p99<1m", pass, fail)
	if code != 0 || !strings.Contains(stdout, "PASS local-jwt: p99 ") || !strings.Contains(stdout, "(800 samples)") {
		t.Fatalf("report --threshold: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if ths := reportThresholds(t, merged); len(ths) != 1 || ths[0]["samples"].(float64) != 800 {
		t.Errorf("merged thresholds %v", ths)
	}
	if code, stdout, _ := runCmd(t, "report", "--threshold", "*:success>100%", pass, fail); code != 1 || !strings.Contains(stdout, "FAIL local-jwt: success") {
		t.Errorf("report failing threshold: exit %d\n%s", code, stdout)
	}
	if code, _, stderr := runCmd(t, "report", "--threshold", "proxy-jwt:p99<1ms", pass); code != 2 || !strings.Contains(stderr, `no such scenario "proxy-jwt" (the run has local-jwt)`) {
		t.Errorf("report unknown scenario: exit %d, %q", code, stderr)
	}
	gateCompare(t, dir, pass, merged)
}

// TestBenchThresholdRefusedBeforeRun: a threshold that does not parse or
// names a scenario not run is one line and exit 2, before any run.
func TestBenchThresholdRefusedBeforeRun(t *testing.T) {
	for _, tc := range []struct{ th, want string }{
		{"local-jwt:p99<2", `--threshold "local-jwt:p99<2": latency "2" has no unit: write a duration such as 2ms or 500us`},
		{"local-jwt:latency<2ms", `unknown metric "latency"`},
		{"local-jwt:p99=2ms", `comparison "="`},
		{"nope:p99<2ms", `threshold "nope:p99<2ms": no such scenario "nope" (the run has local-jwt)`},
	} {
		code, stdout, stderr := runCmd(t, "bench", "--scenarios", "local-jwt", "--duration", "1h", "--threshold", tc.th)
		if code != 2 || !strings.Contains(stderr, tc.want) || strings.Count(strings.TrimSpace(stderr), "\n") > 0 || stdout != "" {
			t.Errorf("%s: exit %d, stderr %q", tc.th, code, stderr)
		}
	}
}

// gateCompare runs compare on real reports: a run against itself (no
// change), a merge of two generators against one run (not comparable),
// the run against a copy three times slower (regression), and bad input.
func gateCompare(t *testing.T, dir, run, merged string) {
	t.Helper()
	code, stdout, stderr := runCmd(t, "compare", run, run)
	if code != 0 || !strings.Contains(stdout, "local-jwt  p50 ") || !strings.Contains(stdout, "no regression beyond 10%") ||
		!regexp.MustCompile(`local-jwt  p99\.9 .* not enough samples\n`).MatchString(stdout) {
		t.Errorf("self: exit %d\n%s\n%s", code, stdout, stderr)
	}
	code, stdout, stderr = runCmd(t, "compare", "--format", "markdown", run, merged)
	if code != 2 || !strings.Contains(stdout, "- **not comparable**: generators: base 1, new 2") || !strings.Contains(stderr, "not comparable: generators: base 1, new 2") {
		t.Errorf("merged vs single: exit %d\n%s\n%s", code, stdout, stderr)
	}
	slow := filepath.Join(dir, "slow.json")
	scaleReport(t, run, slow, 3)
	code, stdout, stderr = runCmd(t, "compare", run, slow, "--max-regression", "20%", "--format", "markdown")
	if code != 1 || !strings.Contains(stdout, "| local-jwt | p50 |") || !strings.Contains(stdout, "**regression**") ||
		!strings.HasPrefix(stdout, "### ❌ authscope compare: ") || !strings.Contains(stderr, "regression") {
		t.Errorf("3× slower: exit %d\n%s\n%s", code, stdout, stderr)
	}
	// Several baseline runs: the last file is the new run.
	code, stdout, stderr = runCmd(t, "compare", run, run, run)
	if code != 0 || !strings.Contains(stdout, "compare "+run+", "+run+" (base) → ") || !strings.Contains(stdout, "2 baseline runs: each figure's noise bound") {
		t.Errorf("two baselines, same run: exit %d\n%s\n%s", code, stdout, stderr)
	}
	code, stdout, stderr = runCmd(t, "compare", "--format", "markdown", run, run, slow)
	if code != 1 || !strings.Contains(stdout, "2 baseline runs") || !strings.Contains(stdout, "**regression**") {
		t.Errorf("two baselines, 3× slower: exit %d\n%s\n%s", code, stdout, stderr)
	}
	code, stdout, _ = runCmd(t, "compare", "--format", "json", slow, run)
	var c struct {
		Comparable   bool `json:"comparable"`
		Regressions  int  `json:"regressions"`
		BaselineRuns int  `json:"baseline_runs"`
	}
	if err := json.Unmarshal([]byte(stdout), &c); code != 0 || err != nil || !c.Comparable || c.Regressions != 0 || c.BaselineRuns != 1 {
		t.Errorf("3× faster as JSON: exit %d, %v %+v", code, err, c)
	}
	text := filepath.Join(dir, "notes.json")
	if err := os.WriteFile(text, []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{run}, {run, filepath.Join(dir, "missing.json")}, {run, text}, {run, text, run},
		{"--max-regression", "lots", run, run}, {"--format", "html", run, run},
	} {
		code, stdout, stderr := runCmd(t, append([]string{"compare"}, args...)...)
		if code != 2 || stdout != "" || strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, stdout, stderr)
		}
	}
}

// scaleReport writes src's report to dst with every latency histogram
// multiplied by k: the same run, k times slower.
func scaleReport(t *testing.T, src, dst string, k int64) {
	t.Helper()
	m := readJSONReport(t, src)
	for _, s := range m["scenarios"].([]any) {
		s := s.(map[string]any)
		h, err := hdr.Decode([]byte(s["histogram"].(string)))
		if err != nil {
			t.Fatal(err)
		}
		out := hdr.New(1_000, 60_000_000_000, 3)
		for _, b := range h.Distribution() {
			if b.Count > 0 {
				if err := out.RecordValues(b.From*k, b.Count); err != nil {
					t.Fatal(err)
				}
			}
		}
		enc, err := out.Encode(hdr.V2CompressedEncodingCookieBase)
		if err != nil {
			t.Fatal(err)
		}
		s["histogram"] = string(enc)
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
