package betterauth

import (
	"context"
	"testing"
	"time"

	"github.com/authscope/authscope/resolver"
)

// Benchmarks beside resolver's BenchmarkResolveLocalJWT: Cookie header in,
// get-session body out, from the recorded vectors (a real sign-up's
// cookies and rows), at an instant where nothing is written.

func benchVector(b *testing.B, category, name string) (*Resolver, resolver.Input) {
	b.Helper()
	for _, v := range loadVectors(b, category) {
		if v.Name != name {
			continue
		}
		now := time.UnixMilli(v.NowMS)
		r, err := New(v.config(b), WithStore(storeFrom(b, v.RowsRaw)), WithClock(func() time.Time { return now }))
		if err != nil {
			b.Fatal(err)
		}
		return r, resolver.FromCookieHeader("theme=dark; " + *v.Cookie + "; _ga=GA1.2.3")
	}
	b.Fatalf("no vector %s/%s", category, name)
	return nil, resolver.Input{}
}

func runBench(b *testing.B, r *Resolver, in resolver.Input) {
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		a, err := r.ResolveBody(ctx, in, Options{})
		if err != nil || a.Body == nil || len(a.SetCookie) != 0 {
			b.Fatal(a.Result.Reason, a.Result.Err, err, a.SetCookie)
		}
		if len(MarshalBody(a.Body)) == 0 {
			b.Fatal("empty body")
		}
	}
}

// BenchmarkResolveDatabase: signed cookie, in-memory store lookup, rules,
// body. The store costs what a map lookup costs; add the database's round
// trip for a real deployment.
func BenchmarkResolveDatabase(b *testing.B) {
	r, in := benchVector(b, "database", "valid")
	runBench(b, r, in)
}

// BenchmarkResolveCookieCache: the session answered from session_data,
// no store read, per strategy.
func BenchmarkResolveCookieCache(b *testing.B) {
	for _, s := range []string{"compact", "jwt", "jwe"} {
		b.Run(s, func(b *testing.B) {
			r, in := benchVector(b, "cookie_cache", s+"_served_from_cache")
			r.store = nil // prove the store is not read
			runBench(b, r, in)
		})
	}
}
