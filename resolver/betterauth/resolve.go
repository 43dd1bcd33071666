package betterauth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/authscope/authscope/resolver"
)

// Resolver answers GET {basePath}/get-session as the configured Better Auth
// deployment would, locally: the signed session cookie, then the cookie
// cache when enabled and valid, then the Store. It implements
// resolver.Resolver. Safe for concurrent use.
type Resolver struct {
	cfg   Config
	names Names
	store Store
	clock func() time.Time
	keys  *jweKeys
}

// Option configures a Resolver.
type Option func(*Resolver)

// WithClock sets the time source (tests, --now).
func WithClock(c func() time.Time) Option { return func(r *Resolver) { r.clock = c } }

// WithStore sets the session store. Without one only the cookie cache can
// answer, and a request it cannot answer is ReasonStoreError.
func WithStore(s Store) Option { return func(r *Resolver) { r.store = s } }

// New validates cfg and builds a Resolver; keys are derived once here.
func New(cfg Config, opts ...Option) (*Resolver, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	r := &Resolver{cfg: cfg, names: cfg.Names(), clock: time.Now}
	for _, o := range opts {
		o(r)
	}
	if cfg.CookieCache.Enabled && cfg.cacheStrategy() == StrategyJWE {
		k, err := deriveJWEKeys(cfg.Secrets.All(), jweSalt)
		if err != nil {
			return nil, fmt.Errorf("betterauth: derive cookie-cache keys: %w", err)
		}
		r.keys = k
	}
	return r, nil
}

// Names returns the cookie names the resolver reads.
func (r *Resolver) Names() Names { return r.names }

// Answer is one resolution with everything Better Auth would send.
type Answer struct {
	// Result is the generic answer (resolver.Session mapped from Body).
	Result resolver.Result
	// Body is the get-session body (nil: "null").
	Body *Session
	// SetCookie are the Set-Cookie lines Better Auth would send, verbatim
	// and in order.
	SetCookie []string
}

// String summarises a without token or personal data: the reason, the
// source and the Set-Cookie names.
func (a Answer) String() string {
	names := make([]string, len(a.SetCookie))
	for i, l := range a.SetCookie {
		names[i], _, _ = strings.Cut(l, "=")
	}
	return fmt.Sprintf("answer{reason:%s source:%s body:%s set-cookie:%v}", a.Result.Reason, a.Result.Source, a.Body.Redacted(), names)
}

// Options are get-session's query flags.
type Options struct {
	DisableCookieCache bool // ?disableCookieCache=true
	DisableRefresh     bool // ?disableRefresh=true
}

// Resolve implements resolver.Resolver.
func (r *Resolver) Resolve(ctx context.Context, in resolver.Input) (resolver.Result, error) {
	a, err := r.ResolveBody(ctx, in, Options{})
	return a.Result, err
}

// ResolveBody resolves in and returns the full answer.
func (r *Resolver) ResolveBody(ctx context.Context, in resolver.Input, q Options) (Answer, error) {
	if err := ctx.Err(); err != nil {
		return Answer{}, err
	}
	st := &state{r: r, header: in.CookieHeader(), now: r.clock(), q: q}
	st.jar.secure = len(r.names.SessionToken) > len(SecurePrefix) && r.names.SessionToken[:len(SecurePrefix)] == SecurePrefix
	body, src, reason, err := st.run(ctx)
	a := Answer{Body: body, SetCookie: st.jar.lines}
	a.Result = resolver.Result{Session: toResolverSession(body), Reason: reason, Err: err, Source: src, SetCookies: httpCookies(st.jar.lines), NotAfter: st.notAfter}
	if body != nil {
		a.Result.Reason = resolver.ReasonOK
	}
	return a, nil
}

// state is one request's resolution.
type state struct {
	r      *Resolver
	header string
	now    time.Time
	q      Options
	jar    cookieJar
	// notAfter is when a cookie-cache answer stops being trusted.
	notAfter time.Time
}

var errNoRow = errors.New("betterauth: no session with this token")
var errExpired = errors.New("betterauth: session expired")

