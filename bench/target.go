package bench

import (
	"context"
	"math/rand/v2"
	"sync"
)

// Target is what an in-process scenario drives: one resolution of the
// request whose Cookie header is cookie ("" for none). bench never sees a
// session; the Outcome says what happened so reasons can be counted.
//
// A non-nil error is a failed request (store down, upstream error, ...);
// the Outcome's Reason should still say which. Implementations are safe
// for concurrent use.
type Target interface {
	Do(ctx context.Context, cookie string) (Outcome, error)
}

// TargetFunc adapts a function to Target.
type TargetFunc func(ctx context.Context, cookie string) (Outcome, error)

// Do implements Target.
func (f TargetFunc) Do(ctx context.Context, cookie string) (Outcome, error) { return f(ctx, cookie) }

// Outcome labels one request's result.
type Outcome struct {
	// Reason is a stable label: "session", "no_cookie", "expired", ... (the
	// resolver's reasons) or an error class.
	Reason string
	// CacheHit: a cache answered without asking the resolver behind it.
	CacheHit bool
	// Upstream: the request cost an upstream (Auth.js) call.
	Upstream bool
}

// Kind is the sort of cookie a request carries.
type Kind uint8

// Kinds.
const (
	KindValid    Kind = iota // a live session
	KindExpired              // a session past its expiry
	KindTampered             // a live session's cookie with altered bytes
	KindNone                 // no session cookie at all
)

// String implements fmt.Stringer.
func (k Kind) String() string {
	switch k {
	case KindValid:
		return "valid"
	case KindExpired:
		return "expired"
	case KindTampered:
		return "tampered"
	case KindNone:
		return "none"
	}
	return "unknown"
}

// Population supplies the opaque Cookie header values a run sends:
// Size() distinct sessions, each available valid, expired and tampered.
// The caller mints or seeds them; bench only picks. Implementations are
// safe for concurrent use (read-only after construction is enough).
type Population interface {
	Size() int
	// Cookie returns the Cookie header value of session i (0 <= i < Size)
	// in the given kind; KindNone is never asked.
	Cookie(k Kind, i int) string
}

// StaticPopulation is a Population held in slices, one entry per session.
// Expired or Tampered may be shorter than Valid (even empty): index i then
// wraps, and an empty kind falls back to sending no cookie.
type StaticPopulation struct {
	Valid, Expired, Tampered []string
}

// Size implements Population.
func (p StaticPopulation) Size() int { return len(p.Valid) }

// Cookie implements Population.
func (p StaticPopulation) Cookie(k Kind, i int) string {
	var s []string
	switch k {
	case KindValid:
		s = p.Valid
	case KindExpired:
		s = p.Expired
	case KindTampered:
		s = p.Tampered
	}
	if len(s) == 0 {
		return ""
	}
	return s[i%len(s)]
}

// picker chooses each request's cookie. One picker serves all of a
// scenario's workers (vegeta calls the targeter concurrently), hence the
// mutex; every scenario starts from the same seed, so all scenarios of a run
// see the same sequence of picks.
type picker struct {
	mu   sync.Mutex
	rng  *rand.Rand
	zipf *rand.Zipf
	pop  Population
	n    int
	cfg  PopulationConfig
}

func newPicker(cfg PopulationConfig, pop Population, seed uint64) *picker {
	p := &picker{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), pop: pop, cfg: cfg}
	if pop != nil {
		p.n = min(pop.Size(), cfg.Sessions)
		if p.n <= 0 {
			p.n = pop.Size()
		}
	}
	if cfg.Popularity == Zipf && p.n > 1 {
		p.zipf = rand.NewZipf(p.rng, cfg.ZipfS, 1, uint64(p.n-1))
	}
	return p
}

// pick returns the next request's kind and session index.
func (p *picker) pick() (Kind, int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.n == 0 {
		return KindNone, 0
	}
	u := p.rng.Float64()
	kind := KindValid
	switch c := p.cfg; {
	case u < float64(c.NoCookie):
		return KindNone, 0
	case u < float64(c.NoCookie+c.Expired):
		kind = KindExpired
	case u < float64(c.NoCookie+c.Expired+c.Tampered):
		kind = KindTampered
	}
	if p.zipf != nil {
		return kind, int(p.zipf.Uint64())
	}
	return kind, p.rng.IntN(p.n)
}

// cookie returns the next request's Cookie header value.
func (p *picker) cookie() string {
	k, i := p.pick()
	if k == KindNone {
		return ""
	}
	return p.pop.Cookie(k, i)
}
