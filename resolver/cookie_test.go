package resolver

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const sn = DefaultCookieName

func TestReadSessionToken(t *testing.T) {
	tests := []struct {
		name      string
		header    string
		wantTok   string
		wantNames []string
	}{
		{"absent", "theme=dark", "", nil},
		{"empty header", "", "", nil},
		{"one char header", "a", "", nil},
		{"plain", sn + "=abc", "abc", []string{sn}},
		{"spaces and tabs trimmed", " \t" + sn + " \t= \tabc\t ", "abc", []string{sn}},
		{"other whitespace kept in value", sn + "=\nabc", "\nabc", []string{sn}},
		{"quotes kept", sn + `="abc"`, `"abc"`, []string{sn}},
		{"first occurrence wins", sn + "=first; " + sn + "=second", "first", []string{sn}},
		{"empty first occurrence blocks later", sn + "=; " + sn + "=second", "", nil},
		{"empty value ignored", sn + "=", "", nil},
		{"percent decoded", sn + "=a%2Eb%3D", "a.b=", []string{sn}},
		{"bad percent kept raw", sn + "=a%zzb", "a%zzb", []string{sn}},
		{"invalid utf-8 escape kept raw", sn + "=a%C0%80", "a%C0%80", []string{sn}},
		{"piece without = skipped", "junk; " + sn + "=abc", "abc", []string{sn}},
		{"= only later", "a;b;" + sn + "=x;c", "x", []string{sn}},
		{"value with =", sn + "=a=b", "a=b", []string{sn}},
		{"other cookie name with prefix text inside not matched", "x" + sn + "=abc", "", nil},
		{"prefix match swallows other names", sn + "-legacy=zz; " + sn + "=abc", "zzabc", []string{sn + "-legacy", sn}},
		{"chunks reassembled in numeric order", sn + ".1=B; " + sn + ".0=A", "AB", []string{sn + ".1", sn + ".0"}},
		{".10 after .9", sn + ".10=K; " + sn + ".9=J; " + sn + ".0=A; " + sn + ".1=B; " + sn + ".2=C; " + sn + ".3=D; " + sn + ".4=E; " + sn + ".5=F; " + sn + ".6=G; " + sn + ".7=H; " + sn + ".8=I",
			"ABCDEFGHIJK",
			[]string{sn + ".10", sn + ".9", sn + ".0", sn + ".1", sn + ".2", sn + ".3", sn + ".4", sn + ".5", sn + ".6", sn + ".7", sn + ".8"}},
		{"lone .0 accepted", sn + ".0=whole", "whole", []string{sn + ".0"}},
		{"stale unchunked cookie poisons chunks (V8 order)", sn + "=STALE; " + sn + ".1=B; " + sn + ".0=A", "STALEAB", []string{sn, sn + ".1", sn + ".0"}},
		{"stale unchunked in the middle stays (V8 order)", sn + ".1=B; " + sn + "=STALE; " + sn + ".0=A", "BSTALEA", []string{sn + ".1", sn, sn + ".0"}},
		{"missing chunk: rest concatenated", sn + ".0=A; " + sn + ".2=C", "AC", []string{sn + ".0", sn + ".2"}},
		{"secure name is a different cookie", SecureCookiePrefix + sn + "=abc", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, names := ReadSessionToken(FromCookieHeader(tt.header), sn)
			if tok != tt.wantTok {
				t.Errorf("token = %q, want %q", tok, tt.wantTok)
			}
			if d := cmp.Diff(tt.wantNames, names); d != "" {
				t.Errorf("names (-want +got):\n%s", d)
			}
			// The hot-path reader must agree.
			fast, _ := readSessionToken(tt.header, nil, sn, nil)
			if fast != tok {
				t.Errorf("readSessionToken = %q, ReadSessionToken = %q", fast, tok)
			}
		})
	}
}

func TestReadSessionTokenIndexNames(t *testing.T) {
	// A numeric cookie name makes the names array indices, which JS
	// objects enumerate first, ascending.
	tok, names := ReadSessionToken(FromCookieHeader("1x=c; 12=b; 1=a"), "1")
	if d := cmp.Diff([]string{"1", "12", "1x"}, names); d != "" {
		t.Errorf("names (-want +got):\n%s", d)
	}
	// comparator: "1x"→1, "12"→12, "1"→1: V8 keeps 1, then 1x (equal, stable), 12.
	if tok != "acb" {
		t.Errorf("token = %q", tok)
	}
}

