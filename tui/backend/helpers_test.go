package backend

import (
	"fmt"
	"strings"
	"time"

	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/tui"
)

// testNow is the fixed clock every test uses.
var testNow = time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)

// demoRows makes n deterministic rows of one strategy, expiries spread over
// -1h..+30d so every state appears (and, past 720 rows, ties in expiry).
func demoRows(n int, strategy resolver.Strategy) []tui.SessionRow {
	first := []string{"Alice", "Bob", "Carol", "Dave", "Erin", "Frank", "Grace", "Heidi"}
	last := []string{"Smith", "Jones", "Okafor", "Nakamura", "Garcia", "Müller"}
	rows := make([]tui.SessionRow, n)
	for i := range rows {
		f, l := first[i%len(first)], last[(i/len(first))%len(last)]
		rows[i] = tui.SessionRow{
			Key:      fmt.Sprintf("k%06d", i),
			Token:    fmt.Sprintf("secret-token-%s-%06d", strategy, i),
			UserID:   fmt.Sprintf("user-%06d", i%(n/3+1)),
			Name:     f + " " + l,
			Email:    fmt.Sprintf("%s.%s%d@example.com", strings.ToLower(f), strings.ToLower(l), i),
			Strategy: strategy,
			Expires:  testNow.Add(-time.Hour + time.Duration(i%720)*time.Hour),
		}
	}
	return rows
}

func keys(rows []tui.SessionRow) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.Key
	}
	return out
}

// shownText is a ListQuery.Shown as the session list builds it: masked
// name, masked e-mail and the fingerprint's first 8 characters.
func shownText(red *resolver.Redactor) func(tui.SessionRow) string {
	return func(r tui.SessionRow) string {
		return resolver.MaskName(r.Name) + "\x00" + resolver.MaskEmail(r.Email) + "\x00" + red.Fingerprint(r.Token)[:8]
	}
}

// latencyAt is the curve's latency at the first point at or past p.
func latencyAt(points []tui.Quantile, p float64) (time.Duration, bool) {
	for _, q := range points {
		if q.Percentile >= p {
			return q.Latency, true
		}
	}
	return 0, false
}

// sampleSteps is a finished capacity search as BenchRunner streams it.
func sampleSteps() []tui.CapacityStep {
	const sc = "database-local-cached"
	return []tui.CapacityStep{
		{Started: true, Scenario: sc, Criteria: "p99 ≤ 25ms, errors ≤ 1%", Rate: 100},
		{Scenario: sc, Rate: 100, P99: time.Millisecond, Success: 1, OK: true},
		{Scenario: sc, Rate: 200, P99: 90 * time.Millisecond, Success: 0.97},
		{Scenario: sc, Criteria: "p99 ≤ 25ms, errors ≤ 1%", Rate: 150, Final: true, OK: true},
	}
}
