package backend

import (
	"testing"

	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/tui"
)

// BenchmarkListWindow measures one window fetch 50,000 rows deep, with and
// without a filter: what a scroll or a keystroke in the filter costs.
func BenchmarkListWindow(b *testing.B) {
	src := NewMemorySource(demoRows(100_000, resolver.StrategyJWT), false)
	for _, f := range []string{"", "grace.jones"} {
		b.Run("filter="+f, func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				// Alternate filters so the match cache is exercised cold.
				q := tui.ListQuery{Filter: f, Offset: 5_000, Limit: 108}
				if i%2 == 1 && f != "" {
					q.Filter = f + "1"
				}
				i++
				if _, err := src.List(b.Context(), q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
