package resolver

import (
	"context"
	"fmt"
	"hash/maphash"
	"strings"
	"sync"
	"testing"
	"time"
)

// memoPair is the same configuration with the token memo on and off, on
// one settable clock.
func memoPair(t *testing.T, cfg Config, opts ...Option) (on, off *JWTResolver, clk *fakeClock) {
	t.Helper()
	clk = newFakeClock()
	clk.ns.Store(testNow.UnixNano())
	opts = append(opts, WithClock(clk.Now))
	on = newTestResolver(t, cfg, append(opts, WithTokenMemo(16))...)
	off = newTestResolver(t, cfg, append(opts, WithTokenMemo(0))...)
	if on.memo == nil || off.memo != nil {
		t.Fatalf("memo on=%v off=%v", on.memo != nil, off.memo != nil)
	}
	return on, off, clk
}

// outcome is what a resolution answers, as comparable text.
func outcome(t *testing.T, r *JWTResolver, in Input) string {
	t.Helper()
	res, err := r.Resolve(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	body := "null"
	if res.Session != nil {
		body = string(MarshalSessionBody(res.Session))
	}
	return fmt.Sprintf("%s %s %s %v %s %d", res.Reason, res.Source, res.Cookie, res.NotAfter.Unix(), body, len(res.SetCookies))
}

func isOK(outcome string) bool { return strings.HasPrefix(outcome, string(ReasonOK)+" ") }

// The memo's answers are the decode's, second for second around nbf and
// exp (and their 15 s tolerance): the clock checks run on every hit.
func TestTokenMemoClockChecks(t *testing.T) {
	on, off, clk := memoPair(t, Config{})
	nbf := testNow.Unix() + 30
	claims := Claims{"name": "Ada", "sub": "u-1", "nbf": nbf}
	tok := mint(t, on, claims) // exp = now + 30 days
	in := FromPairs(DefaultCookieName, tok)
	exp := testNow.Unix() + int64(DefaultMaxAge.Seconds())
	check := func(at int64) {
		t.Helper()
		clk.ns.Store(time.Unix(at, 500e6).UnixNano())
		if got, want := outcome(t, on, in), outcome(t, off, in); got != want {
			t.Fatalf("at %d: memo %q, decode %q", at, got, want)
		}
	}
	check(testNow.Unix() + 60) // valid: fills the memo
	for at := nbf - 20; at <= nbf+20; at++ {
		check(at) // not yet valid, then valid, from a remembered token
	}
	for at := exp - 20; at <= exp+20; at++ {
		check(at) // valid, then expired
	}
	check(testNow.Unix() + 60) // a clock going back is answered as decode does
	if got := outcome(t, on, in); !isOK(got) {
		t.Fatalf("valid token: %s", got)
	}
}

// A token remembered by one resolver is nothing to another with a rotated
// secret: memos are per resolver, whose keys never change.
func TestTokenMemoRotatedSecret(t *testing.T) {
	old, _, _ := memoPair(t, Config{Secrets: []string{testSecret2}})
	tok := mint(t, old, ada)
	in := FromPairs(DefaultCookieName, tok)
	if got := outcome(t, old, in); !isOK(got) {
		t.Fatalf("old resolver: %s", got)
	}
	on, off, _ := memoPair(t, Config{Secrets: []string{testSecret1}})
	got, want := outcome(t, on, in), outcome(t, off, in)
	if got != want || isOK(got) {
		t.Fatalf("rotated away: memo %q, decode %q", got, want)
	}
}

// A tampered token is another key: it is decoded (and rejected), even
// right after the genuine one was remembered.
func TestTokenMemoTampered(t *testing.T) {
	on, off, _ := memoPair(t, Config{RefreshCookies: true})
	tok := mint(t, on, ada)
	if got := outcome(t, on, FromPairs(DefaultCookieName, tok)); !isOK(got) {
		t.Fatalf("genuine: %s", got)
	}
	// Inside segments: a segment's last character may carry only unused
	// bits, which base64 decoding ignores (then decode accepts it too).
	for _, i := range []int{len(tok) - 5, len(tok) / 2, 5} {
		if tok[i] == '.' || tok[i+1] == '.' {
			i -= 2
		}
		b := []byte(tok)
		b[i] ^= 1
		in := FromPairs(DefaultCookieName, string(b))
		got, want := outcome(t, on, in), outcome(t, off, in)
		if got != want || isOK(got) {
			t.Fatalf("tampered at %d: memo %q, decode %q", i, got, want)
		}
	}
	// The genuine token still answers from the memo, refreshed each time.
	in := FromPairs(DefaultCookieName, tok)
	if got, want := outcome(t, on, in), outcome(t, off, in); got != want {
		t.Fatalf("genuine again: memo %q, decode %q", got, want)
	}
}

// Hooks receive the claims map and may change it, so they turn the memo
// off; so does a size of zero.
func TestTokenMemoOff(t *testing.T) {
	hook := func(_ context.Context, c Claims) (Claims, error) { c["name"] = "changed"; return c, nil }
	if r := newTestResolver(t, Config{}, WithHooks(Hooks{JWT: hook})); r.memo != nil {
		t.Error("memo on with a JWT hook")
	}
	if r := newTestResolver(t, Config{}); r.memo == nil {
		t.Error("memo off by default")
	}
	zero, four := 0, 4
	if r := newTestResolver(t, Config{TokenMemo: &zero}); r.memo != nil {
		t.Error("memo on with Config.TokenMemo 0")
	}
	if r := newTestResolver(t, Config{TokenMemo: &zero}, WithTokenMemo(4)); r.memo == nil {
		t.Error("WithTokenMemo does not override Config.TokenMemo")
	}
	if r := newTestResolver(t, Config{TokenMemo: &four}); r.memo == nil {
		t.Error("memo off with Config.TokenMemo 4")
	}
	neg := -1
	if err := (Config{TokenMemo: &neg}).WithDefaults().Validate(); err == nil || !strings.Contains(err.Error(), "token memo -1") {
		t.Errorf("negative token memo: %v", err)
	}
}

// Concurrent resolutions share remembered claims read-only (run with
// -race): refreshes encode them while others read them.
func TestTokenMemoConcurrent(t *testing.T) {
	on, off, _ := memoPair(t, Config{RefreshCookies: true})
	tok := mint(t, on, ada)
	in := FromPairs(DefaultCookieName, tok)
	want := outcome(t, off, in)
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 50 {
				res, err := on.Resolve(context.Background(), in)
				if err != nil || !res.OK() || len(res.SetCookies) != 1 {
					errs <- fmt.Sprintf("%+v %v", res, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatal(e)
	}
	if got := outcome(t, on, in); got != want {
		t.Fatalf("memo %q, decode %q", got, want)
	}
}

// A hash collision is no hit: an entry whose key a forged token shares
// (planted here, since a 64-bit keyed collision cannot be found in a
// test) answers only for the exact token it was made from; the forged
// one is decoded, and rejected.
func TestTokenMemoCollision(t *testing.T) {
	on, off, _ := memoPair(t, Config{})
	tok := mint(t, on, ada)
	if got := outcome(t, on, FromPairs(DefaultCookieName, tok)); !isOK(got) {
		t.Fatalf("genuine: %s", got)
	}
	b := []byte(tok)
	b[len(b)/2] ^= 1
	forged := string(b)
	var name uint8
	for _, n := range on.names {
		if n.name == DefaultCookieName {
			name = n.index
		}
	}
	key := func(tok string) memoKey {
		return memoKey{sum: maphash.String(on.memo.seed, memoHashed(tok)), name: name}
	}
	genuine, ok := on.memo.store.GetIfPresent(key(tok))
	if !ok {
		t.Fatal("genuine token not remembered")
	}
	// The forged token keeps the genuine one's tail, so its key is the
	// genuine one's already (the key hashes the tail); planted anyway, in
	// case the keying changes.
	if key(forged) != key(tok) {
		t.Error("a token differing before its tail has another key")
	}
	on.memo.store.Set(key(forged), genuine)
	in := FromPairs(DefaultCookieName, forged)
	if got, want := outcome(t, on, in), outcome(t, off, in); got != want || isOK(got) {
		t.Fatalf("forged: memo %q, decode %q", got, want)
	}
	// The genuine token still answers after the forged one's failed decode.
	if got := outcome(t, on, FromPairs(DefaultCookieName, tok)); !isOK(got) {
		t.Fatalf("genuine after forged: %s", got)
	}
}
