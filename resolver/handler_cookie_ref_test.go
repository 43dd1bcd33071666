package resolver

import (
	"net/url"
	"strings"
	"unicode/utf8"
)

// The reference the Handler's cookie reading is checked against: Auth.js's
// cookie parser written the plain way, one name per pass and decoding into
// a new string. The Handler reads its two cookies in its one pass over the
// header (cookieScan) and decodes into a stack buffer (uriDecodeInto).

// authjsCookie returns the value of name in a Cookie header under Auth.js's
// parser rules: ';'-separated pairs (pairs without '=' skipped), name and
// value trimmed of spaces and tabs, first occurrence wins, values with '%'
// URI-decoded (kept raw when that fails), quotes kept.
func authjsCookie(header, name string) (string, bool) {
	v, ok := authjsCookieRaw(header, name)
	if ok && strings.IndexByte(v, '%') >= 0 {
		if d, err := url.PathUnescape(v); err == nil && utf8.ValidString(d) {
			v = d
		}
	}
	return v, ok
}

// authjsCookieRaw is authjsCookie before the URI decoding.
func authjsCookieRaw(header, name string) (string, bool) {
	for header != "" {
		var seg string
		seg, header, _ = strings.Cut(header, ";")
		k, v, ok := strings.Cut(seg, "=")
		if !ok || trimSpTab(k) != name {
			continue
		}
		return trimSpTab(v), true
	}
	return "", false
}

// authjsCookieInto is authjsCookieRaw decoded by uriDecodeInto: what the
// Handler makes of one cookie, to compare with authjsCookie.
func authjsCookieInto(header, name string, buf *cookieBuf) (string, bool) {
	v, ok := authjsCookieRaw(header, name)
	if !ok {
		return v, ok
	}
	return uriDecodeInto(v, buf), true
}
