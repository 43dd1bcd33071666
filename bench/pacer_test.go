package bench

import (
	"testing"
	"time"
)

// virtualClock is a pacerClock in virtual time. Sleeps oversleep by a
// scripted amount within what the pacer allows for (coarse sleeps up to
// coarseSlack, nanosleep under spinWindow); a yield moves time 1µs on.
type virtualClock struct {
	now                         time.Time
	sleeps, fines, yields       int
	overIndex                   int
	coarseOver, fineOver        []time.Duration
	yieldStep                   time.Duration
	sleptAbove50ms, sleptAtZero bool
}

func (v *virtualClock) clock() pacerClock {
	next := func(s []time.Duration) time.Duration { v.overIndex++; return s[v.overIndex%len(s)] }
	return pacerClock{
		now: func() time.Time { return v.now },
		sleep: func(d time.Duration) {
			v.sleeps++
			v.sleptAbove50ms = v.sleptAbove50ms || d > 50*time.Millisecond
			v.sleptAtZero = v.sleptAtZero || d <= 0
			v.now = v.now.Add(d + next(v.coarseOver))
		},
		fine: func(d time.Duration) {
			v.fines++
			v.sleptAtZero = v.sleptAtZero || d <= 0
			v.now = v.now.Add(d + next(v.fineOver))
		},
		yield: func() { v.yields++; v.now = v.now.Add(v.yieldStep) },
	}
}

func TestPacerPreciseNeverEarly(t *testing.T) {
	// Every tick is released at or after its due time, and less than one
	// yield late, however the sleeps overshoot within their allowances:
	// the property the coordinated-omission correction relies on.
	v := &virtualClock{
		now:        time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		coarseOver: []time.Duration{0, 700 * time.Microsecond, coarseSlack, 300 * time.Microsecond},
		fineOver:   []time.Duration{0, 40 * time.Microsecond, spinWindow - 1, 99 * time.Microsecond},
		yieldStep:  time.Microsecond,
	}
	s, _ := ParseSchedule("200ms@50,1s@50->2000")
	p := newPacer(s, 0)
	p.precise, p.done, p.clock = true, make(chan struct{}), v.clock()
	began := v.now
	n := uint64(0)
	for ; ; n++ {
		wait, stop := p.Pace(v.now.Sub(began), n)
		if stop {
			break
		}
		if wait != 0 {
			t.Fatalf("hit %d: Pace returned wait %s, want 0 (it waits itself)", n, wait)
		}
		due, _ := p.at(n)
		late := v.now.Sub(began.Add(due))
		if late < 0 || late >= v.yieldStep {
			t.Fatalf("hit %d released %s after its due time %s, want in [0, %s)", n, late, due, v.yieldStep)
		}
	}
	if want := uint64(10 + 1025); n < want-1 || n > want+1 {
		t.Errorf("%d hits released, want the schedule's %d", n, want)
	}
	if got := *p.began.Load(); !got.Equal(began) {
		t.Errorf("began = %s, want %s", got, began)
	}
	// Far from due it sleeps coarsely (in slices of at most 50ms, to honour
	// cancellation), then finely, then spins; never for nothing.
	if v.sleeps == 0 || v.fines == 0 || v.yields == 0 || v.sleptAbove50ms || v.sleptAtZero {
		t.Errorf("sleeps %d fines %d yields %d, over 50ms %v, empty %v", v.sleeps, v.fines, v.yields, v.sleptAbove50ms, v.sleptAtZero)
	}
}

func TestPacerCancelAndCap(t *testing.T) {
	v := &virtualClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		coarseOver: []time.Duration{0}, fineOver: []time.Duration{0}, yieldStep: time.Microsecond}
	s := Schedule{{Duration: Duration(time.Second), Rate: 2}}
	done := make(chan struct{})
	p := newPacer(s, 0)
	p.precise, p.done, p.clock = true, done, v.clock()
	if _, stop := p.Pace(0, 0); stop {
		t.Fatal("first hit stopped")
	}
	close(done)
	// Hit 1 is due 500ms ahead: a cancelled wait ends at once.
	if _, stop := p.Pace(0, 1); !stop || v.sleeps != 0 || !v.now.Equal(*p.began.Load()) {
		t.Errorf("after cancel: stop %v, %d sleeps, clock moved %s", stop, v.sleeps, v.now.Sub(*p.began.Load()))
	}

	capped := newPacer(s, 1)
	capped.precise, capped.clock = true, v.clock()
	capped.Pace(0, 0)
	v.now = v.now.Add(123 * time.Millisecond)
	if _, stop := capped.Pace(123*time.Millisecond, 1); !stop {
		t.Fatal("hit past MaxRequests not stopped")
	}
	if st := capped.stopped.Load(); st == nil || !st.Equal(v.now) {
		t.Errorf("stopped = %v, want the clock's %s when the cap was hit", st, v.now)
	}
}

