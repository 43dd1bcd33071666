package resolver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// jwksCache holds a remote JWKS for the JWS codec, as jose's
// createRemoteJWKSet does: fetched on first use, reused until it is older
// than refresh, refetched early when a token names a kid the set does not
// hold (at most once per minRefresh, so a flood of forged kids cannot turn
// into a flood of fetches), and kept when a refresh fails (a JWKS endpoint
// blip must not log everyone out). One fetch runs at a time; concurrent
// callers wait for it.
type jwksCache struct {
	url        string
	client     *http.Client
	refresh    time.Duration
	minRefresh time.Duration
	now        func() time.Time

	mu        sync.Mutex
	set       []jose.JSONWebKey
	fetchedAt time.Time
	lastTry   time.Time
}

const (
	defaultJWKSRefresh    = 5 * time.Minute
	defaultJWKSMinRefresh = 30 * time.Second
	maxJWKSBody           = 1 << 20
)

func newJWKSCache(url string, client *http.Client, refresh time.Duration) *jwksCache {
	if refresh <= 0 {
		refresh = defaultJWKSRefresh
	}
	return &jwksCache{url: url, client: client, refresh: refresh, minRefresh: defaultJWKSMinRefresh, now: time.Now}
}

// keys returns the cached set, refetching it when stale or when kid is
// not in it. On a failed fetch it returns the old set (possibly empty)
// with the error.
func (c *jwksCache) keys(kid string) ([]jose.JSONWebKey, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	stale := c.fetchedAt.IsZero() || now.Sub(c.fetchedAt) >= c.refresh
	missing := kid != "" && !hasKid(c.set, kid)
	if !stale && !missing {
		return c.set, nil
	}
	if !c.lastTry.IsZero() && now.Sub(c.lastTry) < c.minRefresh && !c.fetchedAt.IsZero() {
		return c.set, nil // refetched recently: do not hammer the endpoint
	}
	c.lastTry = now
	set, err := c.fetch()
	if err != nil {
		return c.set, err
	}
	c.set, c.fetchedAt = set, now
	return c.set, nil
}

func hasKid(keys []jose.JSONWebKey, kid string) bool {
	for _, k := range keys {
		if k.KeyID == kid {
			return true
		}
	}
	return false
}

// fetch GETs and parses the JWKS. Keys it cannot use (private, unknown
// type) are skipped, as jose skips them.
func (c *jwksCache) fetch() ([]jose.JSONWebKey, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.url, nil)
	if err != nil {
		return nil, fmt.Errorf("jwks %s: %w", RedactURL(c.url), err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("jwks %s: %w", RedactURL(c.url), errors.Unwrap(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("jwks %s: status %d", RedactURL(c.url), resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxJWKSBody+1))
	if err != nil {
		return nil, fmt.Errorf("jwks %s: %w", RedactURL(c.url), err)
	}
	if len(body) > maxJWKSBody {
		return nil, fmt.Errorf("jwks %s: body over %d bytes", RedactURL(c.url), maxJWKSBody)
	}
	var raw struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, fmt.Errorf("jwks %s: not a JWKS document", RedactURL(c.url))
	}
	var out []jose.JSONWebKey
	for _, r := range raw.Keys {
		var k jose.JSONWebKey
		if k.UnmarshalJSON(r) != nil || !k.IsPublic() {
			continue
		}
		out = append(out, k)
	}
	return out, nil
}
