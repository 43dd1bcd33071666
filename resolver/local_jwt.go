package resolver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/authscope/authscope/resolver/internal/js"
)

// JWTResolver resolves sessions locally with the JWT strategy: it does
// what Auth.js's GET {basePath}/session does for a jwt session, without
// Node and without network:
//
//  1. reassemble the session cookie (ReadSessionToken's rules);
//  2. decode it (Codec.Decode: JWE, kid rotation, 15 s tolerance);
//  3. run Hooks.JWT (callbacks.jwt; default: the token unchanged);
//  4. build {user:{name,email,image←picture}, expires: now+maxAge} and run
//     Hooks.Session (callbacks.session);
//  5. with Config.RefreshCookies, produce the Set-Cookie headers Auth.js
//     sends for the session cookie: the re-encoded token (new iat/exp/jti,
//     current secret) chunked with Expires, or, when there is no session
//     after a cookie was read, the clearing of every chunk read. The CSRF
//     and callback-url cookies are the HTTP handler's business.
//
// A JWTResolver is immutable and safe for concurrent use. A nil or zero
// JWTResolver (not built by NewJWTResolver) returns ErrUnconfigured.
type JWTResolver struct {
	codec      *Codec // the primary name's JWE codec; nil with another codec
	cookieName string // the primary name (Config.SessionCookieName)
	// names are the names the resolver reads (jwt_resolve.go): one when
	// the configuration decides, else the __Secure- then the plain one.
	names          []jwtName
	primary        int
	perRequest     bool
	trustForwarded bool
	attrs          cookieAttrs
	maxAge         time.Duration
	jwtMaxAge      time.Duration
	refresh        bool
	chunkSize      int
	clock          Clock
	hooks          Hooks
	memo           *tokenMemo // nil when off (jwt_memo.go)
}

var _ Resolver = (*JWTResolver)(nil)

// NewJWTResolver builds the local JWT resolver for cfg (Auth.js defaults
// applied, then validated). Mode and Strategy are not consulted: this is
// the jwt strategy whatever they say.
func NewJWTResolver(cfg Config, opts ...Option) (*JWTResolver, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, unconfigured(err)
	}
	o := options{clock: time.Now}
	for _, opt := range opts {
		opt(&o)
	}
	r, err := newJWTResolver(cfg, o)
	if err != nil {
		return nil, unconfigured(err)
	}
	return r, nil
}

func newLocalJWT(cfg Config, o options) (Resolver, error) {
	r, err := newJWTResolver(cfg, o)
	if err != nil {
		return nil, err
	}
	return r, nil
}

func newJWTResolver(cfg Config, o options) (*JWTResolver, error) {
	clock := o.clock
	if clock == nil {
		clock = time.Now
	}
	chunk := ChunkSize
	if cfg.LegacyV4 {
		chunk = ChunkSizeLegacyV4
	}
	r := &JWTResolver{
		cookieName:     cfg.SessionCookieName(),
		perRequest:     !cfg.SecureCookiesDecided(),
		trustForwarded: cfg.TrustForwardedProto,
		attrs:          sessionCookieAttrs(cfg.Cookies.SessionToken),
		maxAge:         cfg.MaxAge,
		jwtMaxAge:      cfg.JWTMaxAge,
		refresh:        cfg.RefreshCookies,
		chunkSize:      chunk,
		clock:          clock,
		hooks:          o.hooks,
		memo:           newTokenMemo(cfg, o, o.hooks),
	}
	if err := r.buildNames(cfg, o); err != nil {
		return nil, err
	}
	return r, nil
}

// errZeroJWTResolver is what a JWTResolver without a codec answers: it was
// declared rather than built, so it has no secret to decode with.
var errZeroJWTResolver = fmt.Errorf("%w: JWTResolver has no keys (build it with NewJWTResolver or New)", ErrUnconfigured)

// unconfigured reports a nil or zero resolver: newJWTResolver always sets
// the names, so their absence means the constructor was bypassed.
func (r *JWTResolver) unconfigured() bool { return r == nil || len(r.names) == 0 }

// Codec returns the resolver's JWE codec (for minting cookies), or nil
// when another codec is configured (see TokenCodec).
func (r *JWTResolver) Codec() *Codec {
	if r == nil {
		return nil
	}
	return r.codec
}

const sourceJWT = "jwt"

// Resolve answers GET /session for in. See JWTResolver and jwt_resolve.go.
func (r *JWTResolver) Resolve(ctx context.Context, in Input) (Result, error) {
	res, _, err := r.resolveView(ctx, in, nil)
	return res, err
}

// resolveView is Resolve with the parts of the answer the token memo's
// view gives, for the Handler (session_view.go), reading the session
// cookie from the Handler's pass over in's Cookie header when scan is not
// nil (cookie_scan.go).
func (r *JWTResolver) resolveView(ctx context.Context, in Input, scan *cookieScan) (Result, sessionParts, error) {
	if r.unconfigured() {
		return Result{}, sessionParts{}, errZeroJWTResolver
	}
	if err := ctx.Err(); err != nil {
		return noSession(ReasonCanceled, sourceJWT, err), sessionParts{}, fmt.Errorf("resolver: %w", err)
	}
	res, parts := r.resolve(ctx, in, scan)
	return res, parts, nil
}

