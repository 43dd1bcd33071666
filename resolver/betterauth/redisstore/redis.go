// Package redisstore reads and writes Better Auth sessions where its
// secondaryStorage keeps them (Redis): the key is the session token, the
// value JSON.stringify({session, user}), with active-sessions-<userId> and
// revoked-sessions-before-<userId> beside them, as better-auth's internal
// adapter (dist/db/internal-adapter.mjs) writes them with secondaryStorage
// and without storeSessionInDatabase (see testdata/betterauth/
// SEMANTICS.md, "secondaryStorage").
//
// The records keep the JSON's member order, so the get-session body is
// the server's byte for byte. An application's secondaryStorage may put a
// prefix before every key (Options.Prefix).
package redisstore

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/betterauth"
	"github.com/authscope/authscope/resolver/store"
)

// Options configure a Store.
type Options struct {
	// Prefix is put before every key (what the application's
	// secondaryStorage adds; Better Auth itself adds none).
	Prefix string
	// Clock is Date.now for TTLs (nil: time.Now).
	Clock func() time.Time
	// ExpiresIn is session.expiresIn (0: betterauth.DefaultExpiresIn); it
	// sets how long a revoked-sessions-before marker lives.
	ExpiresIn time.Duration
	// ReadOnly refuses the operator's writes (revocation, seeding) with
	// resolver.ErrReadOnly.
	ReadOnly bool
}

// Store is a betterauth.Store over Redis.
type Store struct {
	rdb       redis.UniversalClient
	prefix    string
	now       func() time.Time
	expiresIn time.Duration
	readOnly  bool
}

var (
	_ betterauth.Store = (*Store)(nil)
	_ store.Browser    = (*Store)(nil)
)

// New uses rdb (the caller closes it, or Close does).
func New(rdb redis.UniversalClient, opts Options) *Store {
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.ExpiresIn <= 0 {
		opts.ExpiresIn = betterauth.DefaultExpiresIn
	}
	return &Store{rdb: rdb, prefix: opts.Prefix, now: opts.Clock, expiresIn: opts.ExpiresIn, readOnly: opts.ReadOnly}
}

// Open connects to a redis:// or rediss:// URL.
func Open(ctx context.Context, url string, opts Options) (*Store, error) {
	o, err := redis.ParseURL(url)
	if err != nil {
		// The parser's message can quote the URL, password included.
		return nil, fmt.Errorf("betterauth redis: %w: want redis://[:password@]host:6379/db", store.ErrBadDSN)
	}
	rdb := redis.NewClient(o)
	if err := rdb.Ping(ctx).Err(); err != nil {
		rdb.Close()
		return nil, fmt.Errorf("betterauth redis: %w", err)
	}
	return New(rdb, opts), nil
}

// Close closes the client.
func (s *Store) Close() error { return s.rdb.Close() }

func (s *Store) get(ctx context.Context, key string) ([]byte, error) {
	b, err := s.rdb.Get(ctx, s.prefix+key).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	return b, err
}

// set is secondaryStorage.set(key, value, ttl) with Redis EX.
func (s *Store) set(ctx context.Context, key string, v any, ttlSeconds int64) error {
	return s.rdb.Set(ctx, s.prefix+key, betterauth.AppendJS(nil, v), time.Duration(ttlSeconds)*time.Second).Err()
}

// entry reads and parses the value at token: its session and user.
func (s *Store) entry(ctx context.Context, token string) (sess, user betterauth.Object, err error) {
	b, err := s.get(ctx, token)
	if err != nil || b == nil {
		return nil, nil, err
	}
	v, err := betterauth.SafeJSONParse(b)
	if err != nil {
		return nil, nil, nil // safeJSONParse's null
	}
	o, _ := v.(betterauth.Object)
	sv, _ := o.Get("session")
	uv, _ := o.Get("user")
	sess, _ = sv.(betterauth.Object)
	user, _ = uv.(betterauth.Object)
	return sess, user, nil
}

