package cli

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// TestServeLogsUnreachableUpstream: at the default log level, serve says
// once that its proxy upstream fails, with no cookie in the line.
func TestServeLogsUnreachableUpstream(t *testing.T) {
	var failing atomic.Bool
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if failing.Load() {
			http.Error(w, "boom", http.StatusBadGateway)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte("null"))
	}))
	defer up.Close()
	s := startCmd(t, nil, "serve", "--mode", "proxy", "--url", up.URL)
	const cookie = "authjs.session-token=c00kie-value-do-not-log"
	get(t, s.base+"/api/auth/session", cookie)
	failing.Store(true)
	for range 3 {
		get(t, s.base+"/api/auth/session", cookie)
	}
	s.stop()
	logs := s.logs.String()
	if n := strings.Count(logs, "upstream failing"); n != 1 || strings.Contains(logs, "c00kie-value") || !strings.Contains(logs, `"reason":"upstream_status"`) {
		t.Errorf("want exactly one upstream warning without the cookie (got %d):\n%s", n, logs)
	}
}
