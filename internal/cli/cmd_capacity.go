package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/authscope/authscope/bench"
	"github.com/authscope/authscope/internal/benchtarget"
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
it; a failure the host or the generator explains (other processes busy
beyond --host-bound, CPU steal, or dispatch lag while the target held) is
"inconclusive: the generator, not the target" and re-measured once the host
is calm (each probe first waits up to 2s for it, longer after each
inconclusive one), never counted (four in a row at most, then the search
says it could not decide). Since noise only adds latency, a rate holds once
it passed twice (once when nothing disputes it) and fails on two failures
without a pass or three against one. Before the scenarios, the same search
on a target that does nothing measures the generator's own ceiling per
transport; no scenario is searched above it, and one that holds there
reports "≥ the generator's ceiling (the generator, not the target, is the
limit)". The search doubles from a pass (quadruples while the target uses
little of the machine, far within the SLO) and halves from a failure until it
has both, then bisects in log space until the bracket is within 10%: the
capacity is the highest confirmed pass, reported with the bracket up to the
lowest confirmed failure. --max-steps (default derived from --start-rate
and --peak) bounds each search's decisive probes and --max-time the whole
run, said up front; a search out of time reports a lower bound. Upstream scenarios are searched
first and a proxy is planned on no more than its upstream holds at its miss
ratio. Cached scenarios start each probe on a reset cache warmed until its
hit ratio settles. --json and --html (rate-versus-latency charts) carry
every measurement.

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

// capacityFlags are capacity's own flags; the run's shape (profile,
// population, scenarios) comes from the flags it shares with bench.
type capacityFlags struct {
	slo, maxErrors, peak, headroom string
	startRate, maxRate             string
	step, stepWarmup, maxStep      time.Duration
	maxInstances, maxSteps         int
	minSamples                     int64
	hostBound                      string
	lagBound                       time.Duration
	gate, jsonOut, htmlOut         string
	maxTime                        time.Duration
	ceiling                        bool
}

func (c *capacityFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.slo, "slo", "p99=5ms", "latency objective on the corrected latency: `pQ=DURATION`")
	fs.StringVar(&c.maxErrors, "max-errors", "0.1%", "highest error ratio a passing step may have")
	fs.StringVar(&c.peak, "peak", "", "peak traffic to plan for, e.g. 20000/s (required)")
	fs.StringVar(&c.headroom, "headroom", "30%", "headroom on top of the peak")
	fs.IntVar(&c.maxInstances, "max-instances", 0, "plans needing more instances fail (0: no limit)")
	// 1000/s, not lower: a probe holds enough samples for the SLO's
	// percentile (3,000 for p99), so at 100/s each was 30 s and a cached
	// scenario's warm-up as long again, and the eight searches of the
	// compare profile ran out of the default --max-time on the climb. A
	// slower target is still bracketed: the search halves from a failure.
	fs.StringVar(&c.startRate, "start-rate", "1000/s", "first rate probed; doubles from there, or halves from a failure (capped by --max-rate)")
	fs.StringVar(&c.maxRate, "max-rate", "1000000/s", "highest rate probed")
	// 2s (and a 500ms warm-up), not 5s: a probe is lengthened anyway until
	// it holds the samples the SLO's percentile needs (--min-samples), so a
	// longer step only adds time at rates that already have them. With 5s
	// steps the compare profile's eight searches needed about 13 minutes
	// and most stopped out of the default --max-time with wide brackets;
	// with 2s they finished on their own in under 6.
	fs.DurationVar(&c.step, "step", 2*time.Second, "measured length of each probe (lengthened to hold --min-samples)")
	fs.DurationVar(&c.stepWarmup, "step-warmup", 500*time.Millisecond, "warm-up of each probe (0: none)")
	fs.IntVar(&c.maxSteps, "max-steps", 0, "decisive probes per scenario at most (0: enough to double from --start-rate past --peak and narrow the bracket to 10%)")
	fs.DurationVar(&c.maxTime, "max-time", 10*time.Minute, "the whole run's time bound, shared among the searches; a search out of time reports what it found as a lower bound (0: none)")
	fs.BoolVar(&c.ceiling, "generator-ceiling", true, "first measure the generator's own ceiling (a target that does nothing) and search no scenario above it")
	fs.StringVar(&c.gate, "gate", "", "comma-separated scenarios whose plan decides the exit code (default all but the upstream baseline)")
	fs.Int64Var(&c.minSamples, "min-samples", 0, "latencies each probe must hold; a step is lengthened for them (0: enough for the SLO's percentile, 3000 for p99)")
	fs.DurationVar(&c.maxStep, "max-step", 0, "longest a step is lengthened to (0: 12 steps, at most 1m)")
	fs.StringVar(&c.hostBound, "host-bound", "15%", "share of the host's cores other processes may keep busy during a probe whose failure is the target's; beyond it the failure is the host's, re-measured once the host is calm (100%: never)")
	fs.DurationVar(&c.lagBound, "lag-bound", 0, "dispatch lag p99 beyond which a failure is the generator's lateness when the target's own figures held (judged without it), and the median beyond which the generator's ceiling is reached (0: a quarter of the SLO's limit)")
	fs.StringVar(&c.jsonOut, "json", "", "write the searches and the plan as JSON to `FILE`")
	fs.StringVar(&c.htmlOut, "html", "", "write the searches (rate-versus-latency charts) and the plan as a self-contained HTML report to `FILE`")
}

