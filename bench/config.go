package bench

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Defaults, after vegeta's where vegeta has one.
const (
	DefaultWorkers = 10               // vegeta.DefaultWorkers
	DefaultTimeout = 30 * time.Second // vegeta.DefaultTimeout
	// DefaultConnections caps an HTTP scenario's connections, and so its
	// workers (see Config.Connections).
	DefaultConnections = 64
	DefaultInterval    = time.Second // .hlog interval length
	DefaultSessions    = 1000
	DefaultZipfS       = 1.1
	DefaultMaxBody     = 4096 // bytes of a response read to classify it; never stored
	maxLatency         = 60 * time.Second
	minLatency         = time.Microsecond
	defaultRate        = 100
	defaultDuration    = 10 * time.Second
	snapshotEvery      = 250 * time.Millisecond // at most 4 snapshots a second
	snapshotBudget     = 5                      // and a snapshot's cost ×5 apart: at most a fifth of the run loop
	inprocURL          = "http://inproc.bench.invalid/"
	significantDigits  = 3
	// MaxRate is the highest rate a run may ask for: one request a
	// microsecond. The generator cannot keep a denser schedule (vegeta's
	// pacer hands each tick to a worker over a channel, a few hundred
	// nanoseconds at best, and its results pass through one loop), and the
	// histograms resolve 1 µs, so figures at higher rates would describe the
	// generator, not the target. `--rate 1e12` used to run its whole
	// duration and report nothing.
	MaxRate Rate = 1_000_000
)

// Via says how a scenario's requests reach the resolver.
type Via string

// Vias.
const (
	// ViaInProc calls the scenario's Target in-process through an
	// http.RoundTripper, measuring the resolver alone.
	ViaInProc Via = "inproc"
	// ViaHTTP sends real HTTP requests to the scenario's URL (for example a
	// loopback `authscope serve`).
	ViaHTTP Via = "http"
)

// String implements fmt.Stringer.
func (v Via) String() string { return string(v) }

// ScenarioSpec names one way of resolving sessions that a run measures.
// Mode, Strategy and Cache are labels for the report: bench never looks
// inside the target.
type ScenarioSpec struct {
	Name     string `json:"name" yaml:"name"`
	Mode     string `json:"mode" yaml:"mode"`         // local, proxy or upstream (the direct baseline)
	Strategy string `json:"strategy" yaml:"strategy"` // jwt or database
	Cache    bool   `json:"cache" yaml:"cache"`
	Via      Via    `json:"via" yaml:"via"`
	// URL is the endpoint of a ViaHTTP scenario. The caller may fill it in
	// at run time (a loopback server it started).
	URL string `json:"url,omitempty" yaml:"url,omitempty"`
}

// Popularity names how sessions are picked.
type Popularity string

// Popularities.
const (
	Uniform Popularity = "uniform"
	Zipf    Popularity = "zipf"
)

// PopulationConfig says which cookies a run sends: Sessions distinct
// sessions picked uniformly or by a Zipf law (a hot set, which is what makes
// cache hit ratios realistic), mixed with shares of expired, tampered and
// cookieless requests. The caller builds the Population itself (it mints or
// seeds the sessions); bench only picks from it.
type PopulationConfig struct {
	Sessions   int        `json:"sessions,omitempty" yaml:"sessions,omitempty"`
	Popularity Popularity `json:"popularity,omitempty" yaml:"popularity,omitempty"`
	// ZipfS is the Zipf exponent s (> 1); larger is hotter.
	ZipfS    float64 `json:"zipf_s,omitempty" yaml:"zipf_s,omitempty"`
	Expired  Share   `json:"expired,omitempty" yaml:"expired,omitempty"`
	Tampered Share   `json:"tampered,omitempty" yaml:"tampered,omitempty"`
	NoCookie Share   `json:"no_cookie,omitempty" yaml:"no_cookie,omitempty"`
}