// run is api/routes/session.mjs getSession for a GET request.
func (s *state) run(ctx context.Context) (*Session, string, resolver.Reason, error) {
	r := s.r
	cookies := parseCookies(s.header)
	cacheOn := r.cfg.CookieCache.Enabled
	token, tokErr := s.sessionToken(cookies)
	if token == "" && cacheOn {
		return nil, "cookie", reasonFor(tokErr), tokErr
	}
	dataCookie, hasData := chunkedCookie(cookies, r.names.SessionData)
	if hasData && !cacheOn {
		s.jar.clean(s.header, r.names.SessionData)
	}
	if token == "" {
		return nil, "cookie", reasonFor(tokErr), tokErr
	}
	if cacheOn && !s.q.DisableCookieCache && hasData {
		if body, ok := s.fromCache(dataCookie, token); ok {
			return body, "cookie_cache", resolver.ReasonOK, nil
		}
	}
	dontRemember := s.dontRemember(cookies)
	return s.fromStore(ctx, token, dontRemember)
}

// sessionToken is getSignedCookie on the session_token cookie.
func (s *state) sessionToken(cookies map[string]string) (string, error) {
	v, ok := cookies[s.r.names.SessionToken]
	if !ok || v == "" {
		return "", errNoCookie
	}
	return ParseSignedCookie(v, s.r.cfg.Secrets.Current)
}

var errNoCookie = errors.New("betterauth: no session cookie")

func (s *state) dontRemember(cookies map[string]string) bool {
	v := cookies[s.r.names.DontRemember]
	if v == "" {
		return false
	}
	got, err := ParseSignedCookie(v, s.r.cfg.Secrets.Current)
	return err == nil && got != ""
}

func reasonFor(err error) resolver.Reason {
	switch {
	case err == nil:
		return resolver.ReasonOK
	case errors.Is(err, errNoCookie):
		return resolver.ReasonNoCookie
	case errors.Is(err, ErrNotSigned):
		return resolver.ReasonMalformed
	case errors.Is(err, ErrBadSignature):
		return resolver.ReasonWrongKey
	case errors.Is(err, errNoRow):
		return resolver.ReasonUnknownSession
	case errors.Is(err, errExpired):
		return resolver.ReasonExpired
	}
	return resolver.ReasonStoreError
}

// fromCache is the cookie-cache branch: a decodable cache for this token,
// of the expected version, itself unexpired and holding an unexpired
// session, answers without the store; anything else expires the cache
// cookie and falls through to the store.
func (s *state) fromCache(value, token string) (*Session, bool) {
	r := s.r
	e, err := decodeCache(r.cfg.cacheStrategy(), value, r.cfg.Secrets, r.keys, s.now)
	if err != nil {
		s.jar.expire(r.names.SessionData)
		return nil, false
	}
	p := e.Payload
	ver := "1"
	if p.hasVer && p.Version != "" {
		ver = p.Version
	}
	exp, ok := p.Session.Session.Time("expiresAt")
	if p.Session.Token() != token || ver != r.cfg.cacheVersion() || e.ExpiresAt.Before(s.now) || !ok || exp.Before(s.now) {
		s.jar.expire(r.names.SessionData)
		return nil, false
	}
	body := *s.filtered(p.Session.Session, p.Session.User)
	// Better Auth re-reads the database once either expiry passes (the
	// comparisons above are strict, so the answer holds until just after).
	s.notAfter = e.ExpiresAt
	if exp.Before(s.notAfter) {
		s.notAfter = exp
	}
	s.notAfter = s.notAfter.Add(time.Millisecond)
	return &body, true
}

