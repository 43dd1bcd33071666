package server

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/authscope/authscope/internal/recentapi"
	"github.com/authscope/authscope/resolver"
)

// TestServerEndpoints: the routes a Server answers, the admin ones only
// with a secret and only for the bearer of it; the recent list in the
// shared wire format.
func TestServerEndpoints(t *testing.T) {
	cfg := resolver.Config{Mode: resolver.ModeLocal, Strategy: resolver.StrategyJWT, Secrets: []string{"s"}}.WithDefaults()
	now := time.Unix(1_800_000_000, 0).UTC()
	call := func(h *Server, method, path, cookie, bearer string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(method, path, strings.NewReader(`{"kind":"all"}`))
		if cookie != "" {
			r.Header.Set("Cookie", cookie)
		}
		if bearer != "" {
			r.Header.Set("Authorization", "Bearer "+bearer)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}

	open, err := New(Config{Resolver: cfg}, staticOK{}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if w := call(open, "GET", "/healthz", "", ""); w.Code != 200 || w.Body.String() != "ok\n" {
		t.Errorf("healthz: %d %q", w.Code, w.Body)
	}
	if w := call(open, "GET", "/api/auth/session", "", ""); w.Code != 200 {
		t.Errorf("session: %d", w.Code)
	}
	for _, p := range []string{InvalidatePath, recentapi.Path} {
		if w := call(open, "POST", p, "", "x"); w.Code == 200 {
			t.Errorf("%s answered without a secret configured", p)
		}
	}

	admin, err := New(Config{Resolver: cfg, InvalidateSecret: "admin", Recent: 5}, staticOK{}, Options{Clock: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	call(admin, "GET", "/api/auth/session", cfg.SessionCookieName()+"=tok-1", "")
	if w := call(admin, "GET", recentapi.Path, "", "wrong"); w.Code != 401 {
		t.Errorf("recent with a wrong secret: %d", w.Code)
	}
	w := call(admin, "GET", recentapi.Path, "", "admin")
	var reply recentapi.Reply
	if err := json.Unmarshal(w.Body.Bytes(), &reply); err != nil || w.Code != 200 {
		t.Fatalf("recent: %d %v", w.Code, err)
	}
	if len(reply.Sessions) != 1 || reply.Sessions[0].Token != "tok-1" || !reply.Sessions[0].LastSeen.Equal(now) || reply.Capacity != 5 {
		t.Errorf("recent reply %+v", reply)
	}
	if w := call(admin, "POST", InvalidatePath, "", "admin"); w.Code != 200 || !strings.Contains(w.Body.String(), `"applied":false`) {
		t.Errorf("invalidate without a cache: %d %s", w.Code, w.Body)
	}
}
