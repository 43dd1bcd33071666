// Package sessiontest builds what the examples' tests need: a local JWT
// resolver with a test-only secret and a session cookie it accepts, minted
// as Auth.js mints it after sign-in.
package sessiontest

import (
	"testing"
	"time"

	"github.com/authscope/authscope/resolver"
)

// Secret is a TEST-ONLY secret; it protects nothing.
const Secret = "examples-test-only-secret-not-for-production"

// Resolver returns a resolver that refreshes cookies and the Cookie header
// of a signed-in "Ada" (sub u1).
func Resolver(t testing.TB) (*resolver.JWTResolver, string) {
	t.Helper()
	r, err := resolver.NewJWTResolver(resolver.Config{Secrets: []string{Secret}, RefreshCookies: true})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := r.TokenCodec().Encode(resolver.Claims{"name": "Ada", "email": "ada@example.com", "sub": "u1"}, time.Now(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return r, r.CookieName() + "=" + tok
}
