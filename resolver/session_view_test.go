package resolver

import (
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authscope/authscope/resolver/internal/js"
)

// randomClaimValue is a JSON-decoded value of any kind, strings rich in
// what JSON.stringify escapes or keeps raw.
func randomClaimValue(rng *rand.Rand, depth int) any {
	strs := []string{"", "Ada Lovelace", `a"b\c`, "tab\tnl\n\x00\x1f\x7f", "é€😀", "\u2028\u2029", "<script>&",
		"https://example.com/a.png?x=1&y=2", `},"expires":"`, strings.Repeat("x", 300)}
	switch k := rng.IntN(9); {
	case k < 4:
		return strs[rng.IntN(len(strs))]
	case k == 4:
		return json.Number([]string{"0", "-1", "1.5", "1e21", "123456789012345678901234567890"}[rng.IntN(5)])
	case k == 5:
		return rng.IntN(2) == 0
	case k == 6:
		return nil
	case k == 7 && depth < 2:
		return map[string]any{"b": randomClaimValue(rng, depth+1), "a": randomClaimValue(rng, depth+1), "1": "one"}
	case depth < 2:
		return []any{randomClaimValue(rng, depth+1), randomClaimValue(rng, depth+1)}
	}
	return "leaf"
}

// randomClaims holds each of the session's claims (name, email, picture,
// sub) or not, of any kind, and custom claims beside them.
func randomClaims(rng *rand.Rand) Claims {
	c := Claims{}
	for _, k := range []string{"name", "email", "picture", "sub", "role", "image"} {
		if rng.IntN(4) != 0 {
			c[k] = randomClaimValue(rng, 0)
		}
	}
	return c
}

// The view answers what the claims answer: for random claims and times,
// its Session equals sessionFromClaims's and its body appendSession's.
func TestSessionViewMatchesClaims(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 5000 {
		c := randomClaims(rng)
		v := newSessionView(c, rng.IntN(2) == 0)
		for range 5 {
			exp := time.UnixMilli(rng.Int64N(300_000_000_000_000) - 10_000_000_000_000) // 1653 to 11476
			want := sessionFromClaims(c, exp)
			got := v.session(exp)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("claims %v at %v: session %+v, want %+v", c, exp, got, want)
			}
			wantBody := string(appendSession([]byte("pre"), want))
			body := v.appendBody([]byte("pre"), exp)
			if string(body) != wantBody {
				t.Fatalf("claims %v at %v: body\n%s\nwant\n%s", c, exp, body, wantBody)
			}
			if cl := v.contentLength(len(body) - 3); cl != nil && cl[0] != strconv.Itoa(len(body)-3) {
				t.Fatalf("content length %v for %d bytes", cl, len(body)-3)
			}
		}
	}
}

