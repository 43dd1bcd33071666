package resolver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"
)

// The database strategy (Auth.js lib/actions/session.js, adapter branch).
//
// The cookie is an opaque token; the session is whatever the adapter's
// getSessionAndUser returns for it. The rules below are Auth.js's, read
// from its source, and they live here rather than in the stores so that
// SQLite, PostgreSQL and Redis behave identically:
//
//   - expiry is strict, in milliseconds, with no tolerance (expires < now);
//   - an expired session is deleted when met (the seed's "expired sessions
//     are pruned automatically") and is no session;
//   - a session whose user is gone is no session, and is NOT deleted;
//   - a live session is extended to now+maxAge when
//     expires - maxAge + updateAge <= now, i.e. at most one write per
//     updateAge, while the body reports the stored (pre-update) expiry;
//   - any store failure is no session with ReasonStoreError and no
//     Set-Cookie (the browser keeps its cookie), bounded by StoreTimeout.
//
// Config.ReadOnly turns pruning and extension off, so the resolver can be
// pointed at production without changing a row.

const sourceDatabase = "database"

type dbResolver struct {
	cfg        Config
	store      Store
	clock      Clock
	hooks      Hooks
	logger     *slog.Logger
	cookieName string
	secure     bool
	// secureName is set when each request picks the cookie name
	// (Config.SecureCookiesDecided false); see forRequest.
	secureName string
}

func newLocalDatabase(cfg Config, o options) (Resolver, error) {
	if o.store == nil {
		return nil, fmt.Errorf("resolver: database strategy needs a session store (WithStore): %w", ErrUnconfigured)
	}
	return &dbResolver{
		cfg:        cfg,
		store:      o.store,
		clock:      o.clock,
		hooks:      o.hooks,
		logger:     o.logger,
		cookieName: cfg.SessionCookieName(),
		secure:     cfg.SecureCookies(),
		secureName: secureNameFor(cfg),
	}, nil
}

// secureNameFor is the __Secure- name when cfg leaves the choice to each
// request, "" when cfg decides it.
func secureNameFor(cfg Config) string {
	if names := cfg.SessionCookieNames(); len(names) == 2 {
		return names[0]
	}
	return ""
}

// forRequest is r reading the name in's scheme selects, as the JWT
// resolver does (jwt_resolve.go): the __Secure- one for https, the plain
// one for http, and for an unknown scheme the __Secure- one when the
// request carries it.
func (r *dbResolver) forRequest(in Input) *dbResolver {
	if r.secureName == "" {
		return r
	}
	switch in.requestProto(r.cfg.TrustForwardedProto) {
	case "http":
		return r
	case "":
		if tok, _ := ReadSessionToken(in, r.secureName); tok == "" {
			return r
		}
	}
	rr := *r
	rr.cookieName, rr.secure = r.secureName, true
	return &rr
}

// Resolve implements Resolver.
func (r *dbResolver) Resolve(ctx context.Context, in Input) (Result, error) {
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	return r.forRequest(in).resolve(ctx, in)
}

