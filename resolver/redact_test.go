package resolver

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func sampleSession() *Session {
	return &Session{
		User: User{
			Name:  String("Alice van Dyke"),
			Email: String("alice.smith@example.com"),
			Image: String("https://cdn.example.com/u/12345.png"),
			ID:    "8f14e45f-ceea-467f-a0e6-7f2a51b4c9d1",
			Extra: []Member{{Name: "role", Value: String("admin")}, {Name: "tenant", Value: String("acme-secret")}},
		},
		Expires: time.Date(2026, 12, 27, 8, 0, 0, 0, time.UTC),
		Extra:   []Member{{Name: "accessToken", Value: String("ya29.secret-access-token")}},
	}
}

// secretsOf lists the strings that must never appear while redacting.
var secretsOf = []string{"alice.smith", "Alice", "van Dyke", "12345.png", "8f14e45f-ceea", "acme-secret", "ya29.secret"}

func TestRedactorSession(t *testing.T) {
	r := NewRedactor(RedactOptions{Allow: []string{"role"}, Key: []byte("k")})
	got := r.Session(sampleSession())
	if s, _ := got.User.Email.Str(); s != "a•••@example.com" {
		t.Errorf("email = %q", s)
	}
	if s, _ := got.User.Name.Str(); s != "A••• v••• D•••" {
		t.Errorf("name = %q", s)
	}
	if got.User.Image.IsSet() {
		t.Errorf("image kept: %v", got.User.Image.Any())
	}
	if got.User.ID != "8f14…" {
		t.Errorf("id = %q", got.User.ID)
	}
	want := []Member{{Name: "role", Value: String("admin")}, {Name: "tenant", Value: String(Mask)}}
	if diff := cmp.Diff(want, got.User.Extra, cmp.AllowUnexported(Value{})); diff != "" {
		t.Errorf("user extra (-want +got):\n%s", diff)
	}
	if v, _ := got.Extra[0].Value.Str(); v != Mask {
		t.Errorf("session extra not masked: %q", v)
	}
	// The original is untouched.
	if s, _ := sampleSession().User.Email.Str(); s != "alice.smith@example.com" {
		t.Fatal("sample changed")
	}
}

func TestRedactorKeepsNullAndAbsent(t *testing.T) {
	r := NewRedactor(RedactOptions{})
	got := r.Session(&Session{User: User{Name: Null()}})
	if !got.User.Name.IsNull() || got.User.Email.IsSet() {
		t.Errorf("shape changed: name=%v email set=%v", got.User.Name, got.User.Email.IsSet())
	}
}

func TestRedactorReveal(t *testing.T) {
	s := sampleSession()
	r := NewRedactor(RedactOptions{Reveal: true})
	if r.Session(s) != s {
		t.Error("reveal should return the session as is")
	}
	if !r.Revealing() || r.WithReveal(false).Revealing() {
		t.Error("WithReveal")
	}
}

func TestFingerprint(t *testing.T) {
	a := NewRedactor(RedactOptions{})
	b := NewRedactor(RedactOptions{})
	tok := "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2Q0JDLUhTNTEyIn0..iv.ct.tag"
	fa := a.Fingerprint(tok)
	if len(fa) != 12 || fa != a.Fingerprint(tok) {
		t.Fatalf("fingerprint %q not stable", fa)
	}
	if fa == b.Fingerprint(tok) {
		t.Error("two runs share a fingerprint key")
	}
	if a.WithReveal(true).Fingerprint(tok) != fa {
		t.Error("reveal must keep the key")
	}
	if strings.Contains(tok, fa) || a.Fingerprint("") != "" {
		t.Error("fingerprint leaks or empty token fingerprinted")
	}
}

func TestMasks(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"bob@example.org", "b•••@example.org"},
		{"@example.org", "•••@example.org"},
		{"not-an-email", "n•••"},
		{"élodie@exemple.fr", "é•••@exemple.fr"},
		{"", "•••"},
	} {
		if got := MaskEmail(tc.in); got != tc.want {
			t.Errorf("MaskEmail(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := MaskName("  Zoë \t Ångström "); got != "Z••• Å•••" {
		t.Errorf("MaskName = %q", got)
	}
}

func TestClaimsRedaction(t *testing.T) {
	r := NewRedactor(RedactOptions{Allow: []string{"role"}})
	c := Claims{"name": "Alice van Dyke", "email": "alice.smith@example.com", "picture": "https://x/12345.png",
		"sub": "8f14e45f-ceea", "jti": "0b8e-4e1a", "iat": 1, "exp": 2, "role": "admin", "tenant": "acme-secret"}
	got := r.Claims(c)
	want := Claims{"name": "A••• v••• D•••", "email": "a•••@example.com", "sub": "8f14…", "jti": "0b8e…",
		"iat": 1, "exp": 2, "role": "admin", "tenant": Mask}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("claims (-want +got):\n%s", diff)
	}
}

// TestNoLeakThroughFmtOrSlog prints sessions, users, values and claims in
// every common way and checks no personal datum survives.
func TestNoLeakThroughFmtOrSlog(t *testing.T) {
	s := sampleSession()
	c := Claims{"email": "alice.smith@example.com", "name": "Alice van Dyke", "tenant": "acme-secret"}
	var out bytes.Buffer
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		fmt.Fprintf(&out, verb+"\n", s)
		fmt.Fprintf(&out, verb+"\n", *s)
		fmt.Fprintf(&out, verb+"\n", s.User)
		fmt.Fprintf(&out, verb+"\n", s.User.Email)
		fmt.Fprintf(&out, verb+"\n", c)
	}
	fmt.Fprintln(&out, s, s.User, c, []*Session{s}, map[string]any{"s": s})
	l := slog.New(slog.NewJSONHandler(&out, nil))
	l.Info("resolved", "session", s, "user", s.User, "claims", c, "email", s.User.Email)
	slog.New(slog.NewTextHandler(&out, nil)).Info("resolved", "session", s, "claims", c)
	for _, secret := range secretsOf {
		if strings.Contains(out.String(), secret) {
			t.Errorf("output leaks %q:\n%s", secret, out.String())
		}
	}
	if !strings.Contains(out.String(), "a•••@example.com") {
		t.Errorf("redacted e-mail missing from output:\n%s", out.String())
	}
}
