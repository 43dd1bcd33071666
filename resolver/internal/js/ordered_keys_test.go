package js

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
)

// OrderedKeys is V8's enumeration order: array indices ascending, then
// the other keys by rank, ties by text; more keys than its stack scratch
// holds included.
func TestOrderedKeys(t *testing.T) {
	rank := func(k string) int {
		switch k {
		case "name":
			return 0
		case "email":
			return 1
		}
		return 2
	}
	m := map[string]any{"zeta": 1, "email": 1, "10": 1, "2": 1, "name": 1, "alpha": 1, "01": 1, "4294967295": 1, "4294967294": 1}
	want := []string{"2", "10", "4294967294", "name", "email", "01", "4294967295", "alpha", "zeta"}
	if got := OrderedKeys(m, rank); !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 200 {
		m := map[string]any{}
		for range rng.IntN(40) {
			k := strconv.Itoa(rng.IntN(100))
			if rng.IntN(2) == 0 {
				k = "k" + k
			}
			m[k] = 1
		}
		got := OrderedKeys(m, rank)
		if len(got) != len(m) || !slices.IsSortedFunc(got, func(a, b string) int { return refCompare(a, b, rank) }) {
			t.Fatalf("%q not in V8 order", got)
		}
	}
}

// refCompare is the order spelled out on the keys themselves.
func refCompare(a, b string, rank func(string) int) int {
	ia, aok := ArrayIndex(a)
	ib, bok := ArrayIndex(b)
	switch {
	case aok && bok:
		return int(ia) - int(ib)
	case aok:
		return -1
	case bok:
		return 1
	}
	if ra, rb := rank(a), rank(b); ra != rb {
		return ra - rb
	}
	if a < b {
		return -1
	}
	if a > b {
		return 1
	}
	return 0
}