// TestSortChunksMatchesV8 replays orders recorded from Node 20's V8
// (testdata/v8_chunk_sort.mjs) for Auth.js's chunk comparator, including
// names whose index is NaN.
func TestSortChunksMatchesV8(t *testing.T) {
	raw, err := os.ReadFile("testdata/v8_chunk_sort.json")
	if err != nil {
		t.Fatal(err)
	}
	var rec struct {
		Generator string
		Cases     []struct{ In, Out []string }
	}
	if err := json.Unmarshal(raw, &rec); err != nil {
		t.Fatal(err)
	}
	if len(rec.Cases) < 100 {
		t.Fatalf("only %d recorded cases", len(rec.Cases))
	}
	for i, c := range rec.Cases {
		p := make([]cookiePair, len(c.In))
		for j, n := range c.In {
			p[j] = cookiePair{name: n}
		}
		sortChunks(p)
		got := make([]string, len(p))
		for j := range p {
			got[j] = p[j].name
		}
		if d := cmp.Diff(c.Out, got); d != "" {
			t.Errorf("case %d (%d names): order (-v8 +go):\n%s", i, len(c.In), d)
		}
	}
}

// TestSortChunksMatchesV8Long replays long arrays (64+ names) recorded from
// Node 20, where V8's TimSort merges runs and gallops; with un-numbered
// names mixed in, only the exact algorithm reproduces these orders.
func TestSortChunksMatchesV8Long(t *testing.T) {
	raw, err := os.ReadFile("testdata/v8_chunk_sort_long.json")
	if err != nil {
		t.Fatal(err)
	}
	var rec struct {
		Cases []struct {
			In   []string
			Perm []int
		}
	}
	if err := json.Unmarshal(raw, &rec); err != nil {
		t.Fatal(err)
	}
	if len(rec.Cases) < 20 {
		t.Fatalf("only %d recorded cases", len(rec.Cases))
	}
	for i, c := range rec.Cases {
		p := make([]cookiePair, len(c.In))
		for j, n := range c.In {
			p[j] = cookiePair{name: n}
		}
		sortChunks(p)
		for j, k := range c.Perm {
			if p[j].name != c.In[k] {
				t.Errorf("case %d (%d names): position %d is %q, V8 has %q", i, len(c.In), j, p[j].name, c.In[k])
				break
			}
		}
	}
}

func TestSortChunksHandPicked(t *testing.T) {
	// Also recorded from Node 20 (see the .mjs); spelled out for reading.
	P := sn
	tests := [][2][]string{
		{{P, P + ".1", P + ".0"}, {P, P + ".0", P + ".1"}},
		{{P + ".1", P, P + ".0"}, {P + ".1", P, P + ".0"}},
		{{P + ".2", P + ".1", P, P + ".0"}, {P + ".0", P + ".1", P + ".2", P}},
		{{P + ".3", P + ".2", P + "-x", P + ".1", P + ".0"}, {P + ".0", P + ".1", P + ".2", P + ".3", P + "-x"}},
		{{P + ".0x10", P + ".15", P + ".017", P + ". 3"}, {P + ". 3", P + ".15", P + ".0x10", P + ".017"}},
		{{P + ".", P + ".1", P + ".-1"}, {P + ".-1", P + ".", P + ".1"}},
	}
	for _, tt := range tests {
		p := make([]cookiePair, len(tt[0]))
		for j, n := range tt[0] {
			p[j] = cookiePair{name: n}
		}
		sortChunks(p)
		var got []string
		for _, c := range p {
			got = append(got, c.name)
		}
		if d := cmp.Diff(tt[1], got); d != "" {
			t.Errorf("sort(%q) (-v8 +go):\n%s", tt[0], d)
		}
	}
}

// TestReadSessionTokenLargeHeader covers the indexed duplicate check and
// the run-merging sort on a header with thousands of session chunks
// (duplicates, empty first values, un-numbered names).
func TestReadSessionTokenLargeHeader(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 3000; i++ {
		n := (i * 7919) % 2000 // repeats: first occurrence must win
		switch i % 11 {
		case 0:
			fmt.Fprintf(&b, "%s.%d=; ", sn, n)
		case 5:
			fmt.Fprintf(&b, "%s-x%d=v%d; ", sn, n, i)
		default:
			fmt.Fprintf(&b, "%s.%d=v%d; ", sn, n, i)
		}
	}
	h := b.String()
	tok, names := ReadSessionToken(FromCookieHeader(h), sn)
	wantTok, wantNames := referenceSessionStore(h, sn)
	if tok != wantTok {
		t.Errorf("token differs from the reference (%d vs %d bytes)", len(tok), len(wantTok))
	}
	if d := cmp.Diff(wantNames, names); d != "" {
		t.Errorf("names (-want +got):\n%s", d)
	}
	if len(names) < 1000 {
		t.Errorf("only %d names", len(names))
	}
}
