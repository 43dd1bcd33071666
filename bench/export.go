package bench

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// WritePercentiles writes h as an HdrHistogram percentile distribution
// (.hgrm): values in milliseconds, five ticks per half distance, the format
// HdrHistogram's plotters read.
func WritePercentiles(w io.Writer, h *hdr.Histogram) error {
	if h == nil {
		h = newHistogram()
	}
	_, err := h.PercentilesPrint(w, 5, 1e6)
	return err
}

// WriteHgrmFiles writes NAME.hgrm (corrected) and NAME.uncorrected.hgrm
// for every scenario of r into dir, and returns the paths written.
func WriteHgrmFiles(dir string, r *Report) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	var paths []string
	for i := range r.Scenarios {
		s := &r.Scenarios[i]
		for _, f := range []struct {
			name string
			h    *hdr.Histogram
		}{{s.Name + ".hgrm", s.corrected}, {s.Name + uncorrectedSuffix + ".hgrm", s.uncorrected}} {
			p := filepath.Join(dir, f.name)
			if err := writeFile(p, func(w io.Writer) error { return WritePercentiles(w, f.h) }); err != nil {
				return paths, err
			}
			paths = append(paths, p)
		}
	}
	return paths, nil
}

// writeFile creates path and fills it with fill, reporting close errors.
func writeFile(path string, fill func(io.Writer) error) (err error) {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("bench: %w", cerr)
		}
	}()
	return fill(f)
}

// HlogTotals are the histograms of one or more .hlog files, merged by tag.
type HlogTotals struct {
	// ByTag maps each tag (scenario name, or NAME.uncorrected) to the merge
	// of its intervals.
	ByTag map[string]*hdr.Histogram
	// Intervals counts the interval histograms read.
	Intervals int
	// StartMs and EndMs bound the intervals (ms since the epoch).
	StartMs, EndMs int64

	// intervals are kept encoded (about the size of their log line): a
	// decoded interval histogram takes some 150 KiB whatever it holds, so
	// an hour-long log would otherwise take gigabytes.
	intervals []storedInterval
}

// storedInterval is one interval read: its tag and span, and its
// histogram compressed as in the log.
type storedInterval struct {
	tag        string
	start, end int64 // ms since the epoch
	data       []byte
}

// storeInterval encodes h for keeping.
func storeInterval(h *hdr.Histogram) (storedInterval, error) {
	b, err := h.Encode(hdr.V2CompressedEncodingCookieBase)
	if err != nil {
		return storedInterval{}, fmt.Errorf("bench: keep interval: %w", err)
	}
	return storedInterval{tag: h.Tag(), start: h.StartTimeMs(), end: h.EndTimeMs(), data: b}, nil
}

// histogram decodes the interval, with its tag and span.
func (iv storedInterval) histogram() (*hdr.Histogram, error) {
	h, err := hdr.Decode(iv.data)
	if err != nil {
		return nil, fmt.Errorf("bench: interval of %s: %w", iv.tag, err)
	}
	h.SetTag(iv.tag)
	h.SetStartTimeMs(iv.start)
	h.SetEndTimeMs(iv.end)
	return h, nil
}

// ErrNotHlog is returned (wrapped, after the source's name) for a source
// that is not an HdrHistogram interval log: no format header and no
// interval (an empty file, or text the log reader silently skips).
var ErrNotHlog = errors.New("not an HdrHistogram interval log")

// ErrNotResults is returned (wrapped, after the source's name) for a source
// that is not a vegeta results file.
var ErrNotResults = errors.New("not a vegeta results file")

// hlogMarkers are the lines HdrHistogram's log writers (Java's and
// hdrhistogram-go's) put at the top of a log: the format version comment
// and the CSV legend. The reader skips them, so bench looks for them itself
// in the first hlogSniff bytes (a tool may add its own comments first).
var hlogMarkers = []string{"#[Histogram log format version", `"StartTimestamp","Interval_Length"`}

const hlogSniff = 4096

// sourceName names src in errors: its Name() (an *os.File's path) when it
// has one, else its position among the sources ("hlog 2").
func sourceName(src io.Reader, kind string, i int) string {
	if n, ok := src.(interface{ Name() string }); ok && n.Name() != "" {
		return n.Name()
	}
	return fmt.Sprintf("%s %d", kind, i+1)
}

// headerSniffer passes reads through, keeping the first hlogSniff bytes.
type headerSniffer struct {
	r    io.Reader
	head []byte
}

