package profiles

import (
	"strings"
	"testing"
	"time"

	"github.com/authscope/authscope/bench"
)

// TestBenchSectionTyped: the bench section decodes into bench.Config with
// the profile's own strictness: a misspelt key, at any depth (scenario
// items included), is an error naming the file, the line counted from the
// top of the file, and the dotted key.
func TestBenchSectionTyped(t *testing.T) {
	p, err := Parse("ok.yaml", []byte(`name: ok
bench:
  rate: 100/s
  duration: 2s
  population: {sessions: 20, popularity: zipf}
  scenarios:
    - {name: jwt, mode: local, strategy: jwt}
`))
	if err != nil {
		t.Fatal(err)
	}
	if p.Bench == nil || p.Bench.Rate != 100 || p.Bench.Duration != bench.Duration(2*time.Second) ||
		p.Bench.Population.Sessions != 20 || len(p.Bench.Scenarios) != 1 || p.Bench.Scenarios[0].Name != "jwt" {
		t.Fatalf("bench section %+v", p.Bench)
	}
	if p, err := Parse("none.yaml", []byte("name: none\n")); err != nil || p.Bench != nil {
		t.Fatalf("no bench section: %+v, %v", p, err)
	}
	for _, tc := range []struct{ src, want string }{
		{"name: a\nbench: {durration: 2s}\n", "a.yaml:2: bench.durration: unknown key"},
		{"name: a\ndescription: x\nbench:\n  population:\n    sesions: 3\n", "a.yaml:5: bench.population.sesions: unknown key"},
		{"name: a\nbench:\n  scenarios:\n    - {name: x, mode: local}\n    - {name: y, mdoe: proxy}\n", "a.yaml:5: bench.scenarios[1].mdoe: unknown key"},
		{"name: a\nbench:\n  duration: 2\n", "a.yaml:3: bench.duration:"},
	} {
		_, err := Parse("a.yaml", []byte(tc.src))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want %q", tc.src, err, tc.want)
		}
	}
}

// TestDurationsNeedAUnit: one convention across sections, Go durations; a
// bare number is refused with the fix in the message (0 needs no unit).
func TestDurationsNeedAUnit(t *testing.T) {
	_, err := Parse("a.yaml", []byte("name: a\nresolver:\n  max_age: 2592000\n"))
	if err == nil || !strings.Contains(err.Error(), "a.yaml:3: resolver.max_age:") || !strings.Contains(err.Error(), "2592000s") {
		t.Errorf("bare seconds: %v", err)
	}
	p, err := Parse("a.yaml", []byte("name: a\nresolver:\n  max_age: 720h\n  update_age: 0\n"))
	if err != nil || p.Resolver.MaxAge.D() != 720*time.Hour || p.Resolver.UpdateAge == nil || *p.Resolver.UpdateAge != 0 {
		t.Errorf("Go durations: %+v, %v", p, err)
	}
}

// TestBenchThresholds: thresholds are a list of strings in the bench
// section, decoded by bench's own parser; a malformed one or one naming a
// scenario the section lacks is an error with its line.
func TestBenchThresholds(t *testing.T) {
	p, err := Parse("t.yaml", []byte("name: t\nbench:\n  scenarios: [{name: a, mode: local, strategy: jwt}]\n  thresholds:\n    - \"a:p99<2ms\"\n    - '*:success>99.9%'\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Bench.Thresholds) != 2 || p.Bench.Thresholds[0].Kind != bench.MetricPercentile || p.Bench.Thresholds[1].Kind != bench.MetricSuccess {
		t.Fatalf("%+v", p.Bench.Thresholds)
	}
	// Without scenarios the section gates whatever the command runs.
	if _, err := Parse("t.yaml", []byte("name: t\nbench: {thresholds: [\"local-jwt:p99<2ms\"]}\n")); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ src, want string }{
		{"name: t\nbench:\n  thresholds:\n    - \"a:p99<<2ms\"\n", `t.yaml:3: bench.thresholds: threshold "a:p99<<2ms"`},
		{"name: t\nbench:\n  thresholds: [{a: 1}]\n", "t.yaml:3: bench.thresholds[0]: want a string"},
		{"name: t\nbench:\n  scenarios: [{name: a}]\n  thresholds:\n    - a:p99<2ms\n    - b:max<1s\n", `t.yaml:6: bench.thresholds[1]: threshold "b:max<1s": no such scenario "b"`},
	} {
		_, err := Parse("t.yaml", []byte(tc.src))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want %q", tc.src, err, tc.want)
		}
	}
}