// Config is one load run: every scenario is driven in turn by the same
// schedule, population and limits, and only the measurement window (after
// Warmup) is reported. Field names follow vegeta's (Rate, Duration, Workers,
// MaxWorkers, Timeout). It is plain data with json and yaml tags, so a
// profile can embed it; call WithDefaults then Validate before use.
type Config struct {
	// Rate and Duration describe a constant-rate run; Schedule, when set,
	// replaces them with steps and ramps.
	Rate     Rate     `json:"rate,omitempty" yaml:"rate,omitempty"`
	Duration Duration `json:"duration,omitempty" yaml:"duration,omitempty"`
	Schedule Schedule `json:"schedule,omitempty" yaml:"schedule,omitempty"`
	// Warmup runs at the schedule's first rate before the measurement and is
	// excluded from every figure.
	Warmup Duration `json:"warmup,omitempty" yaml:"warmup,omitempty"`
	// MaxRequests caps the requests of each scenario (warm-up included).
	MaxRequests uint64 `json:"max_requests,omitempty" yaml:"max_requests,omitempty"`
	// Workers is vegeta's initial worker count; MaxWorkers caps it (0:
	// unbounded, the open model: a slow target gets more workers rather than
	// fewer requests).
	Workers    uint64   `json:"workers,omitempty" yaml:"workers,omitempty"`
	MaxWorkers uint64   `json:"max_workers,omitempty" yaml:"max_workers,omitempty"`
	Timeout    Duration `json:"timeout,omitempty" yaml:"timeout,omitempty"`
	// Connections caps the connections of each HTTP scenario, and so its
	// workers, since a worker holds one connection at a time (default
	// DefaultConnections; never more than the descriptor limit allows,
	// see fileBudget). Requests beyond it wait for a connection, late by
	// their dispatch lag, which the corrected latency holds. Unbounded,
	// a stall made the attacker start workers that each dialled a
	// connection, and the generator spent its CPU on the new connections'
	// setup instead of requests: on loopback it fell from 16,000 to about
	// 2,000 req/s with 1,000 connections open, where 16 to 64 held the
	// rate. Raise it for a distant target whose latency times the rate
	// needs more in flight.
	Connections int `json:"connections,omitempty" yaml:"connections,omitempty"`
	// PrecisePacing releases every request at its own due time. By
	// default the pacer wakes at most once every 500µs and releases the
	// requests due by then together, which above 2,000 req/s halves the
	// generator's CPU at the price of up to 500µs of dispatch lag, part of
	// the corrected latency (see pacer.batch). Set it when sub-millisecond
	// corrected latencies at high rates matter more than the generator's CPU.
	PrecisePacing bool `json:"precise_pacing,omitempty" yaml:"precise_pacing,omitempty"`
	// Interval is the length of each .hlog interval histogram.
	Interval Duration `json:"interval,omitempty" yaml:"interval,omitempty"`
	// AllowedHosts lists the hosts (name or IP, no port) a run may send
	// HTTP to. Empty means loopback only. Nothing else is ever contacted.
	AllowedHosts []string `json:"allowed_hosts,omitempty" yaml:"allowed_hosts,omitempty"`

	Population PopulationConfig `json:"population,omitzero" yaml:"population,omitempty"`
	Scenarios  []ScenarioSpec   `json:"scenarios" yaml:"scenarios"`
	// Baseline names the scenario the comparison table divides by
	// (default: the first local one).
	Baseline string `json:"baseline,omitempty" yaml:"baseline,omitempty"`
	// Seed makes cookie picks reproducible (0: 1).
	Seed uint64 `json:"seed,omitempty" yaml:"seed,omitempty"`
	// Thresholds gate the run: each must hold on the report (see
	// Threshold), or the command running it exits 1. Written as strings,
	// "local-jwt:p99<2ms".
	Thresholds []Threshold `json:"thresholds,omitempty" yaml:"thresholds,omitempty"`
}

