package resolver

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"sync/atomic"
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

type originEntry struct{ scheme, host, origin string }

func (m *originMemo) get(scheme, host string) string {
	if e := m.last.Load(); e != nil && e.host == host && e.scheme == scheme {
		return e.origin
	}
	o := jsOrigin(scheme + "://" + host)
	m.last.Store(&originEntry{scheme: scheme, host: host, origin: o})
	return o
}

// writeSessionHeaders sets the headers of a 200 session answer: JSON,
// Auth.js's no-cache trio on GET, the Set-Cookie lines in order and the
// length. The single-valued headers share one backing array (one
// allocation instead of one per Header.Set); each is a full slice
// expression, so a later Add by a wrapping handler copies rather than
// overwrites its neighbour.
func writeSessionHeaders(hdr http.Header, cacheHeaders bool, sets []string, bodyLen int) {
	v := make([]string, 5)
	v[0], v[4] = "application/json", strconv.Itoa(bodyLen)
	hdr["Content-Type"] = v[0:1:1]
	if cacheHeaders {
		v[1], v[2], v[3] = "private, no-cache, no-store", "0", "no-cache"
		hdr["Cache-Control"], hdr["Expires"], hdr["Pragma"] = v[1:2:2], v[2:3:3], v[3:4:4]
	}
	if len(sets) > 0 {
		if prev := hdr["Set-Cookie"]; len(prev) > 0 {
			sets = append(prev, sets...) // a wrapper's lines stay first, as with Add
		}
		hdr["Set-Cookie"] = sets
	}
	hdr["Content-Length"] = v[4:5:5]
}
