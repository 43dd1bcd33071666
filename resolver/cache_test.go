package resolver

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeClock is a settable Clock.
type fakeClock struct{ ns atomic.Int64 }

func newFakeClock() *fakeClock {
	c := &fakeClock{}
	c.ns.Store(time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC).UnixNano())
	return c
}
func (c *fakeClock) Now() time.Time          { return time.Unix(0, c.ns.Load()).UTC() }
func (c *fakeClock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

// countingResolver answers from a table keyed by the Cookie header and
// counts calls. gate, when set, blocks every call until closed.
type countingResolver struct {
	calls   atomic.Int64
	answers map[string]Result
	gate    chan struct{}
	mu      sync.Mutex
}

func (f *countingResolver) Resolve(ctx context.Context, in Input) (Result, error) {
	f.calls.Add(1)
	if f.gate != nil {
		<-f.gate
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if r, ok := f.answers[in.CookieHeader()]; ok {
		return r, nil
	}
	return noSession(ReasonDecrypt, "jwt", errors.New("bad token")), nil
}

func (f *countingResolver) set(cookie string, r Result) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.answers[cookie] = r
}

func sessionFor(user string, expires time.Time) Result {
	return Result{Session: &Session{User: User{ID: user, Name: String(user)}, Expires: expires}, Reason: ReasonOK, Source: "jwt"}
}

func newTestCache(t *testing.T, cfg CacheConfig) (*Cache, *countingResolver, *fakeClock) {
	t.Helper()
	clk := newFakeClock()
	next := &countingResolver{answers: map[string]Result{}}
	c := NewCached(next, cfg, WithCacheClock(clk.Now))
	t.Cleanup(func() { c.Close() })
	return c, next, clk
}

func resolveCookie(t *testing.T, c *Cache, cookie string) Result {
	t.Helper()
	res, err := c.Resolve(context.Background(), FromCookieHeader(cookie))
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestCacheHitMiss(t *testing.T) {
	c, next, clk := newTestCache(t, CacheConfig{TTL: 30 * time.Second})
	ck := "authjs.session-token=TOKEN-A"
	next.set(ck, sessionFor("u1", clk.Now().Add(time.Hour)))

	first := resolveCookie(t, c, ck)
	second := resolveCookie(t, c, ck)
	if first.Source != "jwt" || second.Source != "cache" || !second.OK() {
		t.Errorf("sources %q then %q, want jwt then cache", first.Source, second.Source)
	}
	if n := next.calls.Load(); n != 1 {
		t.Errorf("wrapped resolver called %d times, want 1", n)
	}
	// Other cookies around the session cookie do not change the key.
	next.set("a=1; authjs.session-token=TOKEN-A; b=2", sessionFor("other", clk.Now().Add(time.Hour)))
	if r := resolveCookie(t, c, "a=1; authjs.session-token=TOKEN-A; b=2"); r.Source != "cache" || r.Session.User.ID != "u1" {
		t.Errorf("same token in another header: %+v", r)
	}
	if s := c.Stats(); s.Hits != 2 || s.Misses != 1 {
		t.Errorf("stats %+v, want 2 hits 1 miss", s)
	}
	// No session cookie: not cached, passed through every time.
	resolveCookie(t, c, "other=1")
	resolveCookie(t, c, "other=1")
	if n := next.calls.Load(); n != 3 {
		t.Errorf("calls %d, want 3 (cookie-less requests pass through)", n)
	}
}

func TestCacheTTLCappedByExpiry(t *testing.T) {
	c, next, clk := newTestCache(t, CacheConfig{TTL: 30 * time.Second})
	short, long := "authjs.session-token=SHORT", "authjs.session-token=LONG"
	next.set(short, sessionFor("u1", clk.Now().Add(5*time.Second)))
	next.set(long, sessionFor("u2", clk.Now().Add(time.Hour)))
	resolveCookie(t, c, short)
	resolveCookie(t, c, long)

	clk.Advance(4*time.Second + 999*time.Millisecond)
	if r := resolveCookie(t, c, short); r.Source != "cache" {
		t.Errorf("before the session's expiry: source %q, want cache", r.Source)
	}
	clk.Advance(time.Millisecond) // exactly at the session's expiry
	if r := resolveCookie(t, c, short); r.Source == "cache" {
		t.Error("entry outlived its session's expiry")
	}
	if r := resolveCookie(t, c, long); r.Source != "cache" {
		t.Errorf("long session at 5s: source %q, want cache", r.Source)
	}
	clk.Advance(25 * time.Second) // 30s after the first load: TTL is up
	if r := resolveCookie(t, c, long); r.Source == "cache" {
		t.Error("entry outlived the TTL")
	}
	// An already-expired session is never stored.
	gone := "authjs.session-token=GONE"
	next.set(gone, sessionFor("u3", clk.Now().Add(-time.Second)))
	resolveCookie(t, c, gone)
	if r := resolveCookie(t, c, gone); r.Source == "cache" {
		t.Error("a session past its expiry was cached")
	}
	if c.Stats().Evictions < 2 {
		t.Errorf("stats %+v: the expired reads should count as evictions", c.Stats())
	}
}

func TestCacheNegative(t *testing.T) {
	for _, tc := range []struct {
		name   string
		negTTL time.Duration
		reason Reason
		cached bool
	}{
		{"off", 0, ReasonDecrypt, false},
		{"definitive", 2 * time.Second, ReasonDecrypt, true},
		{"upstream null", 2 * time.Second, ReasonUpstreamNull, true},
		{"transient upstream", 2 * time.Second, ReasonUpstreamError, false},
		{"transient timeout", 2 * time.Second, ReasonUpstreamTimeout, false},
		{"transient store", 2 * time.Second, ReasonStoreError, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, next, clk := newTestCache(t, CacheConfig{TTL: 30 * time.Second, NegativeTTL: tc.negTTL})
			ck := "authjs.session-token=BAD"
			next.set(ck, noSession(tc.reason, "x", errors.New("no")))
			resolveCookie(t, c, ck)
			r := resolveCookie(t, c, ck)
			if got := r.Source == "cache"; got != tc.cached {
				t.Fatalf("cached=%v, want %v", got, tc.cached)
			}
			if r.Reason != tc.reason || r.OK() {
				t.Errorf("cached answer %+v lost its reason", r)
			}
			if tc.cached {
				clk.Advance(tc.negTTL)
				if r := resolveCookie(t, c, ck); r.Source == "cache" {
					t.Error("negative entry outlived NegativeTTL")
				}
			}
		})
	}
}

func TestCacheInvalidation(t *testing.T) {
	c, next, clk := newTestCache(t, CacheConfig{TTL: time.Minute})
	cookies := map[string]string{
		"authjs.session-token=T1": "alice",
		"authjs.session-token=T2": "alice",
		"authjs.session-token=T3": "bob",
		"authjs.session-token=T4": "carol",
	}
	load := func() {
		for ck, u := range cookies {
			next.set(ck, sessionFor(u, clk.Now().Add(time.Hour)))
			resolveCookie(t, c, ck)
		}
	}
	cached := func(ck string) bool { return resolveCookie(t, c, ck).Source == "cache" }
	load()

	c.InvalidateToken("T3")
	if cached("authjs.session-token=T3") || !cached("authjs.session-token=T4") {
		t.Error("InvalidateToken: wrong entries dropped")
	}
	ev := TokenEvent("T4")
	if err := ev.Apply(c); err != nil {
		t.Fatal(err)
	}
	if cached("authjs.session-token=T4") {
		t.Error("token event (digest) did not drop T4")
	}
	if err := UserEvent("alice").Apply(c); err != nil {
		t.Fatal(err)
	}
	if cached("authjs.session-token=T1") || cached("authjs.session-token=T2") || !cached("authjs.session-token=T3") {
		t.Error("InvalidateUser: wrong entries dropped")
	}
	load()
	if err := AllEvent().Apply(c); err != nil {
		t.Fatal(err)
	}
	for ck := range cookies {
		if cached(ck) {
			t.Errorf("%s survived InvalidateAll", ck)
		}
	}
	if s := c.Stats(); s.Invalidations != 4 || s.Invalidated < 7 {
		t.Errorf("stats %+v, want 4 invalidations removing at least 7 entries", s)
	}
	if err := (InvalidationEvent{Kind: "token", TokenDigest: "zz"}).Apply(c); !errors.Is(err, ErrBadEvent) {
		t.Errorf("bad event: err %v", err)
	}
}

// TestCacheInvalidationDuringLoad: an answer that was being fetched when an
// invalidation arrived must not be stored (it may predate the sign-out).
func TestCacheInvalidationDuringLoad(t *testing.T) {
	c, next, clk := newTestCache(t, CacheConfig{TTL: time.Minute})
	ck := "authjs.session-token=RACE"
	next.set(ck, sessionFor("u1", clk.Now().Add(time.Hour)))
	next.gate = make(chan struct{})
	done := make(chan Result)
	go func() {
		r, _ := c.Resolve(context.Background(), FromCookieHeader(ck))
		done <- r
	}()
	for next.calls.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	c.InvalidateUser("u1")
	close(next.gate)
	if r := <-done; !r.OK() {
		t.Fatalf("in-flight caller lost its answer: %+v", r)
	}
	next.gate = nil
	if r := resolveCookie(t, c, ck); r.Source == "cache" {
		t.Error("an answer loaded across an invalidation was stored")
	}
}

func TestCacheSingleflight(t *testing.T) {
	c, next, clk := newTestCache(t, CacheConfig{TTL: time.Minute})
	ck := "authjs.session-token=HOT"
	next.set(ck, sessionFor("u1", clk.Now().Add(time.Hour)))
	next.gate = make(chan struct{})
	const n = 100
	var wg sync.WaitGroup
	results := make(chan Result, n)
	for range n {
		wg.Go(func() {
			r, err := c.Resolve(context.Background(), FromCookieHeader(ck))
			if err != nil {
				t.Error(err)
			}
			results <- r
		})
	}
	// Release the one upstream call only once all 100 have missed.
	deadline := time.Now().Add(10 * time.Second)
	for c.Stats().Misses < n && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	close(next.gate)
	wg.Wait()
	close(results)
	own := 0 // answers whose Source says the wrapped resolver made them
	for r := range results {
		if !r.OK() || r.Session.User.ID != "u1" {
			t.Fatalf("a caller got %+v", r)
		}
		if r.Source != sourceCache {
			own++
		}
	}
	// Metrics label resolutions by Source: waiters that shared the one
	// call were served by the cache, not by a call of their own.
	if own != 1 {
		t.Errorf("%d answers labelled as the wrapped resolver's, want 1 (the flight's)", own)
	}
	if got := next.calls.Load(); got != 1 {
		t.Errorf("%d upstream calls for %d concurrent identical requests, want 1", got, n)
	}
	if s := c.Stats(); s.Misses != n || s.Coalesced != n-1 {
		t.Errorf("stats %+v, want %d misses, %d coalesced", s, n, n-1)
	}
}

func TestCacheWaiterCancel(t *testing.T) {
	c, next, clk := newTestCache(t, CacheConfig{TTL: time.Minute})
	ck := "authjs.session-token=SLOW"
	next.set(ck, sessionFor("u1", clk.Now().Add(time.Hour)))
	next.gate = make(chan struct{})
	defer close(next.gate)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	r, err := c.Resolve(ctx, FromCookieHeader(ck))
	if err != nil || r.Reason != ReasonCanceled {
		t.Errorf("got %+v, %v; want ReasonCanceled", r, err)
	}
}

func TestCacheBoundedSize(t *testing.T) {
	c, next, clk := newTestCache(t, CacheConfig{TTL: time.Minute, Size: 50})
	for i := range 1000 {
		ck := "authjs.session-token=T" + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + itoa(i)
		next.set(ck, sessionFor("u", clk.Now().Add(time.Hour)))
		resolveCookie(t, c, ck)
	}
	c.store.CleanUp()
	if s := c.Stats(); s.Entries > 50 || s.Evictions == 0 {
		t.Errorf("stats %+v: want at most 50 entries and some evictions", s)
	}
}

func itoa(i int) string {
	var b [20]byte
	n := len(b)
	for {
		n--
		b[n] = byte('0' + i%10)
		i /= 10
		if i == 0 {
			return string(b[n:])
		}
	}
}

func TestFastSessionToken(t *testing.T) {
	const name = "authjs.session-token"
	for _, tc := range []struct {
		header, tok string
		ok          bool
	}{
		{"", "", true},
		{"authjs.session-token=abc", "abc", true},
		{"x=1;  authjs.session-token =\tabc ; y=2", "abc", true},
		{"authjs.session-token=", "", true},
		{"authjs.session-token.0=abc", "abc", true},
		{"noeq; authjs.session-token=abc", "abc", true},
		{"authjs.session-token=a%20b", "", false},
		{"authjs.session-token=a; authjs.session-token=b", "", false},
		{"authjs.session-token.0=a; authjs.session-token.1=b", "", false},
		{"authjs.session-token-legacy=x; authjs.session-token=b", "", false},
	} {
		tok, _, ok := fastSessionToken(tc.header, name)
		if tok != tc.tok || ok != tc.ok {
			t.Errorf("fastSessionToken(%q) = %q, %v; want %q, %v", tc.header, tok, ok, tc.tok, tc.ok)
		}
	}
}

// FuzzFastSessionToken: whenever the fast path answers, it answers what
// the full cookie reader does.
func FuzzFastSessionToken(f *testing.F) {
	for _, s := range []string{"authjs.session-token=abc", "a=1; authjs.session-token= x ;b", "authjs.session-token.1=q", "=;=", "authjs.session-token"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		fast, _, ok := fastSessionToken(h, DefaultCookieName)
		if !ok {
			return
		}
		if full, _ := ReadSessionToken(FromCookieHeader(h), DefaultCookieName); full != fast {
			t.Errorf("header %q: fast %q, full %q", h, fast, full)
		}
	})
}

