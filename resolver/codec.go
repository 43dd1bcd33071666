package resolver

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

// Pluggable session-token codecs.
//
// Auth.js lets a deployment replace jwt.encode/jwt.decode. The default
// encrypts (JWE, dir + A256CBC-HS512, keys from the secret salted with the
// cookie name: Codec); the common replacement signs instead (JWS), so that
// other backends can verify the cookie with a public key or the shared
// secret. A TokenCodec is that pair of functions. The JWT resolver reads,
// runs Hooks.JWT on the decoded claims and refreshes through whichever
// codec is configured, and minting tools encode through the same one, so
// a signing deployment is resolved, refreshed and minted for like an
// encrypting one.
//
// Config.Codec selects a built-in codec (CodecJWE, the default, or
// CodecJWS: see codec_jws.go); WithCodec plugs any implementation in.

// TokenCodec encodes and decodes session tokens. Implementations are safe
// for concurrent use.
type TokenCodec interface {
	// Decode verifies token at now and returns its claims, or nil with the
	// Reason and the detail (never token material). An expired token is
	// ReasonExpired, as Auth.js's decode rejects it.
	Decode(token string, now time.Time) (Claims, Reason, error)
	// Encode issues a token for claims at now, valid for maxAge (Auth.js's
	// jwt.encode({token, maxAge})): iat and exp are set from now.
	Encode(claims Claims, now time.Time, maxAge time.Duration) (string, error)
}

var _ TokenCodec = (*Codec)(nil)

// CodecKind names a built-in codec.
type CodecKind string

// Built-in codecs.
const (
	// CodecJWE is Auth.js's default encode/decode (Codec).
	CodecJWE CodecKind = "jwe"
	// CodecJWS signs and verifies with an algorithm allow-list (JWSCodec).
	CodecJWS CodecKind = "jws"
)

// CodecConfig selects and configures the session token codec.
type CodecConfig struct {
	// Kind is jwe (default, "") or jws.
	Kind CodecKind `json:"kind,omitempty"`
	// Algorithms is the JWS allow-list: HS256, HS384, HS512 (keyed with
	// the current secret's bytes), RS256, ES256, EdDSA. Required for jws.
	Algorithms []string `json:"algorithms,omitempty"`
	// KeyFiles are PEM files: public keys (or certificates) verify; a
	// private key also signs (refresh and mint) and verifies.
	KeyFiles []string `json:"key_files,omitempty"`
	// JWKSURL is a JWKS document of verification keys, fetched on first
	// use and refreshed every JWKSRefresh (default 5m) or when a token
	// names an unknown kid (at most once per JWKSMinRefresh, default 30s).
	JWKSURL string `json:"jwks_url,omitempty"`
	// JWKSRefresh is how long a fetched JWKS is used before refetching.
	JWKSRefresh time.Duration `json:"jwks_refresh,omitempty"`
}

// jwsAlgorithms are the algorithms the JWS codec knows.
var jwsAlgorithms = []string{"HS256", "HS384", "HS512", "RS256", "ES256", "EdDSA"}

func (cc CodecConfig) validate(c Config) []error {
	var errs []error
	switch cc.Kind {
	case "", CodecJWE:
		if len(cc.Algorithms)+len(cc.KeyFiles) > 0 || cc.JWKSURL != "" {
			errs = append(errs, errors.New("codec: algorithms, key_files and jwks_url apply to codec jws"))
		}
	case CodecJWS:
		if len(cc.Algorithms) == 0 {
			errs = append(errs, errors.New("codec jws needs its algorithm allow-list (algorithms)"))
		}
		hmac, asym := false, false
		for _, a := range cc.Algorithms {
			switch {
			case !slices.Contains(jwsAlgorithms, a):
				errs = append(errs, fmt.Errorf("codec jws: algorithm %q: want one of %v", a, jwsAlgorithms))
			case a[0] == 'H':
				hmac = true
			default:
				asym = true
			}
		}
		if hmac && len(c.Secrets) == 0 && c.Mode == ModeLocal {
			errs = append(errs, errors.New("codec jws: HS* algorithms need a secret (AUTH_SECRET)"))
		}
		if asym && len(cc.KeyFiles) == 0 && cc.JWKSURL == "" {
			errs = append(errs, errors.New("codec jws: RS256/ES256/EdDSA need key_files or jwks_url"))
		}
		if c.LegacyV4 {
			errs = append(errs, errors.New("codec jws does not combine with legacy_v4"))
		}
	default:
		errs = append(errs, fmt.Errorf("codec %q: want jwe or jws", cc.Kind))
	}
	if cc.JWKSRefresh < 0 {
		errs = append(errs, errors.New("codec: jwks_refresh must not be negative"))
	}
	return errs
}

// WithCodec makes the JWT resolver decode and refresh with c instead of
// the codec Config.Codec describes (a deployment's own jwt.encode/decode).
func WithCodec(c TokenCodec) Option { return func(o *options) { o.codec = c } }

// NewTokenCodec builds the codec cfg describes (after defaults) for the
// session cookie name SessionCookieName, as the JWT resolver and minting
// use it. For the JWE codec that is NewCodec; the JWS codec may fetch its
// JWKS lazily, on first use.
func NewTokenCodec(cfg Config, opts ...Option) (TokenCodec, error) {
	cfg = cfg.WithDefaults()
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	if o.codec != nil {
		return o.codec, nil
	}
	if errs := cfg.Codec.validate(cfg); len(errs) > 0 {
		return nil, fmt.Errorf("resolver config: %w", joinedErrors(errs))
	}
	return newCodecSet(cfg, o).forName(cfg.SessionCookieName())
}

// codecSet hands out the codec for each session cookie name: the JWE
// codec's keys depend on the name (its HKDF salt), a JWS or injected codec
// does not and is shared.
type codecSet struct {
	cfg    Config
	shared TokenCodec
	err    error
}

func newCodecSet(cfg Config, o options) *codecSet {
	s := &codecSet{cfg: cfg, shared: o.codec}
	if s.shared == nil && cfg.Codec.Kind == CodecJWS {
		s.shared, s.err = NewJWSCodec(cfg, o.client)
	}
	return s
}

func (s *codecSet) forName(name string) (TokenCodec, error) {
	if s.err != nil {
		return nil, s.err
	}
	if s.shared != nil {
		return s.shared, nil
	}
	c := s.cfg
	c.CookieName = name
	return NewCodec(c)
}
