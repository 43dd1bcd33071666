package bench

import (
	"context"
	"errors"
	"math/rand/v2"
	"strings"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// noise is a simulated load generator's misbehaviour: stall episodes
// during which it sends nothing (the requests due then leave together
// when it wakes, a burst the target must absorb), and a small lateness on
// every send.
type noise struct {
	stallProb float64       // the chance a run has stalls
	stalls    int           // stall episodes in such a run
	stallLen  time.Duration // each one's length
	// neighbour: the stalls come from another process busy on the host,
	// which the host's counters show (otherwise the counters stay quiet).
	neighbour bool
	// persistent: the neighbour never leaves (waiting for a calm host
	// does not help).
	persistent bool
	jitter     time.Duration // every send is late by up to this
	// tailProb of the sends are late by up to tailLen more: the
	// generator's own lag tail (a pacer waiting for a CPU), on its own
	// well above the SLO's percentile, in every run, at every rate. A late
	// request does not hold up the ones sent on time (the target serves
	// requests concurrently; only its capacity is one server's).
	tailProb float64
	tailLen  time.Duration
}

// kneeSim is a target with a known knee, run in virtual time through the
// run's own pacer, recorder, window and .hlog intervals: one server
// (FIFO), service times uniform in mean×[1−spread, 1+spread], so it holds
// 1/mean requests a second and queues beyond. Each run draws its service
// times and stalls from (seed, the run's Seed), so a search is
// deterministic and each measurement sees fresh noise.
type kneeSim struct {
	mean   time.Duration
	spread float64
	seed   uint64
	noise  noise
	// gen is the generator's own cost per send (0: free): sends leave one
	// at a time, each gen after the last, so the generator alone holds
	// 1/gen a second. The no-op target of the generator's ceiling
	// (a scenario named generator-*) costs nothing but that; with gen 0
	// it is a target 8 times faster than mean.
	gen time.Duration

	// countersUnknown: the host's CPU counters cannot be read (no
	// /proc/stat), so the search cannot see how much of the machine the
	// target used.
	countersUnknown bool
	// cpuByRate: this process's CPU is the one server's utilisation
	// (rate×mean, capped at its core) and a little for the generator, as
	// the host's counters would show it; otherwise a core at every rate
	// (the search never sees room to climb faster than doubling).
	cpuByRate bool

	host HostLoad // what the host looked like during the last run
	runs int
	// calmed scales the next run's chance of stalls: a search that waited
	// longer for a calm host meets a neighbour's burst less often.
	calmed float64
}

// env is the search's environment over the simulation: its runs, its
// host counters, no waiting.
func (k *kneeSim) env() probeEnv {
	return probeEnv{
		execute: k.execute,
		host:    func() func() HostLoad { return func() HostLoad { return k.host } },
		calm:    k.calm,
		now:     time.Now,
	}
}

// calm is the search's wait for a calm host, in virtual time: waiting
// longer than the first look makes the next run's stalls less likely, in
// proportion (a neighbour's bursts end).
func (k *kneeSim) calm(ctx context.Context, _ Share, most time.Duration) (time.Duration, error) {
	k.calmed = min(1, float64(firstLook)/float64(most))
	if k.noise.persistent {
		k.calmed = 1
	}
	return 0, ctx.Err()
}

var simEpoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func (k *kneeSim) execute(ctx context.Context, cfg Config, _ Targets, opts ...Option) (*Report, error) {
	var o runOptions
	for _, opt := range opts {
		opt(&o)
	}
	cfg = cfg.WithDefaults()
	k.runs++
	rng := rand.New(rand.NewPCG(k.seed, cfg.Seed))
	plan := cfg.Plan()
	total, warm := plan.Total(), time.Duration(cfg.Warmup)
	stalls := k.drawStalls(rng, warm, total)

	p := newPacer(plan, cfg.MaxRequests)
	began := simEpoch
	p.began.Store(&began)
	rec := newRecorder(cfg.Scenarios[0])
	rec.windowStart = began.Add(warm)
	rec.ivStart = rec.windowStart
	log, err := newSimLog(o.hlog, began)
	if err != nil {
		return nil, err
	}
	ivLen := time.Duration(cfg.Interval)
	nextIv := rec.windowStart.Add(ivLen)
	mean, gen := k.mean, k.gen
	if strings.HasPrefix(cfg.Scenarios[0].Name, "generator-") {
		mean = 0
		if gen == 0 {
			gen = k.mean / 8
		}
	}
	busy := 1.0
	if k.cpuByRate {
		busy = min(1, float64(cfg.Rate)*mean.Seconds()) + 0.02
	}
	k.host = HostLoad{Known: !k.countersUnknown, Cores: 2, OwnCores: busy, OtherCores: 0.1}
	if len(stalls) > 0 && k.noise.neighbour {
		k.host.OtherCores, k.host.OwnWaitShare = 1.8, 0.5
	}
	var free, genFree time.Time
	for n := uint64(0); ; n++ {
		due, ok := p.at(n)
		if !ok {
			break
		}
		intended := began.Add(due)
		send := intended
		for _, s := range stalls {
			if due >= s[0] && due < s[1] {
				send = began.Add(s[1])
			}
		}
		if k.noise.jitter > 0 {
			send = send.Add(time.Duration(rng.Int64N(int64(k.noise.jitter))))
		}
		if gen > 0 {
			if genFree.After(send) {
				send = genFree
			}
			genFree = send.Add(gen)
		}
		// A late worker holds up neither the generator nor the other
		// requests (see noise.tailProb).
		tail := k.noise.tailProb > 0 && rng.Float64() < k.noise.tailProb
		if tail {
			send = send.Add(time.Duration(rng.Int64N(int64(k.noise.tailLen))))
		}
		start := send
		if free.After(start) && !tail {
			start = free
		}
		svc := time.Duration(float64(mean) * (1 - k.spread + 2*k.spread*rng.Float64()))
		end := start.Add(svc)
		if !tail {
			free = end
		}
		for !end.Before(nextIv) {
			if err := log.interval(rec, nextIv); err != nil {
				return nil, err
			}
			nextIv = nextIv.Add(ivLen)
		}
		rec.add(sample{intended: intended, start: send, latency: end.Sub(send), out: outcome{ok: true, reason: "session"}}, false)
	}
	now := began.Add(total)
	if free.After(now) {
		now = free
	}
	if err := log.interval(rec, now); err != nil {
		return nil, err
	}
	r := &runner{cfg: cfg}
	s := rec.final(r.window(p, plan, rec, began, now, time.Time{}))
	return &Report{Scenarios: []ScenarioReport{s}, Canceled: ctx.Err() != nil}, nil
}

// drawStalls returns the run's stall episodes, as offsets from its start
// within the measured window.
func (k *kneeSim) drawStalls(rng *rand.Rand, warm, total time.Duration) [][2]time.Duration {
	prob := k.noise.stallProb
	if k.calmed > 0 {
		prob *= k.calmed
	}
	if k.noise.stalls == 0 || rng.Float64() >= prob || total <= warm {
		return nil
	}
	var out [][2]time.Duration
	for range k.noise.stalls {
		at := warm + time.Duration(rng.Int64N(int64(total-warm)))
		out = append(out, [2]time.Duration{at, at + k.noise.stallLen})
	}
	return out
}

// simLog writes a simulated run's intervals as the run does (nil writer:
// intervals are only closed).
type simLog struct{ w *hdr.HistogramLogWriter }

func newSimLog(w interface{ Write([]byte) (int, error) }, began time.Time) (simLog, error) {
	if w == nil {
		return simLog{}, nil
	}
	lw := hdr.NewHistogramLogWriter(w)
	base := began.UnixMilli()
	lw.SetBaseTime(base)
	err := errors.Join(lw.OutputLogFormatVersion(), lw.OutputStartTime(base), lw.OutputBaseTime(base), lw.OutputLegend())
	return simLog{lw}, err
}

// interval closes rec's interval at now and logs it.
func (l simLog) interval(rec *recorder, now time.Time) error {
	iv, ivU := rec.flush(now)
	var err error
	if l.w != nil && iv.TotalCount()+ivU.TotalCount() > 0 {
		err = errors.Join(l.w.OutputIntervalHistogram(iv), l.w.OutputIntervalHistogram(ivU))
	}
	rec.resetInterval()
	return err
}
