package bus

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"time"

	"github.com/authscope/authscope/resolver"
	"github.com/redis/go-redis/v9"
)

// RedisTier is a resolver.SharedTier in Redis. Entries live under
// prefix+"s:"+TokenDigest(token) with the entry's TTL (so Redis expires them
// at the same moment the local cache would); a per-user set
// prefix+"u:"+userID lists a user's digests for InvalidateUser. Only
// sessions are shared, never "no session" answers.
//
// Every operation has its own short deadline (Timeout) and failures are
// logged and treated as a miss: the shared tier can make resolution faster,
// never make it fail. Safe for concurrent use.
type RedisTier struct {
	client  redis.UniversalClient
	prefix  string
	timeout time.Duration
	logger  *slog.Logger
}

var _ resolver.SharedTier = (*RedisTier)(nil)

// NewRedisTier returns a tier using client under prefix (default
// "authscope:cache:"). logger may be nil.
func NewRedisTier(client redis.UniversalClient, prefix string, logger *slog.Logger) *RedisTier {
	if prefix == "" {
		prefix = "authscope:cache:"
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &RedisTier{client: client, prefix: prefix, timeout: 200 * time.Millisecond, logger: logger}
}

// tierEntry is what is stored: the session body exactly as Auth.js's JSON,
// plus what the body does not carry.
type tierEntry struct {
	Body       json.RawMessage `json:"body"`
	UserID     string          `json:"uid,omitempty"`
	Source     string          `json:"src,omitempty"`
	SetCookies []string        `json:"set_cookies,omitempty"`
}

func (t *RedisTier) sessionKey(digest string) string { return t.prefix + "s:" + digest }
func (t *RedisTier) userKey(id string) string        { return t.prefix + "u:" + id }

func (t *RedisTier) ctx(parent context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(parent), t.timeout)
}

func (t *RedisTier) warn(op string, err error) {
	t.logger.Warn("shared cache tier "+op+" failed", slog.String("error", err.Error()))
}

// Get implements resolver.SharedTier.
func (t *RedisTier) Get(parent context.Context, token string) (resolver.Result, time.Duration, bool) {
	ctx, cancel := t.ctx(parent)
	defer cancel()
	key := t.sessionKey(resolver.TokenDigest(token))
	pipe := t.client.Pipeline()
	get := pipe.Get(ctx, key)
	pttl := pipe.PTTL(ctx, key)
	if _, err := pipe.Exec(ctx); err != nil {
		if err != redis.Nil {
			t.warn("get", err)
		}
		return resolver.Result{}, 0, false
	}
	var e tierEntry
	if err := json.Unmarshal([]byte(get.Val()), &e); err != nil {
		t.warn("decode", err)
		return resolver.Result{}, 0, false
	}
	s, err := resolver.ParseSessionBody(e.Body)
	if err != nil || s == nil {
		t.warn("decode", err)
		return resolver.Result{}, 0, false
	}
	s.User.ID = e.UserID
	res := resolver.Result{Session: s, Reason: resolver.ReasonOK, Source: e.Source}
	for _, line := range e.SetCookies {
		if c, err := http.ParseSetCookie(line); err == nil {
			res.SetCookies = append(res.SetCookies, c)
		}
	}
	return res, pttl.Val(), pttl.Val() > 0
}

// Set implements resolver.SharedTier.
func (t *RedisTier) Set(parent context.Context, token string, res resolver.Result, ttl time.Duration) {
	if res.Session == nil || ttl <= 0 {
		return
	}
	e := tierEntry{Body: resolver.MarshalSessionBody(res.Session), UserID: res.Session.User.ID, Source: res.Source}
	for _, c := range res.SetCookies {
		e.SetCookies = append(e.SetCookies, c.String())
	}
	b, err := json.Marshal(e)
	if err != nil {
		t.warn("encode", err)
		return
	}
	ctx, cancel := t.ctx(parent)
	defer cancel()
	digest := resolver.TokenDigest(token)
	pipe := t.client.TxPipeline()
	pipe.Set(ctx, t.sessionKey(digest), b, ttl)
	if e.UserID != "" {
		uk := t.userKey(e.UserID)
		pipe.SAdd(ctx, uk, digest)
		// The index may outlive some members; it never needs to outlive the
		// longest entry by much, so each Set extends it to this entry's TTL.
		pipe.PExpire(ctx, uk, ttl)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		t.warn("set", err)
	}
}

// Delete implements resolver.SharedTier.
func (t *RedisTier) Delete(parent context.Context, token string) {
	t.DeleteDigest(parent, resolver.TokenDigest(token))
}

// DeleteDigest implements resolver.SharedTier.
func (t *RedisTier) DeleteDigest(parent context.Context, digest string) {
	ctx, cancel := t.ctx(parent)
	defer cancel()
	if err := t.client.Del(ctx, t.sessionKey(digest)).Err(); err != nil {
		t.warn("delete", err)
	}
}

// DeleteUser implements resolver.SharedTier.
func (t *RedisTier) DeleteUser(parent context.Context, userID string) {
	ctx, cancel := t.ctx(parent)
	defer cancel()
	uk := t.userKey(userID)
	digests, err := t.client.SMembers(ctx, uk).Result()
	if err != nil {
		t.warn("delete user", err)
		return
	}
	keys := []string{uk}
	for _, d := range digests {
		keys = append(keys, t.sessionKey(d))
	}
	if err := t.client.Del(ctx, keys...).Err(); err != nil {
		t.warn("delete user", err)
	}
}

// DeleteAll implements resolver.SharedTier: it removes every key under the
// prefix with SCAN and UNLINK (never KEYS, which blocks Redis).
func (t *RedisTier) DeleteAll(parent context.Context) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(parent), 10*t.timeout)
	defer cancel()
	iter := t.client.Scan(ctx, 0, t.prefix+"*", 500).Iterator()
	var batch []string
	flush := func() {
		if len(batch) > 0 {
			if err := t.client.Unlink(ctx, batch...).Err(); err != nil {
				t.warn("delete all", err)
			}
			batch = batch[:0]
		}
	}
	for iter.Next(ctx) {
		batch = append(batch, iter.Val())
		if len(batch) == 500 {
			flush()
		}
	}
	if err := iter.Err(); err != nil {
		t.warn("delete all", err)
	}
	flush()
}