// WithDefaults returns c with defaults filled in.
func (c Config) WithDefaults() Config {
	if len(c.Schedule) == 0 {
		if c.Rate == 0 {
			c.Rate = defaultRate
		}
		if c.Duration == 0 {
			c.Duration = Duration(defaultDuration)
		}
	}
	if c.Workers == 0 {
		c.Workers = DefaultWorkers
	}
	if c.Connections == 0 {
		c.Connections = DefaultConnections
	}
	if c.Timeout == 0 {
		c.Timeout = Duration(DefaultTimeout)
	}
	if c.Interval == 0 {
		c.Interval = Duration(DefaultInterval)
	}
	if c.Population.Sessions == 0 {
		c.Population.Sessions = DefaultSessions
	}
	if c.Population.Popularity == "" {
		c.Population.Popularity = Uniform
	}
	if c.Population.ZipfS == 0 {
		c.Population.ZipfS = DefaultZipfS
	}
	if c.Seed == 0 {
		c.Seed = 1
	}
	for i := range c.Scenarios {
		if c.Scenarios[i].Via == "" {
			c.Scenarios[i].Via = ViaInProc
		}
	}
	if c.Baseline == "" {
		for _, s := range c.Scenarios {
			if s.Mode == "local" {
				c.Baseline = s.Name
				break
			}
		}
		if c.Baseline == "" && len(c.Scenarios) > 0 {
			c.Baseline = c.Scenarios[0].Name
		}
	}
	return c
}

// Plan returns the schedule a scenario runs: warm-up first (at the first
// step's rate), then Schedule or the constant Rate for Duration.
func (c Config) Plan() Schedule {
	main := c.Schedule
	if len(main) == 0 {
		main = Schedule{{Duration: c.Duration, Rate: c.Rate}}
	}
	if c.Warmup <= 0 {
		return slices.Clone(main)
	}
	return append(Schedule{{Duration: c.Warmup, Rate: main[0].Rate}}, main...)
}

// WarmupRequests returns how many requests the warm-up sends: those due
// before it ends on the run's pacer, ignoring the request cap (which counts
// them too). 0 without a warm-up.
func (c Config) WarmupRequests() uint64 {
	if c.Warmup <= 0 {
		return 0
	}
	plan := c.Plan()
	p := newPacer(plan, 0)
	warm := time.Duration(c.Warmup)
	// hits is the exact count up to rounding; settle it on the pacer's
	// own due times so the answer is the one the run will meet.
	n := uint64(math.Ceil(plan.hits(warm)))
	for n > 0 {
		if at, ok := p.at(n - 1); ok && at < warm {
			break
		}
		n--
	}
	for {
		if at, ok := p.at(n); !ok || at >= warm {
			return n
		}
		n++
	}
}

