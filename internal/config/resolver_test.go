package config

import (
	"errors"
	"testing"
	"time"

	"github.com/authscope/authscope/resolver"
)

func env(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

// TestResolverLayers: the environment, then flags, then layers, in that
// order; validation sees the final result, once.
func TestResolverLayers(t *testing.T) {
	getenv := env("AUTH_SECRET", "s3cret", "AUTH_URL", "https://env.example")
	cfg, p, err := Resolver(getenv, Flags{URL: "https://flag.example", MaxAge: time.Hour}, Options{})
	if err != nil || p != nil {
		t.Fatal(p, err)
	}
	if cfg.BaseURL != "https://flag.example" || cfg.MaxAge != time.Hour || len(cfg.Secrets) != 1 || cfg.Mode != resolver.ModeLocal {
		t.Errorf("flags over environment, defaults filled: %+v", cfg)
	}

	var seen []string
	layer := func(name string, edit func(*resolver.Config)) Layer {
		return func(c *resolver.Config) error { seen = append(seen, name+":"+string(c.Mode)); edit(c); return nil }
	}
	cfg, _, err = Resolver(getenv, Flags{Mode: "proxy"}, Options{Layers: []Layer{
		layer("a", func(c *resolver.Config) {}),
		layer("b", func(c *resolver.Config) { c.Mode = resolver.ModeLocal }),
	}})
	if err != nil || cfg.Mode != resolver.ModeLocal || len(seen) != 2 || seen[0] != "a:proxy" {
		t.Errorf("layers after flags, in order: %v %+v %v", seen, cfg.Mode, err)
	}

	// A layer's error stops the layering as is; an invalid result is
	// refused, whichever layer made it so.
	stop := errors.New("stop")
	if _, _, err := Resolver(getenv, Flags{}, Options{Layers: []Layer{func(*resolver.Config) error { return stop }}}); !errors.Is(err, stop) {
		t.Errorf("layer error: %v", err)
	}
	if _, _, err := Resolver(getenv, Flags{}, Options{Layers: []Layer{func(c *resolver.Config) error { c.Mode = "sideways"; return nil }}}); err == nil {
		t.Error("a layer's invalid mode passed validation")
	}
}

// TestResolverKeyOptional: NoKey validates all but the secret, and does
// not invent one in the result.
func TestResolverKeyOptional(t *testing.T) {
	if _, _, err := Resolver(env(), Flags{}, Options{}); err == nil {
		t.Fatal("jwt without a secret passed")
	}
	cfg, _, err := Resolver(env(), Flags{}, Options{NoKey: true})
	if err != nil || len(cfg.Secrets) != 0 {
		t.Fatalf("NoKey: %v, secrets %v", err, cfg.Secrets)
	}
	if _, _, err := Resolver(env(), Flags{Strategy: "cookies"}, Options{NoKey: true}); err == nil {
		t.Fatal("NoKey skipped the rest of validation")
	}
}

// TestResolverProfile: a profile is the bottom layer; flags override it.
func TestResolverProfile(t *testing.T) {
	cfg, p, err := Resolver(env("AUTHSCOPE_DEMO_SECRET", "x"), Flags{Profile: "demo", CookieName: "mine"}, Options{})
	if err != nil || p == nil || p.Name != "demo" || cfg.CookieName != "mine" {
		t.Fatalf("%+v %v %v", cfg, p, err)
	}
	if _, _, err := Resolver(env(), Flags{Profile: "no-such-profile"}, Options{}); err == nil {
		t.Fatal("unknown profile accepted")
	}
}