// FindSession implements betterauth.Store: the value at the token, unless
// the user's sessions were revoked after it was created.
func (s *Store) FindSession(ctx context.Context, token string) (*betterauth.Record, error) {
	sess, user, err := s.entry(ctx, token)
	if err != nil {
		return nil, fmt.Errorf("betterauth redis: find session: %w", err)
	}
	if sess == nil || user == nil {
		// A value without its user makes Better Auth read the user from the
		// database, which this store does not hold.
		return nil, nil
	}
	if revoked, err := s.revoked(ctx, sess); err != nil || revoked {
		return nil, err
	}
	return &betterauth.Record{Session: sess, User: user}, nil
}

// revoked is isRevokedSession: createdAt before revoked-sessions-before-<userId>.
func (s *Store) revoked(ctx context.Context, sess betterauth.Object) (bool, error) {
	uid, _ := sess.String("userId")
	b, err := s.get(ctx, "revoked-sessions-before-"+uid)
	if err != nil || b == nil {
		return false, err
	}
	v, err := betterauth.SafeJSONParse(b)
	before, ok := v.(float64)
	if err != nil || !ok {
		return false, nil // Number(...) is NaN: never revoked
	}
	created, _ := sess.Time("createdAt")
	return float64(created.UnixMilli()) < before, nil
}

// UpdateSession implements betterauth.Store: the value merged with the new
// expiresAt and updatedAt (members keep their places), stored again with
// the TTL to expiry, and the user's active-sessions list updated.
func (s *Store) UpdateSession(ctx context.Context, token string, expiresAt, updatedAt time.Time) (betterauth.Object, error) {
	sess, user, err := s.entry(ctx, token)
	if err != nil || sess == nil {
		return nil, err
	}
	sess = sess.Clone()
	sess.Set("expiresAt", expiresAt.UTC().Truncate(time.Millisecond))
	sess.Set("updatedAt", updatedAt.UTC().Truncate(time.Millisecond))
	now := s.now()
	exp := expiresAt.UnixMilli()
	if ttl := ttlSeconds(exp, now); ttl > 0 {
		var userV any = user
		if user == nil {
			userV = nil
		}
		if err := s.set(ctx, token, betterauth.Object{{Name: "session", Value: sess}, {Name: "user", Value: userV}}, ttl); err != nil {
			return nil, fmt.Errorf("betterauth redis: update session: %w", err)
		}
		uid, _ := sess.String("userId")
		refs, err := s.refs(ctx, uid)
		if err != nil {
			return nil, err
		}
		refs = append(keep(refs, token, now), ref{token, float64(exp)})
		if err := s.setRefs(ctx, uid, refs, now); err != nil {
			return nil, err
		}
	}
	return sess, nil
}

// DeleteSession implements betterauth.Store: the token's value and its
// place in the user's active-sessions list.
func (s *Store) DeleteSession(ctx context.Context, token string) error {
	sess, _, err := s.entry(ctx, token)
	if err != nil {
		return fmt.Errorf("betterauth redis: delete session: %w", err)
	}
	if sess != nil {
		uid, _ := sess.String("userId")
		raw, err := s.get(ctx, "active-sessions-"+uid)
		if err != nil {
			return err
		}
		if raw != nil {
			refs, _ := s.refs(ctx, uid)
			if err := s.setRefs(ctx, uid, keep(refs, token, s.now()), s.now()); err != nil {
				return err
			}
		}
	}
	return s.rdb.Del(ctx, s.prefix+token).Err()
}

// ref is one entry of active-sessions-<userId>.
type ref struct {
	token     string
	expiresAt float64 // ms
}

func (s *Store) refs(ctx context.Context, uid string) ([]ref, error) {
	b, err := s.get(ctx, "active-sessions-"+uid)
	if err != nil || b == nil {
		return nil, err
	}
	v, _ := betterauth.SafeJSONParse(b)
	list, _ := v.([]any)
	var out []ref
	for _, e := range list {
		o, _ := e.(betterauth.Object)
		t, _ := o.String("token")
		x, _ := o.Get("expiresAt")
		f, _ := x.(float64)
		out = append(out, ref{t, f})
	}
	return out, nil
}

