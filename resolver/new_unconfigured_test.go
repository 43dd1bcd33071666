package resolver

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// An unconfigured resolver is the seed's "throws": every constructor
// failure must be recognisable as ErrUnconfigured, in one line.
func TestNewUnconfiguredIsErrUnconfigured(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
	}{
		{"zero config", Config{}},
		{"bad mode", Config{Mode: "sideways", Secrets: []string{"s"}}},
		{"proxy without url", Config{Mode: ModeProxy}},
		{"several problems", Config{Mode: "sideways", Strategy: "nope", BasePath: "x"}},
		{"database without store", Config{Strategy: StrategyDatabase}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := New(tc.cfg)
			if err == nil || r != nil {
				t.Fatalf("New(%s) = %v, %v; want an error", tc.name, r, err)
			}
			if !errors.Is(err, ErrUnconfigured) {
				t.Errorf("errors.Is(%q, ErrUnconfigured) = false", err)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error is not one line: %q", err)
			}
		})
	}
	if _, err := NewJWTResolver(Config{}); !errors.Is(err, ErrUnconfigured) {
		t.Errorf("NewJWTResolver(Config{}) = %v, want ErrUnconfigured", err)
	}
}

// The message still says what is missing: wrapping must not hide it.
func TestNewUnconfiguredKeepsTheReason(t *testing.T) {
	_, err := New(Config{})
	if err == nil || !strings.Contains(err.Error(), "needs a secret") {
		t.Errorf("New(Config{}) = %v, want the missing secret named", err)
	}
}

// A JWTResolver not built by NewJWTResolver (the zero value) must answer
// ErrUnconfigured from every method instead of dereferencing a nil codec.
func TestZeroJWTResolverIsUnconfigured(t *testing.T) {
	r := &JWTResolver{}
	in := FromPairs(DefaultCookieName, "x")
	if _, err := r.Resolve(context.Background(), in); !errors.Is(err, ErrUnconfigured) {
		t.Errorf("Resolve: %v, want ErrUnconfigured", err)
	}
	if _, err := GetServerSession(context.Background(), r, in); !errors.Is(err, ErrUnconfigured) {
		t.Errorf("GetServerSession: %v, want ErrUnconfigured", err)
	}
	if _, _, err := r.Token(in); !errors.Is(err, ErrUnconfigured) {
		t.Errorf("Token: %v, want ErrUnconfigured", err)
	}
	if _, _, _, err := r.GetToken(in, "Bearer x", false); !errors.Is(err, ErrUnconfigured) {
		t.Errorf("GetToken: %v, want ErrUnconfigured", err)
	}
	if b, _, err := r.TokenJSON(in); !errors.Is(err, ErrUnconfigured) || string(b) != "null" {
		t.Errorf("TokenJSON: %s, %v, want null and ErrUnconfigured", b, err)
	}
	if r.RawToken(in) != "" || r.CookieName() != "" || r.Codec() != nil {
		t.Error("zero resolver reports a token, cookie name or codec")
	}
}
