package betterauth

import (
	"strings"
	"testing"

	"github.com/authscope/authscope/resolver"
)

// TestParseBodyRoundTrip: every get-session body a real server answered
// parses and marshals back to the same bytes, which is what proxy mode and
// serve rely on.
func TestParseBodyRoundTrip(t *testing.T) {
	n := 0
	for _, cat := range []string{"database", "cookie_cache"} {
		for _, v := range loadVectors(t, cat) {
			if v.Expect.Status != 200 || v.Expect.BodyRaw == "" {
				continue
			}
			s, err := ParseBody([]byte(v.Expect.BodyRaw))
			if err != nil {
				t.Fatalf("%s/%s: %v", cat, v.Name, err)
			}
			if got := string(MarshalBody(s)); got != v.Expect.BodyRaw {
				t.Errorf("%s/%s: round trip\n got %s\nwant %s", cat, v.Name, got, v.Expect.BodyRaw)
			}
			n++
		}
	}
	if n < 10 {
		t.Fatalf("only %d bodies replayed", n)
	}
}

func TestParseBodyRefuses(t *testing.T) {
	for _, b := range []string{"", "[]", `{"session":{}}`, `{"user":{},"session":1}`, "{"} {
		if _, err := ParseBody([]byte(b)); err == nil {
			t.Errorf("ParseBody(%q) accepted", b)
		}
	}
	if s, err := ParseBody([]byte("null")); s != nil || err != nil {
		t.Fatalf("null: %v %v", s, err)
	}
}

func TestUpstreamProtocolPrefix(t *testing.T) {
	p := UpstreamProtocol(Config{BaseURL: "https://a.test"})
	if p.Path != "/get-session" || p.CookiePrefix != "__Secure-better-auth." {
		t.Fatalf("protocol %q %q", p.Path, p.CookiePrefix)
	}
}

func TestRedactBody(t *testing.T) {
	v := loadVectors(t, "database")[0]
	s, err := ParseBody([]byte(v.Expect.BodyRaw))
	if err != nil {
		t.Fatal(err)
	}
	red := resolver.NewRedactor(resolver.RedactOptions{Key: []byte("k")})
	got := string(MarshalBody(RedactBody(s, red, []string{"userAgent"})))
	for _, secret := range []string{"G0mfKhsHFIKhNhjWwtMJGVsJxYwV1fm6", "ada@example.test", "Ada Lovelace", "203.0.113.7", "3wuHATtdGBZPTa1CsXycuIjB4hr81liK"} {
		if strings.Contains(got, secret) {
			t.Errorf("redacted body shows %q: %s", secret, got)
		}
	}
	for _, kept := range []string{`"expiresAt":"2026-01-22T10:00:00.000Z"`, `"userAgent":"authscope-vectors/1"`, `"email":"a•••@example.test"`, `"emailVerified":false`, `"token":"fp:`} {
		if !strings.Contains(got, kept) {
			t.Errorf("redacted body lacks %s: %s", kept, got)
		}
	}
	rev := string(MarshalBody(RedactBody(s, red.WithReveal(true), nil)))
	if strings.Contains(rev, "G0mfKhsHFIKhNhjWwtMJGVsJxYwV1fm6") || !strings.Contains(rev, "Ada Lovelace") {
		t.Errorf("revealed body: %s", rev)
	}
}