// Validate reports every problem with c at once.
func (c Config) Validate() error {
	var errs []error
	if len(c.Schedule) == 0 {
		if c.Rate <= 0 || math.IsInf(float64(c.Rate), 0) || math.IsNaN(float64(c.Rate)) {
			// vegeta's rule: an unbounded rate needs a worker cap; we
			// require a rate outright so every run stays bounded.
			errs = append(errs, errors.New("rate must be positive"))
		} else if err := checkRate(c.Rate); err != nil {
			errs = append(errs, err)
		}
		if c.Duration <= 0 {
			errs = append(errs, errors.New("duration must be positive (every run is bounded)"))
		}
	} else if err := c.Schedule.validate(); err != nil {
		errs = append(errs, fmt.Errorf("schedule: %w", err))
	}
	if c.Warmup < 0 || c.Timeout <= 0 || c.Interval <= 0 {
		errs = append(errs, errors.New("warmup must not be negative; timeout and interval must be positive"))
	}
	if len(errs) == 0 && c.MaxRequests > 0 && c.Warmup > 0 {
		// The cap counts warm-up requests (they are sent like any other),
		// so a cap the warm-up reaches leaves nothing to measure: refuse
		// it rather than report a scenario of 0 requests.
		if w := c.WarmupRequests(); c.MaxRequests <= w {
			errs = append(errs, fmt.Errorf("max requests %d leave none to measure: the warm-up (%s at %s/s) sends %d requests, which count toward the cap; raise the cap above %d or shorten the warm-up",
				c.MaxRequests, time.Duration(c.Warmup), fmtNum(float64(c.Plan()[0].Rate)), w, w))
		}
	}
	if c.Connections < 0 {
		errs = append(errs, fmt.Errorf("connections %d: want at least 1 (0: the default, %d)", c.Connections, DefaultConnections))
	}
	if c.MaxWorkers > 0 && c.Workers > c.MaxWorkers {
		errs = append(errs, fmt.Errorf("workers %d exceed max workers %d", c.Workers, c.MaxWorkers))
	}
	p := c.Population
	if p.Sessions < 1 {
		errs = append(errs, errors.New("population: sessions must be at least 1"))
	}
	switch p.Popularity {
	case Uniform:
	case Zipf:
		if !(p.ZipfS > 1) {
			errs = append(errs, fmt.Errorf("population: zipf s must be > 1, got %v", p.ZipfS))
		}
	default:
		errs = append(errs, fmt.Errorf("population: popularity %q: want uniform or zipf", p.Popularity))
	}
	for _, sh := range []Share{p.Expired, p.Tampered, p.NoCookie} {
		if sh < 0 || sh > 1 {
			errs = append(errs, fmt.Errorf("population: share %v outside 0..100%%", sh))
		}
	}
	if p.Expired+p.Tampered+p.NoCookie > 1 {
		errs = append(errs, errors.New("population: expired + tampered + no-cookie shares exceed 100%"))
	}
	if len(c.Scenarios) == 0 {
		errs = append(errs, errors.New("no scenarios"))
	}
	seen := map[string]bool{}
	for i, s := range c.Scenarios {
		switch {
		case s.Name == "" || strings.ContainsAny(s.Name, ", \t\r\n/\\"):
			errs = append(errs, fmt.Errorf("scenario %d: name %q must be non-empty without spaces, commas or slashes", i, s.Name))
		case seen[s.Name]:
			errs = append(errs, fmt.Errorf("scenario %q: duplicate name", s.Name))
		}
		seen[s.Name] = true
		switch s.Via {
		case ViaInProc:
		case ViaHTTP:
			if s.URL != "" {
				if err := c.checkURL(s.URL); err != nil {
					errs = append(errs, fmt.Errorf("scenario %q: %w", s.Name, err))
				}
			}
		default:
			errs = append(errs, fmt.Errorf("scenario %q: via %q: want inproc or http", s.Name, s.Via))
		}
	}
	names := make([]string, len(c.Scenarios))
	for i, s := range c.Scenarios {
		names[i] = s.Name
	}
	if err := CheckThresholds(c.Thresholds, names); err != nil {
		errs = append(errs, err)
	}
	if c.Baseline != "" && !seen[c.Baseline] {
		errs = append(errs, fmt.Errorf("baseline %q is not a scenario", c.Baseline))
	}
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("bench config: %w", errors.Join(errs...))
}

// checkRate refuses a rate above MaxRate.
func checkRate(r Rate) error {
	if r > MaxRate {
		return fmt.Errorf("rate %s exceeds %s, the most the generator can schedule (one request a microsecond): split the load across generators and merge their reports", r, MaxRate)
	}
	return nil
}

// ErrHostNotAllowed is returned (wrapped) for a URL whose host the run's
// AllowedHosts do not name.
var ErrHostNotAllowed = errors.New("bench: host not allowed")

// checkURL checks that u is an absolute http(s) URL to an allowed host.
func (c Config) checkURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("url %q: want an absolute http(s) URL", raw)
	}
	if !c.HostAllowed(u.Hostname()) {
		return fmt.Errorf("%w: %q (allowed: %s)", ErrHostNotAllowed, u.Hostname(), c.allowedString())
	}
	return nil
}

// CheckURL reports whether a run with this config may contact raw; callers
// use it for hosts a target contacts on its own (a proxy's upstream).
func (c Config) CheckURL(raw string) error { return c.checkURL(raw) }

// HostAllowed reports whether host (no port) may be contacted: it is named
// in AllowedHosts, or AllowedHosts is empty and host is loopback.
func (c Config) HostAllowed(host string) bool {
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if len(c.AllowedHosts) == 0 {
		return isLoopback(host)
	}
	for _, h := range c.AllowedHosts {
		if strings.EqualFold(h, host) {
			return true
		}
	}
	return false
}