func pairNames(p []cookiePair) []string {
	names := make([]string, len(p))
	for i := range p {
		names[i] = p[i].name
	}
	return names
}

// sessionFromClaims is Auth.js's session object for a token:
// {user: {name: token.name, email: token.email, image: token.picture},
// expires}. Absent claims stay absent (JSON.stringify drops undefined).
func sessionFromClaims(c Claims, expires time.Time) *Session {
	s := &Session{Expires: expires}
	if v, ok := c["name"]; ok {
		s.User.Name = Value{v: v, set: true}
	}
	if v, ok := c["email"]; ok {
		s.User.Email = Value{v: v, set: true}
	}
	if v, ok := c["picture"]; ok {
		s.User.Image = Value{v: v, set: true}
	}
	switch sub := c["sub"].(type) {
	case string:
		s.User.ID = sub
	case json.Number:
		s.User.ID = string(sub)
	}
	return s
}

// Token is the seed's getToken(request): the decoded claims of the
// session cookie, or nil with the reason. Expired tokens give nil, as the
// real getToken does. Hooks are not run (getToken does not run callbacks).
func (r *JWTResolver) Token(in Input) (Claims, Reason, error) {
	if r.unconfigured() {
		return nil, "", errZeroJWTResolver
	}
	tok, n := r.readToken(in)
	if tok == "" {
		return nil, ReasonNoCookie, &NoSessionError{Reason: ReasonNoCookie}
	}
	c, reason, err := n.codec.Decode(tok, r.clock())
	if err != nil {
		return nil, reason, &NoSessionError{Reason: reason, Err: err}
	}
	return c, ReasonOK, nil
}

// GetToken is the full getToken({req}) of @auth/core/jwt.js: the session
// cookie first and, when there is none, an "Authorization: Bearer <token>"
// header (its value percent-decoded). Pass the request's Authorization
// header value ("" for none). raw selects getToken({raw: true}): the token
// string instead of claims (claims are then nil).
func (r *JWTResolver) GetToken(in Input, authorization string, raw bool) (Claims, string, Reason, error) {
	if r.unconfigured() {
		return nil, "", "", errZeroJWTResolver
	}
	tok, n := r.readToken(in)
	fromCookie := tok != ""
	if tok == "" {
		var ok bool
		if tok, ok = bearerToken(authorization); !ok {
			return nil, "", ReasonMalformed, &NoSessionError{Reason: ReasonMalformed, Err: errors.New("malformed percent-encoding in bearer token")}
		}
	}
	if tok == "" {
		return nil, "", ReasonNoCookie, &NoSessionError{Reason: ReasonNoCookie}
	}
	if raw {
		return nil, tok, ReasonOK, nil
	}
	decode := n.codec.Decode
	if !fromCookie {
		decode = func(tok string, _ time.Time) (Claims, Reason, error) { return r.decodeBearer(in, tok) }
	}
	c, reason, err := decode(tok, r.clock())
	if err != nil {
		return nil, "", reason, &NoSessionError{Reason: reason, Err: err}
	}
	return c, tok, ReasonOK, nil
}

// bearerToken is getToken's fallback: authorization.split(" ")[0] must be
// "Bearer"; the token is decodeURIComponent(split(" ")[1]). JS quirks kept:
// "Bearer" alone gives decodeURIComponent(undefined) = "undefined", and
// a double space gives "". ok is false when decoding throws (getToken
// returns null then).
func bearerToken(authorization string) (string, bool) {
	parts := strings.Split(authorization, " ")
	if parts[0] != "Bearer" {
		return "", true
	}
	if len(parts) < 2 {
		return "undefined", true
	}
	v := parts[1]
	if strings.IndexByte(v, '%') < 0 {
		return v, true
	}
	return js.DecodeURIComponent(v)
}

// TokenJSON is Token as the JSON text getToken's result prints with
// JSON.stringify: member order and number forms exactly as in the token
// ("null" when there is none). Use it to show claims byte for byte; Token's
// map cannot keep member order.
func (r *JWTResolver) TokenJSON(in Input) ([]byte, Reason, error) {
	if r.unconfigured() {
		return []byte("null"), "", errZeroJWTResolver
	}
	tok, n := r.readToken(in)
	if tok == "" {
		return []byte("null"), ReasonNoCookie, &NoSessionError{Reason: ReasonNoCookie}
	}
	b, reason, err := r.decodeJSON(n.codec, tok)
	if err != nil {
		return b, reason, &NoSessionError{Reason: reason, Err: err}
	}
	return b, ReasonOK, nil
}

// RawToken is getToken({raw: true}): the reassembled session cookie value
// ("" when there is none), not decoded or checked.
func (r *JWTResolver) RawToken(in Input) string {
	if r.unconfigured() {
		return ""
	}
	tok, _ := r.readToken(in)
	return tok
}

// CookieName is the session cookie name the resolver reads.
func (r *JWTResolver) CookieName() string {
	if r == nil {
		return ""
	}
	return r.cookieName
}

// SetCookieLines formats res.SetCookies as Auth.js's Set-Cookie header
// values, in order.
func SetCookieLines(cs []*http.Cookie) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = FormatSetCookie(c)
	}
	return out
}
