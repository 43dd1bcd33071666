package betterauth

import (
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

const fuzzSecret = "test-only-fuzz-secret-0123456789abcdef0123"

// FuzzParseSignedCookie: the parser never panics, accepts only values whose
// signature is the HMAC of what it returns, and every accepted value
// round-trips through SignCookieValue. Seeds: testdata/fuzz and the
// cookies of a real sign-up.
func FuzzParseSignedCookie(f *testing.F) {
	f.Add("yFDOHz67v6BdEPlkrDanxea7UPtndkdj.OB/tCPN7oSgN+yRewPUS4AhDtgVgYO9yRmCvYpVNNk4=", fuzzSecret)
	f.Add(tryDecode(SignCookieValue("token", fuzzSecret)), fuzzSecret)
	f.Add(".AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "")
	f.Add("a.b.c", "s")
	f.Fuzz(func(t *testing.T, value, secret string) {
		got, err := ParseSignedCookie(value, secret)
		if err != nil {
			if got != "" {
				t.Fatalf("error %v with value %q", err, got)
			}
			if !errors.Is(err, ErrNotSigned) && !errors.Is(err, ErrBadSignature) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if !strings.HasPrefix(value, got+".") {
			t.Fatalf("returned %q is not the signed part of %q", got, value)
		}
		resigned := tryDecode(SignCookieValue(got, secret))
		if _, err := ParseSignedCookie(resigned, secret); err != nil {
			t.Fatalf("re-signed value refused: %v", err)
		}
		// atob ignores trailing bits, so the accepted signature may differ
		// from the canonical one only in its last significant character.
		if a, b := value[len(got)+1:], resigned[len(got)+1:]; a[:42] != b[:42] {
			t.Fatalf("accepted signature %q differs from the HMAC %q", a, b)
		}
	})
}

// FuzzParseCookies: the better-call cookie parser never panics and its
// first-wins map agrees with the walk.
func FuzzParseCookies(f *testing.F) {
	f.Add("a=1; b=2; a=3")
	f.Add(`x="q"; ;=; y=%zz; z=%41`)
	f.Fuzz(func(t *testing.T, h string) {
		m := parseCookies(h)
		seen := map[string]bool{}
		parseCookiesInto(h, func(k, v string) {
			if !seen[k] && m[k] != v {
				t.Fatalf("%q: map %q, walk %q", k, m[k], v)
			}
			seen[k] = true
		})
	})
}

func TestFresh(t *testing.T) {
	c := time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC)
	s := &Session{Session: Object{{"createdAt", c}}}
	for _, tc := range []struct {
		now  time.Time
		age  time.Duration
		want bool
	}{
		{c.Add(24*time.Hour - time.Millisecond), -1, true},
		{c.Add(24 * time.Hour), -1, false},
		{c.Add(time.Hour), time.Hour, false},
		{c.Add(999 * time.Hour), 0, true},
	} {
		if got := Fresh(s, tc.now, tc.age); got != tc.want {
			t.Errorf("Fresh(now=%v, age=%v) = %v", tc.now, tc.age, got)
		}
	}
	if Fresh(nil, c, 0) {
		t.Error("nil session fresh")
	}
}

// FuzzParseJSON: the ordered parser accepts exactly what encoding/json
// accepts (valid UTF-8 input), and what it writes back parses to the same
// bytes again.
func FuzzParseJSON(f *testing.F) {
	f.Add(`{"a":1,"b":[true,null,"x\u00e9\ud83d\ude00"],"a":2}`)
	f.Add(`{"session":{"expiresAt":"2026-01-22T10:00:00.000Z"},"n":-1.5e-7}`)
	f.Add(`[1e21, 0.1, -0, "\u2028<>&"]`)
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return
		}
		v, err := parseJSON([]byte(s), true)
		if (err == nil) != json.Valid([]byte(s)) {
			t.Fatalf("parseJSON err=%v, json.Valid=%v", err, json.Valid([]byte(s)))
		}
		if err != nil {
			return
		}
		out := AppendJS(nil, v)
		v2, err := parseJSON(out, true)
		if err != nil {
			t.Fatalf("re-parse %s: %v", out, err)
		}
		if again := AppendJS(nil, v2); string(again) != string(out) {
			t.Fatalf("not stable: %s then %s", out, again)
		}
	})
}

var isoRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z$`)

// FuzzIsoDate: the hand-written matcher is Better Auth's regular
// expression.
func FuzzIsoDate(f *testing.F) {
	for _, s := range []string{"2026-01-22T10:00:00.000Z", "2026-01-22T10:00:00Z", "2026-01-22T10:00:00.Z", "2026-01-22 10:00:00Z", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if isoDate(s) != isoRE.MatchString(s) {
			t.Fatalf("isoDate(%q) = %v", s, isoDate(s))
		}
	})
}

// FuzzDecodeCache: no cookie-cache value makes any decoder panic, and an
// accepted compact cache re-encodes (same payload, same expiry) to a value
// that decodes again.
func FuzzDecodeCache(f *testing.F) {
	sec := Secrets{Current: fuzzSecret}
	data := Object{{"session", Object{{"id", "s"}, {"createdAt", "2026-01-15T10:00:00.000Z"}, {"updatedAt", "2026-01-15T10:00:00.000Z"}, {"userId", "u"}, {"expiresAt", "2026-01-22T10:00:00.000Z"}, {"token", "t"}}},
		{"user", Object{{"id", "u"}, {"createdAt", "2026-01-15T10:00:00.000Z"}, {"updatedAt", "2026-01-15T10:00:00.000Z"}, {"email", "a@b"}, {"name", "A"}}},
		{"updatedAt", 1.0}, {"version", "1"}}
	now := time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC)
	f.Add("compact", encodeCacheCompact(data, fuzzSecret, now.UnixMilli()+300_000))
	f.Add("jwt", signCacheJWT(data, fuzzSecret, now, 300))
	f.Add("jwe", "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2Q0JDLUhTNTEyIn0....")
	keys, err := deriveJWEKeys(sec.All(), jweSalt)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, strategy, value string) {
		e, err := decodeCache(strategy, value, sec, keys, now)
		if err != nil || strategy != "compact" && strategy != "" {
			return
		}
		back := Object{{"session", e.Payload.Session.Session}, {"user", e.Payload.Session.User}, {"updatedAt", e.Payload.UpdatedAt}, {"version", "1"}}
		if _, err := decodeCache(strategy, encodeCacheCompact(back, fuzzSecret, e.ExpiresAt.UnixMilli()), sec, keys, now); err != nil {
			t.Fatalf("re-encoded cache refused: %v", err)
		}
	})
}
