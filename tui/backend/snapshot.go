package backend

import (
	"fmt"
	"time"

	"github.com/authscope/authscope/bench"
	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/tui"
)

// curvePercentiles are the points of the percentile curve that n samples
// can tell apart: a percentile p needs at least one sample above it
// (n·(1-p) ≥ 1), so 1,000 requests plot up to 99.9% and then the max at
// 100%, instead of an axis running to 99.999% where every point is the max.
func curvePercentiles(n int64) []float64 {
	all := []float64{0, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 99.999}
	ps := make([]float64, 0, len(all)+1)
	for _, p := range all {
		if float64(n)*(1-p/100) >= 1-1e-9 {
			ps = append(ps, p)
		}
	}
	return append(ps, 100)
}

// minRateWindow is the measured time below which live rates are not shown.
const minRateWindow = time.Second

func convertSnapshot(profile string, s bench.Snapshot) tui.RunSnapshot {
	rs := tui.RunSnapshot{Profile: profile, Final: s.Final, Stopped: s.Final && s.Canceled, Err: s.Err}
	for i, sc := range s.Scenarios {
		rep := sc.Report
		rs.Duration += sc.Planned
		switch {
		case sc.State == bench.StateDone && !s.Canceled:
			rs.Elapsed += sc.Planned
		case sc.State == bench.StatePending:
		default:
			// A stopped scenario is done at the time it got to.
			rs.Elapsed += min(sc.Elapsed, sc.Planned)
		}
		if i == s.Current || (s.Current < 0 && sc.State == bench.StateDone) {
			rs.AttemptedRate, rs.AchievedRate = rep.RateAttempted, rep.RateAchieved
			rs.RatesPending = !s.Final && rep.WindowSeconds < minRateWindow.Seconds()
		}
		if i == s.Current && !s.Final {
			rs.Current = fmt.Sprintf("%s (%d/%d, %s)", rep.Name, i+1, len(s.Scenarios), sc.State)
		}
		st := tui.ScenarioStats{
			Name: rep.Name, Mode: resolver.Mode(rep.Mode),
			Requests: uint64(max(rep.Requests, 0)), Errors: uint64(max(rep.Errors, 0)),
			Reasons: make(map[resolver.Reason]uint64, len(rep.Reasons)),
			Lagged:  rep.GeneratorLagged(), LagP99: time.Duration(rep.DispatchLagNs.P99),
			UncorrectedP99: time.Duration(rep.LatencyUncorrectedNs.P99),
		}
		for r, n := range rep.Reasons {
			st.Reasons[resolver.Reason(r)] = uint64(max(n, 0))
		}
		if h, _ := rep.Histograms(); h != nil && h.TotalCount() > 0 {
			for _, p := range curvePercentiles(h.TotalCount()) {
				st.Percentiles = append(st.Percentiles, tui.Quantile{Percentile: p, Latency: time.Duration(h.ValueAtPercentile(p))})
			}
			st.Max = time.Duration(h.Max())
		} else if rep.Requests > 0 {
			l := rep.LatencyNs
			for _, q := range []struct {
				p float64
				v int64
			}{{50, l.P50}, {90, l.P90}, {99, l.P99}, {99.9, l.P999}, {99.99, l.P9999}, {100, l.Max}} {
				if q.p < 100 && float64(rep.Requests)*(1-q.p/100) < 1-1e-9 {
					continue // too few requests to tell this percentile from the max
				}
				st.Percentiles = append(st.Percentiles, tui.Quantile{Percentile: q.p, Latency: time.Duration(q.v)})
			}
			st.Max = time.Duration(l.Max)
		}
		rs.Scenarios = append(rs.Scenarios, st)
	}
	return rs
}
