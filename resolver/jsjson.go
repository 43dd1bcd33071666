package resolver

import (
	"encoding/json"
	"math"
	"reflect"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"
)

// JSON output exactly as JavaScript's JSON.stringify writes it.
//
// A JS client must parse our bodies identically to Auth.js's, and tools
// diff them byte for byte, so encoding/json's choices are wrong here: it
// escapes < > & and U+2028/2029, writes numbers Go's way and cannot
// represent a lone surrogate. The rules implemented:
//
//   - strings: only '"', '\\' and C0 controls are escaped (\b \f \n \r \t,
//     others \u00XX in lower-case hex); DEL, U+2028/2029 and all other
//     characters are written raw; lone surrogates (kept as WTF-8 by the
//     decoder) are written \udXXX, as well-formed JSON.stringify does.
//   - numbers: the value of the literal (json.Number) or float formatted
//     like Number.prototype.toString: 1.0 → 1, 1e21 → 1e+21, 1e-7 → 1e-7,
//     -0 → 0; NaN and ±Infinity → null.
//   - member order: what V8 enumerates. Session and jsObject keep it
//     exactly. A Go map has no order, so for map[string]any we write
//     array-index keys ascending first (V8's rule) and then the rest sorted;
//     Claims additionally put Auth.js's own claims where Auth.js writes them
//     (see claimOrder). The exact order of a decoded token's payload is
//     available from Codec.DecodeJSON.

// MarshalJSON encodes s like JSON.stringify(session) in Auth.js: members
// user then expires, user's name, email, image; absent Values are omitted
// and null ones kept; hook-added members follow in their given order.
// Note that json.Marshal re-escapes < > & and U+2028/2029 in a
// MarshalJSON result; use MarshalSessionBody, or a json.Encoder with
// SetEscapeHTML(false), to keep Auth.js's bytes.
func (s *Session) MarshalJSON() ([]byte, error) {
	return MarshalSessionBody(s), nil
}

// MarshalSessionBody is the body of GET /session for s: "null" when s is
// nil, else the JSON.stringify form of the session.
func MarshalSessionBody(s *Session) []byte {
	if s == nil {
		return []byte("null")
	}
	return appendSession(make([]byte, 0, 256), s)
}

// MarshalSessionBodyLegacyV4 is next-auth v4's /session body: the same
// session JSON, but "{}" rather than "null" when there is no session.
func MarshalSessionBodyLegacyV4(s *Session) []byte {
	if s == nil {
		return []byte("{}")
	}
	return appendSession(make([]byte, 0, 256), s)
}

func appendSession(b []byte, s *Session) []byte {
	b = append(b, `{"user":{`...)
	first := true
	member := func(name string, v Value) {
		if !v.set {
			return
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = appendJSString(b, name)
		b = append(b, ':')
		b = appendJSValue(b, v.v)
	}
	member("name", s.User.Name)
	member("email", s.User.Email)
	member("image", s.User.Image)
	for _, m := range s.User.Extra {
		member(m.Name, m.Value)
	}
	b = append(b, `},"expires":"`...)
	b = appendISOTime(b, s.Expires)
	b = append(b, '"')
	for _, m := range s.Extra {
		if !m.Value.set {
			continue
		}
		b = append(b, ',')
		b = appendJSString(b, m.Name)
		b = append(b, ':')
		b = appendJSValue(b, m.Value.v)
	}
	return append(b, '}')
}

// MarshalClaims encodes c like JSON.stringify. Nil claims encode as "null"
// (getToken's null). See the notes above on member order. The error is
// always nil; the signature matches json.Marshal for callers' convenience.
func MarshalClaims(c Claims) ([]byte, error) {
	if c == nil {
		return []byte("null"), nil
	}
	return appendClaims(make([]byte, 0, 256), c), nil
}

// MarshalJSON implements json.Marshaler with JSON.stringify's output.
func (c Claims) MarshalJSON() ([]byte, error) { return MarshalClaims(c) }

// claimOrder is where Auth.js puts its own claims: its sign-in token is
// {name, email, picture, sub}, custom claims from the jwt callback follow,
// and jose appends iat, exp, jti when the token is first encoded (a refresh
// keeps their positions).
var claimOrder = [...]string{"name", "email", "picture", "sub", "", "iat", "exp", "jti"}

func claimRank(k string) int {
	for i, c := range claimOrder {
		if c == k {
			return i
		}
	}
	return 4 // custom claims sit at the "" slot
}

func appendClaims(b []byte, c Claims) []byte {
	keys := orderedKeys(map[string]any(c), true)
	return appendMapMembers(b, map[string]any(c), keys)
}

// orderedKeys lists m's keys: array-index keys ascending, then the rest
// (by claimRank first when claims is set), ties sorted.
func orderedKeys(m map[string]any, claims bool) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		ia, aok := arrayIndex(a)
		ib, bok := arrayIndex(b)
		switch {
		case aok && bok:
			if ia < ib {
				return -1
			}
			return 1
		case aok:
			return -1
		case bok:
			return 1
		}
		if claims {
			if ra, rb := claimRank(a), claimRank(b); ra != rb {
				return ra - rb
			}
		}
		if a < b {
			return -1
		}
		if a > b {
			return 1
		}
		return 0
	})
	return keys
}

