package bench

import (
	"math"
	"strings"
	"testing"
	"time"
)

func TestCapacityConfigValidate(t *testing.T) {
	ok := CapacityConfig{SLO: SLO{Quantile: 99, Limit: 5 * time.Millisecond}}
	if err := ok.Validate(); err != nil {
		t.Fatalf("defaults refused: %v", err)
	}
	noWarmup := ok
	noWarmup.StepWarmup = -1
	if err := noWarmup.Validate(); err != nil {
		t.Fatalf("a negative warm-up (none) refused: %v", err)
	}
	for _, tc := range []struct {
		name string
		edit func(*CapacityConfig)
		want string
	}{
		{"no slo", func(c *CapacityConfig) { c.SLO = SLO{} }, "slo"},
		{"quantile over 100", func(c *CapacityConfig) { c.SLO.Quantile = 101 }, "percentile"},
		{"errors over 1", func(c *CapacityConfig) { c.MaxErrors = 1.5 }, "max errors"},
		{"negative start", func(c *CapacityConfig) { c.StartRate = -1 }, "start rate"},
		{"infinite max", func(c *CapacityConfig) { c.MaxRate = Rate(math.Inf(1)) }, "max rate"},
		{"negative step", func(c *CapacityConfig) { c.StepDuration = -1 }, "step duration"},
		{"precision 1", func(c *CapacityConfig) { c.Precision = 1 }, "precision"},
		{"negative steps", func(c *CapacityConfig) { c.MaxSteps = -1 }, "max steps"},
	} {
		c := ok
		tc.edit(&c)
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error naming %q", tc.name, err, tc.want)
		}
	}
	// Every problem at once.
	bad := CapacityConfig{MaxErrors: 2, MaxSteps: -1}
	if err := bad.Validate(); err == nil || strings.Count(err.Error(), "\n") != 2 {
		t.Errorf("want three problems reported together, got %v", err)
	}
}
