package resolver

import (
	"net/http"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/authscope/authscope/resolver/internal/js"
)

// Writing session cookies as Auth.js does (SessionStore.chunk/clean and
// the vendored cookie.serialize).
//
// Chunking: a value longer than the chunk size (Auth.js 3936 characters,
// next-auth v4 3933) is split into NAME.0, NAME.1, … of that many
// characters each; a value that fits keeps the plain name. Values here are
// tokens (ASCII), so characters are bytes.
//
// Refresh order: Auth.js first marks every chunk it read from the request
// for clearing (Max-Age=0, in the order it read them), then overwrites the
// names it writes now, and appends names that were not read. So a request
// that had NAME.0 and NAME.1 and now fits in one cookie gets
// "NAME.0 cleared, NAME.1 cleared, NAME=<token>".
//
// Serialization: Go's (*http.Cookie).String puts Path before Max-Age and
// Expires before Max-Age and may quote values; Auth.js's serialize writes
// name=encodeURIComponent(value); Max-Age; Domain; Path; Expires;
// HttpOnly; Secure; Partitioned; SameSite. FormatSetCookie writes that.

// Chunk sizes: ALLOWED_COOKIE_SIZE 4096 minus ESTIMATED_EMPTY_COOKIE_SIZE
// (160 in Auth.js, 163 in next-auth v4).
const (
	ChunkSize         = 3936
	ChunkSizeLegacyV4 = 3933
)

// ChunkCookies returns the cookies Auth.js writes for a session token
// value: one cookie, or NAME.0… chunks of ChunkSize characters, each with
// Path=/, HttpOnly, SameSite=Lax, Expires and Secure as given.
func ChunkCookies(name, value string, expires time.Time, secure bool) []*http.Cookie {
	return chunkCookies(name, value, expires, secure, ChunkSize)
}

// ChunkCookiesLegacyV4 is ChunkCookies with next-auth v4's chunk size.
func ChunkCookiesLegacyV4(name, value string, expires time.Time, secure bool) []*http.Cookie {
	return chunkCookies(name, value, expires, secure, ChunkSizeLegacyV4)
}

func chunkCookies(name, value string, expires time.Time, secure bool, size int) []*http.Cookie {
	n := (len(value) + size - 1) / size
	if n == 1 {
		return []*http.Cookie{sessionCookie(name, value, expires, secure)}
	}
	out := make([]*http.Cookie, 0, n)
	for i := 0; i < n; i++ {
		end := min((i+1)*size, len(value))
		out = append(out, sessionCookie(name+"."+strconv.Itoa(i), value[i*size:end], expires, secure))
	}
	return out
}

func sessionCookie(name, value string, expires time.Time, secure bool) *http.Cookie {
	return &http.Cookie{
		Name: name, Value: value, Path: "/", Expires: expires,
		HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode,
	}
}

// ClearCookies returns Auth.js's clearing cookies for the given chunk
// names, in that order: NAME=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax
// (and Secure). MaxAge is -1, which is how net/http spells Max-Age=0.
func ClearCookies(names []string, secure bool) []*http.Cookie {
	out := make([]*http.Cookie, 0, len(names))
	for _, n := range names {
		out = append(out, &http.Cookie{
			Name: n, Path: "/", MaxAge: -1,
			HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode,
		})
	}
	return out
}

// RefreshCookies is SessionStore.chunk(value, {expires}) for a request
// that carried the chunks named read: every read name cleared, then the
// new cookies written over same-named entries or appended.
func RefreshCookies(name string, read []string, value string, expires time.Time, secure bool, chunkSize int) []*http.Cookie {
	if chunkSize <= 0 {
		chunkSize = ChunkSize
	}
	if len(read) == 1 && read[0] == name && len(value) > 0 && len(value) <= chunkSize {
		// Every refresh of an unchunked cookie: the one clearing entry
		// would be overwritten by the new cookie at once, so skip it.
		return []*http.Cookie{sessionCookie(name, value, expires, secure)}
	}
	out := ClearCookies(read, secure)
	for _, c := range chunkCookies(name, value, expires, secure, chunkSize) {
		replaced := false
		for i, have := range out {
			if have.Name == c.Name {
				out[i] = c
				replaced = true
				break
			}
		}
		if !replaced {
			out = append(out, c)
		}
	}
	return out
}

// FormatSetCookie serializes c as Auth.js's cookie.serialize does. It
// honours Name, Value, MaxAge (<0 → Max-Age=0), Domain, Path, Expires
// (toUTCString form), HttpOnly, Secure, Partitioned and SameSite.
func FormatSetCookie(c *http.Cookie) string { return formatSetCookie(c, true) }

// formatSetCookie serializes c in Auth.js's attribute order; encode says
// whether the value still needs encodeURIComponent (false for values taken
// from an upstream's Set-Cookie line, which are encoded already).
func formatSetCookie(c *http.Cookie, encode bool) string {
	v := c.Value
	if encode {
		v = jsEncodeURIComponent(v)
	}
	b := appendSetCookie(make([]byte, 0, len(c.Name)+len(v)+96), c, v)
	return unsafe.String(unsafe.SliceData(b), len(b)) // b is not touched again
}

// appendSetCookie appends c's Set-Cookie line, with v (encoded as it
// should be) for its value.
func appendSetCookie[V string | []byte](b []byte, c *http.Cookie, v V) []byte {
	b = append(b, c.Name...)
	b = append(b, '=')
	b = append(b, v...)
	switch {
	case c.MaxAge < 0:
		b = append(b, "; Max-Age=0"...)
	case c.MaxAge > 0:
		b = append(b, "; Max-Age="...)
		b = strconv.AppendInt(b, int64(c.MaxAge), 10)
	}
	if c.Domain != "" {
		b = append(b, "; Domain="...)
		b = append(b, c.Domain...)
	}
	if c.Path != "" {
		b = append(b, "; Path="...)
		b = append(b, c.Path...)
	}
	if !c.Expires.IsZero() {
		b = append(b, "; Expires="...)
		b = js.AppendUTCString(b, c.Expires) // http.TimeFormat for years 0000-9999
	}
	if c.HttpOnly {
		b = append(b, "; HttpOnly"...)
	}
	if c.Secure {
		b = append(b, "; Secure"...)
	}
	if c.Partitioned {
		b = append(b, "; Partitioned"...)
	}
	switch c.SameSite {
	case http.SameSiteStrictMode:
		b = append(b, "; SameSite=Strict"...)
	case http.SameSiteLaxMode:
		b = append(b, "; SameSite=Lax"...)
	case http.SameSiteNoneMode:
		b = append(b, "; SameSite=None"...)
	}
	return b
}

// jsEncodeURIComponent escapes everything but A–Z a–z 0–9 - _ . ! ~ * ' ( ),
// as JavaScript's encodeURIComponent (UTF-8, upper-case hex).
func jsEncodeURIComponent(s string) string {
	const upper = "0123456789ABCDEF"
	safe := func(c byte) bool {
		return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
			strings.IndexByte("-_.!~*'()", c) >= 0
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if !safe(s[i]) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	b := make([]byte, 0, len(s)+2*n)
	for i := 0; i < len(s); i++ {
		if c := s[i]; safe(c) {
			b = append(b, c)
		} else {
			b = append(b, '%', upper[c>>4], upper[c&0xF])
		}
	}
	return string(b)
}
