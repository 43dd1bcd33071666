package resolver

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"
)

// The values below hold recognisable secrets: a session token, a JWE, auth
// secrets, an e-mail, a name, an avatar URL and a user id. Every accidental
// rendering (fmt verbs, slog text and JSON) must hide them all while still
// saying something useful (reason, cookie names, counts, masked forms).
const (
	fmtToken  = "tok-SECRET-9f8e7d6c5b4a"
	fmtJWE    = "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2Q0JDLUhTNTEyIn0..IV-SECRET.CIPHER-SECRET.TAG-SECRET"
	fmtSecret = "auth-secret-SECRET-0123456789abcdef"
	fmtEmail  = "bob.secret@example.org"
	fmtName   = "Bobby Secretname"
	fmtImage  = "https://img.example.org/SECRETIMG.png"
	fmtUserID = "user-SECRET-id-42"
)

func fmtSecrets() []string {
	return []string{fmtToken, "SECRET", fmtJWE, fmtSecret, fmtEmail, "bob.secret", fmtName, "Bobby", "Secretname", fmtImage, fmtUserID,
		// the sample session's personal data
		"alice.smith", "Alice", "van Dyke", "12345.png", "8f14e45f-ceea", "acme-secret", "ya29.secret"}
}

func fmtStoredUser() *StoredUser {
	name, email, image := fmtName, fmtEmail, fmtImage
	verified := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	return &StoredUser{ID: fmtUserID, Name: &name, Email: &email, Image: &image, EmailVerified: &verified}
}

type fmtCase struct {
	name  string
	value any
	// want appear in every fmt verb and in slog's text output; wantJSON in
	// slog's JSON output (nil: want again).
	want, wantJSON []string
	// pointerInSlice: fmt prints the value as an address when nested
	// (a *Config has no Format of its own), so only leaks are checked there.
	pointerInSlice bool
}

func fmtCases() []fmtCase {
	in := FromCookieHeader("authjs.session-token=" + fmtToken + "; theme=dark-SECRET; " + fmtSecret)
	res := Result{
		Session: sampleSession(),
		Reason:  ReasonOK,
		Source:  "jwt",
		SetCookies: []*http.Cookie{
			{Name: "authjs.session-token", Value: fmtJWE, Path: "/", HttpOnly: true},
			{Name: "authjs.session-token.1", Value: "", MaxAge: -1},
		},
	}
	failed := Result{Reason: ReasonExpired, Source: "database", Err: errors.New("session expired at 2026-01-01T00:00:00Z")}
	ss := StoredSession{Token: fmtToken, UserID: fmtUserID, Expires: time.Date(2026, 7, 8, 9, 10, 11, 0, time.UTC)}
	su := fmtStoredUser()
	fp := defaultRedactor.Fingerprint(fmtToken)
	cfg := Config{Mode: ModeLocal, Strategy: StrategyJWT, BaseURL: "https://app.example.com", Secrets: []string{fmtSecret, fmtSecret + "-old"}}
	cfg.Proxy.Headers = map[string]string{"Authorization": "Bearer " + fmtSecret, "X-Api-Key": fmtToken}
	var empty Config
	return []fmtCase{
		{name: "Input", value: in, want: []string{"authjs.session-token=", "theme=", defaultRedactor.Fingerprint(fmtToken)}},
		{name: "*Input", value: &in, want: []string{"authjs.session-token=", "theme="}},
		{name: "Input/empty", value: Input{}, want: nil},
		{name: "Result", value: res, want: []string{"session", "jwt", "authjs.session-token", "authjs.session-token.1", "a•••@example.com", "A••• v••• D•••"}},
		{name: "*Result", value: &res, want: []string{"session", "jwt", "authjs.session-token", "a•••@example.com"}},
		{name: "Result/failed", value: failed, want: []string{"expired", "database", "session expired at"}},
		{name: "StoredSession", value: ss, want: []string{fp, "user…", "2026"}},
		{name: "*StoredSession", value: &ss, want: []string{fp, "user…"}},
		{name: "StoredUser", value: *su, want: []string{"b•••@example.org", "B••• S•••", "user…", "2025"}},
		{name: "*StoredUser", value: su, want: []string{"b•••@example.org", "B••• S•••"}},
		{name: "SessionRow", value: SessionRow{Session: ss, User: su}, want: []string{fp, "b•••@example.org", "B••• S•••"}},
		{name: "*SessionRow/no user", value: &SessionRow{Session: ss}, want: []string{fp, "user…"}},
		// JSON leaves Secrets out (json:"-"), so only text shows the count.
		{name: "Config", value: cfg, want: []string{"2 redacted", "local", "app.example.com", "Authorization:[redacted]"}, wantJSON: []string{"local", "app.example.com", "X-Api-Key"}},
		{name: "*Config", value: &cfg, want: []string{"2 redacted", "local", "X-Api-Key:[redacted]"}, wantJSON: []string{"local", "Authorization"}, pointerInSlice: true},
		{name: "ProxyConfig.Headers", value: cfg.Proxy.Headers, want: []string{"Authorization:[redacted] X-Api-Key:[redacted]"}, wantJSON: []string{"Authorization"}},
		{name: "Config/no secrets", value: empty, want: nil, wantJSON: nil},
		{name: "Config.Secrets", value: cfg.Secrets, want: []string{"2 redacted"}},
	}
}

