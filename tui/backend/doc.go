// Package backend adapts the rest of authscope to the interfaces package
// tui declares, so the screens never import a store, package bench or a
// histogram: tui owns the contracts (tui.SessionSource, tui.Runner,
// tui.LatencyRecorder), this package fulfils them, and the CLI wires the
// two together (the consumer-side interface pattern, STYLE.md c.1).
//
// # Sessions
//
// BrowserSource lists a store through its keyset-paginated
// store.Browser. The session table asks for windows by offset; a store
// pages by cursor, so BrowserSource remembers the cursor at each page
// boundary it walks past and reaches a window from the nearest one, or
// from the end by listing backwards, whichever is fewer rows: jumping to
// the bottom of 100,000 sessions costs a page or two, not a scan. Totals
// are cached for a couple of seconds because counting a large store costs
// far more than listing a window. A filter on the shown (redacted) text is
// something the store cannot match, so that case walks the listing once
// and keeps the matching rows. Revocation can be routed to a writable
// handle while browsing uses a read-only one (SetRevoke, SetRevokeUser).
//
// MemorySource holds a jwt cookie population in memory with one index per
// sort order and a cache of the last filter's matches, so a window is a
// slice operation however deep it is. ByStrategy picks one source or the
// other by the strategy the screen shows.
//
// # Load runs
//
// BenchRunner runs LoadProfiles with package bench and converts its
// snapshots (already throttled, latest wins) into tui.RunSnapshots; a
// capacity search streams its probes. It keeps each profile's last final
// report for Export, which writes JSON and HTML under DefaultExportDir (or
// the directory given), never into the working directory.
//
// # Latencies
//
// LatencyHistogram records the Resolver screen's resolution latencies in
// an HDR histogram with bench's range and precision, so the screen's p50
// and p99 read like a load run's.
package backend

import "github.com/authscope/authscope/tui"

// The adapters satisfy tui's interfaces; a change on either side fails
// the build here rather than in the CLI's wiring.
var (
	_ tui.SessionSource    = ByStrategy{}
	_ tui.Sorter           = ByStrategy{}
	_ tui.SessionSource    = (*MemorySource)(nil)
	_ tui.Sorter           = (*MemorySource)(nil)
	_ tui.SessionSource    = (*BrowserSource)(nil)
	_ tui.Sorter           = (*BrowserSource)(nil)
	_ tui.Runner           = (*BenchRunner)(nil)
	_ tui.CapacityExporter = (*BenchRunner)(nil)
	_ tui.LatencyRecorder  = (*LatencyHistogram)(nil)
)
