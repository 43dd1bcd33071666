package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"text/tabwriter"
)

// CapacityReport is the outcome of a capacity run: every scenario's
// search, the plan, and the criteria. It writes as text (WriteText), JSON
// (WriteJSON) and a self-contained HTML report (WriteHTML), so a command
// only calls them.
type CapacityReport struct {
	SLO       string  `json:"slo"`
	MaxErrors float64 `json:"max_errors"`
	// Canceled: the run was interrupted; every capacity is a lower bound
	// and the plan plans nothing.
	Canceled bool       `json:"canceled,omitempty"`
	Searches []Capacity `json:"searches"`
	// Ceilings are the generator's own ceilings, one search of a no-op
	// target per transport (see capacity_ceiling.go), run first.
	Ceilings []Capacity `json:"generator_ceilings,omitempty"`
	Plan     Plan       `json:"plan"`
	// Pacing is how the probes' requests were released: "precise" or
	// "batched" (Config.PrecisePacing).
	Pacing string `json:"pacing,omitempty"`

	cc CapacityConfig
}

// NewCapacityReport assembles a report from searches already run (the
// plan is made here, after the upstream bounds are applied).
func NewCapacityReport(caps []Capacity, cc CapacityConfig, pc PlanConfig) *CapacityReport {
	caps = slices.Clone(caps)
	BoundByUpstream(caps)
	r := &CapacityReport{SLO: cc.SLO.String(), MaxErrors: float64(cc.MaxErrors), Searches: caps, cc: cc.withDefaults()}
	for _, c := range caps {
		r.Canceled = r.Canceled || c.Canceled
	}
	r.Plan = MakePlan(caps, pc)
	return r
}

// SearchCapacities searches every scenario of cfg and plans for pc. The
// upstream scenarios go first, since a proxy is planned on what its
// upstream holds (BoundByUpstream); the report keeps cfg's order. A
// cancelled context ends the run with what was found, marked Canceled.
// progress, when non-nil, is called with p nil as each search starts, then
// with each measurement.
func SearchCapacities(ctx context.Context, cfg Config, targets Targets, cc CapacityConfig, pc PlanConfig, progress func(scenario string, p *Probe)) (*CapacityReport, error) {
	return searchCapacities(ctx, cfg, targets, cc, pc, progress, liveEnv(Execute, targets.Processes))
}

func searchCapacities(ctx context.Context, cfg Config, targets Targets, cc CapacityConfig, pc PlanConfig, progress func(string, *Probe), env probeEnv) (*CapacityReport, error) {
	order := slices.Clone(cfg.Scenarios)
	slices.SortStableFunc(order, func(a, b ScenarioSpec) int {
		return boolIndex(a.Mode != "upstream") - boolIndex(b.Mode != "upstream")
	})
	budget := newTimeBudget(cc, env, len(order)+len(Vias(cfg.Scenarios, cc)))
	var ceilings []Capacity
	if !cc.SkipCeiling {
		var err error
		if ceilings, err = searchCeilings(ctx, cfg, targets, cc, progress, env, budget); err != nil {
			return nil, err
		}
	}
	found, err := searchScenarios(ctx, cfg, targets, cc, order, ceilings, progress, env, budget)
	if err != nil {
		return nil, err
	}
	var caps []Capacity
	for _, sc := range cfg.Scenarios {
		if c, ok := found[sc.Name]; ok {
			caps = append(caps, c)
		}
	}
	r := NewCapacityReport(caps, cc, pc)
	r.Ceilings = ceilings
	r.Pacing = pacingOf(cfg)
	for _, c := range ceilings {
		r.Canceled = r.Canceled || c.Canceled
	}
	return r, nil
}

