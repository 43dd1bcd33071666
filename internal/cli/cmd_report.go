package cli

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/authscope/authscope/bench"
)

// runReport merges the JSON reports, .hlog interval logs and vegeta results
// files of runs made on several machines (the same profile, started side by
// side) into one report: counts, reasons and histograms add up exactly.
// JSON reports carry everything; without them the figures come from the
// results files (uncorrected latencies, status codes), else from the logs.
func runReport(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlagSet(env, "report", "report [--json FILE] [--html FILE] [--hdr DIR] [--hlog FILE] [--threshold COND]... REPORT.json|RUN.hlog|RESULTS.bin...")
	jsonOut := fs.String("json", "", "write the merged report as JSON to `FILE`")
	htmlOut := fs.String("html", "", "write the merged HTML report to `FILE`")
	hdrDir := fs.String("hdr", "", "write merged NAME.hgrm percentile files into `DIR`")
	hlogOut := fs.String("hlog", "", "write the .hlog inputs merged into one interval log `FILE`")
	force := fs.Bool("force", false, "merge JSON reports whose schedule, warm-up, population or scenarios differ (each difference is still warned on stderr)")
	var ts thresholdsFlag
	fs.Var(&ts, "threshold", thresholdUsage+", judged on the merged report")
	usage := fs.Usage
	fs.Usage = func() { usage(); fmt.Fprint(env.stderr, reportDoc) }
	if err := parseFlagsArgs(fs, args); err != nil {
		return err
	}
	files := fs.Args()
	if len(files) == 0 {
		return usagef("report takes one or more .json reports, .hlog logs or vegeta results files")
	}
	var jsonIn, hlogIn, resultsIn []string
	for _, path := range files {
		switch strings.ToLower(filepath.Ext(path)) {
		case ".json":
			jsonIn = append(jsonIn, path)
		case ".hlog":
			hlogIn = append(hlogIn, path)
		default:
			resultsIn = append(resultsIn, path)
		}
	}
	if *hlogOut != "" && len(hlogIn) == 0 {
		return usagef("--hlog needs .hlog inputs")
	}
	outs, err := openOutputs(outputPaths{json: *jsonOut, html: *htmlOut, hdrDir: *hdrDir, hlog: *hlogOut})
	if err != nil {
		return err
	}
	defer outs.abort()

	// The bench readers cap what they read of each file, refuse at the
	// first byte what is no such input (/dev/zero), and stop at Ctrl-C.
	var reports []*bench.Report
	for _, path := range jsonIn {
		r, err := bench.ReadReportFile(ctx, path)
		if err != nil {
			return err
		}
		reports = append(reports, r)
	}
	var totals *bench.HlogTotals
	if len(hlogIn) > 0 {
		if totals, err = bench.ReadHlogFiles(ctx, hlogIn...); err != nil {
			return err
		}
	}
	var merged *bench.Report
	switch {
	case len(reports) > 0:
		if err := checkDuplicates(jsonIn, reports); err != nil {
			return err
		}
		if err := checkMergeable(env, jsonIn, reports, *force); err != nil {
			return err
		}
		if merged, err = bench.Merge(reports...); err != nil {
			return err
		}
	case len(resultsIn) > 0:
		if merged, err = bench.ReadResultsFiles(ctx, resultsIn...); err != nil {
			return err
		}
		fmt.Fprintln(env.stderr, "note: no JSON report given: figures from the vegeta results (uncorrected latencies, status codes)")
	default:
		merged = totals.Report()
		fmt.Fprintln(env.stderr, "note: no JSON report given: latency from the interval logs only (no reasons, cache or rates)")
	}
	if len(merged.Scenarios) == 0 {
		return fmt.Errorf("%s: nothing to report (no scenario, no request)", strings.Join(files, ", "))
	}
	return finishReport(env, merged, ts, totals, outs)
}

// finishReport checks the thresholds against the merged scenarios (exit 2
// before anything is written), prints the table and the thresholds'
// lines, and writes the outputs; a threshold not met exits 1.
func finishReport(env *cliEnv, merged *bench.Report, ts []bench.Threshold, totals *bench.HlogTotals, outs *outputs) error {
	names := make([]string, len(merged.Scenarios))
	for i := range merged.Scenarios {
		names[i] = merged.Scenarios[i].Name
	}
	if err := bench.CheckThresholds(ts, names); err != nil {
		return usageError{err}
	}
	if err := bench.WriteTable(env.stdout, merged); err != nil {
		return err
	}
	thresholdsErr := judgeThresholds(env, merged, ts)
	var errs []error
	if outs.hlog != nil {
		if err := totals.WriteMergedHlog(outs.hlog); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", outs.hlog.path, err))
			outs.hlog.abort()
		}
	}
	errs = append(errs, outs.writeReports(merged, env))
	return errors.Join(append(errs, thresholdsErr)...)
}

// reportDoc ends report --help.
const reportDoc = `
JSON reports are merged as parts of one run split across machines: their
counts, rates and histograms add up. That holds only for runs of the same
schedule, warm-up, population and scenarios, so reports that differ in any
of them are refused (exit 1) with one line per difference; --force merges
them anyway, warning of each difference. --threshold judges the merged
report, so a CI job that merges several generators' reports gates on the
merge. Exit status: 0 when the report was written (and every threshold
met); 1 for unreadable, refused or mismatched inputs, outputs that could
not be written, and thresholds not met; 2 for usage errors (a threshold
naming a scenario the reports lack included).
` + thresholdDoc

// checkMergeable refuses to merge reports of different runs: one line on
// stderr per difference, then an error, unless force (the lines are then
// warnings). A merged histogram of different loads would look like one
// run's and mislead capacity planning.
func checkMergeable(env *cliEnv, paths []string, reports []*bench.Report, force bool) error {
	mm := bench.Mismatches(reports...)
	if len(mm) == 0 {
		return nil
	}
	prefix := ""
	if force {
		prefix = "warning: "
	}
	for _, m := range mm {
		fmt.Fprintf(env.stderr, "%s%s: %s %s, but %s has %s\n", prefix, paths[m.Index], m.What, m.Got, paths[0], m.Want)
	}
	if force {
		return nil
	}
	return fmt.Errorf("the reports are of different runs (%s above): merged, their figures would describe no load that was sent; --force merges them anyway", plural(len(mm), "difference"))
}

// checkDuplicates refuses a run given twice (the same file twice, or a
// copy): merged, its requests and rates would count double. --force does
// not override it: no reading of two copies of one run is right. The
// error names the files, where bench.Merge's can only number them.
func checkDuplicates(paths []string, reports []*bench.Report) error {
	dd := bench.Duplicates(reports...)
	if len(dd) == 0 {
		return nil
	}
	d := dd[0]
	more := ""
	if len(dd) > 1 {
		more = fmt.Sprintf(" (and %d more repeated)", len(dd)-1)
	}
	return fmt.Errorf("%s repeats the run of %s (started %s, scenarios %s): merged, its requests and rates would count twice%s",
		paths[d.Index], paths[d.Of], d.Started.UTC().Format(time.RFC3339Nano), d.Scenarios, more)
}
