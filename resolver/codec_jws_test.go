package resolver_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/authscope/authscope/resolver"
)

func pemFile(t *testing.T, key crypto.Signer, private bool) string {
	t.Helper()
	var block *pem.Block
	if private {
		der, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			t.Fatal(err)
		}
		block = &pem.Block{Type: "PRIVATE KEY", Bytes: der}
	} else {
		der, err := x509.MarshalPKIXPublicKey(key.Public())
		if err != nil {
			t.Fatal(err)
		}
		block = &pem.Block{Type: "PUBLIC KEY", Bytes: der}
	}
	return writeFile(t, "key.pem", string(pem.EncodeToMemory(block)))
}

func jwsConfig(algs []string, files ...string) resolver.Config {
	return resolver.Config{
		Secrets: []string{mwSecret}, RefreshCookies: true,
		Codec: resolver.CodecConfig{Kind: resolver.CodecJWS, Algorithms: algs, KeyFiles: files},
	}
}

// Every algorithm round-trips through the resolver: mint with the codec,
// resolve, refresh; a verify-only codec (public key) resolves the same
// token and leaves the cookie alone.
func TestJWSCodecAlgorithms(t *testing.T) {
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	_, edKey, _ := ed25519.GenerateKey(rand.Reader)
	for _, c := range []struct {
		alg string
		key crypto.Signer
	}{{"HS256", nil}, {"HS384", nil}, {"HS512", nil}, {"RS256", rsaKey}, {"ES256", ecKey}, {"EdDSA", edKey}} {
		t.Run(c.alg, func(t *testing.T) {
			var signCfg, verifyCfg resolver.Config
			if c.key == nil {
				signCfg, verifyCfg = jwsConfig([]string{c.alg}), jwsConfig([]string{c.alg})
			} else {
				signCfg, verifyCfg = jwsConfig([]string{c.alg}, pemFile(t, c.key, true)), jwsConfig([]string{c.alg}, pemFile(t, c.key, false))
			}
			codec, err := resolver.NewTokenCodec(signCfg)
			if err != nil {
				t.Fatal(err)
			}
			tok, err := codec.Encode(resolver.Claims{"name": "Ada", "sub": "u1"}, mwNow, time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			header, _, _ := strings.Cut(tok, ".")
			b, _ := jose.ParseSignedCompact(tok, []jose.SignatureAlgorithm{jose.SignatureAlgorithm(c.alg)})
			if b == nil || b.Signatures[0].Header.Algorithm != c.alg {
				t.Fatalf("header %s", header)
			}
			for i, cfg := range []resolver.Config{signCfg, verifyCfg} {
				r, err := resolver.NewJWTResolver(cfg, resolver.WithClock(func() time.Time { return mwNow.Add(time.Minute) }))
				if err != nil {
					t.Fatal(err)
				}
				res, _ := r.Resolve(t.Context(), resolver.FromPairs("authjs.session-token", tok))
				if !res.OK() || res.Session.User.ID != "u1" {
					t.Fatalf("resolve: %s %v", res.Reason, res.Err)
				}
				if refreshed := len(res.SetCookies) == 1; refreshed != (i == 0 || c.key == nil) {
					t.Fatalf("cfg %d: refreshed %v", i, refreshed)
				}
			}
			// Another key of the same kind is refused.
			other := jwsConfig([]string{c.alg})
			other.Secrets = []string{"a-different-secret"}
			if c.key != nil {
				k2, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
				var s crypto.Signer = k2
				if c.alg == "RS256" {
					s, _ = rsa.GenerateKey(rand.Reader, 2048)
				} else if c.alg == "EdDSA" {
					_, s, _ = ed25519.GenerateKey(rand.Reader)
				}
				other = jwsConfig([]string{c.alg}, pemFile(t, s, false))
			}
			oc, _ := resolver.NewTokenCodec(other)
			if _, reason, err := oc.Decode(tok, mwNow); err == nil || (reason != resolver.ReasonDecrypt && reason != resolver.ReasonWrongKey) {
				t.Fatalf("another key: %s %v", reason, err)
			}
		})
	}
}

func TestJWSCodecVerifyOnlyCannotEncode(t *testing.T) {
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	c, err := resolver.NewTokenCodec(jwsConfig([]string{"ES256"}, pemFile(t, k, false)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Encode(resolver.Claims{}, mwNow, time.Hour); err == nil || !strings.Contains(err.Error(), "no signing key") {
		t.Fatalf("encode: %v", err)
	}
}

// The JWKS is fetched once, refetched for an unknown kid (at most every
// 30 s), and kept when the endpoint fails.
func TestJWSCodecJWKSCache(t *testing.T) {
	k1, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	k2, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	var (
		fetches atomic.Int32
		keys    atomic.Value
		broken  atomic.Bool
	)
	set := func(ks ...*ecdsa.PrivateKey) {
		var s jose.JSONWebKeySet
		for i, k := range ks {
			s.Keys = append(s.Keys, jose.JSONWebKey{Key: k.Public(), KeyID: []string{"k1", "k2"}[i], Algorithm: "ES256", Use: "sig"})
		}
		b, _ := json.Marshal(s)
		keys.Store(b)
	}
	set(k1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fetches.Add(1)
		if broken.Load() {
			http.Error(w, "down", 500)
			return
		}
		w.Write(keys.Load().([]byte))
	}))
	defer srv.Close()
	cfg := resolver.Config{Codec: resolver.CodecConfig{Kind: resolver.CodecJWS, Algorithms: []string{"ES256"}, JWKSURL: srv.URL}}
	codec, err := resolver.NewTokenCodec(cfg)
	if err != nil {
		t.Fatal(err)
	}
	sign := func(k *ecdsa.PrivateKey, kid string) string {
		s, _ := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: k, KeyID: kid}}, nil)
		obj, _ := s.Sign([]byte(`{"sub":"u1"}`))
		tok, _ := obj.CompactSerialize()
		return tok
	}
	for range 3 {
		if _, reason, err := codec.Decode(sign(k1, "k1"), mwNow); err != nil {
			t.Fatalf("k1: %s %v", reason, err)
		}
	}
	if n := fetches.Load(); n != 1 {
		t.Fatalf("%d fetches for three tokens of a known kid", n)
	}
	// k2 appears in the set; the first k2 token triggers a refetch... but
	// only once per 30 s after the initial fetch, which just happened.
	set(k1, k2)
	if _, reason, _ := codec.Decode(sign(k2, "k2"), mwNow); reason != resolver.ReasonWrongKey {
		t.Fatalf("k2 within the refetch interval: %s", reason)
	}
	if n := fetches.Load(); n != 1 {
		t.Fatalf("refetched within 30 s: %d fetches", n)
	}
	// A fresh codec on the broken endpoint: nothing cached, keys unavailable.
	broken.Store(true)
	fresh, _ := resolver.NewTokenCodec(cfg)
	if _, reason, err := fresh.Decode(sign(k1, "k1"), mwNow); reason != resolver.ReasonKeys || err == nil {
		t.Fatalf("JWKS down: %s %v", reason, err)
	}
	if !resolver.ReasonKeys.Infrastructure() {
		t.Fatal("keys_unavailable is not an infrastructure failure")
	}
}

