package resolver_test

// Live JWS interop (AUTHSCOPE_INTEROP=live): the real Auth() with a
// jose-signing jwt.encode/decode (testdata/authjs/jws-server.mjs) accepts
// cookies the Go JWS codec mints and refreshes, and Go accepts the
// cookies it refreshes: HS512 with the shared secret, and ES256 with Go
// signing from a PEM key while the harness verifies through the JWKS it
// serves, which Go also reads (a verify-only backend).

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/authjstest"
)

const liveJWSSecret = "live-jws-test-only-secret-not-for-production"

// liveSession asks the real Auth.js for /session with a cookie and
// returns the body and the refreshed session cookie's value.
func liveSession(t *testing.T, origin, cookie string) (string, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, origin+"/api/auth/session", nil)
	req.Header.Set("Cookie", cookie)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	for _, c := range resp.Cookies() {
		if c.Name == "authjs.session-token" && c.Value != "" {
			return string(body), c.Value
		}
	}
	return string(body), ""
}

func TestLiveJWSInterop(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKCS8PrivateKey(key)
	keyFile := writeFile(t, "key.pem", string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})))

	for _, alg := range []string{"HS512", "ES256"} {
		t.Run(alg, func(t *testing.T) {
			env := map[string]string{"AUTH_SECRET": liveJWSSecret, "AUTHJS_JWS_ALG": alg, "AUTHJS_JWS_KEY_FILE": keyFile}
			origin := authjstest.StartScript(t, "jws-server.mjs", env)
			cfg := resolver.Config{Secrets: []string{liveJWSSecret}, RefreshCookies: true,
				Codec: resolver.CodecConfig{Kind: resolver.CodecJWS, Algorithms: []string{alg}}}
			verify := cfg
			if alg == "ES256" {
				cfg.Codec.KeyFiles = []string{keyFile}
				verify.Codec.JWKSURL = origin + "/jwks.json"
			}
			signer, err := resolver.NewJWTResolver(cfg)
			if err != nil {
				t.Fatal(err)
			}
			verifier, err := resolver.NewJWTResolver(verify)
			if err != nil {
				t.Fatal(err)
			}
			tok, err := signer.TokenCodec().Encode(resolver.Claims{"name": "Ada", "email": "ada@example.com", "sub": "u1"}, time.Now(), time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			// Go's token is accepted by the real Auth.js, which refreshes it.
			body, refreshed := liveSession(t, origin, "authjs.session-token="+tok)
			if !strings.Contains(body, `"name":"Ada"`) || refreshed == "" {
				t.Fatalf("Auth.js refused Go's %s token: %s", alg, body)
			}
			// Auth.js's refreshed token resolves in Go, through the JWKS for ES256.
			res, _ := verifier.Resolve(t.Context(), resolver.FromPairs("authjs.session-token", refreshed))
			if !res.OK() || res.Session.User.ID != "u1" {
				t.Fatalf("Go refused Auth.js's refreshed token: %s %v", res.Reason, res.Err)
			}
			// Go's own refresh is accepted by Auth.js too.
			res, _ = signer.Resolve(t.Context(), resolver.FromPairs("authjs.session-token", tok))
			if !res.OK() || len(res.SetCookies) != 1 {
				t.Fatalf("Go refresh: %s %v", res.Reason, res.Err)
			}
			if body, _ := liveSession(t, origin, "authjs.session-token="+res.SetCookies[0].Value); !strings.Contains(body, `"name":"Ada"`) {
				t.Fatalf("Auth.js refused Go's refreshed token: %s", body)
			}
			// A token signed with another key is refused by both.
			other := cfg
			other.Secrets = []string{"some-other-secret-entirely"}
			if alg == "ES256" {
				k2, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
				d2, _ := x509.MarshalPKCS8PrivateKey(k2)
				other.Codec.KeyFiles = []string{writeFile(t, "other.pem", string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: d2})))}
			}
			oc, _ := resolver.NewTokenCodec(other)
			forged, _ := oc.Encode(resolver.Claims{"name": "Eve", "sub": "u2"}, time.Now(), time.Hour)
			if body, _ := liveSession(t, origin, "authjs.session-token="+forged); body != "null" {
				t.Fatalf("Auth.js accepted a token of another key: %s", body)
			}
			if res, _ := verifier.Resolve(t.Context(), resolver.FromPairs("authjs.session-token", forged)); res.OK() {
				t.Fatal("Go accepted a token of another key")
			}
		})
	}
}