func (h *headerSniffer) Read(p []byte) (int, error) {
	n, err := h.r.Read(p)
	if room := hlogSniff - len(h.head); room > 0 {
		h.head = append(h.head, p[:min(n, room)]...)
	}
	return n, err
}

// header reports whether the bytes seen carry an HdrHistogram log marker.
func (h *headerSniffer) header() bool {
	for _, m := range hlogMarkers {
		if strings.Contains(string(h.head), m) {
			return true
		}
	}
	return false
}

// ReadHlogs reads HdrHistogram interval logs and merges their intervals by
// tag. A source without the log header and without any interval is
// refused with ErrNotHlog: the log reader skips lines it does not know, so
// without this check any text file would read as an empty log. Errors name
// the source (see sourceName). Keep ReadHlogs for logs of a size that fits
// memory; WriteMergedHlog writes them back as one log.
func ReadHlogs(srcs ...io.Reader) (*HlogTotals, error) {
	t := &HlogTotals{ByTag: map[string]*hdr.Histogram{}, StartMs: math.MaxInt64}
	for i, src := range srcs {
		sn := &headerSniffer{r: src}
		rd := hdr.NewHistogramLogReader(sn)
		n := 0
		for {
			h, err := rd.NextIntervalHistogram()
			if err != nil {
				return nil, fmt.Errorf("%s: %w", sourceName(src, "hlog", i), err)
			}
			if h == nil {
				break
			}
			n++
			t.Intervals++
			iv, err := storeInterval(h)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", sourceName(src, "hlog", i), err)
			}
			t.intervals = append(t.intervals, iv)
			t.StartMs = min(t.StartMs, h.StartTimeMs())
			t.EndMs = max(t.EndMs, h.EndTimeMs())
			if cur, ok := t.ByTag[h.Tag()]; ok {
				cur.Merge(h)
			} else {
				t.ByTag[h.Tag()] = h.Clone()
			}
		}
		if n == 0 && !sn.header() {
			return nil, fmt.Errorf("%s: %w", sourceName(src, "hlog", i), ErrNotHlog)
		}
	}
	if t.Intervals == 0 {
		t.StartMs = 0
	}
	return t, nil
}

// WriteMergedHlog writes every interval read, in start-time order, as one
// log whose base time is the earliest start.
func (t *HlogTotals) WriteMergedHlog(w io.Writer) error {
	ivs := slices.Clone(t.intervals)
	slices.SortStableFunc(ivs, func(a, b storedInterval) int { return cmp.Compare(a.start, b.start) })
	lw := hdr.NewHistogramLogWriter(w)
	base := t.StartMs / 1000 * 1000
	lw.SetBaseTime(base)
	errs := []error{lw.OutputLogFormatVersion(), lw.OutputStartTime(base), lw.OutputBaseTime(base),
		lw.OutputComment("[authscope report: merged interval logs]"), lw.OutputLegend()}
	for _, iv := range ivs {
		h, err := iv.histogram()
		if err != nil {
			return err
		}
		errs = append(errs, lw.OutputIntervalHistogram(h))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("bench: write hlog: %w", err)
	}
	return nil
}

// Report builds a latency-only report from the merged logs, for when no
// JSON report came with them: requests are the histogram counts, and the
// counters a log does not carry (reasons, cache, rates) are zero.
func (t *HlogTotals) Report() *Report {
	r := &Report{Version: ReportVersion, Sources: 1, Latency: latencyNote}
	var names []string
	for tag := range t.ByTag {
		if !strings.HasSuffix(tag, uncorrectedSuffix) {
			names = append(names, tag)
		}
	}
	slices.Sort(names)
	for _, n := range names {
		s := ScenarioReport{Name: n, Sources: 1, Reasons: map[string]int64{},
			Unknown: []string{UnknownTarget, UnknownRates, UnknownSuccess, UnknownCache, UnknownUpstream, UnknownSessions}}
		s.corrected = t.ByTag[n].Clone()
		if u, ok := t.ByTag[n+uncorrectedSuffix]; ok {
			s.uncorrected = u.Clone()
		}
		s.Requests = s.corrected.TotalCount()
		s.Intervals = t.intervalLatencies(n)
		s.finish()
		r.Scenarios = append(r.Scenarios, s)
	}
	if len(r.Scenarios) > 0 {
		r.Baseline = r.Scenarios[0].Name
	}
	return r
}

