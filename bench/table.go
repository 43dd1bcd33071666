package bench

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// WriteTable writes the comparison table: one row per scenario, latencies
// corrected for coordinated omission, and each scenario's p50 and p99 as a
// ratio to the baseline's (×1.00 for the baseline itself).
func WriteTable(w io.Writer, r *Report) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, strings.Join(tableHeader(r), "\t")+"\t")
	for _, row := range tableRows(r) {
		fmt.Fprintln(tw, strings.Join(row, "\t")+"\t")
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w, "\n"+r.summary())
	for _, warn := range r.warnings() {
		fmt.Fprintln(w, "WARNING "+warn)
	}
	if notes := r.reasonNotes(); len(notes) > 0 {
		fmt.Fprintln(w, "reasons:")
		for _, n := range notes {
			fmt.Fprintln(w, "  "+n)
		}
	}
	return nil
}

// tableHeader names the comparison table's columns.
func tableHeader(r *Report) []string {
	return []string{"scenario", "mode", "via", "requests", "target/s", "sent/s", "ok/s", "success", "cache hit", "upstream",
		"p50", "p90", "p99", "p99.9", "max", "p50 vs " + r.Baseline, "p99 vs " + r.Baseline}
}

// tableRows renders one row per scenario, cells in tableHeader's order.
func tableRows(r *Report) [][]string {
	base, _ := r.Scenario(r.Baseline)
	rows := make([][]string, 0, len(r.Scenarios))
	for i := range r.Scenarios {
		s := &r.Scenarios[i]
		// What the source did not record shows as "-", never as a zero.
		known := func(what, v string) string {
			if !s.Knows(what) {
				return "-"
			}
			return v
		}
		rows = append(rows, []string{
			s.Name, s.modeLabel(), string(s.Via), fmt.Sprint(s.Requests), known(UnknownTarget, fmt.Sprintf("%.0f", s.RateTarget)),
			known(UnknownRates, fmt.Sprintf("%.0f", s.RateAttempted)), known(UnknownRates, fmt.Sprintf("%.0f", s.RateAchieved)),
			known(UnknownSuccess, pct(s.SuccessRatio, s.Requests)), known(UnknownCache, pct(s.CacheHitRatio, s.Requests)),
			known(UnknownUpstream, fmt.Sprint(s.UpstreamCalls)),
			FormatNs(s.LatencyNs.P50), FormatNs(s.LatencyNs.P90), FormatNs(s.LatencyNs.P99),
			FormatNs(s.LatencyNs.P999), FormatNs(s.LatencyNs.Max),
			ratio(s.LatencyNs.P50, base, func(b *ScenarioReport) int64 { return b.LatencyNs.P50 }),
			ratio(s.LatencyNs.P99, base, func(b *ScenarioReport) int64 { return b.LatencyNs.P99 }),
		})
	}
	return rows
}

// modeLabel is "local/jwt+cache".
func (s *ScenarioReport) modeLabel() string {
	mode := s.Mode
	if s.Strategy != "" {
		mode += "/" + s.Strategy
	}
	if s.Cache {
		mode += "+cache"
	}
	return mode
}

// summary is the line under the table: schedule, method, sources, and
// whether the run was cancelled.
func (r *Report) summary() string {
	line := fmt.Sprintf("schedule %s (warm-up %s excluded); latency from intended send time (coordinated omission corrected)",
		r.Schedule, time.Duration(r.Warmup))
	if r.Sources > 1 {
		line += fmt.Sprintf("; merged from %d runs", r.Sources)
	}
	if r.Canceled {
		line += "; CANCELLED: partial results"
	}
	return line
}

