package resolver

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// staticResolver returns one fixed answer.
type staticResolver struct {
	res Result
	err error
}

func (s staticResolver) Resolve(context.Context, Input) (Result, error) { return s.res, s.err }

const testCSRFSecret = "handler-test-secret"

func validCSRFCookie(secret string) string {
	tok := strings.Repeat("ab", 32)
	return "authjs.csrf-token=" + tok + "%7C" + sha256Hex(tok+secret)
}

var csrfLine = regexp.MustCompile(`^authjs\.csrf-token=([0-9a-f]{64})%7C([0-9a-f]{64}); Path=/; HttpOnly; SameSite=Lax$`)

func serve(h http.Handler, method, target, cookie string, body string, ct string) *httptest.ResponseRecorder {
	var r *http.Request
	if body != "" {
		r = httptest.NewRequest(method, target, strings.NewReader(body))
		r.Header.Set("Content-Type", ct)
	} else {
		r = httptest.NewRequest(method, target, nil)
	}
	if cookie != "" {
		r.Header.Set("Cookie", cookie)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestHandlerShape(t *testing.T) {
	exp := time.Date(2026, 12, 27, 8, 0, 0, 0, time.UTC)
	res := Result{
		Session: &Session{User: User{Name: String("Ada"), Email: Null()}, Expires: exp},
		Reason:  ReasonOK,
		SetCookies: []*http.Cookie{{Name: "authjs.session-token", Value: "NEW", Path: "/", Expires: exp,
			HttpOnly: true, SameSite: http.SameSiteLaxMode}},
	}
	h := NewHandler(staticResolver{res: res}, Config{Secrets: []string{testCSRFSecret}})

	w := serve(h, "GET", "http://localhost:3000/api/auth/session", "authjs.session-token=OLD", "", "")
	if w.Code != 200 {
		t.Fatalf("status %d", w.Code)
	}
	wantHdr := map[string]string{"Content-Type": "application/json", "Cache-Control": "private, no-cache, no-store", "Expires": "0", "Pragma": "no-cache"}
	for k, v := range wantHdr {
		if got := w.Header().Get(k); got != v {
			t.Errorf("%s: %q, want %q", k, got, v)
		}
	}
	if got, want := w.Body.String(), `{"user":{"name":"Ada","email":null},"expires":"2026-12-27T08:00:00.000Z"}`; got != want {
		t.Errorf("body %s\nwant %s", got, want)
	}
	sc := w.Header().Values("Set-Cookie")
	if len(sc) != 3 || !csrfLine.MatchString(sc[0]) {
		t.Fatalf("Set-Cookie %q", sc)
	}
	if m := csrfLine.FindStringSubmatch(sc[0]); sha256Hex(m[1]+testCSRFSecret) != m[2] {
		t.Error("issued CSRF cookie does not verify under the secret")
	}
	if diff := cmp.Diff([]string{
		"authjs.callback-url=http%3A%2F%2Flocalhost%3A3000; Path=/; HttpOnly; SameSite=Lax",
		"authjs.session-token=NEW; Path=/; Expires=Sun, 27 Dec 2026 08:00:00 GMT; HttpOnly; SameSite=Lax",
	}, sc[1:]); diff != "" {
		t.Errorf("Set-Cookie (-want +got):\n%s", diff)
	}

	// A browser holding a valid CSRF cookie and the right callback-url gets neither again.
	w = serve(h, "GET", "http://localhost:3000/api/auth/session/?x=1",
		validCSRFCookie(testCSRFSecret)+"; authjs.callback-url=http%3A%2F%2Flocalhost%3A3000", "", "")
	if sc := w.Header().Values("Set-Cookie"); w.Code != 200 || len(sc) != 1 || !strings.HasPrefix(sc[0], "authjs.session-token=NEW") {
		t.Errorf("status %d Set-Cookie %q", w.Code, sc)
	}
}

func TestHandlerRouting(t *testing.T) {
	h := NewHandler(staticResolver{res: noSession(ReasonNoCookie, "jwt", nil)}, Config{Secrets: []string{testCSRFSecret}})
	for _, tc := range []struct {
		method, target string
		status         int
		body           string
	}{
		{"GET", "/api/auth/session", 200, "null"},
		{"GET", "/api/auth/session/", 200, "null"},
		{"GET", "/api/auth//session?callbackUrl=/x", 200, "null"},
		{"GET", "/api/authsession", 200, "null"}, // Auth.js's regex needs no slash
		{"GET", "/api/auth/csrf", 400, `"Bad request."`},
		{"GET", "/api/auth/session/extra", 400, `"Bad request."`},
		{"GET", "/api/auth", 400, `"Bad request."`},
		{"GET", "/other/session", 400, `"Bad request."`},
		{"PUT", "/api/auth/session", 400, `"Bad request."`},
		{"DELETE", "/api/auth/session", 400, `"Bad request."`},
		{"POST", "/api/auth/session", 400, "null"},
	} {
		w := serve(h, tc.method, "http://localhost:3000"+tc.target, "", "", "")
		if w.Code != tc.status || w.Body.String() != tc.body || w.Header().Get("Content-Type") != "application/json" {
			t.Errorf("%s %s: %d %q (%s), want %d %q", tc.method, tc.target, w.Code, w.Body.String(), w.Header().Get("Content-Type"), tc.status, tc.body)
		}
		if w.Code == 400 && len(w.Header().Values("Set-Cookie")) != 0 {
			t.Errorf("%s %s: 400 with Set-Cookie %q", tc.method, tc.target, w.Header().Values("Set-Cookie"))
		}
	}
}

func TestHandlerPost(t *testing.T) {
	h := NewHandler(staticResolver{res: noSession(ReasonNoCookie, "jwt", nil)}, Config{Secrets: []string{testCSRFSecret}})
	tok := strings.Repeat("ab", 32)
	ck := validCSRFCookie(testCSRFSecret) + "; authjs.callback-url=http%3A%2F%2Flocalhost%3A3000"
	for _, tc := range []struct {
		name, cookie, body, ct string
		status                 int
	}{
		{"json verified", ck, `{"csrfToken":"` + tok + `"}`, "application/json", 200},
		{"form verified", ck, "csrfToken=" + tok, "application/x-www-form-urlencoded", 200},
		{"wrong token", ck, `{"csrfToken":"nope"}`, "application/json", 400},
		{"no cookie", "", `{"csrfToken":"` + tok + `"}`, "application/json", 400},
		{"cookie under another secret", validCSRFCookie("other"), `{"csrfToken":"` + tok + `"}`, "application/json", 400},
	} {
		w := serve(h, "POST", "http://localhost:3000/api/auth/session", tc.cookie, tc.body, tc.ct)
		if w.Code != tc.status {
			t.Errorf("%s: status %d, want %d", tc.name, w.Code, tc.status)
		}
		if tc.status == 200 && (w.Header().Get("Cache-Control") != "" || len(w.Header().Values("Set-Cookie")) != 0) {
			t.Errorf("%s: update answers carry no cache headers and no new CSRF cookie: %v", tc.name, w.Header())
		}
		if tc.status == 400 && w.Body.String() != "null" {
			t.Errorf("%s: body %q, want null", tc.name, w.Body.String())
		}
	}
}

func TestHandlerCallbackURL(t *testing.T) {
	h := NewHandler(staticResolver{res: noSession(ReasonNoCookie, "jwt", nil)}, Config{Secrets: []string{testCSRFSecret}})
	csrf := validCSRFCookie(testCSRFSecret)
	for _, tc := range []struct {
		name, target, cookie, want string // want "" = no callback cookie
	}{
		{"absent", "/api/auth/session", "", "http%3A%2F%2Flocalhost%3A3000"},
		{"same", "/api/auth/session", "authjs.callback-url=http%3A%2F%2Flocalhost%3A3000", ""},
		{"path on origin kept", "/api/auth/session", "authjs.callback-url=http%3A%2F%2Flocalhost%3A3000%2Fdash", ""},
		{"relative made absolute", "/api/auth/session", "authjs.callback-url=%2Fdash", "http%3A%2F%2Flocalhost%3A3000%2Fdash"},
		{"foreign origin replaced", "/api/auth/session", "authjs.callback-url=https%3A%2F%2Fevil.example", "http%3A%2F%2Flocalhost%3A3000"},
		{"query param wins", "/api/auth/session?callbackUrl=%2Fnext", "authjs.callback-url=http%3A%2F%2Flocalhost%3A3000", "http%3A%2F%2Flocalhost%3A3000%2Fnext"},
	} {
		cookie := csrf
		if tc.cookie != "" {
			cookie += "; " + tc.cookie
		}
		sc := serve(h, "GET", "http://localhost:3000"+tc.target, cookie, "", "").Header().Values("Set-Cookie")
		var got string
		for _, l := range sc {
			if v, ok := strings.CutPrefix(l, "authjs.callback-url="); ok {
				got, _, _ = strings.Cut(v, ";")
			}
		}
		if got != tc.want {
			t.Errorf("%s: callback cookie %q, want %q (all: %q)", tc.name, got, tc.want, sc)
		}
	}
}

func TestHandlerResolverError(t *testing.T) {
	h := NewHandler(staticResolver{err: ErrUnconfigured}, Config{})
	w := serve(h, "GET", "http://localhost:3000/api/auth/session", "", "", "")
	if w.Code != 500 || w.Body.String() != configErrorBody {
		t.Errorf("%d %s", w.Code, w.Body.String())
	}
}

func TestHandlerSecureNames(t *testing.T) {
	h := NewHandler(staticResolver{res: noSession(ReasonNoCookie, "jwt", nil)},
		Config{BaseURL: "https://app.example", Secrets: []string{testCSRFSecret}})
	r := httptest.NewRequest("GET", "https://app.example/api/auth/session", nil)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	sc := w.Header().Values("Set-Cookie")
	if len(sc) != 2 || !strings.HasPrefix(sc[0], "__Host-authjs.csrf-token=") || !strings.HasSuffix(sc[0], "; Path=/; HttpOnly; Secure; SameSite=Lax") ||
		sc[1] != "__Secure-authjs.callback-url=https%3A%2F%2Fapp.example; Path=/; HttpOnly; Secure; SameSite=Lax" {
		t.Errorf("Set-Cookie %q", sc)
	}
}

func TestHandlerNeverLeaksErrorsToBody(t *testing.T) {
	h := NewHandler(staticResolver{err: errors.New("secret detail")}, Config{})
	w := serve(h, "GET", "http://localhost:3000/api/auth/session", "", "", "")
	if strings.Contains(w.Body.String(), "secret detail") {
		t.Error("error detail reached the body")
	}
}

func TestEncodeURIComponent(t *testing.T) {
	for in, want := range map[string]string{
		"":                       "",
		"abc-_.!~*'()XYZ09":      "abc-_.!~*'()XYZ09",
		"a|b":                    "a%7Cb",
		"http://localhost:3000/": "http%3A%2F%2Flocalhost%3A3000%2F",
		"Zoë %":                  "Zo%C3%AB%20%25",
	} {
		if got := jsEncodeURIComponent(in); got != want {
			t.Errorf("jsEncodeURIComponent(%q) = %q, want %q", in, got, want)
		}
	}
}
