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
	src := newFakeSource(rows, false)
	runtime.GC()
	runtime.ReadMemStats(&after)
	known := map[string]SessionRow{}
	for _, r := range rows[50_000:50_200] {
		known[r.Token] = r
	}
	m := New(Deps{Profile: "bench", Sessions: fakeSessions{jwt: src, db: src}, Resolvers: &fakeFactory{res: &countingResolver{known: known}}, Runner: &fakeRunner{}})
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
