// Package redisstore reads and manages Auth.js sessions in Redis, in the
// key layout of @auth/upstash-redis-adapter and @auth/unstorage-adapter:
//
//	<prefix>user:session:<token>            {"sessionToken","userId","expires":ISO-8601}
//	<prefix>user:<id>                       {"id","name","email","emailVerified","image"}
//	<prefix>user:session:by-user-id:<id>    key of the user's last session
//
// Values are JSON strings; dates are ISO-8601 strings (Date.toISOString).
// No key has a TTL: expiry is the resolver's check, as in Auth.js. An
// extension rewrites the whole session JSON (as updateSession does); a
// deletion removes only the session key.
//
// The prefix is the adapter's baseKeyPrefix, prepended verbatim; for the
// unstorage redis driver with base "app", use prefix "app:" (the driver
// joins with a colon).
//
// A lookup is two GETs in one pipeline (one round trip). Browsing has no
// index to use: ListSessions, Counts and RevokeUser SCAN every session key
// (COUNT 1000 per call) and read values with MGET, so they cost O(total
// sessions) per call: fine for thousands of sessions, seconds for
// millions. Use PostgreSQL for large-scale browsing.
//
// The package registers itself with store.Register for redis:// and
// rediss:// DSNs.
package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/logging"

	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/store"
	storedsn "github.com/authscope/authscope/resolver/store/internal/dsn"
)

// Options tune Open.
type Options struct {
	// Prefix is the adapter's baseKeyPrefix.
	Prefix string
	// ReadOnly runs lookups with EVALSHA_RO, which read-only replicas
	// accept. It does not refuse writes: wrap the store in store.ReadOnly
	// (store.Open does) for that.
	ReadOnly bool
	// PoolSize bounds the pool (default 8).
	PoolSize int
	// Detect finds Prefix from the session keys present (a bounded SCAN):
	// exactly one prefix must appear. AllowNone accepts a Redis with no
	// session keys at all (seeding), keeping Prefix.
	Detect, AllowNone bool
}

// Store is a Redis session store. It implements resolver.Store,
// store.Browser and store.Seeder.
type Store struct {
	rdb      *redis.Client
	prefix   string
	readOnly bool
}

var (
	_ resolver.Store = (*Store)(nil)
	_ store.Browser  = (*Store)(nil)
	_ store.Seeder   = (*Store)(nil)
)

// Open connects to the redis:// URL and checks the server answers.
func Open(ctx context.Context, url string, opts Options) (*Store, error) {
	o, err := redis.ParseURL(url)
	if err != nil {
		// The parse error may quote the URL (and its password).
		return nil, fmt.Errorf("redisstore: %w: invalid redis:// URL", storedsn.ErrBad)
	}
	quietDialLogs()
	if err := probe(ctx, url); err != nil {
		return nil, fmt.Errorf("redisstore: %w", err)
	}
	if opts.PoolSize <= 0 {
		opts.PoolSize = 8
	}
	o.PoolSize = opts.PoolSize
	// Deadlines come from each call's context.
	o.ContextTimeoutEnabled = true
	s := &Store{rdb: redis.NewClient(o), prefix: opts.Prefix, readOnly: opts.ReadOnly}
	if opts.Detect {
		p, err := detectPrefix(ctx, s.rdb, opts.AllowNone)
		if err != nil {
			s.rdb.Close()
			return nil, fmt.Errorf("redisstore: %w", err)
		}
		if p != "" {
			s.prefix = p
		}
	}
	return s, nil
}

// Prefix is the key prefix in use (given or detected).
func (s *Store) Prefix() string { return s.prefix }

// LayoutName implements store.LayoutNamer.
func (s *Store) LayoutName() string {
	if s.prefix == "" {
		return "redis unstorage/upstash keys"
	}
	return "redis unstorage/upstash keys, prefix " + strconv.Quote(s.prefix)
}

// probe checks once that the server answers (and accepts our credentials)
// before Open returns. The store's own client keeps go-redis's retries
// (command retries times dial retries) for riding out a blip at run time;
// for "is it there at all?" they would only turn a typo into seconds of
// waiting, so the probe dials once, without retries.
func probe(ctx context.Context, url string) error {
	o, err := redis.ParseURL(url)
	if err != nil {
		return err
	}
	o.PoolSize = 1
	o.MaxRetries = -1 // no command retries
	o.DialerRetries = 1
	o.ContextTimeoutEnabled = true
	c := redis.NewClient(o)
	defer c.Close()
	return c.Ping(ctx).Err()
}

