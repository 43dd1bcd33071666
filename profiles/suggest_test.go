package profiles

import (
	"strings"
	"testing"
)

// TestUnknownKeysSuggestTheNearest: every unknown key gets a hint naming
// the key it most likely meant, at its own level; a key like no other
// gets none rather than a guess.
func TestUnknownKeysSuggestTheNearest(t *testing.T) {
	yaml := `name: a
store:
  prefix: "app:"
  dsn_evn: DATABASE_URL
resolver:
  cache:
    tll: 30s
  maxAge: 720h
  zzzzzz: 1
bench:
  durration: 2s
  population:
    sesions: 3
`
	_, err := Parse("a.yaml", []byte(yaml))
	if err == nil {
		t.Fatal("profile with unknown keys accepted")
	}
	for _, want := range []string{
		"a.yaml:3: store.prefix: unknown key (did you mean store.key_prefix?)",
		"a.yaml:4: store.dsn_evn: unknown key (did you mean store.dsn_env?)",
		"a.yaml:7: resolver.cache.tll: unknown key (did you mean resolver.cache.ttl?)",
		"a.yaml:8: resolver.maxAge: unknown key (did you mean resolver.max_age?)",
		"a.yaml:11: bench.durration: unknown key (did you mean bench.duration?)",
		"a.yaml:13: bench.population.sesions: unknown key (did you mean bench.population.sessions?)",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if !strings.Contains(err.Error(), "resolver.zzzzzz: unknown key\n") && !strings.HasSuffix(err.Error(), "resolver.zzzzzz: unknown key") {
		t.Errorf("zzzzzz got a guess:\n%v", err)
	}
}

func TestNearestKey(t *testing.T) {
	known := []string{"mode", "strategy", "max_age", "update_age", "key_prefix", "ttl", "size"}
	for in, want := range map[string]string{
		"mdoe": "mode", "stratgey": "strategy", "max-age": "max_age", "MaxAge": "max_age",
		"prefix": "key_prefix", "tll": "ttl", "age": "", "colour": "", "": "",
	} {
		if got := nearestKey(in, known); got != want {
			t.Errorf("nearestKey(%q) = %q, want %q", in, got, want)
		}
	}
}
