package bench

import (
	"fmt"
	"math"
	"testing"
)

func testPopulation(n int) StaticPopulation {
	var p StaticPopulation
	for i := range n {
		p.Valid = append(p.Valid, fmt.Sprintf("v=%d", i))
		p.Expired = append(p.Expired, fmt.Sprintf("e=%d", i))
		p.Tampered = append(p.Tampered, fmt.Sprintf("t=%d", i))
	}
	return p
}

func TestPickerShares(t *testing.T) {
	cfg := PopulationConfig{Sessions: 100, Popularity: Uniform, Expired: 0.1, Tampered: 0.05, NoCookie: 0.2}
	p := newPicker(cfg, testPopulation(100), 7)
	const n = 100000
	kinds := map[Kind]int{}
	idx := map[int]int{}
	for range n {
		k, i := p.pick()
		kinds[k]++
		if k != KindNone {
			idx[i]++
		}
	}
	for k, want := range map[Kind]float64{KindNone: 0.2, KindExpired: 0.1, KindTampered: 0.05, KindValid: 0.65} {
		if got := float64(kinds[k]) / n; math.Abs(got-want) > 0.01 {
			t.Errorf("%s share = %.3f, want %.2f", k, got, want)
		}
	}
	if len(idx) != 100 {
		t.Errorf("uniform picks reached %d of 100 sessions", len(idx))
	}
	// Same seed, same picks: every scenario sees the same traffic.
	a, b := newPicker(cfg, testPopulation(100), 9), newPicker(cfg, testPopulation(100), 9)
	for range 1000 {
		if a.cookie() != b.cookie() {
			t.Fatal("same seed gave different picks")
		}
	}
}

func TestPickerZipfHotSet(t *testing.T) {
	const n = 50000
	hot := func(pop Popularity) float64 {
		p := newPicker(PopulationConfig{Sessions: 1000, Popularity: pop, ZipfS: 1.2}, testPopulation(1000), 3)
		top := 0
		for range n {
			if _, i := p.pick(); i < 10 {
				top++
			}
		}
		return float64(top) / n
	}
	u, z := hot(Uniform), hot(Zipf)
	if math.Abs(u-0.01) > 0.005 {
		t.Errorf("uniform: top 1%% of sessions get %.3f of requests, want ~0.01", u)
	}
	if z < 0.3 {
		t.Errorf("zipf s=1.2: top 1%% of sessions get %.3f of requests, want a hot set (> 0.3)", z)
	}
}

func TestPickerNoPopulation(t *testing.T) {
	p := newPicker(PopulationConfig{Sessions: 10, Popularity: Uniform}, nil, 1)
	if c := p.cookie(); c != "" {
		t.Errorf("cookie = %q without a population", c)
	}
}
