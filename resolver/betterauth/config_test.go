package betterauth

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSecretsFromEnv(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	for _, c := range []struct {
		name       string
		configured string
		env        map[string]string
		want       Secrets
		all        []string
		err        string
	}{
		{name: "configured wins", configured: "c", env: map[string]string{"BETTER_AUTH_SECRET": "b", "AUTH_SECRET": "a"}, want: Secrets{Current: "c"}, all: []string{"c"}},
		{name: "BETTER_AUTH_SECRET then AUTH_SECRET", env: map[string]string{"BETTER_AUTH_SECRET": "b", "AUTH_SECRET": "a"}, want: Secrets{Current: "b"}, all: []string{"b"}},
		{name: "AUTH_SECRET", env: map[string]string{"AUTH_SECRET": "a"}, want: Secrets{Current: "a"}, all: []string{"a"}},
		{name: "versioned list wins, legacy kept", env: map[string]string{"BETTER_AUTH_SECRETS": " 2:new , 1:old", "BETTER_AUTH_SECRET": "legacy"},
			want: Secrets{Current: "new", Versioned: []VersionedSecret{{2, "new"}, {1, "old"}}, Legacy: "legacy"}, all: []string{"new", "old", "legacy"}},
		{name: "legacy equal to a version not repeated", env: map[string]string{"BETTER_AUTH_SECRETS": "2:new,1:old", "BETTER_AUTH_SECRET": "old"},
			want: Secrets{Current: "new", Versioned: []VersionedSecret{{2, "new"}, {1, "old"}}, Legacy: "old"}, all: []string{"new", "old"}},
		{name: "default secret is no legacy", configured: DefaultSecret, env: map[string]string{"BETTER_AUTH_SECRETS": "1:x"},
			want: Secrets{Current: "x", Versioned: []VersionedSecret{{1, "x"}}}, all: []string{"x"}},
		{name: "no colon", env: map[string]string{"BETTER_AUTH_SECRETS": "abc"}, err: "entry 1"},
		{name: "bad version", env: map[string]string{"BETTER_AUTH_SECRETS": "1:a,-2:b"}, err: "entry 2"},
		{name: "empty value", env: map[string]string{"BETTER_AUTH_SECRETS": "1: "}, err: "empty secret"},
		{name: "duplicate", env: map[string]string{"BETTER_AUTH_SECRETS": "1:a,1:b"}, err: "duplicate"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := SecretsFromEnv(c.configured, env(c.env))
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("err %v, want %q", err, c.err)
				}
				if strings.Contains(err.Error(), "abc") || strings.Contains(err.Error(), ":a") {
					t.Fatalf("error leaks secret material: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Fatal(diff)
			}
			if diff := cmp.Diff(c.all, got.All()); diff != "" {
				t.Fatal(diff)
			}
		})
	}
}

func TestConfigValidateOneLine(t *testing.T) {
	_, err := New(Config{CookieCache: CookieCache{Strategy: "zip"}, UpdateAge: -1})
	if err == nil {
		t.Fatal("accepted")
	}
	msg := err.Error()
	for _, want := range []string{"no secret", `"zip"`, "negative"} {
		if !strings.Contains(msg, want) {
			t.Errorf("%q lacks %q", msg, want)
		}
	}
	if strings.Contains(msg, "\n") {
		t.Errorf("not one line: %q", msg)
	}
	if _, err := New(Config{Secrets: Secrets{Current: DefaultSecret}}); err == nil {
		t.Error("accepted the built-in default secret")
	}
}

func TestNames(t *testing.T) {
	yes, no := true, false
	for _, c := range []struct {
		cfg  Config
		want Names
	}{
		{Config{BaseURL: "http://x"}, Names{"better-auth.session_token", "better-auth.session_data", "better-auth.dont_remember"}},
		{Config{BaseURL: "https://x"}, Names{"__Secure-better-auth.session_token", "__Secure-better-auth.session_data", "__Secure-better-auth.dont_remember"}},
		{Config{BaseURL: "https://x", Secure: &no, CookiePrefix: "app"}, Names{"app.session_token", "app.session_data", "app.dont_remember"}},
		{Config{Secure: &yes, SessionTokenName: "sid"}, Names{"__Secure-sid", "__Secure-better-auth.session_data", "__Secure-better-auth.dont_remember"}},
	} {
		if got := c.cfg.Names(); got != c.want {
			t.Errorf("%+v: %+v", c.cfg, got)
		}
	}
}
