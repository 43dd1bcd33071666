package bench

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// Step is one phase of a load schedule: Duration at a constant Rate, or a
// linear ramp from Rate to To when To differs from Rate. A zero rate is a
// pause.
type Step struct {
	Duration Duration `json:"duration" yaml:"duration"`
	Rate     Rate     `json:"rate" yaml:"rate"`
	// To, when set and different from Rate, makes the step a linear ramp.
	To Rate `json:"to,omitempty" yaml:"to,omitempty"`
}

// end returns the rate at the end of the step.
func (s Step) end() Rate {
	if s.To == 0 {
		return s.Rate
	}
	return s.To
}

// String renders the step in ParseSchedule's syntax: "30s@500" or "30s@500->2000".
func (s Step) String() string {
	if s.To != 0 && s.To != s.Rate {
		return fmt.Sprintf("%s@%s->%s", s.Duration, fmtNum(float64(s.Rate)), fmtNum(float64(s.To)))
	}
	return fmt.Sprintf("%s@%s", s.Duration, fmtNum(float64(s.Rate)))
}

// Schedule is a sequence of steps run back to back. Its text form is a
// comma-separated list of DURATION@RATE (constant) and DURATION@FROM->TO
// (linear ramp), rates in requests per second: "30s@500,30s@500->2000,1m@2000".
// In JSON it is either that string or an array of Step objects.
type Schedule []Step

// ParseSchedule parses the text form of a Schedule.
func ParseSchedule(s string) (Schedule, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	var out Schedule
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		durS, rateS, ok := strings.Cut(part, "@")
		if !ok {
			return nil, fmt.Errorf("schedule step %q: want DURATION@RATE or DURATION@FROM->TO", part)
		}
		d, err := time.ParseDuration(strings.TrimSpace(durS))
		if err != nil || d <= 0 {
			return nil, fmt.Errorf("schedule step %q: bad duration", part)
		}
		st := Step{Duration: Duration(d)}
		fromS, toS, ramp := strings.Cut(rateS, "->")
		if st.Rate, err = ParseRate(fromS); err != nil {
			return nil, fmt.Errorf("schedule step %q: %w", part, err)
		}
		if ramp {
			if st.To, err = ParseRate(toS); err != nil {
				return nil, fmt.Errorf("schedule step %q: %w", part, err)
			}
		}
		out = append(out, st)
	}
	return out, nil
}

// String renders s in ParseSchedule's syntax.
func (s Schedule) String() string {
	parts := make([]string, len(s))
	for i, st := range s {
		parts[i] = st.String()
	}
	return strings.Join(parts, ",")
}

