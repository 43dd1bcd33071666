package resolver

import (
	"crypto/sha256"
	"encoding/hex"
	"hash/maphash"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"
	"unsafe"
)

// The Handler's per-request work outside Resolve, kept allocation-light:
// serve answers tens of thousands of /session requests a second, and at
// that rate the answer's bookkeeping (the CSRF check, the origin, the
// headers) cost as much as the JWT decode itself. Each helper here gives
// the bytes the straightforward code gave; the handler tests and vectors
// check them.

// sha256HexEqual reports whether hexSum is sha256Hex(tok + secret), hashing
// on the stack instead of building the concatenation and the hex string.
func sha256HexEqual(tok, secret, hexSum string) bool {
	if len(hexSum) != 2*sha256.Size {
		return false
	}
	var buf [256]byte
	sum := sha256.Sum256(append(append(buf[:0], tok...), secret...))
	var dst [2 * sha256.Size]byte
	hex.Encode(dst[:], sum[:])
	return string(dst[:]) == hexSum
}

// originMemo remembers the last origin computed, by scheme and Host: a
// server sees one Host (or a handful) and jsOrigin parses a URL each time.
// One entry, replaced on a miss, so a client sending arbitrary Host headers
// cannot grow it; a miss costs what the memo saves, nothing more.
type originMemo struct{ last atomic.Pointer[originEntry] }

type originEntry struct {
	scheme, host, origin string
	// keptCallback is the last callback-url cookie value (raw, as sent)
	// found to need no new cookie at this origin (Handler.callback).
	keptCallback atomic.Pointer[string]
}

func (m *originMemo) get(scheme, host string) *originEntry {
	if e := m.last.Load(); e != nil && e.host == host && e.scheme == scheme {
		return e
	}
	e := &originEntry{scheme: scheme, host: host, origin: jsOrigin(scheme + "://" + host)}
	m.last.Store(e)
	return e
}

// writeSessionHeaders sets the headers of a 200 session answer: JSON,
// Auth.js's no-cache trio on GET, the Set-Cookie lines in order and the
// length (clen, or bodyLen formatted when clen is nil). The fixed values
// are shared slices assigned straight into the map: no allocation and no
// canonicalisation (Header.Set does both, every request). Their capacity
// is their length, so a wrapping handler's Add copies rather than writes
// into them; nothing may modify them in place (net/http writes a Clone).
func writeSessionHeaders(hdr http.Header, cacheHeaders bool, sets []string, bodyLen int, clen []string) {
	hdr["Content-Type"] = jsonContentType
	if cacheHeaders {
		hdr["Cache-Control"], hdr["Expires"], hdr["Pragma"] = noCacheControl, expiresZero, pragmaNoCache
	}
	if len(sets) > 0 {
		if prev := hdr["Set-Cookie"]; len(prev) > 0 {
			sets = append(prev, sets...) // a wrapper's lines stay first, as with Add
		}
		hdr["Set-Cookie"] = sets
	}
	if clen == nil {
		clen = []string{strconv.Itoa(bodyLen)}
	}
	hdr["Content-Length"] = clen
}

// The session answer's fixed header values (writeSessionHeaders); shared,
// never modified.
var (
	jsonContentType = []string{"application/json"}
	noCacheControl  = []string{"private, no-cache, no-store"}
	expiresZero     = []string{"0"}
	pragmaNoCache   = []string{"no-cache"}
)

// cookieBuf receives a percent-decoded cookie value (uriDecodeInto).
// Auth.js's CSRF cookie (64 hex, "%7C", 64 hex) and the callback-url
// cookie of an ordinary origin fit; longer values are decoded on the heap.
type cookieBuf [512]byte

// uriDecodeInto is Auth.js's decoding of a raw cookie value v: values
// with '%' URI-decoded, kept raw when that fails. The decoding is done
// into buf when it fits, not into a new string: a browser's CSRF and
// callback-url cookies are percent-encoded ("|", "://"), so
// url.PathUnescape allocated twice a request for them. A result decoded
// into buf aliases it: it is valid while buf is, and must be copied to
// outlive the request (the callers keep buf on their stack).
func uriDecodeInto(v string, buf *cookieBuf) string {
	if strings.IndexByte(v, '%') < 0 {
		return v
	}
	if len(v) > len(buf) { // decoding never lengthens a value
		if d, err := url.PathUnescape(v); err == nil && utf8.ValidString(d) {
			return d
		}
		return v
	}
	d, valid := pathUnescapeInto(buf[:0], v)
	if !valid || !utf8.Valid(d) {
		return v // kept raw, as Auth.js keeps a value that does not decode
	}
	return unsafe.String(unsafe.SliceData(d), len(d))
}

// pathUnescapeInto appends url.PathUnescape(s) to dst: every "%XX" (two
// hex digits) becomes its byte, anything else is kept, '+' included; a
// '%' without two hex digits after it is an error (ok false), as there.
func pathUnescapeInto(dst []byte, s string) ([]byte, bool) {
	for {
		i := strings.IndexByte(s, '%') // copy the run before it at once
		if i < 0 {
			return append(dst, s...), true
		}
		dst = append(dst, s[:i]...)
		if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
			return dst, false
		}
		dst = append(dst, unhex(s[i+1])<<4|unhex(s[i+2]))
		s = s[i+3:]
	}
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}

// bodyPool holds the buffers session bodies are rendered into: a body is
// written to the connection's buffer before ServeHTTP returns, so one
// buffer serves request after request instead of one allocation each.
var bodyPool = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// maxPooledBody bounds the buffers kept in bodyPool.
const maxPooledBody = 8 << 10

// appendSessionBody appends what MarshalSessionBody (legacyV4:
// MarshalSessionBodyLegacyV4) returns for s.
func appendSessionBody(b []byte, s *Session, legacyV4 bool) []byte {
	switch {
	case s != nil:
		return appendSession(b, s)
	case legacyV4:
		return append(b, "{}"...)
	}
	return append(b, "null"...)
}

// csrfMemo remembers CSRF cookie values (decoded, "token|hash") already
// found valid, so that a browser's cookie, sent unchanged on every
// request, is hashed once rather than every time. Validity depends on the
// value and the handler's secret alone (Auth.js checks nothing else), and
// the secret is fixed for the handler's life, so a remembered value stays
// valid. Only valid values get in, and a hit needs the exact bytes: the
// seeded hash only picks the slot. The table is direct-mapped and
// fixed-size (csrfSlots values, a newcomer replaces the slot's occupant),
// so memory is bounded whatever clients send and a miss costs only the
// hash it would have cost anyway. Safe for concurrent use.
type csrfMemo struct {
	seed  maphash.Seed
	slots [csrfSlots]atomic.Pointer[string]
}

// csrfSlots is a power of two: about 150 KB when every slot holds a value.
const csrfSlots = 1024

func newCSRFMemo() *csrfMemo { return &csrfMemo{seed: maphash.MakeSeed()} }

func (m *csrfMemo) slot(v string) *atomic.Pointer[string] {
	return &m.slots[maphash.String(m.seed, v)&(csrfSlots-1)]
}

func (m *csrfMemo) has(v string) bool {
	p := m.slot(v).Load()
	return p != nil && *p == v
}

// add remembers v, a valid value; it copies v, which may alias a cookieBuf.
func (m *csrfMemo) add(v string) {
	c := strings.Clone(v)
	m.slot(v).Store(&c)
}