func (r *dbResolver) resolve(ctx context.Context, in Input) (Result, error) {
	token, chunks := ReadSessionToken(in, r.cookieName)
	if token == "" {
		return noSession(ReasonNoCookie, sourceDatabase, nil), nil
	}
	now := r.clock()

	s, u, err := r.lookup(ctx, token)
	if err != nil {
		return r.storeFailure(ctx, "getSessionAndUser", err), nil
	}
	if s == nil {
		return r.cleared(noSession(ReasonUnknownSession, sourceDatabase, nil), chunks), nil
	}
	if u == nil {
		// Auth.js's adapters return null for a session without its user, so
		// core neither prunes nor extends it, whatever its expiry.
		return r.cleared(noSession(ReasonUserMissing, sourceDatabase,
			errors.New("the session's user does not exist")), chunks), nil
	}
	if s.Expires.UnixMilli() < now.UnixMilli() {
		if !r.cfg.ReadOnly {
			if err := r.write(ctx, func(c context.Context) error { return r.store.DeleteSession(c, token) }); err != nil {
				return r.storeFailure(ctx, "deleteSession", err), nil
			}
		}
		return r.cleared(noSession(ReasonExpired, sourceDatabase,
			fmt.Errorf("session expired at %s", s.Expires.UTC().Format(time.RFC3339Nano))), chunks), nil
	}

	// One instant for both the write and the cookie, as Auth.js's
	// fromDate(maxAge): a JavaScript Date, so whole milliseconds (the row
	// must read back as the adapter would have written it).
	newExpires := time.UnixMilli(now.Add(r.cfg.MaxAge).UnixMilli())
	updated := false
	dueDate := s.Expires.UnixMilli() - r.cfg.MaxAge.Milliseconds() + r.cfg.UpdateAge.Milliseconds()
	if dueDate <= now.UnixMilli() && !r.cfg.ReadOnly {
		if err := r.write(ctx, func(c context.Context) error { return r.store.UpdateExpiry(c, token, newExpires) }); err != nil {
			return r.storeFailure(ctx, "updateSession", err), nil
		}
		updated = true
	}

	sess := &Session{
		User: User{
			Name:  dbString(u.Name, u.NullsAbsent),
			Email: dbString(u.Email, u.NullsAbsent),
			Image: dbString(u.Image, u.NullsAbsent),
			ID:    u.ID,
		},
		Expires: time.UnixMilli(s.Expires.UnixMilli()).UTC(),
	}
	if r.hooks.Session != nil {
		src := HookSource{Stored: s, User: u, Updated: updated}
		if err := r.hooks.Session(ctx, sess, src); err != nil {
			// Auth.js: a throwing session callback is logged, body null, no cookie.
			return noSession(ReasonCallback, sourceDatabase, fmt.Errorf("session hook: %w", err)), nil
		}
	}
	res := Result{Session: sess, Reason: ReasonOK, Source: sourceDatabase}
	if r.cfg.RefreshCookies {
		// A single cookie even when the request used chunks: Auth.js does not
		// clear the old chunk names in the database strategy.
		res.SetCookies = []*http.Cookie{sessionCookieAttrs(r.cfg.Cookies.SessionToken).apply(&http.Cookie{
			Name:    r.cookieName,
			Value:   dbCookieValue(token),
			Expires: newExpires.UTC(),
		}, r.secure)}
	}
	return res, nil
}

// lookup runs getSessionAndUser under the per-call deadline.
func (r *dbResolver) lookup(ctx context.Context, token string) (*StoredSession, *StoredUser, error) {
	c, cancel := context.WithTimeout(ctx, r.cfg.StoreTimeout)
	defer cancel()
	s, u, err := r.store.SessionAndUser(c, token)
	if err == nil && c.Err() != nil {
		// A store that ignored its deadline still must not answer late.
		err = c.Err()
	}
	return s, u, err
}

// write runs one store write under the per-call deadline.
func (r *dbResolver) write(ctx context.Context, f func(context.Context) error) error {
	c, cancel := context.WithTimeout(ctx, r.cfg.StoreTimeout)
	defer cancel()
	return f(c)
}

// storeFailure is Auth.js's catch branch: no session, no Set-Cookie (the
// browser keeps its cookie). A caller that went away is ReasonCanceled.
func (r *dbResolver) storeFailure(ctx context.Context, op string, err error) Result {
	if ctx.Err() != nil {
		return noSession(ReasonCanceled, sourceDatabase, fmt.Errorf("%s: %w", op, ctx.Err()))
	}
	if errors.Is(err, context.DeadlineExceeded) {
		err = fmt.Errorf("no answer within %s: %w", r.cfg.StoreTimeout, err)
	}
	r.logger.Warn("session store failed", "op", op, "err", err)
	return noSession(ReasonStoreError, sourceDatabase, fmt.Errorf("%s: %w", op, err))
}

// cleared adds Auth.js's sessionStore.clean(): every chunk read is expired.
func (r *dbResolver) cleared(res Result, chunks []string) Result {
	if !r.cfg.RefreshCookies {
		return res
	}
	res.SetCookies = append(res.SetCookies, sessionCookieAttrs(r.cfg.Cookies.SessionToken).clear(chunks, r.secure)...)
	return res
}

// dbString maps a nullable column to a body member: NULL stays "null".
func dbString(p *string, nullsAbsent bool) Value {
	if p == nil {
		if nullsAbsent {
			return Value{}
		}
		return Null()
	}
	return String(*p)
}

// dbCookieValue encodes the token as Auth.js's cookie serializer does
// (encodeURIComponent). Generated tokens (UUIDs) pass through unchanged.
func dbCookieValue(v string) string {
	const unreserved = "-_.!~*'()"
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte(unreserved, c) >= 0 {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}
