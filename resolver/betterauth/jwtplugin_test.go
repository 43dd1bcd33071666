package betterauth

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"
)

type jwtVector struct {
	Name     string          `json:"name"`
	IssuedMS int64           `json:"issued_ms"`
	JWKS     string          `json:"jwks_raw"`
	Token    string          `json:"token"`
	Payload  json.RawMessage `json:"payload"`
	Iss      string          `json:"expected_issuer"`
	Aud      string          `json:"expected_audience"`
	Checks   []struct {
		Label string `json:"label"`
		NowMS int64  `json:"now_ms"`
		Valid bool   `json:"valid"`
	} `json:"checks"`
	Tampered string `json:"tampered_token"`
}

func loadJWTVectors(t testing.TB) []jwtVector {
	b, err := os.ReadFile(filepath.Join(vectorDir, "jwt_plugin.json"))
	if err != nil {
		t.Fatal(err)
	}
	var vs []jwtVector
	if err := json.Unmarshal(b, &vs); err != nil {
		t.Fatal(err)
	}
	return vs
}

// TestJWTPluginVectors verifies the real plugin's tokens against its JWKS
// at the recorded instants, with jose's verdicts.
func TestJWTPluginVectors(t *testing.T) {
	for _, v := range loadJWTVectors(t) {
		t.Run(v.Name, func(t *testing.T) {
			set, err := ParseJWKS([]byte(v.JWKS))
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range v.Checks {
				now := time.UnixMilli(c.NowMS)
				ver := &JWTVerifier{Keys: set, Issuer: v.Iss, Audience: v.Aud, Clock: func() time.Time { return now }}
				claims, err := ver.Verify(context.Background(), v.Token)
				if (err == nil) != c.Valid {
					t.Fatalf("%s: err %v, real jose valid=%v", c.Label, err, c.Valid)
				}
				if err == nil {
					want, _ := parseJSON(v.Payload, false)
					if got, w := string(AppendJS(nil, claims)), string(AppendJS(nil, want)); got != w {
						t.Errorf("claims:\n got %s\nwant %s", got, w)
					}
				}
			}
			now := time.UnixMilli(v.Checks[0].NowMS)
			ver := &JWTVerifier{Keys: set, Issuer: v.Iss, Audience: v.Aud, Clock: func() time.Time { return now }}
			if _, err := ver.Verify(context.Background(), v.Tampered); !errors.Is(err, ErrJWTSignature) {
				t.Errorf("tampered: %v", err)
			}
			ver.Audience = "someone-else"
			if _, err := ver.Verify(context.Background(), v.Token); !errors.Is(err, ErrJWTClaims) {
				t.Errorf("wrong audience: %v", err)
			}
		})
	}
}

// TestRemoteJWKSCacheAndRefresh: one fetch serves many verifications; an
// unknown kid refreshes (once per cooldown); the TTL expires the cache.
func TestRemoteJWKSCacheAndRefresh(t *testing.T) {
	vs := loadJWTVectors(t)
	var served atomic.Value
	served.Store(`{"keys":[]}`)
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("content-type", "application/json")
		w.Write([]byte(served.Load().(string)))
	}))
	defer srv.Close()
	now := time.UnixMilli(vs[0].Checks[0].NowMS)
	remote := &RemoteJWKS{URL: srv.URL, Clock: func() time.Time { return now }}
	ver := &JWTVerifier{Keys: remote, Issuer: vs[0].Iss, Audience: vs[0].Aud, Clock: func() time.Time { return now }}
	ctx := context.Background()
	if _, err := ver.Verify(ctx, vs[0].Token); !errors.Is(err, ErrJWTKey) {
		t.Fatalf("empty set: %v", err)
	}
	if h := hits.Load(); h != 1 {
		t.Fatalf("fetches after first verify: %d (refresh inside cooldown must not refetch)", h)
	}
	served.Store(vs[0].JWKS)
	now = now.Add(31 * time.Second)
	if _, err := ver.Verify(ctx, vs[0].Token); err != nil {
		t.Fatalf("after key rotation: %v", err)
	}
	for range 5 {
		if _, err := ver.Verify(ctx, vs[0].Token); err != nil {
			t.Fatal(err)
		}
	}
	if h := hits.Load(); h != 2 {
		t.Fatalf("fetches: %d, want 2 (cached)", h)
	}
	now = now.Add(10 * time.Minute)
	if _, err := ver.Verify(ctx, vs[0].Token); err != nil {
		t.Fatalf("after the TTL: %v", err)
	}
	if h := hits.Load(); h != 3 {
		t.Fatalf("fetches after TTL: %d, want 3", h)
	}
}
