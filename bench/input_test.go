package bench

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestReadFilesRefuseWhatIsNoInput: /dev/zero (which `report` once read for
// 24 GB) fails at its first byte in one line, whatever kind it is read as.
func TestReadFilesRefuseWhatIsNoInput(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	ctx := t.Context()
	_, errReport := ReadReportFile(ctx, "/dev/zero")
	_, errHlog := ReadHlogFiles(ctx, "/dev/zero")
	_, errResults := ReadResultsFiles(ctx, "/dev/zero")
	for _, c := range []struct {
		err, want error
	}{{errReport, ErrNotReport}, {errHlog, ErrNotHlog}, {errResults, ErrNotResults}} {
		if !errors.Is(c.err, c.want) || !strings.HasPrefix(c.err.Error(), "/dev/zero: ") || strings.Contains(c.err.Error(), "\n") {
			t.Errorf("got %v, want one line naming /dev/zero and %v", c.err, c.want)
		}
	}
	if _, err := ReadReportFile(ctx, t.TempDir()); err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("directory: %v", err)
	}
}

// TestReadFilesCapWhatTheyRead: a file over its kind's limit is refused in
// one line, whatever a decoder would make of it; one within it reads.
func TestReadFilesCapWhatTheyRead(t *testing.T) {
	dir := t.TempDir()
	var js bytes.Buffer
	rep := &Report{Version: ReportVersion, Sources: 1, Started: time.Unix(1_800_000_000, 0),
		Scenarios: []ScenarioReport{{Name: "x", Requests: 1, corrected: newHistogram()}}}
	if err := rep.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	report := filepath.Join(dir, "r.json")
	// A report padded past the limit with white space the decoder would
	// read happily: only the limit stops it.
	padded := filepath.Join(dir, "padded.json")
	line := filepath.Join(dir, "line.hlog") // one endless line: the log reader buffers it whole
	for p, b := range map[string][]byte{
		report: js.Bytes(),
		padded: append(bytes.Repeat([]byte(" "), 4096), js.Bytes()...),
		line:   append([]byte("#[Histogram log format version 1.3]\n"), bytes.Repeat([]byte("x"), 4096)...),
	} {
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	limit := int64(js.Len())
	if r, err := readReportFile(t.Context(), report, limit); err != nil || r.Scenarios[0].Name != "x" {
		t.Fatalf("a report of exactly the limit: %v", err)
	}
	_, err := readReportFile(t.Context(), padded, limit)
	want := padded + ": larger than the limit of " + byteSize(limit) + " for a JSON report: not a file authscope wrote"
	if !errors.Is(err, ErrInputTooLarge) || err.Error() != want {
		t.Errorf("padded report: %v, want %q", err, want)
	}
	if _, err := readHlogFiles(t.Context(), 1024, line); !errors.Is(err, ErrInputTooLarge) || !strings.HasPrefix(err.Error(), line+": ") {
		t.Errorf("endless log line: %v", err)
	}
	if _, err := readResultsFiles(t.Context(), 1024, padded); !errors.Is(err, ErrInputTooLarge) {
		t.Errorf("results over the limit: %v", err)
	}
}

// TestReadHlogsKeepsIntervalsCompact: the intervals kept for the merged log
// and the latency over time stay encoded, about the size of their log
// line; decoded, each would take some 150 KiB, so an hour of one-second
// intervals would take gigabytes.
func TestReadHlogsKeepsIntervalsCompact(t *testing.T) {
	const intervals = 300
	t0 := time.Unix(1_800_000_000, 0)
	var log bytes.Buffer
	rec := newRecorder(ScenarioSpec{Name: "x"})
	record(rec, synthetic(intervals, 1, t0), t0, window{length: intervals * time.Second, target: intervals}, newLog(&log, t0))
	heap := func() uint64 {
		runtime.GC()
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	before := heap()
	totals, err := ReadHlogs(bytes.NewReader(log.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	kept := int64(heap()) - int64(before)
	runtime.KeepAlive(totals)
	if totals.Intervals != 2*intervals {
		t.Fatalf("%d intervals read, want %d", totals.Intervals, 2*intervals)
	}
	// Two totals histograms (~300 KiB) plus the log's size, give or take.
	if limit := int64(2*newHistogram().ByteSize()) + 4*int64(log.Len()) + 256<<10; kept > limit {
		t.Errorf("reading a %d KiB log of %d intervals keeps %d KiB, want under %d KiB", log.Len()>>10, totals.Intervals, kept>>10, limit>>10)
	}
	if ivs := totals.Report().Scenarios[0].Intervals; len(ivs) != intervals {
		t.Errorf("%d intervals over time, want %d", len(ivs), intervals)
	}
}
