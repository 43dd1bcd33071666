package resolver

import (
	"cmp"
	"slices"
	"strings"

	"github.com/authscope/authscope/resolver/internal/js"
)

// Reading the session cookie exactly as Auth.js does.
//
// Three pieces of @auth/core 0.41.3 are reproduced:
//
//  1. lib/vendored/cookie.js parse(): pairs split on ';' (a piece without
//     '=' is skipped by backtracking to it), name and value trimmed of
//     spaces and tabs only, the FIRST occurrence of a name wins, a value
//     containing '%' is decodeURIComponent-ed (kept raw if that throws),
//     double quotes are kept, a header shorter than 2 characters is empty.
//  2. SessionStore's constructor: every parsed cookie whose name
//     startsWith(the session cookie name) and whose value is non-empty is a
//     chunk (a prefix test: "authjs.session-token-legacy" is swallowed too).
//  3. SessionStore.value: chunk names sorted with the comparator
//     parseInt(last "."-segment || "0") difference, values joined.
//
// The header is treated as a byte string: an HTTP header reaches Auth.js
// as a ByteString, one JS character per byte (Latin-1), so byte-wise
// scanning sees the same ';', '=', spaces and digits. Percent-decoded
// output is UTF-8. A value mixing raw bytes ≥ 0x80 with escapes would be a
// different string in JS, but no such value can be a valid token.
//
// Key order. JS objects enumerate array-index keys ("0", "17") first in
// numeric order, then the others in insertion order; the chunk list and the
// clearing order follow that. Session cookie names only collide with that
// rule when the configured name is itself a number; we reproduce it anyway.
//
// The sort. The un-suffixed name's segment ("session-token") parses as
// NaN, so the comparator returns NaN, which SortCompare turns into +0:
// such a name is "equal" to every other while the numbered ones still
// order among themselves. That is not a consistent order, so the result
// depends on the algorithm: we replay V8's TimSort step for step
// (cookie_sort.go), so a stale un-chunked cookie lands where V8 puts it
// (and the token fails to decrypt, as in Auth.js). testdata/v8_chunk_sort*
// hold orders recorded from Node 20 that the tests replay.

// cookiePair is one name=value from the Cookie header.
type cookiePair struct {
	name, value string
}

// ReadSessionToken is Auth.js's SessionStore(cookies).value for the
// session cookie name: the reassembled token ("" when there is none) and
// the names of the chunks it read, in the order Auth.js clears or rewrites
// them (request order, array-index names first).
func ReadSessionToken(in Input, cookieName string) (token string, chunkNames []string) {
	pairs, n := sessionPairs(in.cookie, cookieName, nil)
	if n == 0 {
		return "", nil
	}
	names := make([]string, len(pairs))
	for i, p := range pairs {
		names[i] = p.name
	}
	return joinChunks(pairs), names
}

// SessionToken is ReadSessionToken without the chunk names: the
// reassembled token of cookieName, "" when there is none. An unchunked
// cookie costs no allocation (the token is a substring of the header), so
// an observer that needs the token of every request (serve's recent list)
// can read it cheaply.
func SessionToken(in Input, cookieName string) string {
	var scratch [4]cookiePair
	tok, _ := readSessionToken(in.cookie, nil, cookieName, scratch[:0])
	return tok
}

// readSessionToken is ReadSessionToken for the hot path: it returns the
// chunk pairs instead of building the name list (only a refresh needs
// it), one unchunked cookie costs no allocation, and a name the
// Handler's pass over header answers for (scan, which may be nil) is not
// read again.
func readSessionToken(header string, scan *cookieScan, cookieName string, scratch []cookiePair) (string, []cookiePair) {
	pairs, ok := scan.session(cookieName, scratch)
	if !ok {
		pairs, _ = sessionPairs(header, cookieName, scratch)
	}
	switch len(pairs) {
	case 0:
		return "", pairs
	case 1:
		return pairs[0].value, pairs
	}
	return joinChunks(pairs), pairs
}

// joinChunks sorts (a copy of) the chunks as V8 does and concatenates them.
func joinChunks(pairs []cookiePair) string {
	if len(pairs) == 1 {
		return pairs[0].value
	}
	sorted := make([]cookiePair, len(pairs))
	copy(sorted, pairs)
	sortChunks(sorted)
	var b strings.Builder
	for _, p := range sorted {
		b.WriteString(p.value)
	}
	return b.String()
}

