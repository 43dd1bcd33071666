package bench

import "time"

// The run's time bound (CapacityConfig.MaxTime), shared among its
// searches in two passes. An equal share each is fair only when every
// search needs the same time, and they do not: a cached scenario warms
// its cache before each probe, a busy host turns probes inconclusive, a
// knee far up the grid takes a longer climb. A search out of its share
// stops with a bracket wider than Precision (or none), and where that cut
// fell is what then differed from run to run. So the first pass shares
// only firstPass of the time, equally among what is left when each search
// starts (a search that finishes early leaves its time to the ones after
// it; the generator's ceilings, searched first, take shares of the whole
// time), and the second resumes the searches that ran out of time, each
// with an equal share of what is left then (its verdicts kept: it goes on
// where it stopped).

// firstPass is the share of MaxTime the first pass may spend.
const firstPass = 0.75

// timeBudget is a run's time, shared among its searches.
type timeBudget struct {
	end   time.Time // zero: no budget
	first time.Time // the first pass's end
	left  int       // first-pass searches not yet started
}

func newTimeBudget(cc CapacityConfig, env probeEnv, searches int) *timeBudget {
	b := &timeBudget{left: searches}
	if cc.MaxTime > 0 {
		now := env.now()
		b.end = now.Add(time.Duration(cc.MaxTime))
		b.first = now.Add(time.Duration(firstPass * float64(cc.MaxTime)))
	}
	return b
}

// next is cc for the next first-pass search, its MaxTime its share.
func (b *timeBudget) next(cc CapacityConfig, env probeEnv) CapacityConfig {
	return b.take(cc, env, b.first)
}

// nextCeiling is cc for the next search of the generator's ceiling: its
// share of the whole run's time, not of the first pass. The ceilings are
// searched first and cap the scenarios searched after them, so they are
// not resumed: an unfinished ceiling would cap the scenarios at a floor.
func (b *timeBudget) nextCeiling(cc CapacityConfig, env probeEnv) CapacityConfig {
	return b.take(cc, env, b.end)
}

// take is cc with MaxTime an equal share of the time left until end among
// the first-pass searches not yet started.
func (b *timeBudget) take(cc CapacityConfig, env probeEnv, end time.Time) CapacityConfig {
	if b.end.IsZero() {
		return cc
	}
	n := max(b.left, 1)
	b.left--
	cc.MaxTime = share(end.Sub(env.now()), n)
	return cc
}

// resume is the time for the next of n searches resumed in the second
// pass (0 when there is no budget; at least a nanosecond otherwise, so a
// search with no time left stops at once rather than running unbounded).
func (b *timeBudget) resume(env probeEnv, n int) Duration {
	if b.end.IsZero() {
		return 0
	}
	return share(b.end.Sub(env.now()), max(n, 1))
}

// share is an nth of left, at least a nanosecond.
func share(left time.Duration, n int) Duration {
	return Duration(max(left/time.Duration(n), time.Nanosecond))
}