func TestPacerSpinAdaptsToOvershoot(t *testing.T) {
	// nanosleep overshooting by 2µs: after the first few sleeps the final
	// spin lasts about minSpin, not spinWindow (the spin is pure CPU), and
	// no tick is released early or late.
	v := &virtualClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		coarseOver: []time.Duration{0}, fineOver: []time.Duration{2 * time.Microsecond}, yieldStep: time.Microsecond}
	p := newPacer(Schedule{{Duration: Duration(time.Second), Rate: 2000}}, 0)
	p.precise, p.done, p.clock = true, make(chan struct{}), v.clock()
	began := v.now
	var n uint64
	for ; ; n++ {
		if n == 100 {
			v.yields = 0
		}
		if _, stop := p.Pace(v.now.Sub(began), n); stop {
			break
		}
		due, _ := p.at(n)
		if late := v.now.Sub(began.Add(due)); late < 0 || late >= v.yieldStep {
			t.Fatalf("hit %d released %s from its due time", n, late)
		}
	}
	if perHit := float64(v.yields) / float64(n-100); perHit > float64(minSpin/time.Microsecond)+1 {
		t.Errorf("%.1f yields (µs of spin) per hit once adapted, want about %d", perHit, minSpin/time.Microsecond)
	}
}

func TestPacerBatchesFastTicks(t *testing.T) {
	// At 10,000 req/s (a tick every 100µs) the pacer wakes at most once a
	// wakeQuantum and releases the ticks due by then together: never
	// early, late by less than the quantum plus the spin, and about
	// wakeQuantum/100µs ticks per wake-up. At 1,000 req/s (ticks further
	// apart than the quantum) every tick keeps its own precise release.
	// With precise pacing (quantum 0) every tick keeps its own release at
	// any rate.
	for _, tc := range []struct {
		rate      Rate
		precise   bool
		wakes     int // most distinct release instants (wake-ups) over the second
		maxLate   time.Duration
		wantBatch bool
	}{
		// The schedule's last quantum is not batched (its ticks would find
		// the schedule over): its 5 ticks wake one by one.
		{rate: 10000, wakes: int(time.Second/wakeQuantum) + 5 + 2, maxLate: wakeQuantum, wantBatch: true},
		{rate: 1000, wakes: 1000 + 2, maxLate: time.Microsecond},
		{rate: 10000, precise: true, wakes: 10000 + 2, maxLate: time.Microsecond},
	} {
		v := &virtualClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
			coarseOver: []time.Duration{0}, fineOver: []time.Duration{3 * time.Microsecond, 0}, yieldStep: time.Microsecond}
		p := newPacer(Schedule{{Duration: Duration(time.Second), Rate: tc.rate}}, 0)
		p.precise, p.done, p.clock = true, make(chan struct{}), v.clock()
		if tc.precise {
			p.quantum = 0
		}
		began := v.now
		var n uint64
		var worst time.Duration
		var wakes int
		last := began.Add(-time.Second)
		for ; ; n++ {
			if _, stop := p.Pace(v.now.Sub(began), n); stop {
				break
			}
			if !v.now.Equal(last) {
				wakes, last = wakes+1, v.now
			}
			due, _ := p.at(n)
			late := v.now.Sub(began.Add(due))
			if late < 0 {
				t.Fatalf("rate %v: hit %d released %s early", tc.rate, n, -late)
			}
			worst = max(worst, late)
		}
		if want := uint64(tc.rate); n < want-1 || n > want+1 {
			t.Errorf("rate %v: %d hits released, want %d", tc.rate, n, want)
		}
		if wakes > tc.wakes {
			t.Errorf("rate %v: released at %d distinct times (wake-ups), want at most %d", tc.rate, wakes, tc.wakes)
		}
		if worst >= tc.maxLate {
			t.Errorf("rate %v: a hit released %s late, want under %s", tc.rate, worst, tc.maxLate)
		}
		if batched := worst > 10*time.Microsecond; batched != tc.wantBatch {
			t.Errorf("rate %v: worst lateness %s, batched %v, want %v", tc.rate, worst, batched, tc.wantBatch)
		}
	}
}
