package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/authscope/authscope/bench"
)

// errPlanInfeasible makes capacity exit non-zero (1) so CI can gate a
// rollout on it.
var errPlanInfeasible = errors.New("capacity: the SLO cannot be met at the peak")

// errPlanUndecided: a gated plan would fail only on a capacity the search
// never bounded (it stopped at --max-steps or --max-rate with every step
// passing). A gate that cannot decide fails loudly, exit 1, with its own
// message.
var errPlanUndecided = errors.New("capacity: could not establish capacity: the search stopped before a limit was found (raise --max-steps or --max-rate; where the generator was blamed, rerun on a quieter machine)")

// capacityExitDoc ends capacity --help.
const capacityExitDoc = `
Each probe holds enough latencies for the SLO's percentile (3000 for p99; a
step is lengthened at low rates, up to --max-step) and reports it with its
95% interval. A failure is confirmed by a repeat before the search believes
it; a failure the generator or the host explains (dispatch lag with other
processes busy, CPU steal) is "inconclusive: the generator, not the target"
and re-measured after a pause, never counted (three times at most, then the
search says it could not decide). The search doubles from a pass and halves
from a failure until it has both, then narrows: the capacity is the highest
confirmed pass, reported with the bracket up to the lowest confirmed
failure. A proxy is planned on no more than its upstream holds at its miss
ratio. Cached scenarios start each probe on a reset cache warmed until its
hit ratio settles.

A search that stops (--max-steps, --max-rate) before any step fails reports
its capacity as a lower bound ("≥100/s (stopped at max-steps …)", JSON
"lower_bound": true); a plan that would fail only on such a floor says
"unknown: search stopped before a limit was found" instead of NO. An
interrupted search plans nothing and marks every capacity a lower bound.
Database scenarios open the store read-only (no pruning, no extension), so
every probe meets the same session population.

Exit status: 0 when every gated plan fits; 1 when one does not fit, when a
gated plan is undecided ("could not establish capacity": raise --max-steps
or --max-rate), or on interruption; 2 for usage errors.
`

