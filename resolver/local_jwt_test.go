package resolver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/authscope/authscope/resolver/internal/jwe"
)

func newTestResolver(t testing.TB, cfg Config, opts ...Option) *JWTResolver {
	t.Helper()
	if cfg.Secrets == nil {
		cfg.Secrets = []string{testSecret1}
	}
	opts = append([]Option{WithClock(func() time.Time { return testNow })}, opts...)
	r, err := New(cfg, opts...)
	if err != nil {
		t.Fatal(err)
	}
	jr, ok := r.(*JWTResolver)
	if !ok {
		t.Fatalf("New returned %T, want *JWTResolver", r)
	}
	return jr
}

func mint(t testing.TB, r *JWTResolver, c Claims) string {
	t.Helper()
	tok, err := r.Codec().Encode(c, testNow, DefaultMaxAge)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

var ada = Claims{"name": "Ada Lovelace", "email": "ada@example.com", "picture": "https://example.com/a.png", "sub": "u-1"}

func TestResolveSession(t *testing.T) {
	r := newTestResolver(t, Config{})
	tok := mint(t, r, ada)
	res, err := r.Resolve(context.Background(), FromPairs("x", "1", DefaultCookieName, tok))
	if err != nil || !res.OK() {
		t.Fatalf("Resolve: %+v %v", res, err)
	}
	want := `{"user":{"name":"Ada Lovelace","email":"ada@example.com","image":"https://example.com/a.png"},"expires":"2025-12-27T08:00:00.123Z"}`
	if got := string(MarshalSessionBody(res.Session)); got != want {
		t.Errorf("body = %s", got)
	}
	if res.Session.User.ID != "u-1" || res.Source != "jwt" || res.Reason != ReasonOK || res.Err != nil || res.SetCookies != nil {
		t.Errorf("result = %+v", res)
	}
}

func TestResolveNoSession(t *testing.T) {
	r := newTestResolver(t, Config{RefreshCookies: true})
	expired, _ := r.Codec().Encode(ada, testNow.Add(-DefaultMaxAge-time.Minute), DefaultMaxAge)
	tests := []struct {
		name       string
		in         Input
		reason     Reason
		setCookies []string
	}{
		{"no cookie", FromCookieHeader("a=b"), ReasonNoCookie, nil},
		{"empty cookie", FromCookieHeader(DefaultCookieName + "="), ReasonNoCookie, nil},
		{"zero input", Input{}, ReasonNoCookie, nil},
		{"garbage", FromCookieHeader(DefaultCookieName + "=garbage"), ReasonMalformed,
			[]string{"authjs.session-token=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax"}},
		{"expired, chunks cleared in request order", FromCookieHeader(DefaultCookieName + ".1=" + expired[100:] + "; " + DefaultCookieName + ".0=" + expired[:100]), ReasonExpired,
			[]string{"authjs.session-token.1=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax", "authjs.session-token.0=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := r.Resolve(context.Background(), tt.in)
			if err != nil || res.Session != nil || res.Reason != tt.reason {
				t.Fatalf("Resolve = %+v, %v; want reason %s", res, err, tt.reason)
			}
			if !errors.Is(res.Err, ErrNoSession) || !errors.Is(res.Err, &NoSessionError{Reason: tt.reason}) {
				t.Errorf("Err = %v", res.Err)
			}
			if d := cmp.Diff(tt.setCookies, lines(res.SetCookies)); d != "" {
				t.Errorf("Set-Cookie (-want +got):\n%s", d)
			}
		})
	}
}

func lines(cs []*http.Cookie) []string {
	if cs == nil {
		return nil
	}
	return SetCookieLines(cs)
}

func TestResolveRefreshCookies(t *testing.T) {
	r := newTestResolver(t, Config{RefreshCookies: true, BaseURL: "https://app.example.com"})
	name := SecureCookiePrefix + DefaultCookieName
	tok := mint(t, r, ada)
	in := FromCookieHeader(name + ".0=" + tok[:50] + "; " + name + ".1=" + tok[50:])
	res, err := r.Resolve(context.Background(), in)
	if err != nil || !res.OK() {
		t.Fatalf("Resolve: %+v %v", res, err)
	}
	got := lines(res.SetCookies)
	if len(got) != 3 {
		t.Fatalf("Set-Cookie = %q", got)
	}
	wantClear := []string{name + ".0=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax", name + ".1=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax"}
	if d := cmp.Diff(wantClear, got[:2]); d != "" {
		t.Errorf("clears (-want +got):\n%s", d)
	}
	prefix, suffix := name+"=", "; Path=/; Expires=Sat, 27 Dec 2025 08:00:00 GMT; HttpOnly; Secure; SameSite=Lax"
	if !strings.HasPrefix(got[2], prefix) || !strings.HasSuffix(got[2], suffix) {
		t.Fatalf("refresh line = %s", got[2])
	}
	newTok := strings.TrimSuffix(strings.TrimPrefix(got[2], prefix), suffix)
	c, reason, err := r.Codec().Decode(newTok, testNow)
	if err != nil {
		t.Fatal(reason, err)
	}
	if c["name"] != "Ada Lovelace" || c["iat"] != json.Number("1764230400") || c["exp"] != json.Number("1766822400") {
		t.Errorf("refreshed claims = %v", c)
	}
}

func TestResolveRefreshChunks(t *testing.T) {
	r := newTestResolver(t, Config{RefreshCookies: true})
	big := Claims{"sub": "1", "blob": strings.Repeat("x", 4000)}
	tok := mint(t, r, big)
	res, err := r.Resolve(context.Background(), FromPairs(DefaultCookieName, tok))
	if err != nil || !res.OK() {
		t.Fatalf("Resolve: %+v %v", res, err)
	}
	// The request had the plain name (cleared first), then two chunks.
	var names []string
	var joined strings.Builder
	for _, c := range res.SetCookies {
		names = append(names, c.Name)
		joined.WriteString(c.Value)
	}
	if d := cmp.Diff([]string{DefaultCookieName, DefaultCookieName + ".0", DefaultCookieName + ".1"}, names); d != "" {
		t.Fatalf("names (-want +got):\n%s", d)
	}
	if res.SetCookies[0].MaxAge != -1 || len(res.SetCookies[1].Value) != ChunkSize {
		t.Errorf("cookies = %+v", res.SetCookies)
	}
	if _, _, err := r.Codec().Decode(joined.String(), testNow); err != nil {
		t.Errorf("chunks do not reassemble: %v", err)
	}
}

func TestResolveHooks(t *testing.T) {
	ctx := context.Background()
	t.Run("jwt hook returns nil", func(t *testing.T) {
		r := newTestResolver(t, Config{RefreshCookies: true}, WithHooks(Hooks{JWT: func(context.Context, Claims) (Claims, error) { return nil, nil }}))
		res, _ := r.Resolve(ctx, FromPairs(DefaultCookieName, mint(t, r, ada)))
		if res.OK() || res.Reason != ReasonCallback || len(res.SetCookies) != 1 || res.SetCookies[0].MaxAge != -1 {
			t.Errorf("result = %+v", res)
		}
	})
	t.Run("jwt hook error", func(t *testing.T) {
		boom := errors.New("boom")
		r := newTestResolver(t, Config{}, WithHooks(Hooks{JWT: func(context.Context, Claims) (Claims, error) { return nil, boom }}))
		res, _ := r.Resolve(ctx, FromPairs(DefaultCookieName, mint(t, r, ada)))
		if res.OK() || res.Reason != ReasonCallback || !errors.Is(res.Err, boom) {
			t.Errorf("result = %+v", res)
		}
	})
	t.Run("hooks expose a custom claim", func(t *testing.T) {
		r := newTestResolver(t, Config{}, WithHooks(Hooks{
			JWT: func(_ context.Context, c Claims) (Claims, error) { c["role"] = "admin"; return c, nil },
			Session: func(_ context.Context, s *Session, src HookSource) error {
				s.User.Extra = append(s.User.Extra, Member{"role", Of(src.Token["role"])})
				return nil
			},
		}))
		res, _ := r.Resolve(ctx, FromPairs(DefaultCookieName, mint(t, r, Claims{"sub": "1"})))
		if got := string(MarshalSessionBody(res.Session)); got != `{"user":{"role":"admin"},"expires":"2025-12-27T08:00:00.123Z"}` {
			t.Errorf("body = %s", got)
		}
	})
	t.Run("session hook error drops the session", func(t *testing.T) {
		r := newTestResolver(t, Config{}, WithHooks(Hooks{Session: func(context.Context, *Session, HookSource) error { return errors.New("no") }}))
		res, _ := r.Resolve(ctx, FromPairs(DefaultCookieName, mint(t, r, ada)))
		if res.OK() || res.Reason != ReasonCallback {
			t.Errorf("result = %+v", res)
		}
	})
}

func TestResolveUnconfiguredAndCanceled(t *testing.T) {
	var r *JWTResolver
	if _, err := r.Resolve(context.Background(), Input{}); !errors.Is(err, ErrUnconfigured) {
		t.Errorf("nil resolver: %v", err)
	}
	if _, _, err := r.Token(Input{}); !errors.Is(err, ErrUnconfigured) {
		t.Errorf("nil Token: %v", err)
	}
	if r.RawToken(FromPairs(DefaultCookieName, "x")) != "" {
		t.Error("nil RawToken")
	}
	if _, err := New(Config{}); err == nil {
		t.Error("New without a secret succeeded")
	}
	live := newTestResolver(t, Config{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res, err := live.Resolve(ctx, FromPairs(DefaultCookieName, mint(t, live, ada)))
	if !errors.Is(err, context.Canceled) || res.Reason != ReasonCanceled {
		t.Errorf("canceled: %+v %v", res, err)
	}
}

func TestTokenAndRawToken(t *testing.T) {
	r := newTestResolver(t, Config{})
	tok := mint(t, r, ada)
	in := FromCookieHeader(DefaultCookieName + ".1=" + tok[10:] + "; " + DefaultCookieName + ".0=" + tok[:10])
	if got := r.RawToken(in); got != tok {
		t.Errorf("RawToken = %q", got)
	}
	c, reason, err := r.Token(in)
	if err != nil || c["sub"] != "u-1" || reason != ReasonOK {
		t.Errorf("Token = %v %s %v", c, reason, err)
	}
	expired, _ := r.Codec().Encode(ada, testNow.Add(-DefaultMaxAge-time.Minute), DefaultMaxAge)
	if c, reason, _ := r.Token(FromPairs(DefaultCookieName, expired)); c != nil || reason != ReasonExpired {
		t.Errorf("expired Token = %v %s (getToken returns null)", c, reason)
	}
	if r.RawToken(FromPairs(DefaultCookieName, expired)) != expired {
		t.Error("RawToken of an expired token")
	}
	if c, reason, _ := r.Token(Input{}); c != nil || reason != ReasonNoCookie {
		t.Errorf("no cookie Token = %v %s", c, reason)
	}
	b, reason, err := r.TokenJSON(in)
	if err != nil || !strings.HasPrefix(string(b), `{"name":"Ada Lovelace","email":"ada@example.com","picture":"https://example.com/a.png","sub":"u-1","iat":1764230400,"exp":1766822400,"jti":"`) {
		t.Errorf("TokenJSON = %s %s %v", b, reason, err)
	}
	if b, reason, _ := r.TokenJSON(FromPairs(DefaultCookieName, expired)); string(b) != "null" || reason != ReasonExpired {
		t.Errorf("expired TokenJSON = %s %s", b, reason)
	}
}

func TestChunkCookies(t *testing.T) {
	exp := time.UnixMilli(1766822400123)
	for _, tt := range []struct {
		n, size int
		chunks  []int
	}{
		{1, ChunkSize, []int{1}}, {ChunkSize, ChunkSize, []int{ChunkSize}}, {ChunkSize + 1, ChunkSize, []int{ChunkSize, 1}},
		{2*ChunkSize + 5, ChunkSize, []int{ChunkSize, ChunkSize, 5}}, {ChunkSizeLegacyV4 + 1, ChunkSizeLegacyV4, []int{ChunkSizeLegacyV4, 1}},
	} {
		v := strings.Repeat("a", tt.n)
		var cs []*http.Cookie
		if tt.size == ChunkSize {
			cs = ChunkCookies("s", v, exp, false)
		} else {
			cs = ChunkCookiesLegacyV4("s", v, exp, false)
		}
		var got []int
		for i, c := range cs {
			got = append(got, len(c.Value))
			wantName := "s"
			if len(tt.chunks) > 1 {
				wantName = "s." + string(rune('0'+i))
			}
			if c.Name != wantName {
				t.Errorf("name %q, want %q", c.Name, wantName)
			}
		}
		if d := cmp.Diff(tt.chunks, got); d != "" {
			t.Errorf("%d chars / %d: (-want +got)\n%s", tt.n, tt.size, d)
		}
	}
}

func TestFormatSetCookie(t *testing.T) {
	exp := time.UnixMilli(1766822400123)
	tests := []struct {
		c    *http.Cookie
		want string
	}{
		{ChunkCookies("authjs.session-token", "a.b-c_d", exp, false)[0], "authjs.session-token=a.b-c_d; Path=/; Expires=Sat, 27 Dec 2025 08:00:00 GMT; HttpOnly; SameSite=Lax"},
		{ChunkCookies("n", "v", exp, true)[0], "n=v; Path=/; Expires=Sat, 27 Dec 2025 08:00:00 GMT; HttpOnly; Secure; SameSite=Lax"},
		{ClearCookies([]string{"n.0"}, false)[0], "n.0=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax"},
		{ClearCookies([]string{"n"}, true)[0], "n=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax"},
		{&http.Cookie{Name: "c", Value: "a|b é;", MaxAge: 60, Domain: "x.org", Partitioned: true, SameSite: http.SameSiteStrictMode}, "c=a%7Cb%20%C3%A9%3B; Max-Age=60; Domain=x.org; Partitioned; SameSite=Strict"},
	}
	for _, tt := range tests {
		if got := FormatSetCookie(tt.c); got != tt.want {
			t.Errorf("got  %s\nwant %s", got, tt.want)
		}
	}
}

// TestGoCookieStringDiffers records why FormatSetCookie exists: net/http
// orders attributes differently from Auth.js's serializer.
func TestGoCookieStringDiffers(t *testing.T) {
	c := ClearCookies([]string{"authjs.session-token"}, false)[0]
	if got := c.String(); got != "authjs.session-token=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax" {
		t.Errorf("net/http now writes %q; revisit FormatSetCookie's doc", got)
	}
	if FormatSetCookie(c) == c.String() {
		t.Error("formats agree; FormatSetCookie's reason to exist is gone")
	}
	if string(MarshalSessionBodyLegacyV4(nil)) != "{}" || string(MarshalSessionBodyLegacyV4(&Session{Expires: time.UnixMilli(0)})) != `{"user":{},"expires":"1970-01-01T00:00:00.000Z"}` {
		t.Error("v4 body")
	}
}

func TestRefreshCookiesOrder(t *testing.T) {
	exp := time.UnixMilli(1766822400123)
	// Read .1 and the plain name; write one cookie: clears keep request
	// order, the plain name is overwritten in place.
	got := RefreshCookies("s", []string{"s.1", "s"}, "tok", exp, false, ChunkSize)
	var names []string
	for _, c := range got {
		names = append(names, c.Name+"="+c.Value)
	}
	if d := cmp.Diff([]string{"s.1=", "s=tok"}, names); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

// TestResolveConcurrent shares one resolver (pooled HMAC/CBC state, GCM
// AEAD) across goroutines; run with -race.
func TestResolveConcurrent(t *testing.T) {
	r := newTestResolver(t, Config{RefreshCookies: true})
	cbcTok := mint(t, r, ada)
	gcm := r.codec.ring.Keys(jwe.A256GCM)[0]
	gcmTok := craft(t, gcm, `{"alg":"dir","enc":"A256GCM","kid":"`+gcm.Kid()+`"}`, []byte(`{"sub":"g"}`), false)
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				tok, sub := cbcTok, "u-1"
				if (g+i)%2 == 0 {
					tok, sub = gcmTok, "g"
				}
				res, err := r.Resolve(context.Background(), FromPairs(DefaultCookieName, tok))
				if err != nil || !res.OK() || res.Session.User.ID != sub {
					errs <- fmt.Sprintf("goroutine %d: %+v %v", g, res, err)
					return
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

func TestGetTokenBearer(t *testing.T) {
	// Expected values recorded from Node 20 for getToken's split/decode.
	for _, tt := range []struct {
		auth, tok string
		ok        bool
	}{
		{"Bearer abc", "abc", true}, {"Bearer", "undefined", true}, {"Bearer  x", "", true}, {"bearer abc", "", true},
		{"Bearer a%2Eb c", "a.b", true}, {"Bearer %zz", "", false}, {"", "", true},
	} {
		tok, ok := bearerToken(tt.auth)
		if tok != tt.tok || ok != tt.ok {
			t.Errorf("bearerToken(%q) = %q, %v; want %q, %v", tt.auth, tok, ok, tt.tok, tt.ok)
		}
	}
	r := newTestResolver(t, Config{})
	tok := mint(t, r, ada)
	if c, raw, reason, err := r.GetToken(Input{}, "Bearer "+tok, false); err != nil || c["sub"] != "u-1" || raw != tok || reason != ReasonOK {
		t.Errorf("bearer: %v %s %v", c, reason, err)
	}
	other := mint(t, r, Claims{"sub": "cookie"})
	if c, _, _, err := r.GetToken(FromPairs(DefaultCookieName, other), "Bearer "+tok, false); err != nil || c["sub"] != "cookie" {
		t.Errorf("cookie must win over bearer: %v %v", c, err)
	}
	if c, raw, _, _ := r.GetToken(Input{}, "Bearer", true); c != nil || raw != "undefined" {
		t.Errorf("raw of a bare Bearer = %q", raw)
	}
	if _, _, reason, _ := r.GetToken(Input{}, "Bearer %zz", false); reason != ReasonMalformed {
		t.Errorf("bad escape: %s", reason)
	}
	if _, _, reason, _ := r.GetToken(Input{}, "", false); reason != ReasonNoCookie {
		t.Errorf("nothing: %s", reason)
	}
}
