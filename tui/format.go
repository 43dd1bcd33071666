package tui

import (
	"fmt"
	"strings"
	"time"
)

// Formatting shared by the screens: durations, fingerprints, and the shown
// text a filter matches.

// shortFP is the first 8 characters of a fingerprint.
func shortFP(fp string) string {
	if len(fp) > 8 {
		return fp[:8]
	}
	return fp
}

func sum(xs []int) int {
	n := 0
	for _, x := range xs {
		n += x
	}
	return n
}

// fmtExpiresIn is a compact "29d 23h" / "5h 12m", or "expired 3m ago".
func fmtExpiresIn(d time.Duration) string {
	if d < 0 {
		// The largest unit is enough for the past, and the column is narrow.
		ago, _, _ := strings.Cut(fmtExpiresIn(-d), " ")
		return "expired " + ago + " ago"
	}
	sign := ""
	switch {
	case d >= 24*time.Hour:
		return fmt.Sprintf("%s%dd %dh", sign, d/(24*time.Hour), (d%(24*time.Hour))/time.Hour)
	case d >= time.Hour:
		return fmt.Sprintf("%s%dh %dm", sign, d/time.Hour, (d%time.Hour)/time.Minute)
	case d >= time.Minute:
		return fmt.Sprintf("%s%dm", sign, d/time.Minute)
	}
	return fmt.Sprintf("%s%ds", sign, d/time.Second)
}

// fmtDuration prints a latency with three significant digits.
func fmtDuration(d time.Duration) string {
	switch {
	case d <= 0:
		return "0"
	case d < time.Microsecond:
		return fmt.Sprintf("%dns", d.Nanoseconds())
	case d < time.Millisecond:
		return trimUnit(float64(d)/float64(time.Microsecond), "µs")
	case d < time.Second:
		return trimUnit(float64(d)/float64(time.Millisecond), "ms")
	}
	return trimUnit(d.Seconds(), "s")
}

func trimUnit(v float64, unit string) string {
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f%s", v, unit)
	case v >= 10:
		return fmt.Sprintf("%.1f%s", v, unit)
	}
	return fmt.Sprintf("%.2f%s", v, unit)
}

// shownText is what the list shows of a row that a filter may match: the
// redacted name and e-mail and the fingerprint (its short form is a
// prefix). Raw values never take part, so a filter reveals nothing the
// columns hide.
func shownText(red redactor) func(SessionRow) string {
	return func(r SessionRow) string {
		// The list shows 8 characters of the fingerprint: match only those.
		return red.text(r.Name) + "\x00" + red.email(r.Email) + "\x00" + shortFP(red.fingerprint(r.Token))
	}
}
