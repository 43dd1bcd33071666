package tui

import (
	"runtime"
	"testing"

	"github.com/authscope/authscope/resolver"
)

// BenchmarkRenderSessions renders the sessions screen at 120x40 with
// 100,000 sessions loaded in the source, scrolled deep into the list (the
// window is fetched; only it is held by the model). Target: well under
// 16ms a frame. It reports the heap the population takes as pop-MB.
func BenchmarkRenderSessions(b *testing.B) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	rows := demoRows(100_000, resolver.StrategyJWT)
	src := NewMemorySource(rows, false)
	runtime.GC()
	runtime.ReadMemStats(&after)
	known := map[string]SessionRow{}
	for _, r := range rows[50_000:50_200] {
		known[r.Token] = r
	}
	m := New(Deps{Profile: "bench", Sessions: ByStrategy{JWT: src, Database: src}, Resolvers: &fakeFactory{res: &countingResolver{known: known}}, Runner: &fakeRunner{}})
	hs := &harness{m: m}
	m.c.tick = noTick
	hs.send(windowSize(120, 40))
	hs.run(m.Init())
	m.sessions.scrollTo(50_000)
	hs.run(m.sessions.ensureWindow())
	if _, ok := m.sessions.row(50_000); !ok {
		b.Fatal("window not loaded")
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		_ = m.View()
	}
	// After the loop: ResetTimer drops metrics reported before it.
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "pop-MB")
	b.ReportMetric(float64(len(m.sessions.win)), "rows-held")
}

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
				q := ListQuery{Filter: f, Offset: 5_000, Limit: 108}
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
