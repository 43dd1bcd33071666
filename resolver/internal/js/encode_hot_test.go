package js

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
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

// plain8 is true exactly when every byte is one AppendString writes as it
// is: every byte value at every position among plain neighbours, and
// random words with several special bytes.
func TestPlain8(t *testing.T) {
	plain := func(c byte) bool { return c >= 0x20 && c < 0x80 && c != '"' && c != '\\' }
	for c := range 256 {
		for p := range 8 {
			w := []byte("abcdefgh")
			w[p] = byte(c)
			if got := plain8(string(w)); got != plain(byte(c)) {
				t.Fatalf("%q: plain8 %v", w, got)
			}
		}
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for range 100000 {
		var w [8]byte
		want := true
		for i := range w {
			w[i] = byte(rng.IntN(256))
			if rng.IntN(3) > 0 {
				w[i] = byte(0x20 + rng.IntN(0x60))
			}
			want = want && plain(w[i])
		}
		if got := plain8(string(w[:])); got != want {
			t.Fatalf("%q: plain8 %v, want %v", w, got, want)
		}
	}
}

// AppendString with its word-at-a-time skip quotes random valid strings
// as encoding/json does without HTML escaping (the two agree there; they
// differ only on U+2028/U+2029, not drawn), whatever the position of the
// bytes to escape relative to the 8-byte words.
func TestAppendStringRandom(t *testing.T) {
	alphabet := []string{"a", "b", "Z", "0", " ", "~", "\x7f", "\"", "\\", "\n", "\t", "\x00", "\x1f", "\b", "é", "€", "😀", "/"}
	rng := rand.New(rand.NewPCG(7, 8))
	for range 20000 {
		var sb strings.Builder
		for range rng.IntN(40) {
			if rng.IntN(4) > 0 {
				sb.WriteString(alphabet[rng.IntN(6)]) // mostly plain: long runs
			} else {
				sb.WriteString(alphabet[rng.IntN(len(alphabet))])
			}
		}
		s := sb.String()
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(s); err != nil {
			t.Fatal(err)
		}
		if got := string(AppendString(nil, s)); got != strings.TrimSuffix(want.String(), "\n") {
			t.Fatalf("%q: AppendString %s, encoding/json %s", s, got, want.String())
		}
	}
}