// MarshalText implements encoding.TextMarshaler (the compact string form).
func (s Schedule) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler (YAML and flags use it).
func (s *Schedule) UnmarshalText(b []byte) error {
	v, err := ParseSchedule(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// UnmarshalJSON accepts the string form or an array of steps.
func (s *Schedule) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '[' {
		var steps []Step
		if err := json.Unmarshal(b, &steps); err != nil {
			return err
		}
		*s = steps
		return nil
	}
	var str string
	if err := json.Unmarshal(b, &str); err != nil {
		return fmt.Errorf("schedule: want a string or an array of steps: %w", err)
	}
	return s.UnmarshalText([]byte(str))
}

// Total returns the schedule's length.
func (s Schedule) Total() time.Duration {
	var d time.Duration
	for _, st := range s {
		d += time.Duration(st.Duration)
	}
	return d
}

// validate checks every step.
func (s Schedule) validate() error {
	var errs []error
	for i, st := range s {
		if st.Duration <= 0 {
			errs = append(errs, fmt.Errorf("step %d: duration must be positive", i))
		}
		bad := func(r Rate) bool { return r < 0 || math.IsNaN(float64(r)) || math.IsInf(float64(r), 0) }
		if bad(st.Rate) || bad(st.To) {
			errs = append(errs, fmt.Errorf("step %d: rate must be finite and not negative", i))
			continue
		}
		if err := errors.Join(checkRate(st.Rate), checkRate(st.To)); err != nil {
			errs = append(errs, fmt.Errorf("step %d: %w", i, err))
		}
	}
	return errors.Join(errs...)
}

// Hits returns how many requests the schedule sends in [0, t): the integral
// of its rate.
func (s Schedule) hits(t time.Duration) float64 {
	var h float64
	for _, st := range s {
		d := time.Duration(st.Duration)
		if t <= 0 {
			break
		}
		span := min(t, d).Seconds()
		r0, r1 := float64(st.Rate), float64(st.end())
		slope := (r1 - r0) / d.Seconds()
		h += r0*span + slope*span*span/2
		t -= d
	}
	return h
}

// pacer is the run's vegeta.Pacer. It knows the intended send time of
// every request, which is how latencies are corrected for coordinated
// omission: request n (0-based, in vegeta's Seq order) is due at at(n).
//
// Hit n is due when the schedule's cumulative count reaches n: a constant
// step at rate r sends its k-th hit at k/r after the step begins (the first
// one at once); a ramp solves r0·t + (r1−r0)·t²/(2D) = k for t.
type pacer struct {
	steps []pacerStep
	end   time.Duration
	max   uint64 // 0: unbounded

	// began is the attack's start (vegeta's atk.began), learnt on the first
	// Pace call as now − elapsed: Pace is the only place vegeta shares it.
	began atomic.Pointer[time.Time]
	// precise makes Pace wait for each due time itself (see Pace); done
	// ends such a wait.
	precise bool
	done    <-chan struct{}

	// stopped is when Pace ended the attack early, at the request cap.
	stopped atomic.Pointer[time.Time]

	// clock is how Pace reads the time and waits: the real clock unless a
	// test injects a virtual one (testing/synctest cannot stand in, as
	// nanosleep is a raw syscall outside its bubble).
	clock pacerClock

	// overs are the last fine sleeps' overshoots (ring, next at oi), and
	// spin the final spin's length they give (see adaptSpin): the spin is
	// pure CPU, and a fixed spinWindow of it per request was most of the
	// generator's CPU at a fixed rate. Only Pace touches them, and vegeta
	// calls Pace from its one attack goroutine.
	overs [16]time.Duration
	n     int // overshoots measured so far
	spin  time.Duration
	// woke is the schedule time of the last wake-up: the time the last
	// wait was for (see batch); quantum the shortest time between two
	// wake-ups (wakeQuantum; 0: every tick wakes, Config.PrecisePacing).
	woke    time.Time
	quantum time.Duration
}

// pacerClock is the pacer's view of time. Its zero value is the real
// clock: time.Now, time.Sleep, nanosleep and runtime.Gosched.
type pacerClock struct {
	now   func() time.Time
	sleep func(time.Duration) // coarse: may oversleep by coarseSlack
	fine  func(time.Duration) // nanosleep: oversleeps by under spinWindow
	yield func()              // one turn of the final spin
}

func (c pacerClock) Now() time.Time {
	if c.now == nil {
		return time.Now()
	}
	return c.now()
}

func (c pacerClock) Sleep(d time.Duration) {
	if c.sleep == nil {
		time.Sleep(d)
		return
	}
	c.sleep(d)
}

func (c pacerClock) Fine(d time.Duration) {
	if c.fine == nil {
		nanosleep(d)
		return
	}
	c.fine(d)
}

func (c pacerClock) Yield() {
	if c.yield == nil {
		runtime.Gosched()
		return
	}
	c.yield()
}

type pacerStep struct {
	start  time.Duration // offset of the step
	length time.Duration
	h0     float64 // hits sent before the step
	hits   float64 // hits the step sends
	r0, r1 float64 // rates at the step's ends (per second)
}

var _ vegeta.Pacer = (*pacer)(nil)

func newPacer(s Schedule, maxRequests uint64) *pacer {
	p := &pacer{max: maxRequests, spin: spinWindow, quantum: wakeQuantum} // spin: until measured, the conservative window
	var at time.Duration
	var h float64
	for _, st := range s {
		d := time.Duration(st.Duration)
		r0, r1 := float64(st.Rate), float64(st.end())
		n := (r0 + r1) / 2 * d.Seconds()
		p.steps = append(p.steps, pacerStep{start: at, length: d, h0: h, hits: n, r0: r0, r1: r1})
		at += d
		h += n
	}
	p.end = at
	return p
}

// at returns when hit n is due, relative to the attack's start; ok is false
// past the schedule's end or the request cap.
func (p *pacer) at(n uint64) (time.Duration, bool) {
	if p.max > 0 && n >= p.max {
		return 0, false
	}
	k := float64(n)
	for _, st := range p.steps {
		if k >= st.h0+st.hits {
			continue
		}
		c := k - st.h0
		var t float64
		if a := (st.r1 - st.r0) / (2 * st.length.Seconds()); a == 0 {
			t = c / st.r0
		} else {
			// Stable root of a·t² + r0·t − c = 0 (also for r0 = 0).
			t = 2 * c / (st.r0 + math.Sqrt(st.r0*st.r0+4*a*c))
		}
		off := st.start + time.Duration(t*float64(time.Second))
		return min(off, st.start+st.length), true
	}
	return 0, false
}

// Pace implements vegeta.Pacer. It waits for the hit's due time itself
// and returns 0: vegeta's time.Sleep oversleeps by up to a millisecond here
// (Go timers wake through the netpoller at millisecond granularity), which
// would make every request late by the generator's fault and show up as
// latency in the corrected figures. Pace sleeps coarsely while far from due
// (waking to honour cancellation), then with nanosleep, then yields in a
// short spin for the last microseconds: as long as nanosleep's upper-quartile
// overshoot lately (adaptSpin), at most spinWindow. It wakes at most once
// a wakeQuantum, releasing the ticks due by then together (batch). Never
// early; late only when ticks come faster than the quantum or a sleep
// overshoots more than the spin.
func (p *pacer) Pace(elapsed time.Duration, hits uint64) (time.Duration, bool) {
	if p.began.Load() == nil {
		b := p.clock.Now().Add(-elapsed)
		p.began.CompareAndSwap(nil, &b)
	}
	due, ok := p.at(hits)
	if elapsed >= p.end {
		// Bounded in time like vegeta's own duration check: a generator
		// that fell behind does not run on to catch up.
		ok = false
	}
	if !ok {
		if p.max > 0 && hits >= p.max && p.stopped.Load() == nil {
			t := p.clock.Now()
			p.stopped.CompareAndSwap(nil, &t)
		}
		return 0, true
	}
	if !p.precise {
		return due - elapsed, false
	}
	at := p.began.Load().Add(due)
	if at.After(p.clock.Now()) {
		at = p.batch(at, p.began.Load().Add(p.end))
	}
	for {
		now := p.clock.Now()
		rem := at.Sub(now)
		switch {
		case rem <= 0:
			return 0, false
		case rem > coarseSlack+time.Millisecond:
			select {
			case <-p.done:
				return 0, true
			default:
			}
			p.clock.Sleep(min(rem-coarseSlack, 50*time.Millisecond))
		case rem > p.spin:
			d := rem - p.spin
			p.clock.Fine(d)
			p.adaptSpin(p.clock.Now().Sub(now) - d)
		default:
			p.clock.Yield()
		}
	}
}

// batch returns when to wake for a tick due at at that is not due yet:
// at, or wakeQuantum after the last wake-up when that is later, so the
// pacer wakes at most once a wakeQuantum and releases every tick due by
// then at once (they find themselves due and need no wait); not in the
// schedule's last quantum, whose ticks would otherwise find the schedule
// over when released (end is the schedule's end). Each wake-up
// costs the process a thread hand-off to the worker it releases; at
// 5,000 req/s one per tick cost about a fifth more CPU than the vegeta
// CLI, which wakes through Go's timers about once a millisecond. Below
// 1/wakeQuantum (2,000 req/s) ticks are further apart than the quantum and
// keep their precise release. A batched tick is late by less than the
// quantum (plus the sleep's overshoot); that lateness is each request's
// dispatch lag, measured from its intended time like any other.
func (p *pacer) batch(at, end time.Time) time.Time {
	if p.quantum <= 0 {
		return at
	}
	if next := p.woke.Add(p.quantum); at.Before(next) && next.Before(end) {
		at = next
	}
	p.woke = at
	return at
}

// adaptSpin records a fine sleep's overshoot and sets the spin to the
// upper quartile of the last 16 plus spinMargin, within [minSpin,
// spinWindow]: a sleep that overshoots more than three in four recent ones
// releases its tick late by the difference (the dispatch lag records it),
// rather than every tick paying for the worst wake-up in spin.
func (p *pacer) adaptSpin(over time.Duration) {
	p.overs[p.n%len(p.overs)] = over
	if p.n++; p.n < len(p.overs) {
		return // keep the conservative window until the ring is full
	}
	sorted := p.overs // a copy
	slices.Sort(sorted[:])
	p.spin = min(max(sorted[len(sorted)*3/4-1]+spinMargin, minSpin), spinWindow)
}

// Pacing thresholds: time.Sleep may overshoot by coarseSlack; nanosleep by
// less than spinWindow, which is spun away.
// The spin window adapts below spinWindow to the overshoots measured
// (see pacer.overs); minSpin and spinMargin keep a little room for jitter.
const (
	coarseSlack = 1500 * time.Microsecond
	spinWindow  = 100 * time.Microsecond
	minSpin     = 10 * time.Microsecond
	spinMargin  = 5 * time.Microsecond
	// wakeQuantum is the shortest time between two of the pacer's
	// wake-ups (see batch).
	wakeQuantum = 500 * time.Microsecond
)

// Rate implements vegeta.Pacer: the instantaneous rate at elapsed.
func (p *pacer) Rate(elapsed time.Duration) float64 {
	for _, st := range p.steps {
		if elapsed < st.start+st.length {
			f := float64(elapsed-st.start) / float64(st.length)
			return st.r0 + (st.r1-st.r0)*f
		}
	}
	return 0
}

// intended returns the absolute intended send time of hit n; zero before
// the first Pace call.
func (p *pacer) intended(n uint64) (time.Time, bool) {
	b := p.began.Load()
	if b == nil {
		return time.Time{}, false
	}
	due, ok := p.at(n)
	if !ok {
		// Past the schedule (a request cap reached late): due at the end.
		due = p.end
	}
	return b.Add(due), true
}

func fmtNum(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
