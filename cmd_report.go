package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/authscope/authscope/bench"
)

// runReport merges the JSON reports, .hlog interval logs and vegeta results
// files of runs made on several machines (the same profile, started side by
// side) into one report: counts, reasons and histograms add up exactly.
// JSON reports carry everything; without them the figures come from the
// results files (uncorrected latencies, status codes), else from the logs.
func runReport(_ context.Context, env *cliEnv, args []string) error {
	fs := newFlagSet(env, "report", "report [--json FILE] [--html FILE] [--hdr DIR] [--hlog FILE] REPORT.json|RUN.hlog|RESULTS.bin...")
	jsonOut := fs.String("json", "", "write the merged report as JSON to `FILE`")
	htmlOut := fs.String("html", "", "write the merged HTML report to `FILE`")
	hdrDir := fs.String("hdr", "", "write merged NAME.hgrm percentile files into `DIR`")
	hlogOut := fs.String("hlog", "", "write the .hlog inputs merged into one interval log `FILE`")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	files := fs.Args()
	if len(files) == 0 {
		return usagef("report takes one or more .json reports, .hlog logs or vegeta results files")
	}
	var reports []*bench.Report
	var logs, results []*os.File
	defer func() {
		for _, l := range append(logs, results...) {
			l.Close()
		}
	}()
	for _, path := range files {
		fh, err := os.Open(path)
		if err != nil {
			return err
		}
		switch strings.ToLower(filepath.Ext(path)) {
		case ".hlog":
			logs = append(logs, fh)
			continue
		case ".json":
		default:
			results = append(results, fh)
			continue
		}
		r, err := bench.ReadReport(fh)
		fh.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		reports = append(reports, r)
	}
	var totals *bench.HlogTotals
	if len(logs) > 0 {
		var err error
		if totals, err = bench.ReadHlogs(asReaders(logs)...); err != nil {
			return err
		}
	}
	var merged *bench.Report
	switch {
	case len(reports) > 0:
		var err error
		if merged, err = bench.Merge(reports...); err != nil {
			return err
		}
	case len(results) > 0:
		var err error
		if merged, err = bench.ReadResults(asReaders(results)...); err != nil {
			return err
		}
		fmt.Fprintln(env.stderr, "note: no JSON report given: figures from the vegeta results (uncorrected latencies, status codes)")
	case totals != nil:
		merged = totals.Report()
		fmt.Fprintln(env.stderr, "note: no JSON report given: latency from the interval logs only (no reasons, cache or rates)")
	}
	if err := bench.WriteTable(env.stdout, merged); err != nil {
		return err
	}
	errs := []error{writeReports(merged, *jsonOut, *htmlOut, *hdrDir, env)}
	if *hlogOut != "" {
		if totals == nil {
			errs = append(errs, usagef("--hlog needs .hlog inputs"))
		} else {
			fh, err := os.Create(*hlogOut)
			if err != nil {
				return errors.Join(append(errs, err)...)
			}
			errs = append(errs, totals.WriteMergedHlog(fh), fh.Close())
			fmt.Fprintf(env.stderr, "wrote %s (%d intervals)\n", *hlogOut, totals.Intervals)
		}
	}
	return errors.Join(errs...)
}

func asReaders(fs []*os.File) []io.Reader {
	out := make([]io.Reader, len(fs))
	for i, f := range fs {
		out[i] = f
	}
	return out
}
