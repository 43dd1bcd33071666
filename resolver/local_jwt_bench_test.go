package resolver

import (
	"context"
	"testing"
	"time"
)

// benchFixture is a warm resolver and a typical ~600-byte Auth.js token
// (name, email, picture URL, sub UUID + iat/exp/jti) in a Cookie header
// next to a few unrelated cookies.
func benchFixture(b *testing.B, refresh bool) (*JWTResolver, Input, string) {
	b.Helper()
	now := time.Unix(1764230400, 123e6)
	cfg := Config{Secrets: []string{"bench-only-secret-0123456789abcdef"}, RefreshCookies: refresh}
	r, err := NewJWTResolver(cfg, WithClock(func() time.Time { return now }))
	if err != nil {
		b.Fatal(err)
	}
	tok, err := r.Codec().Encode(Claims{
		"name":    "Ada Lovelace",
		"email":   "ada.lovelace@example.com",
		"picture": "https://avatars.githubusercontent.com/u/1815181?v=4",
		"sub":     "5b1f6c1e-7a0e-4c3b-9d2a-3f4e5a6b7c8d",
	}, now, DefaultMaxAge)
	if err != nil {
		b.Fatal(err)
	}
	hdr := "theme=dark; authjs.csrf-token=abc%7Cdef; authjs.session-token=" + tok + "; _ga=GA1.2.3"
	return r, FromCookieHeader(hdr), tok
}

// BenchmarkResolveLocalJWT is the headline figure: Cookie header in,
// session JSON out, key cache warm.
func BenchmarkResolveLocalJWT(b *testing.B) {
	r, in, tok := benchFixture(b, false)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		res, err := r.Resolve(ctx, in)
		if err != nil || res.Session == nil {
			b.Fatal(res.Reason, err)
		}
		if body := MarshalSessionBody(res.Session); len(body) == 0 {
			b.Fatal("empty body")
		}
	}
	b.ReportMetric(float64(len(tok)), "token-bytes")
}

// BenchmarkResolveLocalJWTRefresh adds re-encoding and Set-Cookie building.
func BenchmarkResolveLocalJWTRefresh(b *testing.B) {
	r, in, _ := benchFixture(b, true)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		res, err := r.Resolve(ctx, in)
		if err != nil || res.Session == nil || len(res.SetCookies) != 1 {
			b.Fatal(res.Reason, err)
		}
		_ = MarshalSessionBody(res.Session)
	}
}

func BenchmarkDecode(b *testing.B) {
	r, _, tok := benchFixture(b, false)
	now := time.Unix(1764230400, 0)
	b.ReportAllocs()
	for b.Loop() {
		if c, _, err := r.codec.Decode(tok, now); err != nil || c == nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncode(b *testing.B) {
	r, _, _ := benchFixture(b, false)
	now := time.Unix(1764230400, 0)
	claims := Claims{"name": "Ada Lovelace", "email": "ada.lovelace@example.com", "sub": "5b1f6c1e-7a0e-4c3b-9d2a-3f4e5a6b7c8d"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.codec.Encode(claims, now, DefaultMaxAge); err != nil {
			b.Fatal(err)
		}
	}
}