// keep drops token and the expired references.
func keep(refs []ref, token string, now time.Time) []ref {
	var out []ref
	for _, r := range refs {
		if r.expiresAt > float64(now.UnixMilli()) && r.token != token {
			out = append(out, r)
		}
	}
	return out
}

// setRefs is setActiveSessionReferences: sorted by expiry, kept until the
// last one expires, deleted when none is left.
func (s *Store) setRefs(ctx context.Context, uid string, refs []ref, now time.Time) error {
	sort.SliceStable(refs, func(i, j int) bool { return refs[i].expiresAt < refs[j].expiresAt })
	var last float64
	if len(refs) > 0 {
		last = refs[len(refs)-1].expiresAt
	}
	key := "active-sessions-" + uid
	if ttl := ttlSeconds(int64(last), now); ttl > 0 {
		list := make([]any, len(refs))
		for i, r := range refs {
			list[i] = betterauth.Object{{Name: "token", Value: r.token}, {Name: "expiresAt", Value: r.expiresAt}}
		}
		return s.set(ctx, key, list, ttl)
	}
	return s.rdb.Del(ctx, s.prefix+key).Err()
}

// ttlSeconds is getTTLSeconds: whole seconds until expiresMs, at least 0.
func ttlSeconds(expiresMs int64, now time.Time) int64 {
	return int64(math.Max(math.Floor(float64(expiresMs-now.UnixMilli())/1e3), 0))
}

// InsertAll writes sessions as createSession does with secondaryStorage
// (for seeding): each token's {session, user} value with the TTL to its
// expiry (expired ones are skipped: Redis would drop them), and the users'
// active-sessions lists. Rows are field → value as the SQL layouts hold
// them (dates as ISO text or time.Time, booleans as 0/1 or bool).
func (s *Store) InsertAll(ctx context.Context, users, sessions []betterauth.Object) error {
	if s.readOnly {
		return resolver.ErrReadOnly
	}
	byID := map[string]betterauth.Object{}
	for _, u := range users {
		id, _ := u.String("id")
		byID[id] = betterauth.AdapterOutput(u, betterauth.UserFields, nil)
	}
	now := s.now()
	refs := map[string][]ref{}
	for _, row := range sessions {
		sess := createOrder(betterauth.AdapterOutput(row, betterauth.SessionFields, nil))
		exp, _ := sess.Time("expiresAt")
		ttl := ttlSeconds(exp.UnixMilli(), now)
		if ttl <= 0 {
			continue
		}
		uid, _ := sess.String("userId")
		tok, _ := sess.String("token")
		if err := s.set(ctx, tok, betterauth.Object{{Name: "session", Value: sess}, {Name: "user", Value: byID[uid]}}, ttl); err != nil {
			return fmt.Errorf("betterauth redis: insert: %w", err)
		}
		refs[uid] = append(refs[uid], ref{tok, float64(exp.UnixMilli())})
	}
	for uid, rs := range refs {
		old, err := s.refs(ctx, uid)
		if err != nil {
			return err
		}
		if err := s.setRefs(ctx, uid, append(keep(old, "", now), rs...), now); err != nil {
			return err
		}
	}
	return nil
}

// createSessionOrder is the member order createSession builds a session in.
var createSessionOrder = []string{"id", "ipAddress", "userAgent", "expiresAt", "userId", "token", "createdAt", "updatedAt"}

func createOrder(o betterauth.Object) betterauth.Object {
	out := make(betterauth.Object, 0, len(o))
	for _, name := range createSessionOrder {
		if v, ok := o.Get(name); ok {
			out = append(out, betterauth.Field{Name: name, Value: v})
		}
	}
	return out
}
