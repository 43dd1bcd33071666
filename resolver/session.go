package resolver

import "time"

// Session is the body Auth.js's GET /session returns with its default
// callbacks: {"user":{"name","email","image"},"expires"}. A Go session hook
// (see Hooks) may add members; they follow the default ones when encoded.
//
// Session marshals to JSON that a JavaScript client parses identically to
// Auth.js's own body (member order user, expires; name, email, image).
// Session values hold personal data: fmt and slog print them redacted (see
// Redact); use MarshalJSON or Redact(p) explicitly to export.
type Session struct {
	User User
	// Expires is reported with millisecond precision, as toISOString().
	Expires time.Time
	// Extra holds members added by a session hook, encoded after "expires"
	// in the order given.
	Extra []Member
	// Native is the answering engine's own form of the session, when it is
	// not Auth.js (Better Auth: its get-session body), carried through
	// caches and the proxy so an endpoint speaking that engine's protocol
	// answers byte for byte. Auth.js leaves it nil; it is never printed
	// (Format and LogValue redact the session) nor encoded.
	Native any
}

// User is session.user. Name, Email and Image are Values because Auth.js
// distinguishes absent (a JWT without the claim: member omitted) from null
// (a database NULL: "name":null).
type User struct {
	Name  Value
	Email Value
	Image Value
	// ID is the user's identity (the JWT's sub, or the database user id). It
	// is not part of the default body; it keys per-user cache invalidation
	// and revocation.
	ID string
	// Extra holds members a session hook added to session.user.
	Extra []Member
}

// Member is one named JSON member added by a hook.
type Member struct {
	Name  string
	Value Value
}

// Value is an optional JSON value: absent (the zero Value), null, or a value
// decoded from JSON (string, json.Number, bool, map[string]any, []any).
type Value struct {
	v   any
	set bool
}

// String returns a Value holding s.
func String(s string) Value { return Value{v: s, set: true} }

// Null returns the JSON null Value.
func Null() Value { return Value{set: true} }

// Of returns a Value holding v, which must be a JSON-decoded value (nil means null).
func Of(v any) Value { return Value{v: v, set: true} }

// IsSet reports whether the member is present (possibly null).
func (v Value) IsSet() bool { return v.set }

// IsNull reports whether the member is present and null.
func (v Value) IsNull() bool { return v.set && v.v == nil }

// Any returns the decoded value (nil for null or absent).
func (v Value) Any() any { return v.v }

// Str returns the value when it is a string.
func (v Value) Str() (string, bool) {
	s, ok := v.v.(string)
	return s, ok
}

// Claims are a decoded JWT payload. Numbers are json.Number so that large or
// fractional values survive a round trip.
type Claims map[string]any