// A Handler over a memoized JWT resolver (body from the session view, the
// shared header values) answers byte for byte what one over the same
// resolver without the memo answers (the session rendered from the
// claims): status, every header and the body, for random claims, at
// times stepping across millisecond, second and day boundaries, GET and
// HEAD-free POST alike, with and without refresh cookies.
func TestHandlerViewMatchesUncached(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	var clock atomic.Int64
	clock.Store(time.Date(2026, 12, 31, 23, 59, 59, 990_000_000, time.UTC).UnixNano())
	now := func() time.Time { return time.Unix(0, clock.Load()) }
	for _, refresh := range []bool{false, true} {
		cfg := Config{Mode: ModeLocal, Strategy: StrategyJWT, Secrets: []string{"view-test-secret-0123456789abcdef"},
			RefreshCookies: refresh}.WithDefaults()
		memo, err := NewJWTResolver(cfg, WithClock(now))
		if err != nil {
			t.Fatal(err)
		}
		plain, err := NewJWTResolver(cfg, WithClock(now), WithTokenMemo(0))
		if err != nil {
			t.Fatal(err)
		}
		hMemo, hPlain := NewHandler(memo, cfg), NewHandler(plain, cfg)
		if hMemo.views == nil {
			t.Fatal("the memoized resolver's handler has no view path")
		}
		for i := range 300 {
			c := randomClaims(rng)
			tok, err := memo.Codec().Encode(c, now(), cfg.MaxAge)
			if err != nil {
				t.Fatal(err)
			}
			cookie := cfg.SessionCookieName() + "=" + tok
			for j := range 6 {
				clock.Add(int64(rng.IntN(7)) * int64(time.Millisecond) / 2) // often the same ms, often the next
				if j == 5 {
					clock.Add(int64(rng.IntN(3)) * int64(24*time.Hour))
				}
				a, b := answer(t, hMemo, cookie), answer(t, hPlain, cookie)
				ha, hb := cookieValuesDropped(a.Header()), cookieValuesDropped(b.Header())
				if a.Code != b.Code || a.Body.String() != b.Body.String() || !reflect.DeepEqual(ha, hb) {
					t.Fatalf("claims %v, answer %d (refresh %v):\nview  %d %v %s\nplain %d %v %s", c, i, refresh,
						a.Code, ha, a.Body, b.Code, hb, b.Body)
				}
			}
		}
	}
}

func answer(t *testing.T, h http.Handler, cookie string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "http://localhost:3000/api/auth/session", nil)
	req.Header.Set("Cookie", cookie)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || strings.HasPrefix(rec.Body.String(), "null") {
		t.Fatalf("no session: %d %s", rec.Code, rec.Body)
	}
	return rec
}

// cookieValuesDropped is h with each Set-Cookie line's value cut out
// (name and attributes, Expires included, kept): the CSRF token and a
// refreshed session token are random per answer.
func cookieValuesDropped(h http.Header) http.Header {
	h = h.Clone()
	for i, l := range h["Set-Cookie"] {
		name, rest, _ := strings.Cut(l, "=")
		_, attrs, _ := strings.Cut(rest, ";")
		h["Set-Cookie"][i] = name + ";" + attrs
	}
	return h
}

// countingReader yields 0, 1, 2, … : a Codec's randomness made repeatable,
// so that two encodings of the same claims can be compared byte for byte.
type countingReader struct{ n byte }

func (r *countingReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = r.n
		r.n++
	}
	return len(p), nil
}

// A refresh from the view's claims head (the memo's path) is the token
// Encode makes from the claims, byte for byte, for random claims (iat,
// exp and jti among them at times) and times, with both codecs' headers.
func TestEncodeHeadMatchesEncode(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for _, legacy := range []bool{false, true} {
		cfg := Config{Secrets: []string{"encode-head-secret-0123456789abcdef"}, LegacyV4: legacy}.WithDefaults()
		c1, err := NewCodec(cfg)
		if err != nil {
			t.Fatal(err)
		}
		c2, _ := NewCodec(cfg)
		for range 2000 {
			claims := randomClaims(rng)
			if rng.IntN(3) == 0 {
				claims["iat"], claims["exp"], claims["jti"] = json.Number("1"), json.Number("2"), "old"
			}
			now := time.UnixMilli(rng.Int64N(4_000_000_000_000))
			maxAge := time.Duration(rng.Int64N(int64(60*24*time.Hour))) + time.Second
			seed := byte(rng.IntN(256))
			c1.rand, c2.rand = &countingReader{n: seed}, &countingReader{n: seed}
			want, err := c1.Encode(claims, now, maxAge)
			if err != nil {
				t.Fatal(err)
			}
			var got string
			err = c2.encodeHeadWith(newSessionView(claims, true).claims, now, maxAge, func(b []byte) { got = string(b) })
			if err != nil || got != want {
				t.Fatalf("claims %v at %v: %v\n got %s\nwant %s", claims, now, err, got, want)
			}
		}
	}
}