var quietOnce sync.Once

// quietDialLogs stops go-redis from printing "connection pool: failed to
// dial after N attempts" to stderr through its own log.Logger: the same
// failure reaches the caller as an error, so the line is noise, and it
// breaks the CLI's one-line errors. go-redis v9.23 has no per-client
// logger (only the package-wide redis.SetLogger), so this filter is
// installed once for the process; every other go-redis message still goes
// through its default logger.
func quietDialLogs() {
	quietOnce.Do(func() {
		redis.SetLogger(logging.NewBlacklistLogger([]string{"failed to dial after"}))
	})
}

// Client exposes the client for tests and tools.
func (s *Store) Client() *redis.Client { return s.rdb }

// Close implements resolver.Store.
func (s *Store) Close() error { return s.rdb.Close() }

func (s *Store) sessionKey(token string) string { return s.prefix + "user:session:" + token }
func (s *Store) userKey(id string) string       { return s.prefix + "user:" + id }
func (s *Store) byUserKey(id string) string     { return s.prefix + "user:session:by-user-id:" + id }

// jsonSession and jsonUser are the adapters' value shapes.
type jsonSession struct {
	SessionToken string `json:"sessionToken"`
	UserID       string `json:"userId"`
	Expires      string `json:"expires"`
}

type jsonUser struct {
	ID            string  `json:"id"`
	Name          *string `json:"name"`
	Email         *string `json:"email"`
	EmailVerified *string `json:"emailVerified"`
	Image         *string `json:"image"`
}

// SessionAndUser implements resolver.Store. The adapters GET the session,
// then its user; here both GETs run server-side in one script (one round
// trip, and a consistent pair).
func (s *Store) SessionAndUser(ctx context.Context, token string) (*resolver.StoredSession, *resolver.StoredUser, error) {
	run := lookupScript.Run
	if s.readOnly {
		// EVALSHA_RO: accepted by read-only replicas (Redis 7+).
		run = lookupScript.RunRO
	}
	res, err := run(ctx, s.rdb, []string{s.sessionKey(token)}, s.prefix+"user:").StringSlice()
	if errors.Is(err, redis.Nil) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("redisstore: session lookup: %w", err)
	}
	if len(res) == 0 || res[0] == "" {
		return nil, nil, nil
	}
	sess, err := parseSession(res[0])
	if err != nil {
		return nil, nil, err
	}
	if len(res) < 2 || res[1] == "" {
		return sess, nil, nil
	}
	u, err := parseUser(res[1])
	if err != nil {
		return nil, nil, err
	}
	return sess, u, nil
}

// lookupScript does both GETs server-side: one round trip. The user id is
// read from the session JSON with cjson; a value that is not JSON is
// returned alone and reported as malformed by the caller.
var lookupScript = redis.NewScript(`
local s = redis.call('GET', KEYS[1])
if not s then return {} end
local ok, v = pcall(cjson.decode, s)
if not ok or type(v) ~= 'table' or type(v['userId']) ~= 'string' then return {s} end
local u = redis.call('GET', ARGV[1] .. v['userId'])
if not u then return {s} end
return {s, u}`)

func parseSession(raw string) (*resolver.StoredSession, error) {
	var js jsonSession
	if err := json.Unmarshal([]byte(raw), &js); err != nil {
		return nil, fmt.Errorf("redisstore: %w: session value is not JSON", resolver.ErrMalformedRow)
	}
	exp, err := time.Parse(time.RFC3339Nano, js.Expires)
	if err != nil {
		return nil, fmt.Errorf("redisstore: %w: session expires is not an ISO date", resolver.ErrMalformedRow)
	}
	return &resolver.StoredSession{Token: js.SessionToken, UserID: js.UserID, Expires: exp.UTC()}, nil
}

func parseUser(raw string) (*resolver.StoredUser, error) {
	var ju jsonUser
	if err := json.Unmarshal([]byte(raw), &ju); err != nil {
		return nil, fmt.Errorf("redisstore: %w: user value is not JSON", resolver.ErrMalformedRow)
	}
	u := &resolver.StoredUser{ID: ju.ID, Name: ju.Name, Email: ju.Email, Image: ju.Image}
	if ju.EmailVerified != nil {
		if t, err := time.Parse(time.RFC3339Nano, *ju.EmailVerified); err == nil {
			t = t.UTC()
			u.EmailVerified = &t
		}
	}
	return u, nil
}

