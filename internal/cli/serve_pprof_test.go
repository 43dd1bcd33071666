package cli

import (
	"regexp"
	"strings"
	"testing"
)

// TestServePprof: --pprof serves the runtime profiles on a loopback
// address of its own, and refuses any other address even with
// --allow-remote.
func TestServePprof(t *testing.T) {
	env := map[string]string{"AUTH_SECRET": "x-secret-for-pprof-test"}
	s := startCmd(t, env, "serve", "--pprof", "127.0.0.1:0")
	m := regexp.MustCompile(`"msg":"pprof listening","addr":"([^"]+)"`).FindStringSubmatch(s.logs.String())
	if m == nil {
		t.Fatalf("no pprof address logged:\n%s", s.logs.String())
	}
	if a := get(t, "http://"+m[1]+"/debug/pprof/", ""); a.status != 200 || !strings.Contains(a.body, "goroutine") {
		t.Errorf("pprof index: %d", a.status)
	}
	if a := get(t, s.base+"/debug/pprof/", ""); a.status == 200 {
		t.Error("the session listener serves the profiles too")
	}
	code, _, stderr := runCLI(t, env, "", "serve", "--listen", "127.0.0.1:0", "--allow-remote", "--pprof", "0.0.0.0:0")
	if code != 2 || !strings.Contains(stderr, "loopback") {
		t.Errorf("--pprof 0.0.0.0:0: exit %d %q", code, stderr)
	}
}
