package betterauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
	josejwt "github.com/go-jose/go-jose/v4/jwt"
)

// The JWT plugin (better-auth/plugins/jwt) signs tokens (GET
// {basePath}/token, and the set-auth-jwt header of get-session) with keys
// it keeps in its jwks table and serves at GET {basePath}/jwks: EdDSA
// (Ed25519) by default, ES256, RS256, PS256, ES512 by configuration; kid =
// the key row's id; claims: the user (or definePayload's result), iat, sub
// (user id), exp (15 min), iss and aud (baseURL unless configured). A
// verifier checks them against the JWKS as jose's jwtVerify with a remote
// JWK set does.

// JWKSource yields the key set, refreshing it when a kid is unknown.
type JWKSource interface {
	Keys(ctx context.Context, refresh bool) (*jose.JSONWebKeySet, error)
}

// StaticJWKS is a fixed key set.
type StaticJWKS struct{ Set jose.JSONWebKeySet }

// Keys implements JWKSource.
func (s StaticJWKS) Keys(context.Context, bool) (*jose.JSONWebKeySet, error) { return &s.Set, nil }

// ParseJWKS parses a JWKS document (the body of GET {basePath}/jwks).
func ParseJWKS(b []byte) (StaticJWKS, error) {
	var s jose.JSONWebKeySet
	if err := json.Unmarshal(b, &s); err != nil {
		return StaticJWKS{}, fmt.Errorf("betterauth: jwks: %w", err)
	}
	return StaticJWKS{s}, nil
}

// RemoteJWKS fetches a JWKS URL and caches it for TTL; an unknown kid
// triggers a refresh at most once per MinRefresh (jose's
// createRemoteJWKSet: cacheMaxAge 10 min, cooldown 30 s).
type RemoteJWKS struct {
	URL        string
	Client     *http.Client
	TTL        time.Duration
	MinRefresh time.Duration
	Clock      func() time.Time

	mu      sync.Mutex
	set     *jose.JSONWebKeySet
	fetched time.Time
}

// Keys implements JWKSource.
func (r *RemoteJWKS) Keys(ctx context.Context, refresh bool) (*jose.JSONWebKeySet, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.now()
	ttl, cool := r.TTL, r.MinRefresh
	if ttl <= 0 {
		ttl = 10 * time.Minute
	}
	if cool <= 0 {
		cool = 30 * time.Second
	}
	stale := r.set == nil || now.Sub(r.fetched) >= ttl || (refresh && now.Sub(r.fetched) >= cool)
	if !stale {
		return r.set, nil
	}
	set, err := r.fetch(ctx)
	if err != nil {
		if r.set != nil && !refresh {
			return r.set, nil // serve the last good set while the URL fails
		}
		return nil, err
	}
	r.set, r.fetched = set, now
	return set, nil
}

func (r *RemoteJWKS) now() time.Time {
	if r.Clock != nil {
		return r.Clock()
	}
	return time.Now()
}

func (r *RemoteJWKS) fetch(ctx context.Context) (*jose.JSONWebKeySet, error) {
	c := r.Client
	if c == nil {
		c = &http.Client{Timeout: 5 * time.Second}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.URL, nil)
	if err != nil {
		return nil, fmt.Errorf("betterauth: jwks request: %w", err)
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, fmt.Errorf("betterauth: jwks fetch: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("betterauth: jwks fetch: status %d", resp.StatusCode)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("betterauth: jwks fetch: %w", err)
	}
	s, err := ParseJWKS(b)
	if err != nil {
		return nil, err
	}
	return &s.Set, nil
}

// JWTVerifier verifies JWT-plugin tokens.
type JWTVerifier struct {
	Keys JWKSource
	// Issuer and Audience are required matches (the deployment's baseURL
	// unless jwt.issuer / jwt.audience are configured).
	Issuer, Audience string
	// Algorithms allowed; default EdDSA, ES256, ES512, RS256, PS256.
	Algorithms []jose.SignatureAlgorithm
	// Leeway is the clock tolerance (jose's default 0).
	Leeway time.Duration
	Clock  func() time.Time
}

// Verification errors.
var (
	ErrJWTMalformed = errors.New("betterauth: jwt is malformed")
	ErrJWTKey       = errors.New("betterauth: jwt kid matches no key")
	ErrJWTSignature = errors.New("betterauth: jwt signature does not verify")
	ErrJWTClaims    = errors.New("betterauth: jwt claims rejected")
)

var defaultJWTAlgs = []jose.SignatureAlgorithm{jose.EdDSA, jose.ES256, jose.ES512, jose.RS256, jose.PS256}

// Verify checks token and returns its claims in the token's member order.
func (v *JWTVerifier) Verify(ctx context.Context, token string) (Object, error) {
	algs := v.Algorithms
	if len(algs) == 0 {
		algs = defaultJWTAlgs
	}
	tok, err := josejwt.ParseSigned(token, algs)
	if err != nil || len(tok.Headers) != 1 {
		return nil, ErrJWTMalformed
	}
	h := tok.Headers[0]
	key, err := v.key(ctx, h)
	if err != nil {
		return nil, err
	}
	var raw json.RawMessage
	if err := tok.Claims(key, &raw); err != nil {
		return nil, ErrJWTSignature
	}
	var std josejwt.Claims
	if err := json.Unmarshal(raw, &std); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrJWTClaims, err)
	}
	now := time.Now()
	if v.Clock != nil {
		now = v.Clock()
	}
	exp := josejwt.Expected{Issuer: v.Issuer, Time: now}
	if v.Audience != "" {
		exp.AnyAudience = josejwt.Audience{v.Audience}
	}
	if err := std.ValidateWithLeeway(exp, v.Leeway); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrJWTClaims, err)
	}
	// jose (panva) treats exp == now as expired; go-jose accepts it.
	if std.Expiry != nil && !now.Add(-v.Leeway).Before(std.Expiry.Time()) {
		return nil, fmt.Errorf("%w: expired", ErrJWTClaims)
	}
	o, err := parseJSON(raw, false)
	if err != nil {
		return nil, ErrJWTMalformed
	}
	obj, ok := o.(Object)
	if !ok {
		return nil, ErrJWTMalformed
	}
	return obj, nil
}

// key finds the JWK for the header's kid (refreshing the set once when it
// is unknown), with the algorithm pinned by the key's alg.
func (v *JWTVerifier) key(ctx context.Context, h jose.Header) (any, error) {
	for _, refresh := range []bool{false, true} {
		set, err := v.Keys.Keys(ctx, refresh)
		if err != nil {
			return nil, err
		}
		for _, k := range set.Key(h.KeyID) {
			if k.Algorithm != "" && k.Algorithm != h.Algorithm {
				continue
			}
			if !slices.Contains([]string{"sig", ""}, k.Use) {
				continue
			}
			return k.Key, nil
		}
	}
	return nil, ErrJWTKey
}