// fromStore is the database branch.
func (s *state) fromStore(ctx context.Context, token string, dontRemember bool) (*Session, string, resolver.Reason, error) {
	r := s.r
	if r.store == nil {
		return nil, "database", resolver.ReasonStoreError, errors.New("betterauth: no session store configured")
	}
	rec, err := r.store.FindSession(ctx, token)
	if err != nil {
		return nil, "database", resolver.ReasonStoreError, fmt.Errorf("betterauth: find session: %w", err)
	}
	var exp time.Time
	if rec != nil {
		var ok bool
		if exp, ok = rec.Session.Time("expiresAt"); !ok {
			return nil, "database", resolver.ReasonStoreError, errors.New("betterauth: stored session has no valid expiresAt")
		}
	}
	if rec == nil || exp.Before(s.now) {
		s.deleteSessionCookies()
		if rec == nil {
			return nil, "database", resolver.ReasonUnknownSession, errNoRow
		}
		if !r.cfg.ReadOnly {
			if err := r.store.DeleteSession(ctx, token); err != nil {
				return nil, "database", resolver.ReasonStoreError, fmt.Errorf("betterauth: delete expired session: %w", err)
			}
		}
		return nil, "database", resolver.ReasonExpired, errExpired
	}
	body := s.filtered(rec.Session, rec.User)
	if dontRemember || s.q.DisableRefresh {
		return body, "database", resolver.ReasonOK, nil
	}
	due := !exp.Add(-r.cfg.expiresIn()).Add(r.cfg.updateAge()).After(s.now)
	if due && !r.cfg.DisableSessionRefresh && !r.cfg.ReadOnly {
		return s.extend(ctx, token, rec)
	}
	if err := s.setCookieCache(body, dontRemember); err != nil {
		return nil, "database", resolver.ReasonStoreError, err
	}
	return body, "database", resolver.ReasonOK, nil
}

// extend moves expiresAt to now + expiresIn, re-sets the session cookie
// (and the cookie cache).
func (s *state) extend(ctx context.Context, token string, rec *Record) (*Session, string, resolver.Reason, error) {
	r := s.r
	upd, err := r.store.UpdateSession(ctx, token, s.now.Add(r.cfg.expiresIn()), s.now)
	if err != nil {
		return nil, "database", resolver.ReasonStoreError, fmt.Errorf("betterauth: update session: %w", err)
	}
	if upd == nil {
		// Better Auth clears the cookies and answers 401 here.
		s.deleteSessionCookies()
		return nil, "database", resolver.ReasonUnknownSession, errNoRow
	}
	maxAge := int(r.cfg.expiresIn() / time.Second)
	s.jar.set(r.names.SessionToken, SignCookieValue(token, r.cfg.Secrets.Current), maxAge)
	body := s.filtered(upd, rec.User)
	if err := s.setCookieCache(body, false); err != nil {
		return nil, "database", resolver.ReasonStoreError, err
	}
	return body, "database", resolver.ReasonOK, nil
}

// filtered is parseSessionOutput/parseUserOutput: hidden fields removed.
func (s *state) filtered(session, user Object) *Session {
	return &Session{Session: filterOutput(session, s.r.cfg.SessionFields), User: filterOutput(user, s.r.cfg.UserFields)}
}

// deleteSessionCookies is cookies/index.mjs deleteSessionCookie.
func (s *state) deleteSessionCookies() {
	n := s.r.names
	s.jar.expire(n.SessionToken)
	s.jar.expire(n.SessionData)
	s.jar.clean(s.header, n.SessionData)
	s.jar.expire(n.DontRemember)
}

// toResolverSession maps a Better Auth body onto authscope's generic
// session (user name, email, image, id; the session's expiresAt), so
// callers written against resolver.Resolver keep working.
func toResolverSession(b *Session) *resolver.Session {
	if b == nil {
		return nil
	}
	rs := toGeneric(b)
	rs.Native = b
	return rs
}

func toGeneric(b *Session) *resolver.Session {
	val := func(o Object, k string) resolver.Value {
		v, ok := o.Get(k)
		if !ok {
			return resolver.Value{}
		}
		if t, isT := v.(time.Time); isT {
			return resolver.String(isoString(t))
		}
		if _, isO := v.(Object); isO {
			return resolver.Of(string(AppendJS(nil, v)))
		}
		return resolver.Of(v)
	}
	return &resolver.Session{
		User: resolver.User{
			Name:  val(b.User, "name"),
			Email: val(b.User, "email"),
			Image: val(b.User, "image"),
			ID:    b.UserID(),
		},
		Expires: b.ExpiresAt(),
	}
}