// A refresh through the memo's view hands the Handler Set-Cookie lines
// that are formatSetCookie(c, false) of the Result's cookies, whose token
// decodes to the claims sent (iat, exp, jti renewed): unchunked, chunked
// (a claim past the chunk size) and under configured cookie attributes.
func TestRefreshLinesMatchCookies(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	yes := true
	for _, opts := range []CookieOptions{{}, {Domain: "example.com", Path: "/app", SameSite: "strict", Secure: &yes}} {
		cfg := Config{Mode: ModeLocal, Strategy: StrategyJWT, Secrets: []string{"refresh-lines-secret-0123456789abcdef"},
			RefreshCookies: true, Cookies: CookiesConfig{SessionToken: opts}}.WithDefaults()
		r, err := NewJWTResolver(cfg)
		if err != nil {
			t.Fatal(err)
		}
		made := 0
		for i := range 400 {
			claims := randomClaims(rng)
			if i%10 == 0 {
				claims["big"] = strings.Repeat("z", 3000+rng.IntN(3000)) // chunked after encryption
			}
			tok, err := r.Codec().Encode(claims, time.Now(), cfg.MaxAge)
			if err != nil {
				t.Fatal(err)
			}
			for range 2 { // a fresh decode, then a memo hit
				res, parts, err := r.resolveView(t.Context(), FromCookieHeader(cfg.SessionCookieName()+"="+tok), nil)
				if err != nil || res.Reason != ReasonOK || parts.view == nil {
					t.Fatalf("claims %v: %v %v, view %v", claims, res.Reason, err, parts.view != nil)
				}
				if parts.setCookies == nil {
					if len(res.SetCookies) < 2 {
						t.Fatalf("claims %v: no lines for %d cookies", claims, len(res.SetCookies))
					}
					continue
				}
				made++
				if len(parts.setCookies) != len(res.SetCookies) {
					t.Fatalf("%d lines for %d cookies", len(parts.setCookies), len(res.SetCookies))
				}
				for j, c := range res.SetCookies {
					if want := formatSetCookie(c, false); parts.setCookies[j] != want {
						t.Fatalf("line %q, want %q", parts.setCookies[j], want)
					}
				}
				got, reason, err := r.Codec().Decode(res.SetCookies[0].Value, time.Now())
				if err != nil {
					t.Fatalf("refreshed token: %v %v", reason, err)
				}
				keys := func(c Claims) string { return string(appendClaimsHead(nil, c, js.OrderedKeys(c, claimRank))) }
				if keys(got) != keys(claims) {
					t.Fatalf("refreshed claims %s, want %s", keys(got), keys(claims))
				}
			}
		}
		if made == 0 {
			t.Fatal("no refresh took the line path")
		}
	}
}

// A memo hit with cookie refresh allocates the answer's Session, the
// refreshed token's Set-Cookie line and its cookie, the cookie and the
// two one-element lists holding it and the line in one allocation
// (oneCookie), and nothing else the resolver could keep on the stack.
func TestRefreshFromViewAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	cfg := Config{Mode: ModeLocal, Strategy: StrategyJWT, Secrets: []string{"refresh-alloc-secret-0123456789abcdef"},
		RefreshCookies: true}.WithDefaults()
	r, err := NewJWTResolver(cfg)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := r.Codec().Encode(Claims{"sub": "u1", "name": "Ada"}, time.Now(), cfg.MaxAge)
	if err != nil {
		t.Fatal(err)
	}
	in := FromCookieHeader(cfg.SessionCookieName() + "=" + tok)
	if _, parts, _ := r.resolveView(t.Context(), in, nil); parts.setCookies == nil {
		t.Fatal("the refresh did not take the line path")
	}
	const want = 3 // Session, oneCookie, the line
	if got := testing.AllocsPerRun(200, func() { r.resolveView(t.Context(), in, nil) }); got != want {
		t.Errorf("%v allocations, want %v", got, want)
	}
}
