package cli

import (
	"runtime/debug"
	"strings"
	"testing"
)

func TestDescribeBuildNamesTheSource(t *testing.T) {
	vcs := []debug.BuildSetting{
		{Key: "vcs", Value: "git"},
		{Key: "vcs.revision", Value: "73ce8fc4e2d1aa"},
		{Key: "vcs.time", Value: "2026-12-06T09:40:00Z"},
		{Key: "vcs.modified", Value: "true"},
	}
	for _, tc := range []struct {
		name, release string
		bi            *debug.BuildInfo
		want          string
	}{
		{"go build in a checkout", "", &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "(devel)"}, Settings: vcs},
			"(devel) (commit 73ce8fc4e2d1aa, 2026-12-06T09:40:00Z, modified, go1.26.0)"},
		{"go install @version", "", &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "v1.2.3"}},
			"v1.2.3 (go1.26.0)"},
		{"release ldflags", "v2.0.0", &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "(devel)"}, Settings: vcs[:3]},
			"v2.0.0 (commit 73ce8fc4e2d1aa, 2026-12-06T09:40:00Z, go1.26.0)"},
		{"no build info", "", nil, "(devel)"},
	} {
		if got := describeBuild(tc.release, tc.bi); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
	// The command prints the running binary's own description.
	code, out, _ := runCLI(t, nil, "", "--version")
	if code != 0 || strings.Contains(out, "dev\n") || !strings.HasPrefix(out, "authscope ") {
		t.Errorf("--version: exit %d, %q", code, out)
	}
}
