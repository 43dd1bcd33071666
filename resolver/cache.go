package resolver

import (
	"context"
	"crypto/sha256"
	"hash/maphash"
	"log/slog"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/maypok86/otter/v2"
	"golang.org/x/sync/singleflight"
)

// Cache is a Resolver decorator that remembers answers per session token:
// the seed's "cache session data for hot routes … and invalidate on
// sign-in/sign-out events".
//
// Keys. An entry is keyed by a 128-bit keyed hash of the reassembled session
// token (two maphash passes under random per-Cache seeds), never by the
// token itself, so a heap dump or a debugger shows no bearer credentials.
// SHA-256 would cost ~360 ns for a 600-byte token on its own, most of the
// hit budget; a keyed 128-bit hash is as collision-proof for this purpose
// (an attacker cannot search for collisions without the seeds, which never
// leave the process) at a tenth of the price. The shared Redis tier, which
// must agree across processes, uses SHA-256 instead (see SharedTier).
//
// Lifetime. A session entry lives min(TTL, Session.Expires − now,
// Result.NotAfter − now): never past the session's own expiry nor, for the
// JWT strategy (where Expires is Auth.js's rolling "now + maxAge"), past
// the token's exp plus the clock tolerance. Proxy answers know the token's
// exp only when the secret is configured; without it a token that expires
// while cached can be honoured for at most TTL longer. "No session"
// answers are cached only when NegativeTTL > 0, and only for definitive
// reasons (a bad token stays bad); transient ones (upstream down, store
// error, timeout, cancellation) never are.
//
// Coalescing. Concurrent misses for the same token share one call to the
// wrapped resolver (singleflight), so a hot session costs one upstream call.
// The shared call runs with the leader's values but not its cancellation,
// bounded by the wrapped resolver's own deadline; each waiter still returns
// as soon as its own context ends.
//
// Invalidation. InvalidateToken, InvalidateUser and InvalidateAll remove
// entries now, and also stop any resolution already in flight from storing
// its (possibly stale) answer: every invalidation bumps an epoch and loads
// started under an older epoch are not stored.
//
// Cookie layout. The same token can arrive whole or in chunks (NAME.0,
// NAME.1, …), and Auth.js's Set-Cookie answer depends on which names the
// request carried (it clears every chunk it read). An entry therefore
// remembers a signature of the request's session-cookie names and is only
// served to requests with the same names; a browser switching layout
// simply misses once.
//
// Staleness. A hit replays the load's answer: its rolling "expires" (now +
// maxAge in Auth.js) and its refresh Set-Cookie are those of the load, at
// most TTL old; the refreshed cookie is still a valid token for the same
// session, so clients notice nothing but a slightly older expiry.
//
// Sharing. Results served from the cache share their *Session and
// SetCookies with every other hit on the same entry: callers must treat
// them as read-only (copy before editing). Copying on every hit would cost
// allocations on the path this type exists to make cheap.
//
// A Cache is safe for concurrent use.
type Cache struct {
	next       Resolver
	cfg        CacheConfig
	cookieName string
	// secureName is set when the wrapped JWT resolver picks the cookie
	// name per request (Config.SecureCookiesDecided false): the key is
	// then the token under the name that resolver reads (cache_token.go).
	secureName     string
	trustForwarded bool
	now            Clock
	logger         *slog.Logger
	shared         SharedTier

	seed1, seed2 maphash.Seed
	store        *otter.Cache[cacheKey, *cacheEntry]
	group        singleflight.Group
	epoch        atomic.Uint64

	hits, misses, coalesced, evictions atomic.Uint64
	invalidations, invalidated         atomic.Uint64
	sharedHits                         atomic.Uint64
}

var _ Resolver = (*Cache)(nil)

// sourceCache is Result.Source for answers served from the cache.
const sourceCache = "cache"

type cacheKey struct{ a, b uint64 }

type cacheEntry struct {
	res      Result // Source already "cache"
	deadline int64  // unix nanoseconds on the Cache's clock
	userID   string
	digest   [32]byte // TokenDigest, for invalidation events
	layout   uint64   // layout.sig of the request that loaded it
}

// CacheStats are counters since the Cache was made.
type CacheStats struct {
	Hits      uint64 `json:"hits"`
	Misses    uint64 `json:"misses"`
	Coalesced uint64 `json:"coalesced"` // misses that waited for another caller's call
	Evictions uint64 `json:"evictions"` // removed for size or expiry
	// Invalidations counts invalidation requests; Invalidated the entries
	// they removed.
	Invalidations uint64 `json:"invalidations"`
	Invalidated   uint64 `json:"invalidated"`
	SharedHits    uint64 `json:"shared_hits"` // misses answered by the shared tier
	Entries       int    `json:"entries"`
}

