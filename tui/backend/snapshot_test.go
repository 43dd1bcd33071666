package backend

import (
	"slices"
	"testing"
)

func TestCurvePercentilesFollowSampleCount(t *testing.T) {
	cases := []struct {
		n    int64
		last float64 // the highest percentile below 100 that is plotted
	}{
		{1, 0},
		{4, 75},
		{100, 99},
		{1000, 99.9},
		{1999, 99.9}, // 1,999·0.0005 < 1: stops at 99.9
		{2000, 99.95},
		{100_000, 99.999},
		{10_000_000, 99.999},
	}
	for _, c := range cases {
		ps := curvePercentiles(c.n)
		if ps[len(ps)-1] != 100 {
			t.Fatalf("n=%d: %v does not end at the max", c.n, ps)
		}
		if got := ps[len(ps)-2]; got != c.last {
			t.Errorf("n=%d: plotted up to %v, want %v (%v)", c.n, got, c.last, ps)
		}
		if !slices.IsSorted(ps) {
			t.Errorf("n=%d: %v not ascending", c.n, ps)
		}
	}
}