// renderings formats v every way a stray print or log line could.
func renderings(t *testing.T, v any) (fmts map[string]string, text, js string) {
	t.Helper()
	fmts = map[string]string{}
	for _, verb := range []string{"%v", "%+v", "%s", "%#v", "%q"} {
		fmts[verb] = fmt.Sprintf(verb, v)
	}
	fmts["Sprint"] = fmt.Sprint(v)
	fmts["in a slice"] = fmt.Sprintf("%+v", []any{v})
	var tb, jb bytes.Buffer
	slog.New(slog.NewTextHandler(&tb, nil)).Info("msg", "v", v)
	slog.New(slog.NewJSONHandler(&jb, nil)).Info("msg", "v", v)
	if !json.Valid(bytes.TrimSpace(jb.Bytes())) {
		t.Errorf("slog JSON output is not JSON: %s", jb.String())
	}
	return fmts, tb.String(), jb.String()
}

func TestRedactedFormattingHidesSecrets(t *testing.T) {
	for _, c := range fmtCases() {
		t.Run(c.name, func(t *testing.T) {
			fmts, text, js := renderings(t, c.value)
			outs := map[string]string{"slog text": text, "slog JSON": js}
			for k, v := range fmts {
				outs[k] = v
			}
			for how, out := range outs {
				for _, s := range fmtSecrets() {
					if strings.Contains(out, s) {
						t.Errorf("%s leaks %q:\n%s", how, s, out)
					}
				}
				want := c.want
				if how == "slog JSON" && c.wantJSON != nil {
					want = c.wantJSON
				}
				if how == "%q" || how == "in a slice" && c.pointerInSlice {
					continue // %q: quoting escapes the mask glyphs
				}
				for _, w := range want {
					if !strings.Contains(out, w) {
						t.Errorf("%s lacks %q:\n%s", how, w, out)
					}
				}
			}
		})
	}
}

// TestRedactedFormattingShapes pins the forms people read in logs: cookie
// names with fingerprints, set-cookie names, secret counts.
func TestRedactedFormattingShapes(t *testing.T) {
	in := FromCookieHeader("authjs.session-token=" + fmtToken + "; theme=")
	fp := defaultRedactor.Fingerprint(fmtToken)
	want := fmt.Sprintf("{cookies:[authjs.session-token=<%s len=%d> theme=]}", fp, len(fmtToken))
	if got := fmt.Sprintf("%+v", in); got != want {
		t.Errorf("%%+v Input = %s, want %s", got, want)
	}
	cfg := Config{Secrets: []string{"a", "b"}}
	if got := fmt.Sprintf("%v", cfg.Secrets); got != "[2 redacted]" {
		t.Errorf("Secrets = %s", got)
	}
	if got := fmt.Sprintf("%+v", Config{}.Secrets); got != "[]" {
		t.Errorf("no secrets = %s", got)
	}
	res := Result{Reason: ReasonNoCookie, Source: "jwt", SetCookies: []*http.Cookie{{Name: "a", Value: fmtJWE}}}
	if got, want := fmt.Sprintf("%+v", res), "{Session:<nil> Reason:no_cookie Err:<nil> Source:jwt SetCookies:[a]}"; got != want {
		t.Errorf("%%+v Result = %s, want %s", got, want)
	}
	if got := fmt.Sprintf("%#v", res); !strings.HasPrefix(got, "resolver.Result{") || !strings.Contains(got, `Reason:"no_cookie"`) {
		t.Errorf("%%#v Result = %s", got)
	}
	var nilRes *Result
	if got := fmt.Sprintf("%+v", nilRes); got != "<nil>" {
		t.Errorf("nil *Result = %s", got)
	}
}

// TestRedactedFormattingKeepsWire: the redacting fmt and slog forms must not
// change what is serialised on purpose (the /session body) nor how callers
// use the secrets.
func TestRedactedFormattingKeepsWire(t *testing.T) {
	b, err := json.Marshal(sampleSession())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "alice.smith@example.com") {
		t.Errorf("/session body redacted: %s", b)
	}
	// Callers keep using Secrets as a []string.
	cfg := Config{Secrets: []string{"x", "y"}}
	if got := strings.Join(cfg.Secrets, ","); got != "x,y" {
		t.Errorf("secrets unusable as strings: %q", got)
	}
}
