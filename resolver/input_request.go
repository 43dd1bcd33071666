package resolver

import (
	"net/http"
	"strings"
)

// What an Input knows about its request beyond the cookies.
//
// Auth.js picks the session cookie name from the request's URL when no
// AUTH_URL fixes it (useSecureCookies defaults to url.protocol ===
// "https:"), and the integrations build that URL from X-Forwarded-Proto
// (next-auth's auth(), @auth/express behind "trust proxy"). A Go service
// gets the same choice from the Input: FromRequest records the transport's
// scheme and the forwarded one; the resolver trusts the forwarded one only
// when Config.TrustForwardedProto says so. An Input built from a bare
// Cookie header knows neither, and the resolver then accepts both names
// and says which matched (Result.Cookie).
//
// Auth.js's getToken({req}) also reads "Authorization: Bearer <token>"
// when no session cookie is present. getServerSession does not, so the
// Input carries the header only when the caller opts in with WithBearer.

// cookieLines is h.Values("Cookie") without its cost: Header.Get and
// Values canonicalise the name they are given on every call (a few hundred
// instructions for "X-Forwarded-Proto", at tens of thousands of requests a
// second), and the map is keyed by canonical names, so indexing it with a
// name already canonical finds exactly what they find.
func cookieLines(h http.Header) []string { return h["Cookie"] }

// forwardedProto is the first X-Forwarded-Proto value, trimmed and
// lower-cased ("" when absent), as Express's req.protocol takes it.
func forwardedProto(h http.Header) string {
	vs := h["X-Forwarded-Proto"] // h.Get, without canonicalising a canonical name
	if len(vs) == 0 || vs[0] == "" {
		return ""
	}
	v := vs[0]
	if i := strings.IndexByte(v, ','); i >= 0 {
		v = v[:i]
	}
	v = strings.TrimSpace(v)
	if v == "https" || v == "http" {
		return v // the common case: no allocation
	}
	return strings.ToLower(v)
}

// WithBearer returns in with the request's Authorization header value, so
// that a JWT resolver reads "Authorization: Bearer <token>" when no session
// cookie holds a token, as Auth.js's getToken does (the value after
// "Bearer " is percent-decoded; refresh cookies are not produced for a
// bearer token, since the client did not send a cookie). Pass "" to turn
// it off. Database and proxy resolvers ignore it: getServerSession reads
// cookies only.
func (in Input) WithBearer(authorization string) Input {
	in.authorization = authorization
	return in
}

// WithScheme returns in with the request's scheme ("https" or "http") and
// its X-Forwarded-Proto value (may be ""), for callers that hold no
// *http.Request (a gRPC interceptor, a CLI replaying a request).
func (in Input) WithScheme(scheme, xForwardedProto string) Input {
	in.scheme = strings.ToLower(scheme)
	in.forwardedProto = strings.ToLower(strings.TrimSpace(strings.Split(xForwardedProto, ",")[0]))
	return in
}

// Authorization is the Authorization header value WithBearer attached ("" when none).
func (in Input) Authorization() string { return in.authorization }

// requestProto is the scheme that decides the cookie name: the forwarded
// one when trusted and present, else the transport's; "" when unknown.
func (in Input) requestProto(trustForwarded bool) string {
	if trustForwarded && in.forwardedProto != "" {
		return in.forwardedProto
	}
	return in.scheme
}