func appendMapMembers(b []byte, m map[string]any, keys []string) []byte {
	b = append(b, '{')
	first := true
	for _, k := range keys {
		v := m[k]
		if !jsonable(v) {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = appendJSString(b, k)
		b = append(b, ':')
		b = appendJSValue(b, v)
	}
	return append(b, '}')
}

// jsonable reports whether JSON.stringify would write the member: Go has
// no undefined, so only a nil func (the analogue of a JS function) is
// dropped; nil is null.
func jsonable(v any) bool {
	if v == nil {
		return true
	}
	return reflect.TypeOf(v).Kind() != reflect.Func
}

// appendJSValue appends v as JSON.stringify would.
func appendJSValue(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...)
	case string:
		return appendJSString(b, x)
	case json.Number:
		return appendJSNumberLiteral(b, string(x))
	case bool:
		if x {
			return append(b, "true"...)
		}
		return append(b, "false"...)
	case float64:
		return appendJSFloat(b, x)
	case float32:
		return appendJSFloat(b, float64(x))
	case int:
		return appendJSFloat(b, float64(x))
	case int64:
		return appendJSFloat(b, float64(x))
	case int32:
		return appendJSFloat(b, float64(x))
	case uint64:
		return appendJSFloat(b, float64(x))
	case uint32:
		return appendJSFloat(b, float64(x))
	case map[string]any:
		return appendMapMembers(b, x, orderedKeys(x, false))
	case Claims:
		return appendClaims(b, x)
	case *jsObject:
		b = append(b, '{')
		first := true
		for i, k := range x.keys {
			if !first {
				b = append(b, ',')
			}
			first = false
			b = appendJSString(b, k)
			b = append(b, ':')
			b = appendJSValue(b, x.vals[i])
		}
		return append(b, '}')
	case []any:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			if !jsonable(e) {
				b = append(b, "null"...) // JS writes undefined/functions in arrays as null
				continue
			}
			b = appendJSValue(b, e)
		}
		return append(b, ']')
	case []string:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSString(b, e)
		}
		return append(b, ']')
	case Value:
		if !x.set {
			return append(b, "null"...)
		}
		return appendJSValue(b, x.v)
	case *Session:
		if x == nil {
			return append(b, "null"...)
		}
		return appendSession(b, x)
	}
	// Anything else (a hook's struct): let encoding/json describe it, then
	// rewrite that JSON the JS way (escaping, numbers).
	raw, err := json.Marshal(v)
	if err != nil {
		return append(b, "null"...)
	}
	parsed, err := parseJSONOrdered(string(raw))
	if err != nil {
		return append(b, "null"...)
	}
	return appendJSValue(b, parsed)
}

const hexDigits = "0123456789abcdef"

