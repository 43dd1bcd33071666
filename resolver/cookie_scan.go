package resolver

import "strings"

// One pass over a request's Cookie header for every cookie its answer
// reads. The Handler needs the CSRF and callback-url cookies, its JWT
// resolver the session cookie under one or two names, and an observer
// may want the session token too (serve's recent list): read separately,
// each was a walk past the long session token.
//
// The pass splits the header into pairs once (nextPair, cookie.parse's
// steps) and hands each pair to every reader, each keeping its own rules:
// the CSRF and callback-url values raw, the first occurrence of each name
// winning (authjsCookieRaw's rules, the reference parser); for each
// session cookie name, the pairs under its prefix are counted and the
// first kept. One such pair (a browser's usual header: the cookie is not
// chunked) is all the chunk list can hold, so it is built from that pair
// alone with sessionPairs's rules (chunkValue); with more (chunks,
// duplicates) the resolver reads the header itself with sessionPairs. The
// two parsers differ only on a header shorter than two bytes (cookie.parse
// returns {} for it): no pair fits in it, since neither the CSRF nor the
// callback-url cookie name is ever empty, so skipping it changes no
// answer.
//
// A scan holds strings only (slices of the header), so the Handler keeps
// it on its stack and hands the resolver a pointer to it (resolveView's
// scan) without an allocation; a chunk list is built in the reader's
// scratch.

// maxScanNames bounds the session cookie names one scan looks for: the
// resolver's two (__Secure- and plain, when the request does not decide)
// and an observer's.
const maxScanNames = 3

// cookieScan is the outcome of one pass.
type cookieScan struct {
	csrfName, callbackName string
	csrf, callback         string // raw values, as sent
	hasCSRF, hasCallback   bool

	n        int // session cookie names looked for
	sessions [maxScanNames]sessionSeen
}

// sessionSeen is what a scan saw of one session cookie name: the pairs
// whose name has it as a prefix, and the first of them.
type sessionSeen struct {
	prefix   string
	pairs    int
	key, raw string // the first pair: name and raw value
}

// wantSession adds a session cookie name to look for, before scan; a name
// already wanted is not added twice. It reports false when the scan has
// no room left (that name is then read from the header).
func (s *cookieScan) wantSession(name string) bool {
	for i := range s.n {
		if s.sessions[i].prefix == name {
			return true
		}
	}
	if s.n == maxScanNames {
		return false
	}
	s.sessions[s.n] = sessionSeen{prefix: name}
	s.n++
	return true
}

// scan reads header once for the CSRF and callback-url names and the
// session names wanted.
func (s *cookieScan) scan(header string) {
	if len(header) < 2 {
		return
	}
	for k, v, next, ok := nextPair(header, 0); ok; k, v, next, ok = nextPair(header, next) {
		for i := range s.n {
			if ss := &s.sessions[i]; strings.HasPrefix(k, ss.prefix) {
				if ss.pairs++; ss.pairs == 1 {
					ss.key, ss.raw = k, v
				}
			}
		}
		if !s.hasCSRF && k == s.csrfName {
			s.csrf, s.hasCSRF = v, true
		}
		if !s.hasCallback && k == s.callbackName {
			s.callback, s.hasCallback = v, true
		}
	}
}

// session returns what sessionPairs(header, name, dst) returns, built in
// dst, when the scan saw at most one pair under name; ok is false when it
// did not look for name or saw more (the caller reads the header).
func (s *cookieScan) session(name string, dst []cookiePair) ([]cookiePair, bool) {
	if s == nil {
		return dst, false
	}
	for i := range s.n {
		ss := &s.sessions[i]
		if ss.prefix != name || ss.pairs > 1 {
			continue
		}
		dst = dst[:0]
		if ss.pairs == 1 {
			if val, ok := chunkValue(ss.key, ss.raw); ok {
				dst = append(dst, cookiePair{ss.key, val})
			}
		}
		return dst, true
	}
	return dst, false
}
