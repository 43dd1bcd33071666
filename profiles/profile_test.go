package profiles

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/authscope/authscope/resolver"
	"github.com/google/go-cmp/cmp"
)

const fixtures = "../testdata/profiles/"

func env(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

func TestLoadValidYAML(t *testing.T) {
	p, err := LoadFile(fixtures + "prod-proxy.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := p.ResolverConfig(env("AUTH_SECRET_1", "new", "AUTH_SECRET", "old", "UPSTREAM_AUTH", "Bearer t"))
	if err != nil {
		t.Fatal(err)
	}
	want := resolver.Config{
		Mode: resolver.ModeProxy, Strategy: resolver.StrategyJWT, BaseURL: "https://app.example.com",
		BasePath: "/api/auth", Secrets: []string{"new", "old"}, MaxAge: 30 * 24 * time.Hour,
		Proxy: resolver.ProxyConfig{Timeout: 2 * time.Second, Headers: map[string]string{
			"X-Forwarded-Host": "app.example.com", "Authorization": "Bearer t"}},
		Cache: resolver.CacheConfig{Enabled: true, TTL: time.Minute, NegativeTTL: time.Second},
	}
	if diff := cmp.Diff(want, cfg); diff != "" {
		t.Errorf("config (-want +got):\n%s", diff)
	}
	if _, err := p.ResolverConfig(env("AUTH_SECRET", "old", "UPSTREAM_AUTH", "x")); err == nil || !strings.Contains(err.Error(), "AUTH_SECRET_1") {
		t.Errorf("missing secret variable: %v", err)
	}
}

func TestLoadValidJSON(t *testing.T) {
	p, err := LoadFile(fixtures + "pg-db.json")
	if err != nil {
		t.Fatal(err)
	}
	if p.Store.Schema != "prisma" || !p.Resolver.ReadOnly || p.Store.PoolSize != 8 {
		t.Errorf("decoded %+v", p.Store)
	}
	if _, err := p.DSN(env()); err == nil || !strings.Contains(err.Error(), "DATABASE_URL") {
		t.Errorf("unset DSN variable: %v", err)
	}
	dsn, err := p.DSN(env("DATABASE_URL", "postgres://x"))
	if err != nil || dsn != "postgres://x" {
		t.Errorf("DSN = %q, %v", dsn, err)
	}
}

func TestStrictErrors(t *testing.T) {
	for _, tc := range []struct {
		file string
		want []string
	}{
		{"unknown-key.yaml", []string{"unknown-key.yaml:6: resolver.cache.tll: unknown key"}},
		{"inline-secret.yaml", []string{"inline-secret.yaml:4: resolver.secret: inline secrets are refused", "secret_env"}},
		{"dsn-inline.yaml", []string{"dsn-inline.yaml:3: store.dsn: inline secrets are refused", "dsn_env"}},
		{"bad-mode.yaml", []string{
			`bad-mode.yaml:3: resolver.mode: "sideways" is not local or proxy`,
			`bad-mode.yaml:4: resolver.strategy: "cookies" is not jwt or database`,
			"bad-mode.yaml:7: resolver.proxy.headers.Authorization: a credential header must come from the environment",
		}},
		{"bad-type.yaml", []string{"bad-type.yaml:4: resolver.cache.size:", "lots"}},
		{"bad-values.yaml", []string{"bad-values.yaml:6: resolver.max_age:", `"forever" is not a duration`}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			_, err := LoadFile(fixtures + tc.file)
			if err == nil {
				t.Fatal("loaded")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\nlacks %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "admin:pw") {
				t.Errorf("error echoes a secret: %v", err)
			}
		})
	}
}

func TestParseRejects(t *testing.T) {
	for name, src := range map[string]string{
		"empty":        "",
		"not mapping":  "- a\n- b\n",
		"syntax":       "name: [\n",
		"bad name":     "name: Bad Name\n",
		"dup key":      "name: a\nname: b\n",
		"secret url":   "name: a\nresolver:\n  base_url: https://u:p@x.example\n",
		"env not name": "name: a\nresolver:\n  secret_env: 'my secret value'\n",
		"custom map":   "name: a\nstore:\n  schema: custom\n",
		"db no store":  "name: a\nresolver:\n  strategy: database\n",
		"two docs":     "name: a\n---\nname: b\n",
	} {
		if _, err := Parse(name+".yaml", []byte(src)); err == nil {
			t.Errorf("%s: accepted", name)
		} else if !strings.HasPrefix(err.Error(), name+".yaml") {
			t.Errorf("%s: error %q does not name the file", name, err)
		}
	}
}

func TestBuiltinAndFind(t *testing.T) {
	all, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	if len(all) == 0 || all[0].Name == "" {
		t.Fatal("no built-in profiles")
	}
	demo, err := Find("demo", "")
	if err != nil || !demo.Demo || demo.Source != "builtin:demo.yaml" {
		t.Fatalf("demo: %+v %v", demo, err)
	}
	if _, err := Find("nope", ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown: %v", err)
	}

	// A user profile overrides the built-in one by name.
	dir := t.TempDir()
	override := "name: demo\ndescription: mine\ndemo: true\n"
	if err := os.WriteFile(filepath.Join(dir, "demo.yaml"), []byte(override), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "broken.yaml"), []byte("name: broken\nbogus: 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	p, err := Find("demo", dir)
	if err != nil || p.Description != "mine" {
		t.Fatalf("override: %+v %v", p, err)
	}
	list, err := List(dir)
	if err == nil || !strings.Contains(err.Error(), "broken.yaml:2: bogus: unknown key") {
		t.Errorf("List error = %v", err)
	}
	for _, p := range list {
		if p.Name == "demo" && p.Description != "mine" {
			t.Error("List did not apply the override")
		}
	}
	// A file whose name disagrees with its profile name is refused.
	if err := os.WriteFile(filepath.Join(dir, "other.yaml"), []byte("name: else\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Find("other", dir); err == nil {
		t.Error("name mismatch accepted")
	}
}

func TestDir(t *testing.T) {
	if d := Dir(env("AUTHSCOPE_PROFILES", "/p")); d != "/p" {
		t.Error(d)
	}
	if d := Dir(env("HOME", "/h")); d != "/h/.config/authscope/profiles" {
		t.Error(d)
	}
}

// TestUpdateAgeZero: update_age: 0 is Auth.js's "extend on every request",
// not the default that an absent key gives.
func TestUpdateAgeZero(t *testing.T) {
	for src, want := range map[string]time.Duration{
		"name: a\n":                              0, // resolver.Config's default (24h) applies
		"name: a\nresolver:\n  update_age: 0\n":  time.Nanosecond,
		"name: a\nresolver:\n  update_age: 0s\n": time.Nanosecond,
		"name: a\nresolver:\n  update_age: 1h\n": time.Hour,
	} {
		p, err := Parse("u.yaml", []byte(src))
		if err != nil {
			t.Fatalf("%q: %v", src, err)
		}
		cfg, err := p.ResolverConfig(env())
		if err != nil {
			t.Fatal(err)
		}
		if cfg.UpdateAge != want {
			t.Errorf("%q: UpdateAge %v, want %v", src, cfg.UpdateAge, want)
		}
	}
	if _, err := Parse("u.yaml", []byte("name: a\nresolver:\n  update_age: -1s\n")); err == nil || !strings.Contains(err.Error(), "resolver.update_age") {
		t.Errorf("negative update_age: %v", err)
	}
}

// TestEnvNameErrorsHideTheValue: a value where a variable name belongs is
// usually the secret itself; the error names the key, never the value.
func TestEnvNameErrorsHideTheValue(t *testing.T) {
	for key, src := range map[string]string{
		"resolver.secret_env":                      "name: a\nresolver:\n  secret_env: 'my super secret value!!'\n",
		"resolver.secret_env ":                     "name: a\nresolver:\n  secret_envs: [AUTH_SECRET, 'my super secret value!!']\n",
		"resolver.proxy.header_envs.Authorization": "name: a\nresolver:\n  proxy:\n    header_envs: {Authorization: 'Bearer my super secret value!!'}\n",
		"store.dsn_env":                            "name: a\nstore:\n  dsn_env: 'postgres://u:my super secret value!!@h/db'\n",
	} {
		_, err := Parse("s.yaml", []byte(src))
		if err == nil || !strings.Contains(err.Error(), strings.TrimSpace(key)) || !strings.Contains(err.Error(), "not shown") {
			t.Errorf("%s: %v", key, err)
		} else if strings.Contains(err.Error(), "secret value") {
			t.Errorf("%s: the error echoes the value: %v", key, err)
		}
	}
}

func TestEngineKey(t *testing.T) {
	p, err := Parse("ba.yaml", []byte("name: ba\nresolver:\n  engine: better-auth\n"))
	if err != nil || p.Resolver.Engine != "better-auth" {
		t.Fatalf("engine better-auth: %v %+v", err, p)
	}
	_, err = Parse("bad.yaml", []byte("name: bad\nresolver:\n  engine: betterauth\n"))
	if err == nil || !strings.Contains(err.Error(), `bad.yaml:3: resolver.engine: "betterauth" is not authjs, better-auth or auto`) {
		t.Fatalf("bad engine: %v", err)
	}
}