// config turns the flags into the search and the plan, every problem
// reported at once as a usage error.
func (c *capacityFlags) config(set map[string]bool) (bench.CapacityConfig, bench.PlanConfig, error) {
	cc := bench.CapacityConfig{StepDuration: bench.Duration(c.step), StepWarmup: bench.Duration(c.stepWarmup), MaxSteps: c.maxSteps,
		MinSamples: c.minSamples, MaxStepDuration: bench.Duration(c.maxStep), MaxTime: bench.Duration(c.maxTime), SkipCeiling: !c.ceiling}
	if c.stepWarmup == 0 {
		cc.StepWarmup = -1 // none; CapacityConfig's zero means its default
	}
	errs := c.searchErrors(set, &cc)
	pc, perrs := c.plan()
	errs = append(errs, perrs...)
	cc.Expect = pc.Peak // sizes the default step budget
	if len(errs) > 0 {
		return cc, pc, usageError{errors.Join(errs...)}
	}
	// Validated here, before any store or upstream is set up, so a search
	// the generator could never run is a usage error, not a late failure.
	if err := cc.Validate(); err != nil {
		return cc, pc, usageError{err}
	}
	return cc, pc, nil
}

// searchErrors parses the search's flags into cc.
func (c *capacityFlags) searchErrors(set map[string]bool, cc *bench.CapacityConfig) []error {
	var errs []error
	var err error
	if cc.SLO, err = bench.ParseSLO(c.slo); err != nil {
		errs = append(errs, err)
	}
	if cc.MaxErrors, err = bench.ParseShare(c.maxErrors); err != nil {
		errs = append(errs, fmt.Errorf("--max-errors: %w", err))
	}
	if cc.StartRate, err = bench.ParseRate(c.startRate); err != nil || cc.StartRate <= 0 {
		errs = append(errs, fmt.Errorf("--start-rate %s: want a positive rate such as 100/s", c.startRate))
	}
	if cc.MaxRate, err = bench.ParseRate(c.maxRate); err != nil || cc.MaxRate <= 0 {
		errs = append(errs, fmt.Errorf("--max-rate %s: want a positive rate such as 20000/s", c.maxRate))
	}
	if cc.StartRate > cc.MaxRate && cc.MaxRate > 0 {
		if set["start-rate"] {
			errs = append(errs, fmt.Errorf("--start-rate %s is above --max-rate %s", c.startRate, c.maxRate))
		} else {
			cc.StartRate = cc.MaxRate // the default start is above the ceiling asked: start there
		}
	}
	if c.step <= 0 {
		errs = append(errs, fmt.Errorf("--step %s: want a positive duration", c.step))
	}
	if c.stepWarmup < 0 {
		errs = append(errs, fmt.Errorf("--step-warmup %s: want 0 (none) or a positive duration", c.stepWarmup))
	}
	if c.maxSteps < 0 {
		errs = append(errs, fmt.Errorf("--max-steps %d: want 0 (derived) or more", c.maxSteps))
	}
	if c.maxTime < 0 {
		errs = append(errs, fmt.Errorf("--max-time %s: want 0 (none) or a positive duration", c.maxTime))
	}
	if c.minSamples < 0 || c.maxStep < 0 {
		errs = append(errs, errors.New("--min-samples and --max-step: want 0 (default) or more"))
	}
	if c.lagBound < 0 {
		errs = append(errs, fmt.Errorf("--lag-bound %s: want a duration of 0 or more", c.lagBound))
	}
	cc.LagBound = bench.Duration(c.lagBound)
	if cc.HostBound, err = bench.ParseShare(c.hostBound); err != nil || cc.HostBound <= 0 {
		errs = append(errs, fmt.Errorf("--host-bound %s: want a share above 0, such as 50%%", c.hostBound))
	}
	return errs
}