// isoMillis is Date.prototype.toISOString's format.
const isoMillis = "2006-01-02T15:04:05.000Z"

func encodeSession(ss resolver.StoredSession) string {
	b, _ := json.Marshal(jsonSession{SessionToken: ss.Token, UserID: ss.UserID, Expires: ss.Expires.UTC().Format(isoMillis)})
	return string(b)
}

func encodeUser(u resolver.StoredUser) string {
	ju := jsonUser{ID: u.ID, Name: u.Name, Email: u.Email, Image: u.Image}
	if u.EmailVerified != nil {
		v := u.EmailVerified.UTC().Format(isoMillis)
		ju.EmailVerified = &v
	}
	b, _ := json.Marshal(ju)
	return string(b)
}

// UpdateExpiry implements resolver.Store: read, merge, rewrite the whole
// JSON (the adapters' updateSession). Other members of the value are kept.
func (s *Store) UpdateExpiry(ctx context.Context, token string, expires time.Time) error {
	err := updateScript.Run(ctx, s.rdb, []string{s.sessionKey(token)}, expires.UTC().Format(isoMillis)).Err()
	if err != nil && !errors.Is(err, redis.Nil) {
		return fmt.Errorf("redisstore: update session: %w", err)
	}
	return nil
}

// updateScript rewrites the session JSON atomically. cjson would reorder
// members and turn 1.0 into 1; session values hold strings only, so the
// member order (sessionToken, userId, expires) is rebuilt explicitly.
var updateScript = redis.NewScript(`
local s = redis.call('GET', KEYS[1])
if not s then return nil end
local v = cjson.decode(s)
local out = '{"sessionToken":' .. cjson.encode(v['sessionToken']) .. ',"userId":' .. cjson.encode(v['userId']) .. ',"expires":' .. cjson.encode(ARGV[1])
for k, x in pairs(v) do
  if k ~= 'sessionToken' and k ~= 'userId' and k ~= 'expires' then out = out .. ',' .. cjson.encode(k) .. ':' .. cjson.encode(x) end
end
redis.call('SET', KEYS[1], out .. '}')
return 1`)

// DeleteSession implements resolver.Store: only the session key goes, as in
// the adapters (the by-user-id pointer is left as they leave it).
func (s *Store) DeleteSession(ctx context.Context, token string) error {
	_, err := s.deleteSession(ctx, token)
	return err
}

func (s *Store) deleteSession(ctx context.Context, token string) (int64, error) {
	n, err := s.rdb.Del(ctx, s.sessionKey(token)).Result()
	if err != nil {
		return 0, fmt.Errorf("redisstore: delete session: %w", err)
	}
	return n, nil
}

// IntegerUserIDs implements store.Seeder: ids are strings (UUIDs).
func (s *Store) IntegerUserIDs() bool { return false }

// InsertUsers implements store.Seeder (SET NX, pipelined), also writing
// the user:email:<email> index as the adapters' createUser does.
func (s *Store) InsertUsers(ctx context.Context, users []resolver.StoredUser) (int, error) {
	pipe := s.rdb.Pipeline()
	cmds := make([]*redis.BoolCmd, len(users))
	for i, u := range users {
		cmds[i] = pipe.SetNX(ctx, s.userKey(u.ID), encodeUser(u), 0)
		if u.Email != nil {
			pipe.SetNX(ctx, s.prefix+"user:email:"+*u.Email, u.ID, 0)
		}
	}
	return countNew(ctx, pipe, cmds)
}

// InsertSessions implements store.Seeder, also writing the
// by-user-id pointer as createSession does.
func (s *Store) InsertSessions(ctx context.Context, sessions []resolver.StoredSession) (int, error) {
	pipe := s.rdb.Pipeline()
	cmds := make([]*redis.BoolCmd, len(sessions))
	for i, ss := range sessions {
		cmds[i] = pipe.SetNX(ctx, s.sessionKey(ss.Token), encodeSession(ss), 0)
		pipe.Set(ctx, s.byUserKey(ss.UserID), s.sessionKey(ss.Token), 0)
	}
	return countNew(ctx, pipe, cmds)
}

func countNew(ctx context.Context, pipe redis.Pipeliner, cmds []*redis.BoolCmd) (int, error) {
	if _, err := pipe.Exec(ctx); err != nil {
		return 0, fmt.Errorf("redisstore: seed: %w", err)
	}
	n := 0
	for _, c := range cmds {
		if c.Val() {
			n++
		}
	}
	return n, nil
}
