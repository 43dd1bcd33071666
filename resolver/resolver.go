package resolver

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"
)

// Mode says where a session is resolved: locally (decode the cookie or read
// the session store, no network) or by proxy (ask the upstream Auth.js).
type Mode string

// Modes.
const (
	ModeLocal Mode = "local"
	ModeProxy Mode = "proxy"
)

// String implements fmt.Stringer.
func (m Mode) String() string { return string(m) }

// Valid reports whether m is a known mode.
func (m Mode) Valid() bool { return m == ModeLocal || m == ModeProxy }

// Strategy is Auth.js's session.strategy.
type Strategy string

// Strategies.
const (
	StrategyJWT      Strategy = "jwt"
	StrategyDatabase Strategy = "database"
)

// String implements fmt.Stringer.
func (s Strategy) String() string { return string(s) }

// Valid reports whether s is a known strategy.
func (s Strategy) Valid() bool { return s == StrategyJWT || s == StrategyDatabase }

// Resolver answers "who is this request?" the way Auth.js's
// GET {basePath}/session does. Implementations are safe for concurrent use.
//
// Resolve returns a non-nil error only when the resolver itself cannot work
// (unconfigured, or ctx already done before anything was attempted); every
// per-request failure is a Result with a nil Session and a Reason, as the
// seed's getServerSession returns null.
type Resolver interface {
	Resolve(ctx context.Context, in Input) (Result, error)
}

// Result is the outcome of one resolution.
type Result struct {
	// Session is nil when there is no session.
	Session *Session
	// Reason says why there is no session (ReasonOK when there is one).
	Reason Reason
	// Err carries the detail behind Reason, for --explain and logs. It never
	// contains token material.
	Err error
	// Source names what produced the answer: "jwt", "database", "upstream",
	// or "cache" when a cache decorator served it.
	Source string
	// Cookie names where the token was read: the session cookie's name
	// (which of the two when the request could not decide between the
	// plain and the __Secure- name), BearerSource for an Authorization
	// header, "" when no token was read or the resolver does not say.
	Cookie string
	// SetCookies are the Set-Cookie headers Auth.js would send with this
	// answer (refresh or clear), in Auth.js's order. Filled only when the
	// resolver is configured to produce them.
	SetCookies []*http.Cookie
	// NotAfter, when set, is the instant the credential behind the answer
	// stops being accepted: a JWT's exp plus Auth.js's clock tolerance.
	// Session.Expires is the rolling cookie expiry, which can lie beyond
	// it, so caches must not serve the answer from NotAfter on. Zero when
	// unknown (database sessions, proxy answers without the secret).
	NotAfter time.Time
	// Engine names the engine that answered ("authjs", "better-auth") when
	// a caller chose between several (package resolver/engine); empty from
	// this package's own resolvers.
	Engine string
}

// OK reports whether a session was found.
func (r Result) OK() bool { return r.Session != nil }

// ErrUnconfigured is returned by Resolve when the resolver has no usable
// configuration: the seed's getServerSession throws in that case.
var ErrUnconfigured = errors.New("resolver: runtime is not configured")

// GetServerSession is the seed's getServerSession(input): the active session
// or nil. The error is non-nil only when r is nil or unconfigured.
func GetServerSession(ctx context.Context, r Resolver, in Input) (*Session, error) {
	if r == nil {
		return nil, ErrUnconfigured
	}
	res, err := r.Resolve(ctx, in)
	if err != nil {
		return nil, err
	}
	return res.Session, nil
}

// Input carries the request's cookies in any of the seed's forms. The zero
// Input is a request with no cookies (the seed's default: empty headers).
//
// Besides cookies an Input may carry what a request says about itself:
// its scheme (FromRequest: TLS or not) and X-Forwarded-Proto, which decide
// the session cookie name when the configuration leaves it to the request
// (Config.UseSecureCookies "auto" without a base URL), and, only when asked
// for with WithBearer, an Authorization header for getToken's Bearer
// fallback. See input_request.go.
type Input struct {
	cookie string
	// authorization is the Authorization header value, set only by
	// WithBearer: the resolver reads a Bearer token when no cookie holds one.
	authorization string
	// scheme is "https" or "http" when the request's own transport is
	// known (FromRequest), "" otherwise (a bare Cookie header).
	scheme string
	// forwardedProto is the first X-Forwarded-Proto value, lower-cased;
	// trusted only when the configuration says so.
	forwardedProto string
}

// FromCookieHeader builds an Input from a raw Cookie header value.
func FromCookieHeader(v string) Input { return Input{cookie: v} }

// FromHeader builds an Input from the Cookie lines of h. Several Cookie lines
// are joined with "; ", as one HTTP/1 Cookie header would carry them.
func FromHeader(h http.Header) Input {
	vs := cookieLines(h)
	switch len(vs) {
	case 0:
		return Input{}
	case 1:
		return Input{cookie: vs[0]}
	}
	return Input{cookie: strings.Join(vs, "; ")}
}

// FromRequest builds an Input from r's Cookie header, its scheme (https
// when r.TLS is set) and its X-Forwarded-Proto. A nil r has no cookies.
// The Authorization header is not read unless WithBearer asks for it.
func FromRequest(r *http.Request) Input {
	if r == nil {
		return Input{}
	}
	in := FromHeader(r.Header)
	in.scheme = "http"
	if r.TLS != nil {
		in.scheme = "https"
	}
	in.forwardedProto = forwardedProto(r.Header)
	return in
}

// FromPairs builds an Input from name/value pairs: FromPairs("a", "1", "b", "2").
// A trailing name without a value is ignored.
func FromPairs(pairs ...string) Input {
	var b strings.Builder
	for i := 0; i+1 < len(pairs); i += 2 {
		if b.Len() > 0 {
			b.WriteString("; ")
		}
		b.WriteString(pairs[i])
		b.WriteByte('=')
		b.WriteString(pairs[i+1])
	}
	return Input{cookie: b.String()}
}

// CookieHeader returns the raw Cookie header value the Input carries, as it
// is forwarded upstream in proxy mode.
func (in Input) CookieHeader() string { return in.cookie }

// Clock is the time source; tests and --now inject a fixed one.
type Clock func() time.Time
