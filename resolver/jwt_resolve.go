package resolver

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"
	"unsafe"
)

// One JWT resolution, step by step (JWTResolver's list):
//
//  1. pick the session cookie name(s) for the request (config_parity.go):
//     the configured one, or by the request's scheme, or both, the
//     __Secure- one first, when the Input does not know its scheme;
//  2. reassemble the cookie; without one, and only when the Input carries
//     an Authorization header (Input.WithBearer), take getToken's Bearer
//     token instead;
//  3. decode with the name's TokenCodec, run Hooks.JWT and Hooks.Session;
//  4. refresh: re-encode with jwt.maxAge (JWTMaxAge) and write the cookie
//     with session.maxAge as its Expires and the configured attributes;
//     or clear what was read when there is no session. A Bearer token
//     gets neither (the client sent no cookie), and a codec that cannot
//     encode (JWS with public keys only) leaves the cookie alone.

// BearerSource is Result.Cookie for a token read from the Authorization
// header.
const BearerSource = "Authorization"

// jwtName is one readable session cookie name with its codec (a JWE
// codec's keys are salted with the name) and its useSecureCookies.
type jwtName struct {
	name   string
	codec  TokenCodec
	secure bool
	index  uint8 // in JWTResolver.names: the token memo's key part
}

// buildNames derives the codec of every name cfg lets requests use.
func (r *JWTResolver) buildNames(cfg Config, o options) error {
	set := newCodecSet(cfg, o)
	names := cfg.SessionCookieNames()
	for i, n := range names {
		codec, err := set.forName(n)
		if err != nil {
			return err
		}
		secure := cfg.SecureCookies()
		if len(names) == 2 {
			secure = i == 0 // [__Secure- name, plain name]
		}
		r.names = append(r.names, jwtName{name: n, codec: codec, secure: secure, index: uint8(i)})
		if n == r.cookieName {
			r.primary = i
			r.codec, _ = codec.(*Codec)
		}
	}
	return nil
}

// TokenCodec is the codec of the resolver's primary cookie name, which
// minting and refresh use.
func (r *JWTResolver) TokenCodec() TokenCodec {
	if r.unconfigured() {
		return nil
	}
	return r.names[r.primary].codec
}

// candidates are the names to try for in, in order.
func (r *JWTResolver) candidates(in Input) []jwtName {
	if !r.perRequest {
		return r.names
	}
	switch in.requestProto(r.trustForwarded) {
	case "https":
		return r.names[:1]
	case "http":
		return r.names[1:]
	}
	return r.names
}

// resolve is Resolve, plus what the handler renders the answer from
// when the token memo has a view of the session (session_view.go). scan
// is the Handler's pass over in's Cookie header (nil: none).
func (r *JWTResolver) resolve(ctx context.Context, in Input, scan *cookieScan) (Result, sessionParts) {
	now := r.clock()
	var scratch [4]cookiePair
	names := r.candidates(in)
	n := &names[0]
	var (
		tok   string
		pairs []cookiePair
	)
	for i := range names {
		if tok, pairs = readSessionToken(in.cookie, scan, names[i].name, scratch[:0]); tok != "" {
			n = &names[i]
			break
		}
	}
	if tok == "" {
		if in.authorization == "" {
			return noSession(ReasonNoCookie, sourceJWT, nil), sessionParts{}
		}
		t, ok := bearerToken(in.authorization)
		if !ok {
			return noSession(ReasonMalformed, sourceJWT, errors.New("malformed percent-encoding in bearer token")), sessionParts{}
		}
		if t == "" {
			return noSession(ReasonNoCookie, sourceJWT, nil), sessionParts{}
		}
		return r.bearer(ctx, names, t, now), sessionParts{}
	}
	res, parts := r.decode(ctx, n, tok, pairs, now)
	res.Cookie = n.name
	return res, parts
}