// warnings lists what makes a scenario's figures misleading, one line each.
func (r *Report) warnings() []string {
	var out []string
	for i := range r.Scenarios {
		s := &r.Scenarios[i]
		if s.Requests == 0 && !r.Canceled {
			out = append(out, fmt.Sprintf("%s: no request was measured (the schedule sent none after the warm-up): it has no figures", s.Name))
		}
		if s.NoneSucceeded() {
			out = append(out, fmt.Sprintf("%s: none of its %d requests succeeded (%s): the target failed every request, so its latencies are those of failures, not of resolutions",
				s.Name, s.Requests, s.topReasons(3)))
		}
		// Only when the population holds live sessions to resolve.
		pop := r.Population
		if s.NoSessionResolved() && float64(pop.Expired+pop.Tampered+pop.NoCookie) < 1 {
			out = append(out, fmt.Sprintf("%s: no request resolved a session (%s): check the secret / cookie name matches the upstream",
				s.Name, s.topReasons(3)))
		}
		if s.GeneratorLagged() {
			out = append(out, fmt.Sprintf("%s: the load generator sent requests late (dispatch lag p99 %s, max %s; send interval %s, target p50 %s): this machine's CPU was short or the workers were capped, so the corrected latencies include the generator's own delay; the uncorrected p99 (%s) leaves it out. Rerun at a lower rate, with more workers or on a quieter machine",
				s.Name, FormatNs(s.DispatchLagNs.P99), FormatNs(s.DispatchLagNs.Max), s.sendInterval(), FormatNs(s.LatencyUncorrectedNs.P50), FormatNs(s.LatencyUncorrectedNs.P99)))
		}
	}
	return out
}

// reasonNotes lists each scenario's reasons, most frequent first.
func (r *Report) reasonNotes() []string {
	var notes []string
	for i := range r.Scenarios {
		s := &r.Scenarios[i]
		if len(s.Reasons) > 0 {
			var parts []string
			for _, k := range s.sortedReasons() {
				parts = append(parts, fmt.Sprintf("%s %d", k, s.Reasons[k]))
			}
			notes = append(notes, fmt.Sprintf("%s: %s", s.Name, strings.Join(parts, ", ")))
		}
	}
	return notes
}

func pct(f float64, n int64) string {
	if n == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", f*100)
}

func ratio(v int64, base *ScenarioReport, f func(*ScenarioReport) int64) string {
	if base == nil || f(base) == 0 || v == 0 {
		return "-"
	}
	return fmt.Sprintf("×%.2f", float64(v)/float64(f(base)))
}

// FormatNs renders a nanosecond latency with three significant digits:
// 850ns, 14.3µs, 1.10ms, 2.50s.
func FormatNs(ns int64) string {
	if ns == 0 {
		return "-"
	}
	f := float64(ns)
	unit := "ns"
	for _, u := range []struct {
		div  float64
		name string
	}{{1e9, "s"}, {1e6, "ms"}, {1e3, "µs"}} {
		if f >= u.div {
			f /= u.div
			unit = u.name
			break
		}
	}
	switch {
	case f >= 100:
		return fmt.Sprintf("%.0f%s", f, unit)
	case f >= 10:
		return fmt.Sprintf("%.1f%s", f, unit)
	}
	return fmt.Sprintf("%.2f%s", f, unit)
}

// sendInterval renders one generator's interval between requests.
func (s *ScenarioReport) sendInterval() string {
	if s.RateTarget <= 0 {
		return "-"
	}
	return FormatNs(int64(float64(time.Second) * float64(max(s.Sources, 1)) / s.RateTarget))
}

// topReasons renders the n most frequent reasons with their shares.
func (s *ScenarioReport) topReasons(n int) string {
	var parts []string
	for _, k := range s.sortedReasons() {
		if len(parts) == n {
			parts = append(parts, "…")
			break
		}
		parts = append(parts, fmt.Sprintf("%s %.0f%%", k, float64(s.Reasons[k])*100/float64(max(s.Requests, 1))))
	}
	if len(parts) == 0 {
		return "no reasons recorded"
	}
	return strings.Join(parts, ", ")
}