// searchScenarios searches each scenario of order under its transport's
// ceiling, in the budget's two passes: the first gives each an equal
// share of the first pass's time, the second resumes, in order, those
// that ran out of it with equal shares of what is left.
func searchScenarios(ctx context.Context, cfg Config, targets Targets, cc CapacityConfig, order []ScenarioSpec, ceilings []Capacity,
	progress func(string, *Probe), env probeEnv, budget *timeBudget) (map[string]Capacity, error) {
	found := map[string]Capacity{}
	searches := map[string]*search{}
	for _, sc := range order {
		if ctx.Err() != nil {
			break
		}
		if progress != nil {
			progress(sc.Name, nil)
		}
		ceiling := ceilingFor(ceilings, sc.Via)
		s, err := newSearch(ctx, cfg, sc.Name, targets, capAtCeiling(budget.next(cc, env), ceiling), eachProbe(progress, sc.Name), env)
		if err != nil {
			return nil, err
		}
		c, err := s.runFor(s.cc.MaxTime)
		if err != nil {
			return nil, err
		}
		markGeneratorLimited(&c, ceiling)
		found[sc.Name], searches[sc.Name] = c, s
		if c.Canceled {
			return found, nil
		}
	}
	var again []ScenarioSpec
	for _, sc := range order {
		if c, ok := found[sc.Name]; ok && c.StoppedBy == "max-time" {
			again = append(again, sc)
		}
	}
	for i, sc := range again {
		if ctx.Err() != nil {
			break
		}
		if progress != nil {
			progress(sc.Name, nil)
		}
		c, err := searches[sc.Name].runFor(budget.resume(env, len(again)-i))
		if err != nil {
			return nil, err
		}
		c.Resumed = true
		markGeneratorLimited(&c, ceilingFor(ceilings, sc.Via))
		found[sc.Name] = c
		if c.Canceled {
			break
		}
	}
	return found, nil
}

// eachProbe adapts a run's progress to one search's (nil: none).
func eachProbe(progress func(string, *Probe), name string) func(Probe) {
	if progress == nil {
		return nil
	}
	return func(p Probe) { progress(name, &p) }
}

// Vias are the transports of scenarios whose generator ceiling a
// SearchCapacities with cc measures first, in order (none when
// cc.SkipCeiling).
func Vias(scenarios []ScenarioSpec, cc CapacityConfig) []Via {
	var out []Via
	if cc.SkipCeiling {
		return nil
	}
	for _, sc := range scenarios {
		via := sc.Via
		if via == "" {
			via = ViaInProc
		}
		if !slices.Contains(out, via) {
			out = append(out, via)
		}
	}
	return out
}

// BoundByUpstream sets each proxy scenario's UpstreamBound: what the
// upstream holds divided by the proxy's upstream calls per request (its
// miss ratio), the most the proxy can answer without overrunning it. The
// upstream is the upstream scenario of the same strategy, else any
// upstream scenario; a bound needs its capacity measured (not a floor).
func BoundByUpstream(caps []Capacity) {
	for i := range caps {
		c := &caps[i]
		if c.Scenario.Mode != "proxy" || c.UpstreamRatio <= 0 {
			continue
		}
		up, ok := upstreamOf(caps, c.Scenario.Strategy)
		if !ok || up.LowerBound || up.Rate <= 0 {
			continue
		}
		c.UpstreamBound = up.Rate / c.UpstreamRatio
		c.BoundBy = up.Scenario.Name
	}
}

func upstreamOf(caps []Capacity, strategy string) (Capacity, bool) {
	var any *Capacity
	for i := range caps {
		if caps[i].Scenario.Mode != "upstream" {
			continue
		}
		if caps[i].Scenario.Strategy == strategy {
			return caps[i], true
		}
		if any == nil {
			any = &caps[i]
		}
	}
	if any == nil {
		return Capacity{}, false
	}
	return *any, true
}

