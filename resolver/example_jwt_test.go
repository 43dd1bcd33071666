package resolver_test

import (
	"context"
	"fmt"
	"time"

	"github.com/authscope/authscope/resolver"
)

// A Go service resolving Auth.js sessions locally: the same answer as
// GET /api/auth/session, without calling it.
func ExampleJWTResolver_Resolve() {
	now := time.Date(2025, 11, 27, 8, 0, 0, 123e6, time.UTC)
	cfg := resolver.Config{
		Secrets:        []string{"example-only-secret-not-for-production"},
		RefreshCookies: true,
	}
	r, err := resolver.NewJWTResolver(cfg, resolver.WithClock(func() time.Time { return now }))
	if err != nil {
		panic(err)
	}
	// Mint a cookie as Auth.js would after sign-in.
	tok, err := r.Codec().Encode(resolver.Claims{"name": "Ada", "email": "ada@example.com", "sub": "u1"}, now, cfg.WithDefaults().MaxAge)
	if err != nil {
		panic(err)
	}
	in := resolver.FromPairs("theme", "dark", resolver.DefaultCookieName, tok)

	res, err := r.Resolve(context.Background(), in)
	if err != nil {
		panic(err)
	}
	fmt.Println(string(resolver.MarshalSessionBody(res.Session)))
	fmt.Println(res.Session.User.ID, len(res.SetCookies), "refreshed cookie")

	// A tampered cookie is "no session" plus a reason, and the chunk read
	// is cleared, as Auth.js does.
	b := []byte(tok)
	if i := len(b) - 60; b[i] == 'A' { // a ciphertext character
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	res, _ = r.Resolve(context.Background(), resolver.FromPairs(resolver.DefaultCookieName, string(b)))
	fmt.Println(res.Session == nil, res.Reason, resolver.FormatSetCookie(res.SetCookies[0]))
	// Output:
	// {"user":{"name":"Ada","email":"ada@example.com"},"expires":"2025-12-27T08:00:00.123Z"}
	// u1 1 refreshed cookie
	// true decrypt authjs.session-token=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax
}
