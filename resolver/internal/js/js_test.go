package js

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func TestDecodeURIComponent(t *testing.T) {
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"%41", "A", true},
		{"%2f%2F", "//", true},
		{"%E2%82%AC", "€", true},
		{"%F0%9F%98%80", "😀", true},
		{"%EF%BB%BF", "\uFEFF", true},
		{"%EF%BF%BD", "\uFFFD", true},
		{"a%", "", false},
		{"%4", "", false},
		{"%zz", "", false},
		{"%C0%80", "", false},       // overlong
		{"%ED%A0%80", "", false},    // surrogate
		{"%F4%90%80%80", "", false}, // > U+10FFFF
		{"%E2%82", "", false},       // truncated
		{"%E2%82x", "", false},
		{"%80", "", false}, // lone continuation
		{"%F8%80%80%80%80", "", false},
		{"%E2%28%A1", "", false}, // bad continuation
		{"é%41", "éA", true},     // raw bytes pass through
	}
	for _, tt := range tests {
		got, ok := DecodeURIComponent(tt.in)
		if ok != tt.ok || (ok && got != tt.want) {
			t.Errorf("DecodeURIComponent(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestJSParseInt(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		in   string
		want float64
	}{
		{"0", 0}, {"10", 10}, {"017", 17}, {" 3", 3}, {"\xa01", 1}, {"12abc", 12},
		{"0x1f", 31}, {"0X1F", 31}, {"-2", -2}, {"+5", 5}, {"x", nan}, {"", nan},
		{"session-token", nan}, {"0x", nan}, {"-", nan},
		{strings.Repeat("9", 400), math.Inf(1)},
	}
	for _, tt := range tests {
		got := ParseInt(tt.in)
		if !(got == tt.want || math.IsNaN(got) && math.IsNaN(tt.want)) {
			t.Errorf("ParseInt(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
	if v := ParseInt("-0"); v != 0 || !math.Signbit(v) {
		t.Errorf("ParseInt(-0) = %v, want -0", v)
	}
}

// TestV8SortProperties: on consistent keys (no NaN) TimSort must equal a
// stable sort, and with NaN keys the result must still be a permutation;
// sizes cover binary insertion, merges and galloping.
func TestV8SortProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 2, 3, 31, 63, 64, 65, 127, 128, 129, 500, 1000, 2049} {
		for trial := 0; trial < 4; trial++ {
			keys := make([]float64, n)
			for i := range keys {
				switch trial {
				case 0:
					keys[i] = float64(r.IntN(n + 1))
				case 1:
					keys[i] = float64(i/7 + r.IntN(3)) // long runs: gallops
				case 2:
					keys[i] = float64(n - i)
				default:
					keys[i] = float64(r.IntN(5))
				}
			}
			cmpFn := func(a, b int) float64 { return keys[a] - keys[b] }
			got := make([]int, n)
			want := make([]int, n)
			for i := range got {
				got[i], want[i] = i, i
			}
			Sort(got, cmpFn)
			slices.SortStableFunc(want, func(a, b int) int { return int(keys[a] - keys[b]) })
			if !slices.Equal(got, want) {
				t.Fatalf("n=%d trial %d: TimSort differs from a stable sort", n, trial)
			}
			// Now with NaN keys (mapped to 0 as SortCompare does).
			for i := range keys {
				if r.IntN(4) == 0 {
					keys[i] = math.NaN()
				}
			}
			nanCmp := func(a, b int) float64 {
				if d := keys[a] - keys[b]; d == d {
					return d
				}
				return 0
			}
			Sort(got, nanCmp)
			seen := make([]bool, n)
			for _, x := range got {
				if seen[x] {
					t.Fatalf("n=%d: not a permutation", n)
				}
				seen[x] = true
			}
		}
	}
}
