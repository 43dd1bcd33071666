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
	codec      *Codec
	cookieName string
	secure     bool
	maxAge     time.Duration
	refresh    bool
	chunkSize  int
	clock      Clock
	hooks      Hooks
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
	codec, err := NewCodec(cfg)
	if err != nil {
		return nil, err
	}
	clock := o.clock
	if clock == nil {
		clock = time.Now
	}
	chunk := ChunkSize
	if cfg.LegacyV4 {
		chunk = ChunkSizeLegacyV4
	}
	return &JWTResolver{
		codec:      codec,
		cookieName: codec.CookieName(),
		secure:     cfg.SecureCookies(),
		maxAge:     cfg.MaxAge,
		refresh:    cfg.RefreshCookies,
		chunkSize:  chunk,
		clock:      clock,
		hooks:      o.hooks,
	}, nil
}

// errZeroJWTResolver is what a JWTResolver without a codec answers: it was
// declared rather than built, so it has no secret to decode with.
var errZeroJWTResolver = fmt.Errorf("%w: JWTResolver has no keys (build it with NewJWTResolver or New)", ErrUnconfigured)

// unconfigured reports a nil or zero resolver: newJWTResolver always sets
// the codec, so its absence means the constructor was bypassed.
func (r *JWTResolver) unconfigured() bool { return r == nil || r.codec == nil }

// Codec returns the resolver's codec (for minting cookies).
func (r *JWTResolver) Codec() *Codec {
	if r == nil {
		return nil
	}
	return r.codec
}

const sourceJWT = "jwt"

// Resolve answers GET /session for in. See JWTResolver.
func (r *JWTResolver) Resolve(ctx context.Context, in Input) (Result, error) {
	if r.unconfigured() {
		return Result{}, errZeroJWTResolver
	}
	if err := ctx.Err(); err != nil {
		return noSession(ReasonCanceled, sourceJWT, err), fmt.Errorf("resolver: %w", err)
	}
	now := r.clock()
	var scratch [4]cookiePair
	tok, pairs := readSessionToken(in.cookie, r.cookieName, scratch[:0])
	if tok == "" {
		return noSession(ReasonNoCookie, sourceJWT, nil), nil
	}
	claims, reason, err := r.codec.Decode(tok, now)
	if err != nil {
		return r.fail(reason, err, pairs), nil
	}
	expiry := notAfter(claims) // of the token as sent, before any hook
	if r.hooks.JWT != nil {
		claims, err = r.hooks.JWT(ctx, claims)
		if err != nil {
			return r.fail(ReasonCallback, fmt.Errorf("jwt hook: %w", err), pairs), nil
		}
		if claims == nil {
			return r.fail(ReasonCallback, errors.New("jwt hook returned no token"), pairs), nil
		}
	}
	expires := time.UnixMilli(now.UnixMilli() + r.maxAge.Milliseconds())
	s := sessionFromClaims(claims, expires)
	if r.hooks.Session != nil {
		if err := r.hooks.Session(ctx, s, HookSource{Token: claims}); err != nil {
			return r.fail(ReasonCallback, fmt.Errorf("session hook: %w", err), pairs), nil
		}
	}
	res := Result{Session: s, Reason: ReasonOK, Source: sourceJWT, NotAfter: expiry}
	if r.refresh {
		newTok, err := r.codec.Encode(claims, now, r.maxAge)
		if err != nil {
			return r.fail(ReasonCallback, err, pairs), nil
		}
		res.SetCookies = RefreshCookies(r.cookieName, pairNames(pairs), newTok, expires, r.secure, r.chunkSize)
	}
	return res, nil
}

// fail is "no session" after a cookie was read: Auth.js clears every chunk.
func (r *JWTResolver) fail(reason Reason, err error, pairs []cookiePair) Result {
	res := noSession(reason, sourceJWT, err)
	if r.refresh {
		res.SetCookies = ClearCookies(pairNames(pairs), r.secure)
	}
	return res
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
	tok, _ := ReadSessionToken(in, r.cookieName)
	if tok == "" {
		return nil, ReasonNoCookie, &NoSessionError{Reason: ReasonNoCookie}
	}
	c, reason, err := r.codec.Decode(tok, r.clock())
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
	tok, _ := ReadSessionToken(in, r.cookieName)
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
	c, reason, err := r.codec.Decode(tok, r.clock())
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
	tok, _ := ReadSessionToken(in, r.cookieName)
	if tok == "" {
		return []byte("null"), ReasonNoCookie, &NoSessionError{Reason: ReasonNoCookie}
	}
	b, reason, err := r.codec.DecodeJSON(tok, r.clock())
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
	tok, _ := ReadSessionToken(in, r.cookieName)
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
