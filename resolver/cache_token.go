package resolver

import (
	"hash/maphash"
	"strings"
)

// token returns the reassembled session token the wrapped resolver will
// read from in, or "" when there is none.
//
// The common case (one session cookie, not chunked, not percent-encoded)
// is answered by scanning the header in place, with no allocation: that
// is what lets a cache hit stay allocation-free. Anything else (chunks,
// duplicates, '%') goes to ReadSessionToken, the one implementation of
// Auth.js's cookie rules. The fast path accepts a header only when its
// answer provably equals ReadSessionToken's: exactly one pair whose name
// has the session-cookie prefix, so "first occurrence wins" and chunk
// ordering cannot matter, and no '%' in its value, so no decoding applies.
//
// When the wrapped resolver picks the name per request (secureName set),
// the token is the one under the name it reads: by the request's scheme,
// or the __Secure- name first when the scheme is unknown (jwt_resolve.go).
// The layout signature hashes the names, so answers for the two names
// never mix.
func (c *Cache) token(in Input) (string, layout) {
	if c.secureName == "" {
		return c.tokenUnder(in, c.cookieName)
	}
	switch in.requestProto(c.trustForwarded) {
	case "https":
		return c.tokenUnder(in, c.secureName)
	case "http":
		return c.tokenUnder(in, c.cookieName)
	}
	if tok, lay := c.tokenUnder(in, c.secureName); tok != "" {
		return tok, lay
	}
	return c.tokenUnder(in, c.cookieName)
}

// tokenUnder is token for one session cookie name.
func (c *Cache) tokenUnder(in Input, cookieName string) (string, layout) {
	if tok, name, ok := fastSessionToken(in.CookieHeader(), cookieName); ok {
		return tok, layout{sig: maphash.String(c.seed1, name), plain: name == cookieName}
	}
	tok, names := ReadSessionToken(in, cookieName)
	var h maphash.Hash
	h.SetSeed(c.seed1)
	for _, n := range names {
		h.WriteString(n)
		h.WriteByte(0)
	}
	return tok, layout{sig: h.Sum64()}
}

// layout identifies which session-cookie names a request carried (see
// "Cookie layout" on Cache). plain means exactly one cookie under the
// session cookie's own name, the layout Auth.js writes for tokens that fit.
type layout struct {
	sig   uint64
	plain bool
}

// fastSessionToken implements the fast path above: the token and the name
// of the one cookie it came from. ok is false when the header needs the
// full parser.
func fastSessionToken(h, name string) (tok, cookie string, ok bool) {
	if len(h) < 2 { // Auth.js's parse returns {} for these
		return "", "", true
	}
	found := false
	for h != "" {
		var seg string
		seg, h, _ = strings.Cut(h, ";")
		k, v, hasEq := strings.Cut(seg, "=")
		if !hasEq {
			continue // Auth.js skips pairs without '='
		}
		k = trimSpTab(k)
		if !strings.HasPrefix(k, name) {
			continue
		}
		if found {
			return "", "", false // a second candidate: chunks or duplicates
		}
		found = true
		tok, cookie = trimSpTab(v), k
	}
	if strings.IndexByte(tok, '%') >= 0 {
		return "", "", false
	}
	return tok, cookie, true
}

// trimSpTab trims spaces and tabs only, as Auth.js's vendored cookie parser
// does.
func trimSpTab(s string) string {
	i, j := 0, len(s)
	for i < j && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	for j > i && (s[j-1] == ' ' || s[j-1] == '\t') {
		j--
	}
	return s[i:j]
}