// Hooks.JWT runs on a JWS token's claims, and what it returns is refreshed.
func TestJWSCodecWithHooks(t *testing.T) {
	cfg := jwsConfig([]string{"HS512"})
	hooks := resolver.Hooks{JWT: func(_ context.Context, c resolver.Claims) (resolver.Claims, error) {
		c["role"] = "admin"
		return c, nil
	}}
	r, err := resolver.NewJWTResolver(cfg, resolver.WithHooks(hooks), resolver.WithClock(func() time.Time { return mwNow }))
	if err != nil {
		t.Fatal(err)
	}
	tok, _ := r.TokenCodec().Encode(resolver.Claims{"sub": "u1"}, mwNow, time.Hour)
	res, _ := r.Resolve(t.Context(), resolver.FromPairs("authjs.session-token", tok))
	if !res.OK() || len(res.SetCookies) != 1 {
		t.Fatalf("%s %v", res.Reason, res.Err)
	}
	c, _, err := r.TokenCodec().Decode(res.SetCookies[0].Value, mwNow)
	if err != nil || c["role"] != "admin" {
		t.Fatalf("refreshed claims %v %v", c, err)
	}
}

// WithCodec plugs a deployment's own codec in.
func TestWithCodec(t *testing.T) {
	hs, err := resolver.NewTokenCodec(jwsConfig([]string{"HS256"}))
	if err != nil {
		t.Fatal(err)
	}
	r, err := resolver.NewJWTResolver(resolver.Config{Secrets: []string{"unused-by-the-codec"}}, resolver.WithCodec(hs), resolver.WithClock(func() time.Time { return mwNow }))
	if err != nil {
		t.Fatal(err)
	}
	tok, _ := hs.Encode(resolver.Claims{"sub": "u1"}, mwNow, time.Hour)
	if res, _ := r.Resolve(t.Context(), resolver.FromPairs("authjs.session-token", tok)); !res.OK() {
		t.Fatalf("%s %v", res.Reason, res.Err)
	}
	if r.Codec() != nil {
		t.Fatal("Codec() is the JWE codec; with another codec it must be nil")
	}
}
