// Package authjstest is the test support shared by the Auth.js interop
// suites of resolver and of the authscope command: the vectors the real
// Auth.js produced (testdata/authjs/vectors, see testdata/authjs/README.md),
// the resolver.Config a vector describes, and the real Auth.js server
// (testdata/authjs/server.mjs) started for a live test.
//
// Like net/http/httptest it is an importable package for tests, not
// internal: the root package's tests use it too. resolver itself never
// imports it.
//
// Paths are found from this file's location, not the working directory, so
// the same helpers serve tests run in resolver/ and at the root.
package authjstest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/authscope/authscope/resolver"
)

// Dir is testdata/authjs (the Node harness); VectorDir its vectors.
var (
	Dir       = harnessDir()
	VectorDir = filepath.Join(Dir, "vectors")
)

func harnessDir() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return filepath.Join("testdata", "authjs")
	}
	return filepath.Join(filepath.Dir(file), "..", "..", "testdata", "authjs")
}

// Vector is one session vector (vectors/*.json): a Cookie header sent to
// the real Auth() and getToken at a fixed clock, and what they answered.
type Vector struct {
	Name             string            `json:"name"`
	Category         string            `json:"category"`
	Tags             []string          `json:"tags"`
	Note             string            `json:"note"`
	NowMS            int64             `json:"now_ms"`
	Secrets          []string          `json:"secrets"`
	Env              map[string]string `json:"env"`
	BaseURL          string            `json:"base_url"`
	CookieName       string            `json:"cookie_name"`
	CustomCookieName *string           `json:"custom_cookie_name"`
	LegacyV4         bool              `json:"legacy_v4"`
	MaxAge           int64             `json:"max_age"`
	CookieHeader     *string           `json:"cookie_header"`
	Expect           struct {
		Status          int               `json:"status"`
		Headers         map[string]string `json:"headers"`
		BodyRaw         string            `json:"body_raw"`
		SetCookie       []string          `json:"set_cookie"`
		RefreshedClaims json.RawMessage   `json:"refreshed_claims"`
		Token           json.RawMessage   `json:"token"`
		Raw             *string           `json:"raw"`
		DecodeError     *string           `json:"decode_error"`
		DecodeMessage   *string           `json:"decode_error_message"`
	} `json:"expect"`
}

// ID is "category/name", unique across the set.
func (v *Vector) ID() string { return v.Category + "/" + v.Name }

// Now is the clock the vector was produced at.
func (v *Vector) Now() time.Time { return time.UnixMilli(v.NowMS).UTC() }

// Header is the Cookie header sent ("" for none).
func (v *Vector) Header() string { return Deref(v.CookieHeader) }

// HasSession reports whether Auth.js answered with a session.
func (v *Vector) HasSession() bool { return v.Expect.BodyRaw != "null" && v.Expect.BodyRaw != "{}" }

// LocalJWT is the local-JWT configuration of a vector's Auth.js: its base
// URL, secrets and maxAge in seconds, refreshing cookies as Auth() does.
func LocalJWT(baseURL string, secrets []string, maxAge int64) resolver.Config {
	return resolver.Config{
		Mode:           resolver.ModeLocal,
		Strategy:       resolver.StrategyJWT,
		BaseURL:        baseURL,
		Secrets:        secrets,
		MaxAge:         time.Duration(maxAge) * time.Second,
		RefreshCookies: true,
	}
}

// Config is the local-JWT configuration the vector was produced under.
func (v *Vector) Config() resolver.Config {
	cfg := LocalJWT(v.BaseURL, v.Secrets, v.MaxAge)
	cfg.LegacyV4 = v.LegacyV4
	if v.CustomCookieName != nil {
		cfg.CookieName = *v.CustomCookieName
	}
	return cfg
}

// Input is the request the vector sent, as the resolver reads it.
func (v *Vector) Input() resolver.Input {
	if v.CookieHeader == nil {
		return resolver.Input{}
	}
	return resolver.FromCookieHeader(*v.CookieHeader)
}

// Deref is *s, or "" for nil.
func Deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// Vectors loads the session vectors, failing on a duplicate ID.
func Vectors(t testing.TB) []*Vector {
	t.Helper()
	all := Load[*Vector](t, "")
	seen := map[string]bool{}
	for _, v := range all {
		if seen[v.ID()] {
			t.Fatalf("duplicate vector %q in %s", v.ID(), VectorDir)
		}
		seen[v.ID()] = true
	}
	return all
}

// Load decodes every VectorDir/sub/*.json (sub "" for the session vectors)
// in file name order, each file a JSON array of T. No file is a failure:
// the vectors are committed, so an empty set means a broken checkout.
func Load[T any](t testing.TB, sub string) []T {
	t.Helper()
	dir := filepath.Join(VectorDir, sub)
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no interop vectors in %s (err %v): run `node gen-vectors.mjs` in testdata/authjs", dir, err)
	}
	sort.Strings(files)
	var all []T
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var vs []T
		if err := json.Unmarshal(b, &vs); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		all = append(all, vs...)
	}
	return all
}

var csrfValue = regexp.MustCompile(`^[0-9a-f]{64}%7C[0-9a-f]{64}$`)

// CookieShape blanks what is random in a Set-Cookie line: the CSRF token
// pair and a refreshed (non-empty) session token value.
func CookieShape(line string) string {
	nv, attrs, _ := strings.Cut(line, ";")
	name, val, _ := strings.Cut(nv, "=")
	switch {
	case strings.Contains(name, "csrf-token"):
		if csrfValue.MatchString(val) {
			val = "<csrf>"
		}
	case strings.Contains(name, "callback-url"):
	case val != "":
		val = "<token>"
	}
	return name + "=" + val + ";" + attrs
}
