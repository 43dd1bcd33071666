package cli

import (
	"flag"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/authscope/authscope/resolver"
)

func TestParseAgeAcceptsSecondsAndDurations(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
		bad  bool
	}{
		{in: "2592000", want: 720 * time.Hour},
		{in: "720h", want: 720 * time.Hour},
		{in: "90", want: 90 * time.Second},
		{in: "1.5", want: 1500 * time.Millisecond},
		{in: "1m30s", want: 90 * time.Second},
		{in: "0", want: 0},
		{in: "abc", bad: true},
		{in: "-1", bad: true},
		{in: "-1h", bad: true},
		{in: "NaN", bad: true},
		{in: "1e300", bad: true},
	} {
		got, err := parseAge(tc.in)
		if (err != nil) != tc.bad || got != tc.want {
			t.Errorf("parseAge(%q) = %v, %v; want %v (error %v)", tc.in, got, err, tc.want, tc.bad)
		}
	}
}

func TestParseInstantAcceptsUnixAndRFC3339(t *testing.T) {
	want := time.Date(2025, 11, 27, 8, 0, 0, 0, time.UTC)
	for _, in := range []string{"1764230400", "2025-11-27T08:00:00Z", "2025-11-27T09:00:00+01:00", "1764230400.0004"} {
		got, err := parseInstant(in)
		if err != nil || !got.Equal(want) {
			t.Errorf("parseInstant(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if got, _ := parseInstant("1764230400.25"); got.UnixMilli() != 1764230400250 {
		t.Errorf("fractional seconds: %v", got)
	}
	for _, in := range []string{"yesterday", "-1", "253402300800", "1969-12-31T23:59:59Z", "2025-11-27", "+Inf", "NaN"} {
		if _, err := parseInstant(in); err == nil {
			t.Errorf("parseInstant(%q) accepted", in)
		}
	}
}

// TestFlagErrorsNameTheFlagAndForm: a bad flag value is reported before
// any configuration is read, naming the flag and the form it expects.
func TestFlagErrorsNameTheFlagAndForm(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		args []string
		want string
	}{
		// No secret either: the flag is what is wrong first.
		{nil, []string{"resolve", "--now", "yesterday"}, `--now "yesterday": want Unix seconds`},
		{testEnv, []string{"resolve", "--max-age", "abc"}, `--max-age "abc": want seconds (2592000) or a Go duration`},
		{testEnv, []string{"mint", "--max-age", "abc"}, `--max-age "abc": want seconds`},
		{testEnv, []string{"seed", "--max-age", "abc"}, `--max-age "abc": want seconds`},
		{testEnv, []string{"seed", "--now", "tomorrow"}, `--now "tomorrow": want Unix seconds`},
		{testEnv, []string{"seed", "--users", "many"}, `--users "many": want a whole number`},
		{testEnv, []string{"serve", "--cache-ttl", "5"}, `--cache-ttl "5": want a Go duration`},
	} {
		code, _, errs := runCLI(t, tc.env, "", tc.args...)
		if code != 2 || !strings.Contains(errs, tc.want) || strings.Count(errs, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and one line with %q", tc.args, code, errs, tc.want)
		}
		if strings.Contains(errs, "secret") || strings.Contains(errs, "parse error") {
			t.Errorf("%v: stderr %q is not about the flag", tc.args, errs)
		}
	}
}

// TestMaxAgeAndNowMeanTheSameEverywhere: seconds and a duration, Unix
// seconds and RFC 3339, give the same token and the same session.
func TestMaxAgeAndNowMeanTheSameEverywhere(t *testing.T) {
	claims := `{"sub":"u1"}`
	tokenOf := func(args ...string) string {
		cookie := mintCookie(t, claims, args...)
		code, out, errs := runCLI(t, testEnv, cookie, "resolve", "--now", testNow, "--output", "token", "--reveal")
		if code != 0 {
			t.Fatalf("resolve: exit %d: %s", code, errs)
		}
		return out
	}
	a := tokenOf("--max-age", "3600")
	b := tokenOf("--max-age", "1h", "--now", "2025-11-27T08:00:00Z")
	// jti is random per token: compare the times.
	const times = `"iat":1764230400,"exp":1764234000`
	if !strings.Contains(a, times) || !strings.Contains(b, times) {
		t.Errorf("--max-age 3600 --now %s gave %s; --max-age 1h --now RFC 3339 gave %s", testNow, a, b)
	}
	cookie := mintCookie(t, claims)
	_, x, _ := runCLI(t, testEnv, cookie, "resolve", "--now", testNow, "--max-age", "60")
	_, y, _ := runCLI(t, testEnv, cookie, "resolve", "--now", "2025-11-27T08:00:00Z", "--max-age", "1m")
	if x != y || !strings.Contains(x, `"expires":"2025-11-27T08:01:00.000Z"`) {
		t.Errorf("resolve: seconds gave %s, duration and RFC 3339 gave %s", x, y)
	}

	// seed takes the same forms.
	for _, args := range [][]string{
		{"--now", testNow, "--max-age", "2592000", "--update-age", "86400"},
		{"--now", "2025-11-27T08:00:00Z", "--max-age", "720h", "--update-age", "24h"},
	} {
		db := "sqlite:" + filepath.Join(t.TempDir(), "s.db")
		code, out, errs := runCLI(t, nil, "", append([]string{"seed", "--db", db, "--users", "2", "--sessions", "3"}, args...)...)
		if code != 0 || !strings.Contains(out, "3 sessions added") {
			t.Errorf("seed %v: exit %d, out %q, stderr %q", args, code, out, errs)
		}
	}
}

// --token-memo: absent leaves the profile's size, 0 turns the memo off,
// a negative or non-numeric count is a usage error.
func TestServeTokenMemoFlag(t *testing.T) {
	for _, c := range []struct {
		args    []string
		profile *int
		want    string // "nil" or the size layered into the configuration
		bad     bool
	}{
		{nil, nil, "nil", false},
		{nil, ptr(7), "7", false},
		{[]string{"--token-memo", "0"}, ptr(7), "0", false},
		{[]string{"--token-memo", "100"}, nil, "100", false},
		{[]string{"--token-memo", "-1"}, nil, "", true},
		{[]string{"--token-memo", "many"}, nil, "", true},
	} {
		var s serveFlags
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		s.register(fs, "127.0.0.1:0")
		err := fs.Parse(c.args)
		if c.bad {
			if err == nil {
				t.Errorf("%v: accepted", c.args)
			}
			continue
		}
		cfg := resolver.Config{TokenMemo: c.profile}
		if err != nil || s.layer(&cfg) != nil {
			t.Fatalf("%v: %v", c.args, err)
		}
		got := "nil"
		if cfg.TokenMemo != nil {
			got = strconv.Itoa(*cfg.TokenMemo)
		}
		if got != c.want {
			t.Errorf("%v over profile %v: token memo %s, want %s", c.args, c.profile, got, c.want)
		}
	}
}

func ptr(n int) *int { return &n }
