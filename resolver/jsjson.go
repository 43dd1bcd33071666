package resolver

import (
	"github.com/authscope/authscope/resolver/internal/js"
)

// JSON output exactly as JavaScript's JSON.stringify writes it. The
// encoder and the JSON.parse-compatible decoder live in package
// internal/js; this file holds what is Auth.js's: the session body, the
// claims' member order, and the hook for the resolver's own types.
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
//   - member order: what V8 enumerates. Session and js.Object keep it
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
		b = js.AppendString(b, name)
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
	b = js.AppendISOTime(b, s.Expires)
	b = append(b, '"')
	for _, m := range s.Extra {
		if !m.Value.set {
			continue
		}
		b = append(b, ',')
		b = js.AppendString(b, m.Name)
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

// appendClaims writes c's members in claimOrder, as Auth.js does.
func appendClaims(b []byte, c Claims) []byte {
	m := map[string]any(c)
	return js.AppendMembers(b, m, js.OrderedKeys(m, claimRank), appendOwnJS)
}

// appendJSValue appends v as JSON.stringify would, the resolver's own
// types included.
func appendJSValue(b []byte, v any) []byte { return js.AppendValue(b, v, appendOwnJS) }

// appendOwnJS is the js.Ext for the resolver's types: Claims in Auth.js's
// order, a Value as what it holds (null when unset), a Session as its body.
func appendOwnJS(b []byte, v any) ([]byte, bool) {
	switch x := v.(type) {
	case Claims:
		return appendClaims(b, x), true
	case Value:
		if !x.set {
			return append(b, "null"...), true
		}
		return appendJSValue(b, x.v), true
	case *Session:
		if x == nil {
			return append(b, "null"...), true
		}
		return appendSession(b, x), true
	}
	return b, false
}

func claimRank(k string) int {
	for i, c := range claimOrder {
		if c == k {
			return i
		}
	}
	return 4 // custom claims sit at the "" slot
}
