package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/authscope/authscope/bench"
)

// errPlanInfeasible makes capacity exit non-zero (1) so CI can gate a
// rollout on it.
var errPlanInfeasible = errors.New("capacity: the SLO cannot be met at the peak")

// runCapacity searches each scenario's highest rate that holds the SLO and
// plans instances for a peak.
func runCapacity(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlagSet(env, "capacity", "capacity [--profile P] --slo p99=5ms [--max-errors 0.1%] --peak 20000/s [--headroom 30%]")
	var f benchFlags
	f.register(fs)
	slo := fs.String("slo", "p99=5ms", "latency objective on the corrected latency: `pQ=DURATION`")
	maxErrors := fs.String("max-errors", "0.1%", "highest error ratio a passing step may have")
	peak := fs.String("peak", "", "peak traffic to plan for, e.g. 20000/s (required)")
	headroom := fs.String("headroom", "30%", "headroom on top of the peak")
	maxInstances := fs.Int("max-instances", 0, "plans needing more instances fail (0: no limit)")
	startRate := fs.String("start-rate", "100/s", "first rate probed; doubles from there")
	maxRate := fs.String("max-rate", "1000000/s", "highest rate probed")
	step := fs.Duration("step", 0, "measured length of each probe (default 5s)")
	stepWarmup := fs.Duration("step-warmup", 0, "warm-up of each probe (default 1s)")
	maxSteps := fs.Int("max-steps", 0, "probes per scenario at most (default 14)")
	gate := fs.String("gate", "", "comma-separated scenarios whose plan decides the exit code (default all but the upstream baseline)")
	jsonOut := fs.String("json", "", "write the searches and the plan as JSON to `FILE`")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cc := bench.CapacityConfig{StepDuration: bench.Duration(*step), StepWarmup: bench.Duration(*stepWarmup), MaxSteps: *maxSteps}
	var pc bench.PlanConfig
	var errs []error
	var err error
	if cc.SLO, err = bench.ParseSLO(*slo); err != nil {
		errs = append(errs, err)
	}
	if cc.MaxErrors, err = bench.ParseShare(*maxErrors); err != nil {
		errs = append(errs, fmt.Errorf("--max-errors: %w", err))
	}
	if cc.StartRate, err = bench.ParseRate(*startRate); err != nil {
		errs = append(errs, fmt.Errorf("--start-rate: %w", err))
	}
	if cc.MaxRate, err = bench.ParseRate(*maxRate); err != nil {
		errs = append(errs, fmt.Errorf("--max-rate: %w", err))
	}
	if *peak == "" {
		errs = append(errs, errors.New("--peak is required"))
	} else if pc.Peak, err = bench.ParseRate(*peak); err != nil || pc.Peak <= 0 {
		errs = append(errs, fmt.Errorf("--peak: want a positive rate such as 20000/s"))
	}
	if pc.Headroom, err = bench.ParseShare(*headroom); err != nil {
		errs = append(errs, fmt.Errorf("--headroom: %w", err))
	}
	pc.MaxInstances = *maxInstances
	if len(errs) > 0 {
		return usageError{errors.Join(errs...)}
	}
	cfg, p, err := f.load(env, fs)
	if err != nil {
		return err
	}
	gated := map[string]bool{}
	for _, g := range splitList(*gate) {
		if !containsScenario(cfg.Scenarios, g) {
			return usagef("--gate: no scenario %q", g)
		}
		gated[g] = true
	}
	setup, err := newBenchSetup(ctx, cfg, f.options(p, env))
	if errors.Is(err, bench.ErrHostNotAllowed) {
		return usageError{err}
	}
	if err != nil {
		return err
	}
	defer setup.Close()
	for _, n := range setup.notes {
		fmt.Fprintln(env.stderr, "note:", n)
	}

	var caps []bench.Capacity
	for _, sc := range setup.cfg.Scenarios {
		fmt.Fprintf(env.stderr, "%s: searching (SLO %s, errors ≤ %s)\n", sc.Name, cc.SLO, cc.MaxErrors)
		c, err := bench.FindCapacity(ctx, setup.cfg, sc.Name, setup.targets, cc, func(pr bench.Probe) {
			verdict := "pass"
			if !pr.Pass {
				verdict = "fail: " + pr.Why
			}
			fmt.Fprintf(env.stderr, "  %8.0f/s  achieved %8.0f/s  p%v %-8s  %s\n", pr.Rate, pr.Achieved, cc.SLO.Quantile, bench.FormatNs(pr.Latency), verdict)
		})
		if err != nil {
			return err
		}
		caps = append(caps, c)
		if c.Canceled {
			break
		}
	}
	plan := bench.MakePlan(caps, pc)
	if err := bench.WriteCapacity(env.stdout, caps, cc, plan); err != nil {
		return err
	}
	if *jsonOut != "" {
		data, err := json.MarshalIndent(struct {
			SLO       string           `json:"slo"`
			MaxErrors float64          `json:"max_errors"`
			Searches  []bench.Capacity `json:"searches"`
			Plan      bench.Plan       `json:"plan"`
		}{cc.SLO.String(), float64(cc.MaxErrors), caps, plan}, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(*jsonOut, append(data, '\n'), 0o644); err != nil {
			return err
		}
	}
	if ctx.Err() != nil {
		return errors.New("interrupted: partial search reported")
	}
	var bad []string
	for _, l := range plan.Lines {
		if (gated[l.Scenario] || (len(gated) == 0 && l.Mode != "upstream")) && !l.Feasible {
			bad = append(bad, l.Scenario)
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("%w: %v", errPlanInfeasible, bad)
	}
	return nil
}
