package resolver_test

// JWS interop replay (testdata/authjs/vectors/config/jws.json): a
// deployment whose jwt.encode/decode sign with jose (HS512 with the
// secret; ES256 verified through a JWKS). The Go resolver, configured with
// codec jws and the same allow-list, must answer Auth()'s body for every
// token, refuse what the real custom decode refuses (with the matching
// Reason), and refresh into a token whose claims are Auth.js's.

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/authscope/authscope/resolver"
)

type jwsVectors struct {
	NowMS      int64    `json:"now_ms"`
	MaxAge     int64    `json:"max_age"`
	Secrets    []string `json:"secrets"`
	CookieName string   `json:"cookie_name"`
	ES256      struct {
		Kid        string          `json:"kid"`
		JWKS       json.RawMessage `json:"jwks"`
		PublicPEM  string          `json:"public_key_pem"`
		PrivatePEM string          `json:"private_key_pem"`
	} `json:"es256"`
	Vectors []struct {
		Name   string `json:"name"`
		Codec  string `json:"codec"`
		Token  string `json:"token"`
		Expect struct {
			Decoded         map[string]any `json:"decoded"`
			DecodeError     *string        `json:"decode_error"`
			BodyRaw         string         `json:"body_raw"`
			SetCookie       []string       `json:"set_cookie"`
			RefreshedClaims map[string]any `json:"refreshed_claims"`
		} `json:"expect"`
	} `json:"vectors"`
}

// joseReason maps the real decode's error codes to Go's Reasons.
var joseReason = map[string]resolver.Reason{
	"ERR_JOSE_ALG_NOT_ALLOWED":              resolver.ReasonAlgorithm,
	"ERR_JWS_SIGNATURE_VERIFICATION_FAILED": resolver.ReasonDecrypt,
	"ERR_JWKS_NO_MATCHING_KEY":              resolver.ReasonWrongKey,
	"ERR_JWT_EXPIRED":                       resolver.ReasonExpired,
	"ERR_JWS_INVALID":                       resolver.ReasonMalformed,
}

func writeFile(t *testing.T, name, data string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestInteropJWSVectors(t *testing.T) {
	var vs jwsVectors
	loadConfigVectors(t, "jws.json", &vs)
	var fetches atomic.Int32
	jwks := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fetches.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.Write(vs.ES256.JWKS)
	}))
	defer jwks.Close()

	now := time.UnixMilli(vs.NowMS)
	base := resolver.Config{Secrets: vs.Secrets, MaxAge: time.Duration(vs.MaxAge) * time.Second, RefreshCookies: true}
	configs := map[string][]resolver.Config{}
	hs := base
	hs.Codec = resolver.CodecConfig{Kind: resolver.CodecJWS, Algorithms: []string{"HS512"}}
	configs["HS512"] = []resolver.Config{hs}
	viaJWKS, viaPEM, signing := base, base, base
	viaJWKS.Codec = resolver.CodecConfig{Kind: resolver.CodecJWS, Algorithms: []string{"ES256"}, JWKSURL: jwks.URL}
	viaPEM.Codec = resolver.CodecConfig{Kind: resolver.CodecJWS, Algorithms: []string{"ES256"}, KeyFiles: []string{writeFile(t, "pub.pem", vs.ES256.PublicPEM)}}
	signing.Codec = resolver.CodecConfig{Kind: resolver.CodecJWS, Algorithms: []string{"ES256"}, KeyFiles: []string{writeFile(t, "key.pem", vs.ES256.PrivatePEM)}}
	configs["ES256"] = []resolver.Config{viaJWKS, viaPEM, signing}

	// One resolver per configuration, so the JWKS cache serves them all.
	resolvers := map[string][]*resolver.JWTResolver{}
	for codec, cfgs := range configs {
		for _, cfg := range cfgs {
			r, err := resolver.NewJWTResolver(cfg, resolver.WithClock(func() time.Time { return now }))
			if err != nil {
				t.Fatal(err)
			}
			resolvers[codec] = append(resolvers[codec], r)
		}
	}
	for _, v := range vs.Vectors {
		for i, r := range resolvers[v.Codec] {
			canSign := v.Codec == "HS512" || i == 2
			t.Run(v.Name+"/"+[]string{"jwks-or-secret", "pem-public", "pem-private"}[i], func(t *testing.T) {
				claims, reason, err := r.TokenCodec().Decode(v.Token, now)
				if v.Expect.DecodeError != nil {
					if err == nil || reason != joseReason[*v.Expect.DecodeError] {
						t.Fatalf("decode: %s %v; jose: %s (%s)", reason, err, *v.Expect.DecodeError, joseReason[*v.Expect.DecodeError])
					}
				} else if err != nil {
					t.Fatalf("decode: %s %v; jose accepted it", reason, err)
				} else if d := cmp.Diff(v.Expect.Decoded, jsonValue(t, claims)); d != "" {
					t.Fatalf("claims (-jose +go):\n%s", d)
				}

				res, err := r.Resolve(t.Context(), resolver.FromPairs(vs.CookieName, v.Token))
				if err != nil {
					t.Fatal(err)
				}
				if got := string(resolver.MarshalSessionBody(res.Session)); got != v.Expect.BodyRaw {
					t.Fatalf("body %s\nauth.js %s", got, v.Expect.BodyRaw)
				}
				lines := resolver.SetCookieLines(res.SetCookies)
				switch {
				case !res.OK():
					if d := cmp.Diff(v.Expect.SetCookie, lines); d != "" {
						t.Fatalf("clear (-auth.js +go):\n%s", d)
					}
				case !canSign:
					if len(lines) != 0 {
						t.Fatalf("a verify-only codec refreshed: %q", lines)
					}
				default:
					checkJWSRefresh(t, r, lines, v.Expect.SetCookie, v.Expect.RefreshedClaims, now)
				}
			})
		}
	}
	if n := fetches.Load(); n < 1 || n > 3 {
		t.Fatalf("the JWKS was fetched %d times; want once, plus at most a refetch for the unknown kid", n)
	}
}

func checkJWSRefresh(t *testing.T, r *resolver.JWTResolver, got, want []string, claims map[string]any, now time.Time) {
	t.Helper()
	if len(got) != 1 || len(want) != 1 {
		t.Fatalf("refresh lines %q, auth.js %q", got, want)
	}
	gnv, gattrs, _ := strings.Cut(got[0], ";")
	wnv, wattrs, _ := strings.Cut(want[0], ";")
	gname, gval, _ := strings.Cut(gnv, "=")
	wname, _, _ := strings.Cut(wnv, "=")
	if gname != wname || gattrs != wattrs {
		t.Fatalf("refresh %q, auth.js %q", got[0], want[0])
	}
	c, reason, err := r.TokenCodec().Decode(gval, now)
	if err != nil {
		t.Fatalf("refreshed token: %s %v", reason, err)
	}
	if d := cmp.Diff(claims, jsonValue(t, c)); d != "" {
		t.Fatalf("refreshed claims (-auth.js +go):\n%s", d)
	}
}

// jsonValue round-trips claims through JSON, as the vectors hold them.
func jsonValue(t *testing.T, c resolver.Claims) map[string]any {
	t.Helper()
	b, err := json.Marshal(map[string]any(c))
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}