// CacheOption configures NewCached.
type CacheOption func(*Cache)

// WithCacheCookieName sets the session cookie name the key is read from
// (default Auth.js's authjs.session-token). It must be the name the wrapped
// resolver reads.
func WithCacheCookieName(name string) CacheOption { return func(c *Cache) { c.cookieName = name } }

// WithCacheClock sets the time source for entry lifetimes.
func WithCacheClock(now Clock) CacheOption { return func(c *Cache) { c.now = now } }

// WithCacheLogger sets the logger (default: discard).
func WithCacheLogger(l *slog.Logger) CacheOption { return func(c *Cache) { c.logger = l } }

// WithSharedTier adds a second, shared cache level (e.g. Redis) consulted on
// a local miss and filled after a load.
func WithSharedTier(t SharedTier) CacheOption { return func(c *Cache) { c.shared = t } }

// NewCached wraps next in a Cache. cfg.Enabled is not consulted (wrapping is
// the decision); zero TTL and Size take the package defaults.
func NewCached(next Resolver, cfg CacheConfig, opts ...CacheOption) *Cache {
	if cfg.TTL <= 0 {
		cfg.TTL = defaultCacheTTL
	}
	if cfg.Size <= 0 {
		cfg.Size = DefaultCacheSize
	}
	c := &Cache{
		next:       next,
		cfg:        cfg,
		cookieName: DefaultCookieName,
		now:        time.Now,
		logger:     slog.New(slog.DiscardHandler),
		seed1:      maphash.MakeSeed(),
		seed2:      maphash.MakeSeed(),
	}
	for _, o := range opts {
		o(c)
	}
	c.store = otter.Must(&otter.Options[cacheKey, *cacheEntry]{
		MaximumSize: cfg.Size,
		// Otter's own expiry (real time) is a backstop that frees memory;
		// the authoritative check is the deadline against c.now in lookup.
		ExpiryCalculator: otter.ExpiryCreatingFunc(func(e otter.Entry[cacheKey, *cacheEntry]) time.Duration {
			d := time.Duration(e.Value.deadline - c.now().UnixNano())
			return max(d, time.Millisecond)
		}),
		OnDeletion: func(e otter.DeletionEvent[cacheKey, *cacheEntry]) {
			if e.Cause.IsEviction() {
				c.evictions.Add(1)
			}
		},
	})
	return c
}

func newCached(r Resolver, cfg Config, o options) Resolver {
	opts := []CacheOption{WithCacheCookieName(cfg.SessionCookieName()), WithCacheClock(o.clock), WithCacheLogger(o.logger)}
	if names := cfg.SessionCookieNames(); len(names) == 2 && cfg.Mode == ModeLocal {
		opts = append(opts, func(c *Cache) { c.secureName, c.trustForwarded = names[0], cfg.TrustForwardedProto })
	}
	return NewCached(r, cfg.Cache, opts...)
}

// Resolve implements Resolver.
func (c *Cache) Resolve(ctx context.Context, in Input) (Result, error) {
	tok, lay := c.token(in)
	if tok == "" {
		// Nothing to key on; the wrapped resolver answers no_cookie cheaply
		// (or, in proxy mode, asks upstream as Auth.js clients would).
		return c.next.Resolve(ctx, in)
	}
	key := c.key(tok)
	if res, ok := c.lookup(key, lay); ok {
		c.hits.Add(1)
		return res, nil
	}
	c.misses.Add(1)
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	ran := false
	ch := c.group.DoChan(keyString(key, lay), func() (any, error) {
		// A caller that missed just before the previous flight stored its
		// answer finds it here rather than asking upstream a second time.
		if res, ok := c.lookup(key, lay); ok {
			return res, nil
		}
		ran = true
		return c.load(context.WithoutCancel(ctx), in, tok, key, lay)
	})
	select {
	case r := <-ch:
		if !ran {
			c.coalesced.Add(1)
		}
		if r.Err != nil {
			return Result{}, r.Err
		}
		res := r.Val.(Result)
		if !ran {
			// Another caller's call answered: to this caller (and to the
			// metrics that label by Source) the cache served it.
			res.Source = sourceCache
		}
		return res, nil
	case <-ctx.Done():
		return noSession(ReasonCanceled, sourceCache, ctx.Err()), nil
	}
}

