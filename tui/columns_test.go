package tui

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

// The expiry column holds its longest value ("expired 29d ago") whole
// once the terminal is wide enough, and a short form at 80 columns, where
// the STATE column already says "expired".
func TestExpiresColumnFitsItsValues(t *testing.T) {
	cut := regexp.MustCompile(`expired \d*…|\d+d a…`)
	for _, tc := range []struct {
		w    int
		want *regexp.Regexp
	}{
		{140, regexp.MustCompile(`expired \d+d ago`)},
		{120, regexp.MustCompile(`expired \d+d ago`)},
		{80, regexp.MustCompile(` \d+d ago `)},
		{64, regexp.MustCompile(` \d+d ago `)},
	} {
		hs := newHarness(t, 200, tc.w, 24)
		// A month later every row has expired, up to 30 days ago.
		hs.m.c.now = testNow.Add(31 * 24 * time.Hour)
		out := hs.screenText()
		if cut.MatchString(out) || !tc.want.MatchString(out) {
			t.Errorf("%d columns: expiry cut or missing:\n%s", tc.w, out)
		}
		for i, l := range strings.Split(out, "\n") {
			if n := len([]rune(l)); n > tc.w {
				t.Errorf("%d columns: line %d is %d wide", tc.w, i, n)
			}
		}
	}
}