// TestCacheCookieLayout: the same token sent whole and in chunks gets
// different Set-Cookie answers from Auth.js (it clears the chunks it read),
// so a cached answer is only replayed to the layout it was made for.
func TestCacheCookieLayout(t *testing.T) {
	c, next, clk := newTestCache(t, CacheConfig{TTL: time.Minute})
	whole := "authjs.session-token=ABCD"
	chunked := "authjs.session-token.0=AB; authjs.session-token.1=CD"
	for _, h := range []string{whole, chunked} {
		r := sessionFor("u1", clk.Now().Add(time.Hour))
		r.SetCookies = []*http.Cookie{{Name: "for " + h}}
		next.set(h, r)
	}
	for round := range 2 {
		for _, h := range []string{whole, chunked} {
			r := resolveCookie(t, c, h)
			if len(r.SetCookies) != 1 || r.SetCookies[0].Name != "for "+h {
				t.Errorf("round %d, %q: Set-Cookie made for another layout: %v", round, h, r.SetCookies[0].Name)
			}
		}
	}
	// Same layout again: a hit.
	if r := resolveCookie(t, c, chunked); r.Source != "cache" {
		t.Errorf("same layout missed")
	}
	c.InvalidateToken("ABCD") // one token, whatever its layout
	if r := resolveCookie(t, c, chunked); r.Source == "cache" {
		t.Error("InvalidateToken missed the chunked entry")
	}
}

// cookie600 is a ~600-byte Cookie header around a 585-character token, the
// size AUTHJS.md gives for a typical Auth.js session token.
func cookie600() (header, token string) {
	token = "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2Q0JDLUhTNTEyIiwia2lkIjoi" + strings.Repeat("Xy9_", 140)
	token = token[:585]
	return "theme=dark; authjs.session-token=" + token, token
}

func BenchmarkCacheHit(b *testing.B) {
	header, _ := cookie600()
	next := &countingResolver{answers: map[string]Result{header: sessionFor("u1", time.Now().Add(time.Hour))}}
	c := NewCached(next, CacheConfig{TTL: time.Hour})
	defer c.Close()
	in := FromCookieHeader(header)
	ctx := context.Background()
	if _, err := c.Resolve(ctx, in); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(header)))
	for b.Loop() {
		res, _ := c.Resolve(ctx, in)
		if res.Session == nil {
			b.Fatal("miss")
		}
	}
	if s := c.Stats(); s.Misses != 1 {
		b.Fatalf("stats %+v: the loop missed", s)
	}
}