// runCapacity searches each scenario's highest rate that holds the SLO and
// plans instances for a peak.
func runCapacity(ctx context.Context, env *cliEnv, args []string) error {
	fs, f := newBenchFlagSet(env, "capacity", "capacity [--profile P] --slo p99=5ms [--max-errors 0.1%] --peak 20000/s [--headroom 30%]", false)
	slo := fs.String("slo", "p99=5ms", "latency objective on the corrected latency: `pQ=DURATION`")
	maxErrors := fs.String("max-errors", "0.1%", "highest error ratio a passing step may have")
	peak := fs.String("peak", "", "peak traffic to plan for, e.g. 20000/s (required)")
	headroom := fs.String("headroom", "30%", "headroom on top of the peak")
	maxInstances := fs.Int("max-instances", 0, "plans needing more instances fail (0: no limit)")
	startRate := fs.String("start-rate", "100/s", "first rate probed; doubles from there (capped by --max-rate)")
	maxRate := fs.String("max-rate", "1000000/s", "highest rate probed")
	step := fs.Duration("step", 5*time.Second, "measured length of each probe")
	stepWarmup := fs.Duration("step-warmup", time.Second, "warm-up of each probe (0: none)")
	maxSteps := fs.Int("max-steps", 14, "probes per scenario at most")
	gate := fs.String("gate", "", "comma-separated scenarios whose plan decides the exit code (default all but the upstream baseline)")
	minSamples := fs.Int64("min-samples", 0, "latencies each probe must hold; a step is lengthened for them (0: enough for the SLO's percentile, 3000 for p99)")
	maxStep := fs.Duration("max-step", 0, "longest a step is lengthened to (0: 12 steps, at most 1m)")
	hostBound := fs.String("host-bound", "50%", "share of the host's cores other processes may keep busy before a failure with generator lag is blamed on the host, not the target (100%: never)")
	jsonOut := fs.String("json", "", "write the searches and the plan as JSON to `FILE`")
	htmlOut := fs.String("html", "", "write the searches (rate-versus-latency curves) and the plan as a self-contained HTML report to `FILE`")
	usage := fs.Usage
	fs.Usage = func() { usage(); fmt.Fprint(env.stderr, capacityExitDoc) }
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	set := flagsSet(fs)
	cc := bench.CapacityConfig{StepDuration: bench.Duration(*step), StepWarmup: bench.Duration(*stepWarmup), MaxSteps: *maxSteps,
		MinSamples: *minSamples, MaxStepDuration: bench.Duration(*maxStep)}
	if *stepWarmup == 0 {
		cc.StepWarmup = -1 // none; CapacityConfig's zero means its default
	}
	var pc bench.PlanConfig
	var errs []error
	var err error
	if cc.SLO, err = bench.ParseSLO(*slo); err != nil {
		errs = append(errs, err)
	}
	if cc.MaxErrors, err = bench.ParseShare(*maxErrors); err != nil {
		errs = append(errs, fmt.Errorf("--max-errors: %w", err))
	}
	if cc.StartRate, err = bench.ParseRate(*startRate); err != nil || cc.StartRate <= 0 {
		errs = append(errs, fmt.Errorf("--start-rate %s: want a positive rate such as 100/s", *startRate))
	}
	if cc.MaxRate, err = bench.ParseRate(*maxRate); err != nil || cc.MaxRate <= 0 {
		errs = append(errs, fmt.Errorf("--max-rate %s: want a positive rate such as 20000/s", *maxRate))
	}
	if cc.StartRate > cc.MaxRate && cc.MaxRate > 0 {
		if set["start-rate"] {
			errs = append(errs, fmt.Errorf("--start-rate %s is above --max-rate %s", *startRate, *maxRate))
		} else {
			cc.StartRate = cc.MaxRate // the default start is above the ceiling asked: start there
		}
	}
	if *step <= 0 {
		errs = append(errs, fmt.Errorf("--step %s: want a positive duration", *step))
	}
	if *stepWarmup < 0 {
		errs = append(errs, fmt.Errorf("--step-warmup %s: want 0 (none) or a positive duration", *stepWarmup))
	}
	if *minSamples < 0 || *maxStep < 0 {
		errs = append(errs, fmt.Errorf("--min-samples and --max-step: want 0 (default) or more"))
	}
	if cc.HostBound, err = bench.ParseShare(*hostBound); err != nil || cc.HostBound <= 0 {
		errs = append(errs, fmt.Errorf("--host-bound %s: want a share above 0, such as 50%%", *hostBound))
	}
	if *maxSteps < 1 {
		errs = append(errs, fmt.Errorf("--max-steps %d: want at least 1", *maxSteps))
	}
	if *peak == "" {
		errs = append(errs, errors.New("--peak is required"))
	} else if pc.Peak, err = bench.ParseRate(*peak); err != nil || pc.Peak <= 0 {
		errs = append(errs, fmt.Errorf("--peak: want a positive rate such as 20000/s"))
	}
	if pc.Headroom, err = bench.ParseShare(*headroom); err != nil {
		errs = append(errs, fmt.Errorf("--headroom: %w", err))
	}
	if *maxInstances < 0 {
		errs = append(errs, fmt.Errorf("--max-instances %d: want 0 (no limit) or more", *maxInstances))
	}
	pc.MaxInstances = *maxInstances
	if len(errs) > 0 {
		return usageError{errors.Join(errs...)}
	}
	cfg, p, err := f.load(env, fs)
	if err != nil {
		return err
	}
	outs, err := openOutputs(outputPaths{json: *jsonOut, html: *htmlOut})
	if err != nil {
		return err
	}
	defer outs.abort()
	gated := map[string]bool{}
	for _, g := range splitList(*gate) {
		if !containsScenario(cfg.Scenarios, g) {
			return usagef("--gate: no scenario %q", g)
		}
		gated[g] = true
	}
	setup, err := f.setup(ctx, env, cfg, p, splitList(*gate)...)
	if err != nil {
		return err
	}
	defer setup.Close()
	for _, n := range setup.notes {
		fmt.Fprintln(env.stderr, "note:", n)
	}

	// Progress is one short line per measurement; the tables themselves
	// are written once, on stdout, with the plan.
	report, err := bench.SearchCapacities(ctx, setup.cfg, setup.targets, cc, pc, func(name string, pr *bench.Probe) {
		if pr == nil {
			fmt.Fprintf(env.stderr, "%s: searching (SLO %s, errors ≤ %s)\n", name, cc.SLO, cc.MaxErrors)
			return
		}
		fmt.Fprintf(env.stderr, "  probed %.0f/s: %s\n", pr.Rate, probeVerdict(pr))
	})
	if err != nil {
		return err
	}
	plan := report.Plan
	if err := report.WriteText(env.stdout); err != nil {
		return err
	}
	for _, o := range []struct {
		f     *outFile
		write func(io.Writer) error
	}{{outs.json, report.WriteJSON}, {outs.html, report.WriteHTML}} {
		if o.f == nil {
			continue
		}
		if err := o.write(o.f); err != nil {
			return fmt.Errorf("%s: %w", o.f.path, err)
		}
		if err := o.f.commit(); err != nil {
			return err
		}
	}
	if ctx.Err() != nil {
		return errors.New("interrupted: partial search reported")
	}
	var bad, undecided []string
	for _, l := range plan.Lines {
		if !gated[l.Scenario] && (len(gated) > 0 || l.Mode == "upstream") {
			continue
		}
		switch {
		case l.Undecided:
			undecided = append(undecided, l.Scenario)
		case !l.Feasible:
			bad = append(bad, l.Scenario)
		}
	}
	var errs2 []error
	if len(bad) > 0 {
		errs2 = append(errs2, fmt.Errorf("%w: %v", errPlanInfeasible, bad))
	}
	if len(undecided) > 0 {
		errs2 = append(errs2, fmt.Errorf("%w: %v", errPlanUndecided, undecided))
	}
	return errors.Join(errs2...)
}

// probeVerdict is a measurement's verdict in a progress line: "pass",
// "fail", or "inconclusive (the generator, not the target: …)".
func probeVerdict(pr *bench.Probe) string {
	switch pr.Verdict {
	case bench.VerdictPass:
		return "pass"
	case bench.VerdictInconclusive:
		return "inconclusive (the generator, not the target: " + pr.Generator + ")"
	}
	return "fail"
}
