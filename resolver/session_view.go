package resolver

import (
	"strconv"
	"time"

	"github.com/authscope/authscope/resolver/internal/js"
)

// Session views: the Handler renders a JWT session's body from a template
// kept with the token in the token memo (jwt_memo.go), instead of building
// it from the claims on every request.
//
// A JWT session answer is {"user":{name, email, image},"expires":now+maxAge}:
// everything but "expires" is a function of the token alone, and a
// browser sends the same token request after request. So when the memo
// remembers a token it also keeps a sessionView: the session's user (the
// Session each answer copies) and the body's bytes up to the expires value.
// An answer is then the head, the formatted expires and `"}`: the bytes
// appendSession writes for the same session, because the head is cut from
// exactly that output (newSessionView). The view exists only where the
// memo does, which is never with Hooks (a hook may change the claims or
// the session, so the body would no longer follow from the token).
//
// The hook between resolver and handler is one unexported method,
// (*JWTResolver).resolveView, which the Handler calls on the concrete
// type (a call through an interface would move the Handler's cookie scan,
// handed over as resolveView's scan argument, to the heap): the Resolver
// interface and Result are unchanged, and a resolver wrapped by anything
// else (a Cache, a caller's decorator) is rendered the ordinary way. The
// view is used only together with the Result it came with, before any
// other code but the handler's observer (which must not modify the
// Result) sees it.

// sessionParts are what resolveView hands the Handler with a Result: the
// parts of its answer already made, the view its session was built from
// and its Set-Cookie lines. The zero sessionParts means none, and the
// Result is rendered as usual.
type sessionParts struct {
	view *sessionView // the Result's Session is view.session(its Expires); nil: none
	// setCookies are the Result's SetCookies as the Handler formats them
	// (formatSetCookie(c, false)), in order; nil: not made.
	setCookies []string
}

// sessionView is the clock-free part of one token's session answer.
// Immutable once built; shared by every request presenting the token.
type sessionView struct {
	user User   // sessionFromClaims's, shared read-only like the claims it holds
	head []byte // the body up to the expires value: {"user":{…},"expires":"
	// clen is the Content-Length line's value for a body of cleanLen
	// bytes (an expires with a four-digit year), built once.
	clen    []string
	clenLen int
	// claims is the claims' JSON without iat, exp and jti, the object
	// left open (appendClaimsHead): what a refresh re-encodes, kept when
	// the resolver refreshes cookies. nil otherwise.
	claims []byte
}

// isoLen is the length of js.AppendISOTime's output for years 0000-9999.
const isoLen = len("2006-01-02T15:04:05.000Z")

// bodyTail closes the expires value and the session object.
const bodyTail = `"}`

// newSessionView builds the view of the session Auth.js answers for c,
// with the claims' head when refresh. The body's head is appendSession's
// own output for that session, minus the expires value and the tail: the
// zero time renders as "0001-01-01…", one of isoLen bytes.
func newSessionView(c Claims, refresh bool) *sessionView {
	s := sessionFromClaims(c, time.Time{})
	b := appendSession(nil, s)
	head := b[:len(b)-isoLen-len(bodyTail)]
	n := len(head) + isoLen + len(bodyTail)
	v := &sessionView{user: s.User, head: head, clen: []string{strconv.Itoa(n)}, clenLen: n}
	if refresh {
		v.claims = appendClaimsHead(nil, c, js.OrderedKeys(c, claimRank))
	}
	return v
}

// session is the Session sessionFromClaims builds for the view's claims.
func (v *sessionView) session(expires time.Time) *Session {
	return &Session{User: v.user, Expires: expires}
}

// appendBody appends what appendSession appends for v.session(expires).
func (v *sessionView) appendBody(b []byte, expires time.Time) []byte {
	b = append(b, v.head...)
	b = js.AppendISOTime(b, expires)
	return append(b, bodyTail...)
}

// contentLength is the Content-Length header value for a body of n bytes
// rendered from v: shared (callers must not modify it), or nil when n is
// not the usual length (a year outside 0000-9999).
func (v *sessionView) contentLength(n int) []string {
	if n == v.clenLen {
		return v.clen
	}
	return nil
}
