package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/authscope/authscope/bench"
)

// TestCapacityWritesJSONAndHTML: the search's evidence reaches the
// outputs: each measurement's samples and interval in the JSON, and the
// rate-versus-latency chart in a self-contained HTML report.
func TestCapacityWritesJSONAndHTML(t *testing.T) {
	dir := t.TempDir()
	js, html := filepath.Join(dir, "cap.json"), filepath.Join(dir, "cap.html")
	code, stdout, stderr := runCmd(t, "capacity", "--scenarios", "local-jwt", "--sessions", "10", "--slo", "p99=1s", "--max-errors", "50%",
		"--peak", "100/s", "--start-rate", "20/s", "--max-rate", "20/s", "--step", "300ms", "--step-warmup", "0s",
		"--min-samples", "10", "--max-steps", "2", "--json", js, "--html", html)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	var got struct {
		SLO      string `json:"slo"`
		Pacing   string `json:"pacing"`
		Searches []struct {
			Steps []struct {
				Samples       int64 `json:"samples"`
				SamplesWanted int64 `json:"samples_wanted"`
				LatencyCI     struct {
					Quantile float64 `json:"quantile"`
				} `json:"latency_ci"`
				Verdict string `json:"verdict"`
			} `json:"steps"`
		} `json:"searches"`
		Plan struct {
			Lines []map[string]any `json:"lines"`
		} `json:"plan"`
	}
	b, err := os.ReadFile(js)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if got.Pacing != bench.PacingBatched {
		t.Errorf("pacing %q, want the default, batched", got.Pacing)
	}
	if got.SLO != "p99=1s" || len(got.Searches) != 1 || len(got.Searches[0].Steps) == 0 || len(got.Plan.Lines) != 1 {
		t.Fatalf("json: %s", b)
	}
	for _, s := range got.Searches[0].Steps {
		if s.SamplesWanted != 10 || s.Samples == 0 || s.LatencyCI.Quantile != 99 || s.Verdict == "" {
			t.Errorf("step without its evidence: %+v", s)
		}
	}
	h, err := os.ReadFile(html)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(h), "<svg") || !strings.Contains(string(h), "local-jwt") || strings.Contains(string(h), "<script") {
		t.Errorf("html report:\n%s", h)
	}
}