// WriteJSON writes the report as indented JSON.
func (r *CapacityReport) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteText writes every search (its measurements, its rate-versus-latency
// curve, what was repeated and why) and the plan.
func (r *CapacityReport) WriteText(w io.Writer) error {
	return writeCapacityTextCeilings(w, r.Ceilings, r.Searches, r.cc.withDefaults(), r.Plan)
}

// WriteCapacity writes the searches and the plan as text, as
// (*CapacityReport).WriteText does; caps are taken as they are (call
// BoundByUpstream first to bound proxies by their upstream).
func WriteCapacity(w io.Writer, caps []Capacity, cc CapacityConfig, p Plan) error {
	return writeCapacityText(w, caps, cc.withDefaults(), p)
}

func writeCapacityText(w io.Writer, caps []Capacity, cc CapacityConfig, p Plan) error {
	return writeCapacityTextCeilings(w, nil, caps, cc, p)
}

func writeCapacityTextCeilings(w io.Writer, ceilings, caps []Capacity, cc CapacityConfig, p Plan) error {
	for _, c := range ceilings {
		fmt.Fprintf(w, "generator ceiling via %s (a target that does nothing): %s\n  %s\n", c.Scenario.Via, capacityText(c), repeatsText(c))
	}
	for _, c := range caps {
		if err := writeSearch(w, c, cc); err != nil {
			return err
		}
	}
	return writePlan(w, p, cc)
}

// writeSearch writes one scenario's search.
func writeSearch(w io.Writer, c Capacity, cc CapacityConfig) error {
	fmt.Fprintf(w, "%s (%s/%s cache=%v via %s): capacity %s", c.Scenario.Name, c.Scenario.Mode,
		c.Scenario.Strategy, c.Scenario.Cache, c.Scenario.Via, capacityText(c))
	if c.Canceled {
		fmt.Fprint(w, " (search cancelled: a lower bound)")
	}
	fmt.Fprintln(w)
	if line := repeatsText(c); line != "" {
		fmt.Fprintln(w, "  "+line)
	}
	if c.Undecided != "" {
		fmt.Fprintln(w, "  could not decide "+c.Undecided)
	}
	if c.UpstreamBound > 0 && c.UpstreamBound < c.Rate {
		fmt.Fprintf(w, "  bounded by %s: it holds what %.0f/s of this scenario sends it (upstream calls per request %.2f); planned at %.0f/s\n",
			c.BoundBy, c.UpstreamBound, c.UpstreamRatio, c.UpstreamBound)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	q := fmtNum(cc.SLO.Quantile)
	fmt.Fprintf(tw, "  step\trate/s\tachieved/s\tsamples\tp%s [95%% CI]\town p%s\terrors\tcache hit\tlag p99\t  verdict\n", q, q)
	for i, s := range c.Steps {
		fmt.Fprintf(tw, "  %d\t%.0f\t%.0f\t%s\t%s\t%s\t%.3f%%\t%s\t%s\t  %s\n", i+1, s.Rate, s.Achieved, samplesText(s),
			latencyText(s), FormatNs(s.OwnLatency), s.ErrorRatio*100, hitText(s), FormatNs(s.DispatchLagP99), verdictText(s))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	writeCurve(w, c, cc)
	return nil
}

func samplesText(s Probe) string {
	if s.SamplesWanted > 0 && s.Samples < s.SamplesWanted {
		return fmt.Sprintf("%d<%d", s.Samples, s.SamplesWanted)
	}
	return fmt.Sprint(s.Samples)
}

func latencyText(s Probe) string {
	if s.LatencyCI.Quantile == 0 {
		return FormatNs(s.Latency)
	}
	return s.LatencyCI.String()
}

func hitText(s Probe) string {
	if !s.CacheReset && s.WarmupRuns == 0 {
		return fmt.Sprintf("%.1f%%", s.CacheHitRatio*100)
	}
	return fmt.Sprintf("%.1f%% (own)", s.CacheHitRatio*100)
}

func verdictText(s Probe) string {
	tag := ""
	switch s.Purpose {
	case "confirm":
		tag = " (confirming)"
	case "generator":
		tag = " (re-measured)"
	}
	switch {
	case s.Verdict == VerdictInconclusive:
		return "INCONCLUSIVE" + tag + ": the generator, not the target: " + s.Generator + " (" + s.Why + ")"
	case s.WithoutLag:
		return "pass" + tag + " " + s.Generator
	case s.Pass:
		return "pass" + tag
	}
	return "FAIL" + tag + ": " + s.Why
}

// repeatsText says how many measurements were repeats, and why, and
// whether the search went on in the time budget's second pass.
func repeatsText(c Capacity) string {
	if len(c.Steps) == 0 {
		return ""
	}
	resumed := ""
	if c.Resumed {
		resumed = " (out of its first share of --max-time, resumed where it stopped)"
	}
	return repeatsOf(c) + resumed
}

// repeatsOf counts c's measurements and its repeats by why.
func repeatsOf(c Capacity) string {
	conf, gen := c.Repeats["confirm"], c.Repeats["generator"]
	if conf+gen == 0 {
		return fmt.Sprintf("%d measurements, none repeated", len(c.Steps))
	}
	var why []string
	if conf > 0 {
		why = append(why, fmt.Sprintf("%d to confirm a failure or the capacity", conf))
	}
	if gen > 0 {
		why = append(why, fmt.Sprintf("%d re-measured after the generator or the host explained a failure", gen))
	}
	return fmt.Sprintf("%d measurements, %d repeated: %s", len(c.Steps), conf+gen, strings.Join(why, ", "))
}

// curveWidth is the bar width of the text curve.
const curveWidth = 32

// writeCurve draws the rate-versus-latency curve: one line per
// measurement in rate order, a bar on a log scale with the SLO's limit
// marked "|".
func writeCurve(w io.Writer, c Capacity, cc CapacityConfig) {
	pts := curvePoints(c)
	if len(pts) < 2 {
		return
	}
	lo, hi := float64(cc.SLO.Limit), float64(cc.SLO.Limit)
	for _, p := range pts {
		if p.Latency > 0 {
			lo, hi = math.Min(lo, float64(p.Latency)), math.Max(hi, float64(p.Latency))
		}
	}
	lo /= 2
	col := func(v float64) int {
		if v <= lo || hi <= lo {
			return 0
		}
		return int(math.Round(math.Log(v/lo) / math.Log(hi/lo) * curveWidth))
	}
	limit := col(float64(cc.SLO.Limit))
	fmt.Fprintf(w, "  curve: p%s by rate (log scale, | = %s)\n", fmtNum(cc.SLO.Quantile), cc.SLO.Limit)
	for _, p := range pts {
		n := col(float64(p.Latency))
		bar := []rune(strings.Repeat("█", n) + strings.Repeat(" ", max(0, curveWidth+1-n)))
		if limit < len(bar) && bar[limit] == ' ' {
			bar[limit] = '|'
		}
		mark := "pass"
		switch p.Verdict {
		case VerdictFail:
			mark = "fail"
		case VerdictInconclusive:
			mark = "inconclusive"
		}
		fmt.Fprintf(w, "  %9.0f/s %9s %s %s\n", p.Rate, FormatNs(p.Latency), string(bar), mark)
	}
}

// curvePoints are c's measurements in rate order (stable: repeats of one
// rate stay in the order taken).
func curvePoints(c Capacity) []Probe {
	pts := slices.Clone(c.Steps)
	slices.SortStableFunc(pts, func(a, b Probe) int {
		switch {
		case a.Rate < b.Rate:
			return -1
		case a.Rate > b.Rate:
			return 1
		}
		return 0
	})
	return pts
}

// writePlan writes the plan table and its notes.
func writePlan(w io.Writer, p Plan, cc CapacityConfig) error {
	fmt.Fprintf(w, "\nplan: peak %.0f/s + %.0f%% headroom = %.0f/s, SLO %s, errors ≤ %s", p.Peak, p.Headroom*100, p.Need, cc.SLO, cc.MaxErrors)
	if p.UpstreamCapacity > 0 {
		ge := ""
		if p.UpstreamLowerBound {
			ge = "≥"
		}
		fmt.Fprintf(w, ", upstream holds %s%.0f/s", ge, p.UpstreamCapacity)
	}
	fmt.Fprintln(w)
	if p.Canceled {
		fmt.Fprintln(w, "  CANCELLED: nothing planned; the capacities below are lower bounds")
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "  scenario\tcapacity/s\tinstances\tcache must hit\tfits\n")
	for _, l := range p.Lines {
		req := "-"
		if l.RequiredHitRatio >= 0 {
			req = fmt.Sprintf("%.1f%% (seen %.1f%%)", l.RequiredHitRatio*100, l.ObservedHitRatio*100)
		}
		fits := "yes"
		if l.Caveat != "" {
			fits = "yes, " + l.Caveat
			if req == "-" {
				req = "unknown"
			}
		}
		switch {
		case l.Undecided:
			fits = l.Why
		case !l.Feasible:
			fits = "NO: " + l.Why
		}
		capTxt, inst := fmt.Sprintf("%.0f", l.Capacity), fmt.Sprint(l.Instances)
		if l.LowerBound {
			capTxt, inst = "≥"+capTxt, "≤"+inst
		}
		if l.Canceled || l.Capacity <= 0 {
			inst = "-"
		}
		if l.BoundBy != "" {
			capTxt += fmt.Sprintf(" (bound by %s; own %.0f)", l.BoundBy, l.Measured)
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", l.Scenario, capTxt, inst, req, fits)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, n := range p.Notes {
		fmt.Fprintln(w, "note:", n)
	}
	return nil
}

// capacityText is the capacity with its bracket ("400/s, bracket [400/s,
// 420/s)"), or a floor when no failure bounded it ("≥100/s (stopped at
// max-steps …: a lower bound)").
func capacityText(c Capacity) string {
	switch {
	case c.Canceled:
		return fmt.Sprintf("≥%.0f/s (search cancelled: a lower bound)", c.Rate)
	case c.GeneratorLimited:
		return fmt.Sprintf("≥%.0f/s: the generator's ceiling (the generator, not the target, is the limit: a lower bound)", c.Rate)
	case c.StoppedBy == "undecided" && c.Rate == 0 && c.BracketHigh == 0:
		return "unknown (undecided: the generator, not the target, explained every failure; no rate passed)"
	case c.LowerBound && c.Rate == 0 && c.BracketHigh == 0 && c.StoppedBy == "max-time":
		return "unknown (stopped at max-time before any rate was decided: a lower bound of 0)"
	case c.LowerBound && c.StoppedBy == "undecided":
		return fmt.Sprintf("≥%.0f/s (undecided: the generator, not the target, explained the failures above it: a lower bound%s)", c.Rate, failedAt(c))
	case c.LowerBound && c.BracketHigh > 0:
		return fmt.Sprintf("≥%.0f/s (stopped at %s: a lower bound%s)", c.Rate, c.StoppedBy, failedAt(c))
	case c.LowerBound:
		return fmt.Sprintf("≥%.0f/s (stopped at %s before any failure was confirmed: a lower bound)", c.Rate, c.StoppedBy)
	case c.Rate == 0 && c.BracketHigh > 0:
		return fmt.Sprintf("0/s (no rate held; lowest confirmed failure %.0f/s)", c.BracketHigh)
	case c.BracketHigh == 0:
		return fmt.Sprintf("%.0f/s", c.Rate)
	}
	conf := ""
	switch {
	case !c.Confirmed && c.StoppedBy == "undecided":
		conf = "; passed once: its confirmation was undecided"
	case !c.Confirmed:
		conf = "; passed once, not confirmed"
	}
	return fmt.Sprintf("%.0f/s (bracket %.0f/s to %.0f/s: highest confirmed pass, lowest confirmed failure%s)", c.Rate, c.Rate, c.BracketHigh, conf)
}

// failedAt names the lowest confirmed failure, if any.
func failedAt(c Capacity) string {
	if c.BracketHigh <= 0 {
		return ""
	}
	return fmt.Sprintf("; %.0f/s failed, confirmed", c.BracketHigh)
}