// lookup returns the entry for key if it is present, not past its
// deadline and made for the same cookie layout. It does not allocate.
func (c *Cache) lookup(key cacheKey, lay layout) (Result, bool) {
	e, ok := c.store.GetIfPresent(key)
	if !ok || e.layout != lay.sig {
		return Result{}, false
	}
	if c.now().UnixNano() >= e.deadline {
		c.store.Invalidate(key) // counted by otter as an invalidation, not an eviction
		c.evictions.Add(1)
		return Result{}, false
	}
	return e.res, true
}

// load asks the shared tier, then the wrapped resolver, and stores what is
// cacheable unless an invalidation happened meanwhile.
func (c *Cache) load(ctx context.Context, in Input, tok string, key cacheKey, lay layout) (Result, error) {
	epoch := c.epoch.Load()
	if c.shared != nil {
		if res, ttl, ok := c.shared.Get(ctx, tok); ok && ttl > 0 {
			c.sharedHits.Add(1)
			if !lay.plain {
				// The tier only holds Set-Cookie lines made for the plain
				// layout (see below); other layouts go without a refresh
				// this once, which Auth.js clients tolerate.
				res.SetCookies = nil
			}
			c.store1(key, tok, lay, res, ttl, epoch)
			res.Source = sourceCache
			return res, nil
		}
	}
	res, err := c.next.Resolve(ctx, in)
	if err != nil {
		return res, err
	}
	ttl := c.ttlFor(res)
	if ttl > 0 {
		c.store1(key, tok, lay, res, ttl, epoch)
		if c.shared != nil && res.OK() {
			shared := res
			if !lay.plain {
				shared.SetCookies = nil
			}
			c.shared.Set(ctx, tok, shared, ttl)
		}
	}
	return res, nil
}

func (c *Cache) store1(key cacheKey, tok string, lay layout, res Result, ttl time.Duration, epoch uint64) {
	if c.epoch.Load() != epoch {
		return // invalidated while loading: the answer may be stale
	}
	e := &cacheEntry{res: res, deadline: c.now().Add(ttl).UnixNano(), digest: sha256.Sum256([]byte(tok)), layout: lay.sig}
	e.res.Source = sourceCache
	if res.Session != nil {
		e.userID = res.Session.User.ID
	}
	c.store.Set(key, e)
	if c.epoch.Load() != epoch { // lost a race with an invalidation
		c.store.Invalidate(key)
	}
}

// ttlFor is how long res may be cached: 0 means not at all.
func (c *Cache) ttlFor(res Result) time.Duration {
	if res.Session == nil {
		if c.cfg.NegativeTTL > 0 && definitive(res.Reason) {
			return c.cfg.NegativeTTL
		}
		return 0
	}
	ttl := c.cfg.TTL
	if exp := res.Session.Expires; !exp.IsZero() {
		ttl = min(ttl, exp.Sub(c.now()))
	}
	if !res.NotAfter.IsZero() { // a JWT's own exp: Expires is the rolling one
		ttl = min(ttl, res.NotAfter.Sub(c.now()))
	}
	return max(ttl, 0)
}

// definitive reports whether a "no session" reason will hold for the same
// token on a retry. Anything that depends on a remote party being up does
// not.
func definitive(r Reason) bool {
	switch r {
	case ReasonStoreError, ReasonUpstreamStatus, ReasonUpstreamBody, ReasonUpstreamTimeout,
		ReasonUpstreamError, ReasonCanceled, ReasonOK:
		return false
	}
	return true
}

// Stats returns the counters.
func (c *Cache) Stats() CacheStats {
	return CacheStats{
		Hits:          c.hits.Load(),
		Misses:        c.misses.Load(),
		Coalesced:     c.coalesced.Load(),
		Evictions:     c.evictions.Load(),
		Invalidations: c.invalidations.Load(),
		Invalidated:   c.invalidated.Load(),
		SharedHits:    c.sharedHits.Load(),
		Entries:       c.store.EstimatedSize(),
	}
}

// Close stops the cache's background work. The Cache must not be used after.
func (c *Cache) Close() error {
	c.store.StopAllGoroutines()
	return nil
}

// Unwrap returns the wrapped resolver.
func (c *Cache) Unwrap() Resolver { return c.next }

func (c *Cache) key(tok string) cacheKey {
	return cacheKey{maphash.String(c.seed1, tok), maphash.String(c.seed2, tok)}
}

// keyString is the singleflight key (only built on a miss).
func keyString(k cacheKey, lay layout) string {
	b := make([]byte, 0, 60)
	b = strconv.AppendUint(b, k.a, 36)
	b = append(b, '.')
	b = strconv.AppendUint(b, k.b, 36)
	b = append(b, '.')
	b = strconv.AppendUint(b, lay.sig, 36)
	return string(b)
}