// bearer decodes a Bearer token. Its salt is the session cookie name
// getToken would use; when the request does not decide between the two
// names, each codec is tried in turn, moving on only when the key did not
// fit.
func (r *JWTResolver) bearer(ctx context.Context, names []jwtName, tok string, now time.Time) Result {
	var res Result
	for i := range names {
		res, _ = r.decode(ctx, &names[i], tok, nil, now)
		if res.Reason != ReasonWrongKey && res.Reason != ReasonDecrypt {
			break
		}
	}
	res.Cookie = BearerSource
	return res
}

// decode is steps 3 and 4 for a token read under n (pairs: the chunks
// read, none for a Bearer token), with the view the session was built
// from (none when it was built from the claims) and the refreshed
// cookie's line when it was built with the token.
func (r *JWTResolver) decode(ctx context.Context, n *jwtName, tok string, pairs []cookiePair, now time.Time) (Result, sessionParts) {
	claims, expiry, view, reason, err := r.decodeClaims(n, tok, now) // expiry: of the token as sent, before any hook
	if err != nil {
		return r.fail(n, reason, err, pairs), sessionParts{}
	}
	if r.hooks.JWT != nil {
		claims, err = r.hooks.JWT(ctx, claims)
		if err != nil {
			return r.fail(n, ReasonCallback, fmt.Errorf("jwt hook: %w", err), pairs), sessionParts{}
		}
		if claims == nil {
			return r.fail(n, ReasonCallback, errors.New("jwt hook returned no token"), pairs), sessionParts{}
		}
	}
	expires := time.UnixMilli(now.UnixMilli() + r.maxAge.Milliseconds())
	var s *Session
	if view != nil { // the memo is off when hooks are set: claims and session are the token's
		s = view.session(expires)
	} else {
		s = sessionFromClaims(claims, expires)
	}
	if r.hooks.Session != nil {
		if err := r.hooks.Session(ctx, s, HookSource{Token: claims}); err != nil {
			return r.fail(n, ReasonCallback, fmt.Errorf("session hook: %w", err), pairs), sessionParts{}
		}
	}
	res := Result{Session: s, Reason: ReasonOK, Source: sourceJWT, NotAfter: expiry}
	parts := sessionParts{view: view}
	if r.refresh && len(pairs) > 0 && canEncode(n.codec) {
		var err error
		if c, ok := n.codec.(*Codec); ok && view != nil && view.claims != nil {
			res.SetCookies, parts.setCookies, err = r.refreshFromView(c, n, view, pairs, expires, now)
		} else {
			var newTok string
			if newTok, err = n.codec.Encode(claims, now, r.jwtMaxAge); err == nil {
				res.SetCookies = r.attrs.refresh(n.name, pairNames(pairs), newTok, expires, n.secure, r.chunkSize)
			}
		}
		if err != nil {
			return r.fail(n, ReasonCallback, err, pairs), sessionParts{}
		}
	}
	return res, parts
}

// refreshFromView is the refresh's cookies for a token the memo has a
// view of: the token sealed from the view's claims head and, when it is
// one unchunked cookie (the usual case: RefreshCookies's first), its
// Set-Cookie line built around the token's bytes, the cookie's Value
// being a slice of that line: one copy of the token instead of two, and
// the line (formatSetCookie(c, false), what the Handler would write) not
// formatted again.
func (r *JWTResolver) refreshFromView(codec *Codec, n *jwtName, view *sessionView, pairs []cookiePair, expires, now time.Time) ([]*http.Cookie, []string, error) {
	var (
		cookies []*http.Cookie
		lines   []string
	)
	err := codec.encodeHeadWith(view.claims, now, r.jwtMaxAge, func(tok []byte) {
		if len(pairs) != 1 || pairs[0].name != n.name || len(tok) == 0 || len(tok) > r.chunkSize {
			cookies = r.attrs.refresh(n.name, pairNames(pairs), string(tok), expires, n.secure, r.chunkSize)
			return
		}
		one := &oneCookie{cookie: *sessionCookie(n.name, "", expires, n.secure)}
		c := r.attrs.apply(&one.cookie, n.secure)
		b := appendSetCookie(make([]byte, 0, len(n.name)+len(tok)+96), c, tok)
		line := unsafe.String(unsafe.SliceData(b), len(b)) // b is not touched again
		c.Value = line[len(n.name)+1 : len(n.name)+1+len(tok)]
		one.cookies[0], one.lines[0] = c, line
		cookies, lines = one.cookies[:], one.lines[:]
	})
	return cookies, lines, err
}