// appendJSString appends s quoted the way JSON.stringify quotes strings.
func appendJSString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"':
				b = append(b, '\\', '"')
			case '\\':
				b = append(b, '\\', '\\')
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r != utf8.RuneError || size != 1 {
			i += size
			continue
		}
		// Invalid UTF-8: a WTF-8 surrogate (lone surrogate from the
		// decoder) is written as its escape; any other stray byte cannot
		// come from a JS string and is written as U+FFFD.
		b = append(b, s[start:i]...)
		if c == 0xED && i+2 < len(s) && s[i+1] >= 0xA0 && s[i+1] <= 0xBF && s[i+2] >= 0x80 && s[i+2] <= 0xBF {
			u := rune(c&0x0F)<<12 | rune(s[i+1]&0x3F)<<6 | rune(s[i+2]&0x3F)
			b = append(b, '\\', 'u', hexDigits[u>>12], hexDigits[u>>8&0xF], hexDigits[u>>4&0xF], hexDigits[u&0xF])
			i += 3
		} else {
			b = append(b, "\uFFFD"...)
			i++
		}
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// appendJSNumberLiteral appends a JSON number literal as JS would print
// the number it denotes. Short plain integers (the common case: iat, exp)
// are already in JS form and are copied.
func appendJSNumberLiteral(b []byte, lit string) []byte {
	if plainInt(lit) {
		return append(b, lit...)
	}
	f, err := strconv.ParseFloat(lit, 64)
	if err != nil && !isRangeErr(err) {
		return append(b, "null"...)
	}
	return appendJSFloat(b, f)
}

func isRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

// plainInt reports a literal of at most 15 digits without fraction or
// exponent, not "-0": exactly representable and printed the same by JS.
func plainInt(lit string) bool {
	s := lit
	if s != "" && s[0] == '-' {
		s = s[1:]
		if s == "0" {
			return false
		}
	}
	if s == "" || len(s) > 15 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// appendJSFloat appends f as Number.prototype.toString(f) (ECMA-262
// Number::toString), with JSON.stringify's null for non-finite values.
func appendJSFloat(b []byte, f float64) []byte {
	switch {
	case math.IsNaN(f) || math.IsInf(f, 0):
		return append(b, "null"...)
	case f == 0:
		return append(b, '0')
	case f < 0:
		b = append(b, '-')
		f = -f
	}
	// Shortest round-trip digits, as JS requires; 'e' gives d.ddde±x.
	var buf [32]byte
	e := strconv.AppendFloat(buf[:0], f, 'e', -1, 64)
	var digits [20]byte
	k := 0
	j := 0
	for ; j < len(e) && e[j] != 'e'; j++ {
		if e[j] != '.' {
			digits[k] = e[j]
			k++
		}
	}
	exp, _ := strconv.Atoi(string(e[j+1:]))
	n := exp + 1 // value = 0.d1d2...dk × 10^n
	d := digits[:k]
	switch {
	case k <= n && n <= 21:
		b = append(b, d...)
		for i := 0; i < n-k; i++ {
			b = append(b, '0')
		}
	case 0 < n && n <= 21:
		b = append(b, d[:n]...)
		b = append(b, '.')
		b = append(b, d[n:]...)
	case -6 < n && n <= 0:
		b = append(b, '0', '.')
		for i := 0; i < -n; i++ {
			b = append(b, '0')
		}
		b = append(b, d...)
	default:
		b = append(b, d[0])
		if k > 1 {
			b = append(b, '.')
			b = append(b, d[1:]...)
		}
		b = append(b, 'e')
		if n-1 >= 0 {
			b = append(b, '+')
		}
		b = strconv.AppendInt(b, int64(n-1), 10)
	}
	return b
}

// appendISOTime appends t as Date.prototype.toISOString: UTC, millisecond
// precision, six-digit signed years outside 0000–9999.
func appendISOTime(b []byte, t time.Time) []byte {
	t = t.UTC()
	y, mo, d := t.Date()
	h, mi, sec := t.Clock()
	switch {
	case y < 0:
		b = append(b, '-')
		b = appendPad(b, -y, 6)
	case y > 9999:
		b = append(b, '+')
		b = appendPad(b, y, 6)
	default:
		b = appendPad(b, y, 4)
	}
	b = append(b, '-')
	b = appendPad(b, int(mo), 2)
	b = append(b, '-')
	b = appendPad(b, d, 2)
	b = append(b, 'T')
	b = appendPad(b, h, 2)
	b = append(b, ':')
	b = appendPad(b, mi, 2)
	b = append(b, ':')
	b = appendPad(b, sec, 2)
	b = append(b, '.')
	b = appendPad(b, t.Nanosecond()/1e6, 3)
	return append(b, 'Z')
}

func appendPad(b []byte, v, width int) []byte {
	var buf [12]byte
	s := strconv.AppendInt(buf[:0], int64(v), 10)
	for i := len(s); i < width; i++ {
		b = append(b, '0')
	}
	return append(b, s...)
}
