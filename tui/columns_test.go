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

// No column header is cut mid-word: each is whole or a meaningful short
// form (FP for FINGERPRINT) at every width from the minimum up.
func TestColumnHeadersAreWholeWords(t *testing.T) {
	for _, w := range []int{60, 64, 80, 100, 111, 120, 160} {
		for _, strategy := range []string{"", "s"} {
			hs := newHarness(t, 20, w, 24)
			if strategy != "" {
				hs.key(strategy)
			}
			hs.key("o", "o", "o") // sorted by user: the first column is USER
			for _, sorted := range []bool{false, true} {
				if sorted {
					hs.key("o", "o", "o", "o", "o", "o")
				}
				out := hs.screenText()
				var header string
				for _, l := range strings.Split(out, "\n") {
					if strings.Contains(l, "EXPIRES") {
						header = l
					}
				}
				if header == "" {
					t.Fatalf("%d: no header:\n%s", w, out)
				}
				allowed := map[string]bool{"NAME": true, "USER": true, "EMAIL": true, "FINGERPRINT": true, "FP": true, "STRATEGY": true,
					"EXPIRES": true, "IN": true, "STATE": true, "LAST": true, "RESULT": true, "LATENCY": true}
				for _, f := range strings.Fields(header) {
					if !allowed[f] {
						t.Errorf("%d columns: header word %q cut or unknown: %q", w, f, header)
					}
				}
			}
		}
	}
}