// oneCookie is a refresh's one cookie with the one-element lists that
// hold it and its Set-Cookie line: one allocation where the cookie and
// each list took one apiece. The lists' capacity is their length, so an
// append to either copies rather than writes into the other fields.
type oneCookie struct {
	cookie  http.Cookie
	cookies [1]*http.Cookie
	lines   [1]string
}

// fail is "no session" after a token was read: Auth.js clears every chunk
// read (none for a Bearer token).
func (r *JWTResolver) fail(n *jwtName, reason Reason, err error, pairs []cookiePair) Result {
	res := noSession(reason, sourceJWT, err)
	if r.refresh && len(pairs) > 0 {
		res.SetCookies = r.attrs.clear(pairNames(pairs), n.secure)
	}
	return res
}

// readToken is ReadSessionToken under the name(s) in reads (getToken's
// cookie step), with that name's codec; the first candidate's when none
// holds a token (getToken's Bearer fallback then uses it).
func (r *JWTResolver) readToken(in Input) (string, *jwtName) {
	names := r.candidates(in)
	for i := range names {
		if tok, _ := ReadSessionToken(in, names[i].name); tok != "" {
			return tok, &names[i]
		}
	}
	return "", &names[0]
}

// decodeBearer decodes a Bearer token with each candidate name's codec
// in turn, moving on only when the key did not fit (see bearer).
func (r *JWTResolver) decodeBearer(in Input, tok string) (Claims, Reason, error) {
	var (
		c      Claims
		reason Reason
		err    error
	)
	for _, n := range r.candidates(in) {
		if c, reason, err = n.codec.Decode(tok, r.clock()); reason != ReasonWrongKey && reason != ReasonDecrypt {
			break
		}
	}
	return c, reason, err
}

// canEncode reports whether c can issue tokens (a verify-only JWS codec
// cannot; other codecs are assumed to).
func canEncode(c TokenCodec) bool {
	if e, ok := c.(interface{ CanEncode() bool }); ok {
		return e.CanEncode()
	}
	return true
}

// decodeJSON is getToken's JSON text: member order kept for the JWE codec
// (Codec.DecodeJSON); other codecs' claims are printed in appendClaims'
// order.
func (r *JWTResolver) decodeJSON(codec TokenCodec, tok string) ([]byte, Reason, error) {
	if jwe, ok := codec.(*Codec); ok {
		return jwe.DecodeJSON(tok, r.clock())
	}
	c, reason, err := codec.Decode(tok, r.clock())
	if err != nil {
		return []byte("null"), reason, err
	}
	return appendClaims(nil, c), ReasonOK, nil
}

// CookieNames lists the session cookie names r reads, in the order it
// tries them when a request does not decide (see Config.SessionCookieNames).
func (r *JWTResolver) CookieNames() []string {
	if r.unconfigured() {
		return nil
	}
	out := make([]string, len(r.names))
	for i, n := range r.names {
		out[i] = n.name
	}
	return out
}

// SignOutCookies are the Set-Cookie headers Auth.js's sign-out sends for
// in: every chunk of the session cookie the request carries, cleared with
// the configured cookie options (Max-Age=0). A Go service that ends a
// session itself sends them so the browser drops the cookie the
// deployment set, not a look-alike on another path or domain.
func (r *JWTResolver) SignOutCookies(in Input) []*http.Cookie {
	if r.unconfigured() {
		return nil
	}
	var scratch [4]cookiePair
	for _, n := range r.candidates(in) {
		if tok, pairs := readSessionToken(in.cookie, nil, n.name, scratch[:0]); tok != "" {
			return r.attrs.clear(pairNames(pairs), n.secure)
		}
	}
	return nil
}