// sessionPairs parses header like cookie.parse and keeps the session
// chunks, in JS enumeration order. It returns the chunks and their count.
func sessionPairs(header, prefix string, dst []cookiePair) ([]cookiePair, int) {
	dst = dst[:0]
	if len(header) < 2 { // cookie.parse returns {} for these
		return dst, 0
	}
	// seenEmpty records names whose first value was empty: an empty first
	// occurrence still blocks later ones. seen indexes every name once
	// there are many, so a hostile header cannot make this quadratic.
	var (
		seenEmpty []string
		seen      map[string]struct{}
	)
	for key, raw, next, ok := nextPair(header, 0); ok; key, raw, next, ok = nextPair(header, next) {
		if !strings.HasPrefix(key, prefix) || seenName(dst, seenEmpty, seen, key) {
			continue
		}
		if seen == nil && len(dst)+len(seenEmpty) >= 16 {
			seen = make(map[string]struct{}, 64)
			for _, p := range dst {
				seen[p.name] = struct{}{}
			}
			for _, e := range seenEmpty {
				seen[e] = struct{}{}
			}
		}
		if seen != nil {
			seen[key] = struct{}{}
		}
		if val, ok := chunkValue(key, raw); ok {
			dst = append(dst, cookiePair{key, val})
		} else {
			seenEmpty = append(seenEmpty, key)
		}
	}
	hoistIndexNames(dst)
	return dst, len(dst)
}

// nextPair is one step of cookie.parse from index: the next pair's name
// and raw value, trimmed of spaces and tabs, and the index after it; ok
// is false when no pair is left. A piece without '=' is skipped by
// backtracking to the ';' before the next '=', as cookie.parse does.
func nextPair(s string, index int) (key, val string, next int, ok bool) {
	for index < len(s) {
		eq := strings.IndexByte(s[index:], '=')
		if eq < 0 {
			break
		}
		eq += index
		end := len(s)
		if semi := strings.IndexByte(s[index:], ';'); semi >= 0 {
			end = index + semi
		}
		if eq > end {
			// backtrack on prior semicolon: lastIndexOf(';', eq-1) + 1
			index = strings.LastIndexByte(s[:eq], ';') + 1
			continue
		}
		ks := startIndex(s, index, eq)
		vs := startIndex(s, eq+1, end)
		return s[ks:endIndex(s, eq, ks)], s[vs:endIndex(s, end, vs)], end + 1, true
	}
	return "", "", len(s), false
}

// chunkValue is what SessionStore makes of the first pair under a name
// with the session cookie's prefix: the value, URI-decoded when it holds
// '%' (kept raw when that fails), and whether it is a chunk. An empty
// value is none, and neither is "__proto__": assigning it on the plain
// object SessionStore collects into sets the prototype and is ignored for
// a string. Either way the name is taken: later pairs under it are not
// read.
func chunkValue(key, raw string) (string, bool) {
	val := raw
	if strings.IndexByte(val, '%') >= 0 {
		if dec, ok := js.DecodeURIComponent(val); ok {
			val = dec
		}
	}
	return val, val != "" && key != "__proto__"
}

func seenName(pairs []cookiePair, empty []string, seen map[string]struct{}, key string) bool {
	if seen != nil {
		_, ok := seen[key]
		return ok
	}
	for _, p := range pairs {
		if p.name == key {
			return true
		}
	}
	for _, e := range empty {
		if e == key {
			return true
		}
	}
	return false
}

// hoistIndexNames moves array-index names first, ascending (stable for the rest).
func hoistIndexNames(p []cookiePair) {
	k := 0
	for _, c := range p {
		if _, ok := js.ArrayIndex(c.name); ok {
			k++
		}
	}
	if k == 0 {
		return
	}
	out := make([]cookiePair, 0, len(p))
	for _, c := range p {
		if _, ok := js.ArrayIndex(c.name); ok {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b cookiePair) int { // names are unique
		x, _ := js.ArrayIndex(a.name)
		y, _ := js.ArrayIndex(b.name)
		return cmp.Compare(x, y)
	})
	for _, c := range p {
		if _, ok := js.ArrayIndex(c.name); !ok {
			out = append(out, c)
		}
	}
	copy(p, out)
}

// startIndex/endIndex trim spaces and tabs, as the vendored parser does.
func startIndex(s string, i, max int) int {
	for ; i < max; i++ {
		if c := s[i]; c != ' ' && c != '\t' {
			return i
		}
	}
	return max
}

func endIndex(s string, i, min int) int {
	for i > min {
		i--
		if c := s[i]; c != ' ' && c != '\t' {
			return i + 1
		}
	}
	return min
}

// chunkIndex is parseInt(name.split(".").pop() || "0").
func chunkIndex(name string) float64 {
	seg := name[strings.LastIndexByte(name, '.')+1:]
	if seg == "" {
		seg = "0"
	}
	return js.ParseInt(seg)
}

// sortChunks sorts p in place as V8's Array.prototype.sort does with
// Auth.js's comparator (see the file comment and package internal/js).
func sortChunks(p []cookiePair) {
	n := len(p)
	if n < 2 {
		return
	}
	keys := make([]float64, n)
	for i := range p {
		keys[i] = chunkIndex(p[i].name)
	}
	// SortCompare (ECMA-262 23.1.3.30.2): a NaN comparator result is +0.
	cmp := func(a, b int) float64 {
		if d := keys[a] - keys[b]; d == d {
			return d
		}
		return 0
	}
	perm := make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	js.Sort(perm, cmp)
	out := make([]cookiePair, n)
	for i, j := range perm {
		out[i] = p[j]
	}
	copy(p, out)
}
