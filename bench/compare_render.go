package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// Rendering a Comparison: a text table for the terminal, Markdown for a
// pull request comment, JSON for tools. All three say the same things in
// the same order: the headline, why the runs are not comparable (if
// so), what was not checked, then one row per scenario and metric.

// Headline is the comparison's one-line outcome.
func (c *Comparison) Headline() string {
	bound := fmtPct(c.MaxRegression)
	switch {
	case !c.Comparable:
		return fmt.Sprintf("not comparable (%s)", plural(len(c.Differences), "difference"))
	case c.Regressions > 0:
		return fmt.Sprintf("%s beyond %s: %s", plural(c.Regressions, "regression"), bound, strings.Join(c.regressed(), ", "))
	}
	return "no regression beyond " + bound
}

// regressed names the regressed rows: "local-jwt p99 +25%".
func (c *Comparison) regressed() []string {
	var out []string
	for _, r := range c.Rows {
		if r.Verdict == ChangeRegression {
			out = append(out, r.Scenario+" "+r.Metric+" "+r.changeString())
		}
	}
	return out
}

// WriteText writes the comparison as a table; baseName and newName label
// the runs (their files).
func (c *Comparison) WriteText(w io.Writer, baseName, newName string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "compare %s (base) → %s (new), regression bound %s\n", baseName, newName, fmtPct(c.MaxRegression))
	b.WriteString(c.NoiseBound + "\n")
	for _, d := range c.Differences {
		b.WriteString("NOT COMPARABLE " + d + "\n")
	}
	for _, n := range c.Notes {
		b.WriteString("note: " + n + "\n")
	}
	b.WriteString("\n")
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "scenario\tmetric\tbase\tnew\tchange\tverdict")
	for _, r := range c.Rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.Scenario, r.Metric, r.Base.render(r.kind), r.New.render(r.kind), r.changeString(), r.Verdict)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, n := range c.markNotes() {
		b.WriteString(n + "\n")
	}
	fmt.Fprintf(&b, "\n%s\n", c.Headline())
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteMarkdown writes the comparison for a pull request comment.
func (c *Comparison) WriteMarkdown(w io.Writer, baseName, newName string) error {
	var b strings.Builder
	mark := "✅"
	switch {
	case !c.Comparable:
		mark = "⚠️"
	case c.Regressions > 0:
		mark = "❌"
	}
	fmt.Fprintf(&b, "### %s authscope compare: %s\n\n", mark, c.Headline())
	fmt.Fprintf(&b, "Base `%s`, new `%s`. A percentile regresses only when its 95%% interval lies above the base's by more than %s; overlapping intervals are noise. %s.\n\n",
		mdCode(baseName), mdCode(newName), fmtPct(c.MaxRegression), mdEscape(upperFirst(c.NoiseBound)))
	for _, d := range c.Differences {
		fmt.Fprintf(&b, "- **not comparable**: %s\n", mdEscape(d))
	}
	for _, n := range c.Notes {
		fmt.Fprintf(&b, "- note: %s\n", mdEscape(n))
	}
	if len(c.Differences)+len(c.Notes) > 0 {
		b.WriteString("\n")
	}
	b.WriteString("| scenario | metric | base | new | change | verdict |\n|---|---|--:|--:|--:|---|\n")
	for _, r := range c.Rows {
		v := string(r.Verdict)
		if r.Verdict == ChangeRegression {
			v = "**regression**"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", mdEscape(r.Scenario), r.Metric,
			mdEscape(r.Base.render(r.kind)), mdEscape(r.New.render(r.kind)), r.changeString(), v)
	}
	for _, n := range c.markNotes() {
		// "\*": the note is no list item.
		b.WriteString("\n" + strings.Replace(mdEscape(n), "*", "\\*", 1) + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteJSON writes the comparison as indented JSON.
func (c *Comparison) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(c)
}

// render shows a figure with its interval: "1.20ms [1.15ms, 1.26ms]"
// (≥ on an unbounded upper end), a success "99.95% [99.9%, 99.98%]", a
// rate "500/s"; "-" when nothing was measured.
func (iv Interval) render(k MetricKind) string {
	if iv.Samples == 0 {
		return "-"
	}
	if k == MetricRate && iv.Low == iv.High {
		return formatMetric(k, iv.Value)
	}
	hi := formatMetric(k, iv.High)
	if !iv.Bounded {
		hi = "≥" + hi
	}
	mark := ""
	if iv.Spread {
		mark = "*"
	}
	if iv.BetweenRuns {
		mark += "†"
	}
	lo := formatMetric(k, iv.Low)
	if iv.Low == 0 && k == MetricPercentile {
		lo = "0" // FormatNs shows 0 as "-": here it is a bound, the spread reaching zero
	}
	return fmt.Sprintf("%s [%s, %s]%s", formatMetric(k, iv.Value), lo, hi, mark)
}

// markNotes explain the marks on widened intervals: * and †.
func (c *Comparison) markNotes() []string {
	var spread, between bool
	for _, r := range c.Rows {
		spread = spread || r.Base.Spread || r.New.Spread
		between = between || r.Base.BetweenRuns
	}
	var out []string
	if spread {
		out = append(out, "* widened to the spread between the run's own intervals (the machine's noise over the run, not only the sampling's)")
	}
	if between {
		out = append(out, fmt.Sprintf("† widened to the spread between the %d baseline runs (their 95%% prediction interval for one more run)", c.BaselineRuns))
	}
	return out
}

// upperFirst capitalises s's first letter (ASCII).
func upperFirst(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

// changeString renders the change: "+25.3%" of the base, or for success
// the difference in percentage points, "-0.4pp".
func (r CompareRow) changeString() string {
	if r.Base.Samples == 0 || r.New.Samples == 0 {
		return "-"
	}
	if r.kind == MetricSuccess {
		return fmt.Sprintf("%+.3gpp", r.Change*100)
	}
	return fmt.Sprintf("%+.1f%%", r.Change*100)
}

// mdEscape keeps a cell's text from breaking the table.
func mdEscape(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ", "<", "&lt;").Replace(s)
}

// mdCode keeps a file name from closing its code span.
func mdCode(s string) string { return strings.ReplaceAll(s, "`", "'") }
