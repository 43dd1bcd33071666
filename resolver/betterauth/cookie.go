package betterauth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Cookies are read as better-call reads them (better-call/dist/cookies.mjs
// parseCookies, context.mjs getSignedCookie), not as net/http does: the
// first occurrence of a name wins, a value in double quotes loses its first
// and last characters, and a value is URL-decoded only when it contains '%'
// (and kept raw when decoding fails).

// parseCookies returns the cookies of a Cookie header, first occurrence
// winning.
func parseCookies(h string) map[string]string {
	m := map[string]string{}
	parseCookiesInto(h, func(k, v string) {
		if _, ok := m[k]; !ok {
			m[k] = v
		}
	})
	return m
}

// parseCookiesInto walks h in better-call's order and calls f for each
// pair, duplicates included.
func parseCookiesInto(h string, f func(name, value string)) {
	i := 0
	for i < len(h) {
		eq := strings.IndexByte(h[i:], '=')
		if eq < 0 {
			return
		}
		eq += i
		end := strings.IndexByte(h[i:], ';')
		if end < 0 {
			end = len(h)
		} else {
			end += i
			if end < eq {
				i = strings.LastIndexByte(h[:eq], ';') + 1
				continue
			}
		}
		k := jsTrim(h[i:eq])
		v := jsTrim(h[eq+1 : end])
		if strings.HasPrefix(v, `"`) {
			v = jsSlice1(v)
		}
		f(k, tryDecode(v))
		i = end + 1
	}
}

// jsSlice1 is v.slice(1, -1).
func jsSlice1(v string) string {
	if len(v) < 2 {
		return ""
	}
	return v[1 : len(v)-1]
}

// jsTrim is String.prototype.trim: Unicode white space and line
// terminators, plus U+FEFF.
func jsTrim(s string) string {
	return strings.TrimFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == '\uFEFF' })
}

// tryDecode is better-call's tryDecode: decodeURIComponent when the value
// holds a '%', the raw value when that throws.
func tryDecode(v string) string {
	if !strings.Contains(v, "%") {
		return v
	}
	d, err := url.PathUnescape(v)
	if err != nil || !utf8.ValidString(d) {
		return v
	}
	return d
}

// ErrBadSignature is returned by ParseSignedCookie when the value has the
// shape of a signed cookie but its HMAC does not verify.
var ErrBadSignature = errors.New("betterauth: cookie signature does not verify")

// ErrNotSigned is returned by ParseSignedCookie when the value is not
// "<value>.<44-character base64 signature>".
var ErrNotSigned = errors.New("betterauth: cookie is not a signed value")

// ParseSignedCookie verifies a signed cookie's decoded value as better-call's
// getSignedCookie does: the signature follows the last '.', at position 1
// or later, is 44 characters ending in '=', decodes as atob does, and must
// be the HMAC-SHA256 of the part before the dot under secret (compared in
// constant time). It returns that part.
func ParseSignedCookie(value, secret string) (string, error) {
	dot := strings.LastIndexByte(value, '.')
	if dot < 1 {
		return "", ErrNotSigned
	}
	signed, sig := value[:dot], value[dot+1:]
	if len(sig) != 44 || sig[len(sig)-1] != '=' {
		return "", ErrNotSigned
	}
	raw, ok := atob(sig)
	if !ok {
		return "", ErrBadSignature
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(signed))
	if !hmac.Equal(mac.Sum(nil), raw) {
		return "", ErrBadSignature
	}
	return signed, nil
}

// SignCookieValue is better-call's signCookieValue: value + "." + the
// standard base64 HMAC-SHA256 of value, URL-encoded as encodeURIComponent
// does. It is the cookie value a Set-Cookie line carries.
func SignCookieValue(value, secret string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(value))
	return encodeURIComponent(value + "." + base64.StdEncoding.EncodeToString(mac.Sum(nil)))
}

// encodeURIComponent escapes everything but A-Z a-z 0-9 - _ . ! ~ * ' ( ).
func encodeURIComponent(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-_.!~*'()", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte("0123456789ABCDEF"[c>>4])
		b.WriteByte("0123456789ABCDEF"[c&0xf])
	}
	return b.String()
}

// atob is the forgiving-base64 decode of the HTML spec: ASCII white space
// removed, up to two '=' removed when the length is a multiple of 4, the
// standard alphabet only, nonzero trailing bits ignored.
func atob(s string) ([]byte, bool) {
	s = strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '\n' || r == '\f' || r == '\r' {
			return -1
		}
		return r
	}, s)
	if len(s)%4 == 0 {
		s = strings.TrimSuffix(s, "=")
		s = strings.TrimSuffix(s, "=")
	}
	if len(s)%4 == 1 || strings.ContainsAny(s, "=-_") {
		return nil, false
	}
	b, err := base64.RawStdEncoding.DecodeString(s)
	return b, err == nil
}

// chunkedCookie is better-auth's getChunkedCookie: the cookie itself when
// present and non-empty, else its chunks NAME.0, NAME.1, … (canonical
// non-negative integers) joined in index order.
func chunkedCookie(cookies map[string]string, name string) (string, bool) {
	if v := cookies[name]; v != "" {
		return v, true
	}
	type chunk struct {
		i int
		v string
	}
	var cs []chunk
	for k, v := range cookies {
		suf, ok := strings.CutPrefix(k, name+".")
		if !ok {
			continue
		}
		i, err := strconv.Atoi(suf)
		if err != nil || i < 0 || strconv.Itoa(i) != suf || i > 1<<53 {
			continue
		}
		cs = append(cs, chunk{i, v})
	}
	if len(cs) == 0 {
		return "", false
	}
	sort.Slice(cs, func(a, b int) bool { return cs[a].i < cs[b].i })
	var b strings.Builder
	for _, c := range cs {
		b.WriteString(c.v)
	}
	return b.String(), true
}

// chunkNames lists the cookies of header that are name or its chunks, as
// better-auth's session store cleans them.
func chunkNames(header, name string) []string {
	var out []string
	seen := map[string]bool{}
	parseCookiesInto(header, func(k, _ string) {
		if seen[k] {
			return
		}
		if k == name {
			seen[k] = true
			out = append(out, k)
			return
		}
		suf, ok := strings.CutPrefix(k, name+".")
		if !ok {
			return
		}
		if i, err := strconv.Atoi(suf); err == nil && i >= 0 && strconv.Itoa(i) == suf {
			seen[k] = true
			out = append(out, k)
		}
	})
	return out
}
