package bench

import (
	"errors"
	"fmt"
	"math"
)

// Validate reports every problem with c at once, as Config.Validate does.
// Zero values mean the defaults (see CapacityConfig's fields) and pass;
// a negative StepWarmup means no warm-up and passes too, as does a
// StartRate above MaxRate (the search starts at MaxRate).
func (c CapacityConfig) Validate() error {
	var errs []error
	if c.SLO.Quantile <= 0 || c.SLO.Quantile > 100 || math.IsNaN(c.SLO.Quantile) || c.SLO.Limit <= 0 {
		errs = append(errs, fmt.Errorf("slo %s: want a percentile in (0, 100] and a positive limit", c.SLO))
	}
	if c.MaxErrors < 0 || c.MaxErrors > 1 || math.IsNaN(float64(c.MaxErrors)) {
		errs = append(errs, errors.New("max errors must be a fraction in [0, 1]"))
	}
	for _, r := range []struct {
		name string
		v    Rate
	}{{"start rate", c.StartRate}, {"max rate", c.MaxRate}} {
		if r.v < 0 || math.IsInf(float64(r.v), 0) || math.IsNaN(float64(r.v)) {
			errs = append(errs, fmt.Errorf("%s must be a finite positive rate (0 for the default)", r.name))
		}
	}
	if c.StepDuration < 0 {
		errs = append(errs, errors.New("step duration must not be negative (0 for the default)"))
	}
	if c.Precision < 0 || c.Precision >= 1 || math.IsNaN(c.Precision) {
		errs = append(errs, errors.New("precision must be a fraction in [0, 1) (0 for the default)"))
	}
	if c.MaxSteps < 0 {
		errs = append(errs, errors.New("max steps must not be negative (0 for the default)"))
	}
	return errors.Join(errs...)
}
