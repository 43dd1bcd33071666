package js

import (
	"math/rand/v2"
	"testing"
	"time"
)

// TestISOTimeFastPath checks appendISOMilli, AppendISOTime's day-count
// path, against the time.Time-based appendISOTimeSlow byte for byte:
// random instants over the whole range it serves, every millisecond
// around second, day, month, year and leap-day boundaries, and the range's
// ends.
func TestISOTimeFastPath(t *testing.T) {
	check := func(ms int64) {
		t.Helper()
		tm := time.UnixMilli(ms)
		want := string(appendISOTimeSlow(nil, tm))
		if got := string(AppendISOTime([]byte("x"), tm)); got != "x"+want {
			t.Fatalf("%d ms: %s, want x%s", ms, got, want)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200_000 {
		check(rng.Int64N(maxFastISO))
	}
	for _, s := range []string{"1970-01-01T00:00:00Z", "2000-02-29T00:00:00Z", "2000-03-01T00:00:00Z",
		"2024-02-29T23:59:59Z", "2100-03-01T00:00:00Z", "2026-12-31T23:59:59Z", "2038-01-19T03:14:08Z",
		"9999-12-31T23:59:59Z"} {
		base, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		for d := int64(-1500); d <= 1500; d++ {
			if ms := base.UnixMilli() + d; 0 <= ms && ms < maxFastISO {
				check(ms)
			}
		}
	}
	check(0)
	check(maxFastISO - 1)
	if got := string(AppendISOTime(nil, time.UnixMilli(maxFastISO))); got != "+010000-01-01T00:00:00.000Z" {
		t.Errorf("year 10000: %s", got)
	}
}

// AppendUTCString's day-count path writes what Go's layout writes (and
// net/http's TimeFormat is the same layout), over random instants and
// every second around calendar boundaries; outside it, the layout itself.
func TestUTCString(t *testing.T) {
	check := func(sec int64) {
		t.Helper()
		tm := time.Unix(sec, 999_999_999).In(time.FixedZone("X", -7200))
		want := tm.UTC().Format("Mon, 02 Jan 2006 15:04:05 GMT")
		if got := string(AppendUTCString([]byte("x"), tm)); got != "x"+want {
			t.Fatalf("%d s: %s, want x%s", sec, got, want)
		}
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 200_000 {
		check(rng.Int64N(maxFastISO/1000+1_000_000) - 1_000_000)
	}
	for _, s := range []string{"1970-01-01T00:00:00Z", "2000-02-29T00:00:00Z", "2024-02-29T23:59:59Z",
		"2100-03-01T00:00:00Z", "2026-12-31T23:59:59Z", "9999-12-31T23:59:59Z"} {
		base, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		for d := int64(-90_000); d <= 90_000; d += 7 {
			check(base.Unix() + d)
		}
	}
	if got := string(AppendUTCString(nil, time.Unix(maxFastISO/1000, 0))); got != "Sat, 01 Jan 10000 00:00:00 GMT" {
		t.Errorf("year 10000: %s", got)
	}
}
