package betterauth

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/authscope/authscope/resolver"
)

// GetSessionPath is Better Auth's session endpoint under its basePath.
const GetSessionPath = "/get-session"

// UpstreamProtocol is proxy mode for a Better Auth upstream: package
// resolver's proxy (deadline, body cap, no redirects, typed reasons) asks
// GET {base}/get-session and reads the answer with ParseBody. Under
// RefreshCookies the Set-Cookie lines of every cookie with the
// deployment's prefix are passed on (session_token, session_data and its
// chunks, dont_remember).
func UpstreamProtocol(cfg Config) resolver.UpstreamProtocol {
	n := cfg.Names()
	prefix := commonPrefix(n.SessionToken, commonPrefix(n.SessionData, n.DontRemember))
	return resolver.UpstreamProtocol{
		Path:         GetSessionPath,
		CookiePrefix: prefix,
		Decode: func(body []byte) (*resolver.Session, error) {
			s, err := ParseBody(body)
			if s == nil || err != nil {
				return nil, err
			}
			// The upstream's bytes, kept: re-encoding the parsed records
			// would normalise date-like strings the server wrote verbatim.
			rs := toGeneric(s)
			rs.Native = RawBody{Body: bytes.Clone(body), Session: s}
			return rs, nil
		},
	}
}

func commonPrefix(a, b string) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	return a[:i]
}

// RawBody is a get-session body exactly as an upstream sent it, with its
// parsed form (resolver.Session.Native of proxy answers).
type RawBody struct {
	Body    []byte
	Session *Session
}

// NativeBody is the get-session body behind a generic session, when the
// session came from Better Auth (resolved locally, cached or proxied):
// the records, and the upstream's bytes for a proxied one (nil otherwise:
// MarshalBody(s) is then exact).
func NativeBody(rs *resolver.Session) (s *Session, raw []byte, ok bool) {
	if rs == nil {
		return nil, nil, false
	}
	switch n := rs.Native.(type) {
	case *Session:
		return n, nil, true
	case RawBody:
		return n.Session, n.Body, true
	}
	return nil, nil, false
}

// ParseBody parses a get-session body: nil for "null", else the session and
// user records with member order kept and ISO dates revived (as Better
// Auth's client does), so MarshalBody gives the same bytes back.
func ParseBody(body []byte) (*Session, error) {
	v, err := parseJSON(body, true)
	if err != nil {
		return nil, fmt.Errorf("betterauth: get-session body is not JSON: %w", err)
	}
	if v == nil {
		return nil, nil
	}
	o, ok := v.(Object)
	if !ok {
		return nil, fmt.Errorf("betterauth: get-session body is a JSON %T, want an object or null", v)
	}
	sv, _ := o.Get("session")
	uv, _ := o.Get("user")
	s, sok := sv.(Object)
	u, uok := uv.(Object)
	if !sok || !uok {
		return nil, errors.New("betterauth: get-session body lacks the session or user object")
	}
	return &Session{Session: s, User: u}, nil
}

// FromResolverSession is the get-session body as far as a generic session
// tells it (proxy answers, cached answers): the session's expiresAt and
// userId, the user's name, email, image and id. Callers that need Better
// Auth's exact body resolve locally with ResolveBody.
func FromResolverSession(s *resolver.Session) *Session {
	if s == nil {
		return nil
	}
	val := func(v resolver.Value) any {
		if !v.IsSet() {
			return nil
		}
		return v.Any()
	}
	sess := Object{{Name: "expiresAt", Value: s.Expires}, {Name: "userId", Value: s.User.ID}}
	user := Object{{Name: "name", Value: val(s.User.Name)}, {Name: "email", Value: val(s.User.Email)}, {Name: "image", Value: val(s.User.Image)}, {Name: "id", Value: s.User.ID}}
	return &Session{Session: sess, User: user}
}