func (c Config) allowedString() string {
	if len(c.AllowedHosts) == 0 {
		return "loopback only"
	}
	return strings.Join(c.AllowedHosts, ", ")
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Duration is a time.Duration that reads and writes as text ("10s") in
// JSON and YAML; JSON numbers are read as nanoseconds.
type Duration time.Duration

// String implements fmt.Stringer.
func (d Duration) String() string { return time.Duration(d).String() }

// MarshalText implements encoding.TextMarshaler.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(strings.TrimSpace(string(b)))
	if err != nil {
		return fmt.Errorf("duration: %w", err)
	}
	*d = Duration(v)
	return nil
}

// UnmarshalJSON accepts "10s" or a number of nanoseconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] != '"' {
		var n int64
		if err := json.Unmarshal(b, &n); err != nil {
			return fmt.Errorf("duration: %w", err)
		}
		*d = Duration(n)
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	return d.UnmarshalText([]byte(s))
}

// Rate is requests per second. Its text form is "500", "500/s", "30000/m"
// or "20k/s".
type Rate float64

// ParseRate parses the text form of a Rate.
func ParseRate(s string) (Rate, error) {
	s = strings.TrimSpace(s)
	num, per, hasPer := strings.Cut(s, "/")
	mult := 1.0
	switch {
	case strings.HasSuffix(num, "k"):
		mult, num = 1e3, strings.TrimSuffix(num, "k")
	case strings.HasSuffix(num, "M"):
		mult, num = 1e6, strings.TrimSuffix(num, "M")
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
	if err != nil || f < 0 || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, fmt.Errorf("rate %q: want a number of requests per second such as 500 or 500/s", s)
	}
	f *= mult
	if hasPer {
		unit := strings.TrimSpace(per)
		if unit != "" && (unit[0] < '0' || unit[0] > '9') {
			unit = "1" + unit
		}
		d, err := time.ParseDuration(unit)
		if err != nil || d <= 0 {
			return 0, fmt.Errorf("rate %q: bad unit %q", s, per)
		}
		f /= d.Seconds()
	}
	return Rate(f), nil
}

// String renders the rate as "500/s".
func (r Rate) String() string { return fmtNum(math.Round(float64(r)*1000)/1000) + "/s" }

// MarshalText implements encoding.TextMarshaler.
func (r Rate) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (r *Rate) UnmarshalText(b []byte) error {
	v, err := ParseRate(string(b))
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// UnmarshalJSON accepts "500/s" or a number.
func (r *Rate) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] != '"' {
		var f float64
		if err := json.Unmarshal(b, &f); err != nil {
			return fmt.Errorf("rate: %w", err)
		}
		*r = Rate(f)
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	return r.UnmarshalText([]byte(s))
}

// Share is a fraction in [0, 1]. Its text form is "5%" or "0.05".
type Share float64

// ParseShare parses "5%", "0.1%" or "0.05".
func ParseShare(s string) (Share, error) {
	s = strings.TrimSpace(s)
	pct := strings.HasSuffix(s, "%")
	f, err := strconv.ParseFloat(strings.TrimSuffix(s, "%"), 64)
	if err != nil || math.IsNaN(f) {
		return 0, fmt.Errorf("share %q: want a percentage such as 5%% or a fraction such as 0.05", s)
	}
	if pct {
		f /= 100
	}
	if f < 0 || f > 1 {
		return 0, fmt.Errorf("share %q: outside 0..100%%", s)
	}
	return Share(f), nil
}

// String renders the share as a percentage.
func (s Share) String() string { return fmtNum(float64(s)*100) + "%" }

// MarshalText implements encoding.TextMarshaler.
func (s Share) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *Share) UnmarshalText(b []byte) error {
	v, err := ParseShare(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// UnmarshalJSON accepts "5%" or a fraction.
func (s *Share) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] != '"' {
		var f float64
		if err := json.Unmarshal(b, &f); err != nil {
			return fmt.Errorf("share: %w", err)
		}
		*s = Share(f)
		return nil
	}
	var str string
	if err := json.Unmarshal(b, &str); err != nil {
		return err
	}
	return s.UnmarshalText([]byte(str))
}
