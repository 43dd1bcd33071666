package bench

import (
	"context"
	"time"
)

// simulate runs cfg's single scenario against a modelled target in virtual
// time: no clock, no goroutines, so its figures are exact and repeatable.
// It uses the run's own pacer (intended send times), recorder (counts,
// coordinated-omission correction, percentiles) and window (rates); only
// vegeta's sending is replaced by a FIFO queue of `servers` servers (0:
// unlimited, every request starts when due) where request n takes
// service(n). The generator is never late: a request starts at its
// intended time or when a server frees up, whichever is later.
func simulate(cfg Config, servers int, service func(n uint64) time.Duration) ScenarioReport {
	cfg = cfg.WithDefaults()
	plan := cfg.Plan()
	p := newPacer(plan, cfg.MaxRequests)
	began := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	p.began.Store(&began)
	rec := newRecorder(cfg.Scenarios[0])
	rec.windowStart = began.Add(time.Duration(cfg.Warmup))
	rec.ivStart = rec.windowStart
	free := make([]time.Time, servers) // when each server is next free
	var lastStart, lastEnd time.Time
	n := uint64(0)
	for ; ; n++ {
		due, ok := p.at(n)
		if !ok {
			break
		}
		intended := began.Add(due)
		start := intended
		k := -1
		for i := range free {
			if k < 0 || free[i].Before(free[k]) {
				k = i
			}
		}
		if k >= 0 && free[k].After(start) {
			start = free[k]
		}
		lat := service(n)
		if k >= 0 {
			free[k] = start.Add(lat)
		}
		lastStart = start
		if end := start.Add(lat); end.After(lastEnd) {
			lastEnd = end
		}
		rec.add(sample{intended: intended, start: start, latency: lat, out: outcome{ok: true, reason: "session"}}, false)
	}
	if cfg.MaxRequests > 0 && n >= cfg.MaxRequests {
		p.stopped.Store(&lastStart) // Pace stops at the cap right after the last send
	}
	now := began.Add(plan.Total())
	if lastEnd.After(now) {
		now = lastEnd
	}
	rec.flush(now)
	r := &runner{cfg: cfg}
	return rec.final(r.window(p, plan, rec, began, now, time.Time{}))
}

// simExecute is an executeFunc that simulates each probe (see simulate)
// against one server with a fixed service time.
func simExecute(service time.Duration) executeFunc {
	return func(ctx context.Context, cfg Config, _ Targets, _ ...Option) (*Report, error) {
		s := simulate(cfg, 1, func(uint64) time.Duration { return service })
		return &Report{Scenarios: []ScenarioReport{s}, Canceled: ctx.Err() != nil}, nil
	}
}
