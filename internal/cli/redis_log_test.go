package cli

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestServeRoutesRedisLogsThroughSlog: go-redis's own complaints (here a
// shared cache tier nobody listens on) land in serve's JSON log as slog
// records, not as plain "redis: ..." lines on the process's stderr.
func TestServeRoutesRedisLogsThroughSlog(t *testing.T) {
	env := map[string]string{"AUTH_SECRET": "serve-redis-log-secret-0123456789"}
	ls := startCmd(t, env, "serve", "--cache", "--shared-cache", "redis://127.0.0.1:1")
	get(t, ls.base+"/api/auth/session", "authjs.session-token=abc")
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(ls.logs.String(), `"msg":"redis client"`) {
		if time.Now().After(deadline) {
			t.Fatalf("no go-redis record in serve's log:\n%s", ls.logs.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	ls.stop()
	for _, line := range strings.Split(strings.TrimSpace(ls.logs.String()), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Errorf("log line is not JSON: %q", line)
			continue
		}
		if rec["msg"] == "redis client" && (rec["level"] != "WARN" || !strings.Contains(rec["detail"].(string), "127.0.0.1:1") || strings.HasPrefix(rec["detail"].(string), "redis: ")) {
			t.Errorf("go-redis record %v: want level WARN and the detail without go-redis's prefix", rec)
		}
	}
}
