package bench

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
)

// Generator is what shaped a run besides its schedule and population:
// the load generator's limits and the machine it ran on. Two runs are
// only comparable (see Compare) when their generators match: a latency
// measured with 4 CPUs says little about one measured with 2. The host is
// described by its class (system, architecture, CPU count and model), not
// its name, so CI runners of the same kind compare.
type Generator struct {
	Workers    uint64   `json:"workers"`
	MaxWorkers uint64   `json:"max_workers"` // 0: unbounded
	Timeout    Duration `json:"timeout"`
	OS         string   `json:"os"`
	Arch       string   `json:"arch"`
	CPUs       int      `json:"cpus"`
	CPUModel   string   `json:"cpu_model,omitempty"`
	GoMaxProcs int      `json:"gomaxprocs"`
	// Pacing is how the pacer released requests: "batched" (at most one
	// wake-up every 500µs) or "precise" (Config.PrecisePacing). It moves
	// the corrected latency above 2,000 req/s, so runs that differ in it
	// are not comparable. Reports written before batching have none: their
	// pacing was precise.
	Pacing string `json:"pacing,omitempty"`
}

// Pacings.
const (
	PacingBatched = "batched"
	PacingPrecise = "precise"
)

// NewGenerator describes this process running cfg (after WithDefaults).
func NewGenerator(cfg Config) Generator {
	return Generator{
		Workers: cfg.Workers, MaxWorkers: cfg.MaxWorkers, Timeout: cfg.Timeout,
		OS: runtime.GOOS, Arch: runtime.GOARCH, CPUs: runtime.NumCPU(), CPUModel: cpuModel(),
		GoMaxProcs: runtime.GOMAXPROCS(0), Pacing: pacingOf(cfg),
	}
}

// pacingOf names cfg's pacing.
func pacingOf(cfg Config) string {
	if cfg.PrecisePacing {
		return PacingPrecise
	}
	return PacingBatched
}

// Host renders the machine: "linux/amd64, 2 CPUs (GOMAXPROCS 2), AMD EPYC 7B13".
func (g Generator) Host() string {
	s := fmt.Sprintf("%s/%s, %d CPUs (GOMAXPROCS %d)", g.OS, g.Arch, g.CPUs, g.GoMaxProcs)
	if g.CPUModel != "" {
		s += ", " + g.CPUModel
	}
	return s
}

// Limits renders the generator's limits: "10 workers, no worker cap, timeout 30s, batched pacing".
func (g Generator) Limits() string {
	maxW := "no worker cap"
	if g.MaxWorkers > 0 {
		maxW = fmt.Sprintf("at most %d workers", g.MaxWorkers)
	}
	pacing := g.Pacing
	if pacing == "" {
		pacing = PacingPrecise
	}
	return fmt.Sprintf("%d workers, %s, timeout %s, %s pacing", g.Workers, maxW, g.Timeout, pacing)
}

// generatorSet renders gs as a sorted multiset of what one of Host or
// Limits says, "2× A; 1× B": the order generators were merged in does not
// matter.
func generatorSet(gs []Generator, what func(Generator) string) string {
	count := map[string]int{}
	var keys []string
	for _, g := range gs {
		k := what(g)
		if count[k] == 0 {
			keys = append(keys, k)
		}
		count[k]++
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%d× %s", count[k], k)
	}
	return strings.Join(parts, "; ")
}

// cpuModel is the CPU's model name from /proc/cpuinfo ("" where there is
// none: not Linux, or an architecture that does not name it).
func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == "model name" {
			return strings.Join(strings.Fields(v), " ")
		}
	}
	return ""
}
