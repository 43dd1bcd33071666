package cli

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"
)

// One flag name, one meaning, in every command: --max-age and --now used
// to be seconds in resolve, serve, upstream and mint but a Go duration and
// an RFC 3339 time in seed. Both now accept both forms everywhere: a plain
// number is seconds (what Auth.js's maxAge and a Unix clock are), anything
// else a Go duration or an RFC 3339 time. They parse while the flags are
// parsed, so a bad value is reported before any configuration is read.

// ageFlag is a non-negative length of time: seconds, or a Go duration.
type ageFlag struct{ d time.Duration }

func (a *ageFlag) String() string {
	if a == nil || a.d == 0 {
		return ""
	}
	return a.d.String()
}

func (a *ageFlag) Set(s string) error {
	d, err := parseAge(s)
	if err != nil {
		return err
	}
	a.d = d
	return nil
}

// maxAgeSeconds keeps a number of seconds within time.Duration (about 292
// years), so it cannot wrap around into a negative age.
const maxAgeSeconds = math.MaxInt64 / int64(time.Second)

func parseAge(s string) (time.Duration, error) {
	errForm := errors.New("want seconds (2592000) or a Go duration (720h, 30m)")
	if secs, err := strconv.ParseFloat(s, 64); err == nil {
		if math.IsNaN(secs) || secs < 0 || secs > float64(maxAgeSeconds) {
			return 0, fmt.Errorf("want 0 to %d seconds", maxAgeSeconds)
		}
		return time.Duration(secs * float64(time.Second)), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, errForm
	}
	if d < 0 {
		return 0, errors.New("must not be negative")
	}
	return d, nil
}

// maxNowSeconds is 9999-12-31T23:59:59Z.
const maxNowSeconds = 253402300799

// instantFlag is a fixed clock: Unix seconds (fractions allowed), or an
// RFC 3339 time. Unset, the clock is the real one.
type instantFlag struct {
	t   time.Time
	set bool
}

func (i *instantFlag) String() string {
	if i == nil || !i.set {
		return ""
	}
	return i.t.Format(time.RFC3339Nano)
}

func (i *instantFlag) Set(s string) error {
	t, err := parseInstant(s)
	if err != nil {
		return err
	}
	i.t, i.set = t, true
	return nil
}

// parseInstant reads Unix seconds or RFC 3339. NaN, infinities and far-off
// values would wrap around in UnixMilli or print expiries no JavaScript
// Date shows; 0 to the end of year 9999 keeps every instant an ISO
// timestamp with a four-digit year. Millisecond precision, as a JavaScript
// Date has.
func parseInstant(s string) (time.Time, error) {
	errRange := fmt.Errorf("want Unix seconds from 0 to %d, or an RFC 3339 time (2025-11-27T08:00:00Z)", int64(maxNowSeconds))
	if secs, err := strconv.ParseFloat(s, 64); err == nil {
		if math.IsNaN(secs) || secs < 0 || secs > maxNowSeconds {
			return time.Time{}, errRange
		}
		return time.UnixMilli(int64(secs * 1000)).UTC(), nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil || t.Unix() < 0 || t.Unix() > maxNowSeconds {
		return time.Time{}, errRange
	}
	return time.UnixMilli(t.UnixMilli()).UTC(), nil
}

// clock is the fixed clock the flag names, or time.Now when unset.
func (i *instantFlag) clock() func() time.Time {
	if !i.set {
		return time.Now
	}
	t := i.t
	return func() time.Time { return t }
}

// tokenMemoFlag is --token-memo: a count of tokens, 0 (off) or more; the
// -1 it starts at means "not given", so a profile's token_memo stands.
type tokenMemoFlag struct{ n *int }

func (f tokenMemoFlag) String() string {
	if f.n == nil || *f.n < 0 {
		return ""
	}
	return strconv.Itoa(*f.n)
}

func (f tokenMemoFlag) Set(s string) error {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return fmt.Errorf("want 0 (off) or a number of tokens, got %q", s)
	}
	*f.n = n
	return nil
}
