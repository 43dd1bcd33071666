package nethttp_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/authscope/authscope/examples/internal/sessiontest"
	"github.com/authscope/authscope/examples/nethttp"
)

func TestNetHTTP(t *testing.T) {
	r, cookie := sessiontest.Resolver(t)
	srv := httptest.NewServer(nethttp.New(r))
	defer srv.Close()
	for _, c := range []struct {
		path, cookie, body string
		status             int
		refreshed          bool
	}{
		{"/api/me", cookie, "user u1", 200, true},
		{"/api/me", "", `{"error":"unauthorized"}`, 401, false},
		{"/public", cookie, "welcome back, Ada", 200, true},
		{"/public", "", "welcome, stranger", 200, false},
	} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+c.path, nil)
		if c.cookie != "" {
			req.Header.Set("Cookie", c.cookie)
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.status || string(body) != c.body {
			t.Errorf("%s cookie=%v: %d %q, want %d %q", c.path, c.cookie != "", resp.StatusCode, body, c.status, c.body)
		}
		sc := resp.Header.Get("Set-Cookie")
		if got := strings.HasPrefix(sc, "authjs.session-token=eyJ"); got != c.refreshed {
			t.Errorf("%s cookie=%v: Set-Cookie %q", c.path, c.cookie != "", sc)
		}
	}
}