// intervalLatencies is the latency over time of scenario name from the
// intervals read: intervals of the same span (ms) are merged, as logs of
// generators started together have, and the rest kept in start order. A
// log has no dispatch lag, so no interval is marked as delayed. Only one
// span's histograms are decoded at a time.
func (t *HlogTotals) intervalLatencies(name string) []IntervalLatency {
	var mine []storedInterval
	for _, iv := range t.intervals {
		if iv.tag == name || iv.tag == name+uncorrectedSuffix {
			mine = append(mine, iv)
		}
	}
	slices.SortStableFunc(mine, func(a, b storedInterval) int {
		return cmp.Or(cmp.Compare(a.start, b.start), cmp.Compare(a.end, b.end))
	})
	var out []IntervalLatency
	for len(mine) > 0 {
		n := 1
		for n < len(mine) && mine[n].start == mine[0].start && mine[n].end == mine[0].end {
			n++
		}
		if iv, ok := spanLatency(name, mine[:n]); ok {
			out = append(out, iv)
		}
		mine = mine[n:]
	}
	return out
}

// spanLatency merges the intervals of one span (tags name and
// name.uncorrected) into its IntervalLatency; false when it holds no
// corrected latency.
func spanLatency(name string, ivs []storedInterval) (IntervalLatency, bool) {
	var corr, uncorr *hdr.Histogram
	for _, iv := range ivs {
		h, err := iv.histogram()
		if err != nil {
			continue // it decoded when it was read
		}
		if iv.tag == name {
			corr = mergeH(corr, h)
		} else {
			uncorr = mergeH(uncorr, h)
		}
	}
	if corr == nil || corr.TotalCount() == 0 {
		return IntervalLatency{}, false
	}
	iv := IntervalLatency{Start: time.UnixMilli(ivs[0].start), End: time.UnixMilli(ivs[0].end), Requests: corr.TotalCount(),
		P50: corr.ValueAtQuantile(50), P99: corr.ValueAtQuantile(99)}
	if uncorr != nil {
		iv.UncorrectedP50, iv.UncorrectedP99 = uncorr.ValueAtQuantile(50), uncorr.ValueAtQuantile(99)
	}
	return iv, true
}

// ReadResults reads vegeta results files (gob, JSON or CSV, as `vegeta
// report` reads them; bench writes gob with WithResults) and returns a
// latency-only report per attack name: requests, successes, status codes
// as reasons ("http_200"), and the uncorrected latencies vegeta records.
// Results hold actual send times only, so there is no corrected figure:
// LatencyNs repeats the uncorrected one.
func ReadResults(srcs ...io.Reader) (*Report, error) {
	r := &Report{Version: ReportVersion, Sources: 1, Latency: "from vegeta results: actual send times only (not corrected for coordinated omission)"}
	idx := map[string]int{}
	first, last := map[string]time.Time{}, map[string]time.Time{}
	for i, src := range srcs {
		name := sourceName(src, "results", i)
		dec := vegeta.DecoderFor(src)
		if dec == nil {
			return nil, fmt.Errorf("%s: %w", name, ErrNotResults)
		}
		for {
			var res vegeta.Result
			if err := dec.Decode(&res); err != nil {
				if errors.Is(err, io.EOF) {
					break
				}
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			j, ok := idx[res.Attack]
			if !ok {
				j = len(r.Scenarios)
				idx[res.Attack] = j
				r.Scenarios = append(r.Scenarios, ScenarioReport{Name: res.Attack, Sources: 1, Reasons: map[string]int64{}, uncorrected: newHistogram(),
					Unknown: []string{UnknownTarget, UnknownCache, UnknownUpstream, UnknownSessions}})
			}
			s := &r.Scenarios[j]
			s.Requests++
			if res.Error == "" {
				s.Succeeded++
			} else {
				s.Errors++
			}
			s.Reasons["http_"+strconv.Itoa(int(res.Code))]++
			if res.Latency > maxLatency {
				s.Overflow++
			}
			recordClamped(s.uncorrected, res.Latency)
			if f, ok := first[res.Attack]; !ok || res.Timestamp.Before(f) {
				first[res.Attack] = res.Timestamp
			}
			if end := res.End(); end.After(last[res.Attack]) {
				last[res.Attack] = end
			}
		}
	}
	for i := range r.Scenarios {
		s := &r.Scenarios[i]
		s.corrected = s.uncorrected.Clone()
		if d := last[s.Name].Sub(first[s.Name]).Seconds(); d > 0 {
			s.WindowSeconds = d
			s.RateAttempted = float64(s.Requests) / d
			s.RateAchieved = float64(s.Succeeded) / d
		}
		s.finish()
	}
	if len(r.Scenarios) > 0 {
		r.Baseline = r.Scenarios[0].Name
	}
	return r, nil
}