// plan parses the plan's flags: the peak, the headroom, the instance cap.
func (c *capacityFlags) plan() (bench.PlanConfig, []error) {
	var pc bench.PlanConfig
	var errs []error
	var err error
	if c.peak == "" {
		errs = append(errs, errors.New("--peak is required"))
	} else if pc.Peak, err = bench.ParseRate(c.peak); err != nil || pc.Peak <= 0 {
		errs = append(errs, fmt.Errorf("--peak: want a positive rate such as 20000/s"))
	}
	if pc.Headroom, err = bench.ParseShare(c.headroom); err != nil {
		errs = append(errs, fmt.Errorf("--headroom: %w", err))
	}
	if c.maxInstances < 0 {
		errs = append(errs, fmt.Errorf("--max-instances %d: want 0 (no limit) or more", c.maxInstances))
	}
	pc.MaxInstances = c.maxInstances
	return pc, errs
}

// runCapacity searches each scenario's highest rate that holds the SLO and
// plans instances for a peak.
func runCapacity(ctx context.Context, env *cliEnv, args []string) error {
	fs, f := newBenchFlagSet(env, "capacity", "capacity [--profile P] --slo p99=5ms [--max-errors 0.1%] --peak 20000/s [--headroom 30%]", false)
	var c capacityFlags
	c.register(fs)
	usage := fs.Usage
	fs.Usage = func() { usage(); fmt.Fprint(env.stderr, capacityExitDoc) }
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cc, pc, err := c.config(flagsSet(fs))
	if err != nil {
		return err
	}
	cfg, p, err := f.load(env, fs)
	if err != nil {
		return err
	}
	outs, err := openOutputs(outputPaths{json: c.jsonOut, html: c.htmlOut})
	if err != nil {
		return err
	}
	defer outs.abort()
	gated := map[string]bool{}
	for _, g := range splitList(c.gate) {
		if !containsScenario(cfg.Scenarios, g) {
			return usagef("--gate: no scenario %q", g)
		}
		gated[g] = true
	}
	setup, err := f.setup(ctx, env, cfg, p, splitList(c.gate)...)
	if err != nil {
		return err
	}
	defer setup.Close()
	for _, n := range setup.Notes {
		fmt.Fprintln(env.stderr, "note:", n)
	}
	fmt.Fprintln(env.stderr, boundText(setup.Config.Scenarios, cc))
	report, err := searchCapacities(ctx, env, setup, cc, pc)
	if err != nil {
		return err
	}
	if err := report.WriteText(env.stdout); err != nil {
		return err
	}
	if err := writeCapacityFiles(outs, report); err != nil {
		return err
	}
	if ctx.Err() != nil {
		return errors.New("interrupted: partial search reported")
	}
	return planVerdict(report.Plan, gated)
}

// searchCapacities searches every scenario (upstream ones first: a proxy
// is planned on what its upstream holds) and plans for pc, one short
// progress line per measurement on stderr; the tables are written once,
// on stdout, with the plan.
func searchCapacities(ctx context.Context, env *cliEnv, setup *benchtarget.Setup, cc bench.CapacityConfig, pc bench.PlanConfig) (*bench.CapacityReport, error) {
	return bench.SearchCapacities(ctx, setup.Config, setup.Targets, cc, pc, func(name string, pr *bench.Probe) {
		if pr == nil {
			fmt.Fprintf(env.stderr, "%s: searching (SLO %s, errors ≤ %s)\n", name, cc.SLO, cc.MaxErrors)
			return
		}
		fmt.Fprintf(env.stderr, "  probed %.0f/s: %s\n", pr.Rate, probeVerdict(pr))
	})
}

// boundText says up front how long the run may take: the searches, the
// decisive probes each may take, and the time bound.
func boundText(scenarios []bench.ScenarioSpec, cc bench.CapacityConfig) string {
	d := cc.WithDefaults()
	n, vias := len(scenarios), len(bench.Vias(scenarios, cc))
	what := fmt.Sprintf("%d scenario searches", n)
	if vias > 0 {
		what += fmt.Sprintf(" after %d of the generator's ceiling", vias)
	}
	bound := "no time bound (--max-time 0)"
	if cc.MaxTime > 0 {
		bound = fmt.Sprintf("at most %s in all (--max-time): each search an equal share of three quarters of it, then the searches out of time resume with what is left", time.Duration(cc.MaxTime))
	}
	return fmt.Sprintf("capacity: %s, each at most %d decisive probes of %s (+%s warm-up); %s",
		what, d.MaxSteps, time.Duration(d.StepDuration), time.Duration(d.StepWarmup), bound)
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

// writeCapacityFiles writes --json and --html from the report.
func writeCapacityFiles(outs *outputs, report *bench.CapacityReport) error {
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
	return nil
}

// planVerdict is the exit status of the gated plans: nil when each fits,
// else which do not and which could not be decided.
func planVerdict(plan bench.Plan, gated map[string]bool) error {
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
	var errs []error
	if len(bad) > 0 {
		errs = append(errs, fmt.Errorf("%w: %v", errPlanInfeasible, bad))
	}
	if len(undecided) > 0 {
		errs = append(errs, fmt.Errorf("%w: %v", errPlanUndecided, undecided))
	}
	return errors.Join(errs...)
}
