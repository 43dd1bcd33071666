package resolver

import "fmt"

// Reason classifies why a resolution produced no session. It is a stable
// snake_case string, used as a metrics label, in JSON reports and in
// `resolve --explain`.
type Reason string

// Reasons. ReasonOK means a session was found.
const (
	ReasonOK Reason = "session"

	// Cookie level.
	ReasonNoCookie  Reason = "no_cookie" // no (non-empty) session cookie
	ReasonMalformed Reason = "malformed" // not a compact JWE, bad base64/JSON/header
	ReasonAlgorithm Reason = "algorithm" // alg/enc outside the allow-list, crit, bad zip
	ReasonWrongKey  Reason = "wrong_key" // kid matches no configured secret
	ReasonDecrypt   Reason = "decrypt"   // authentication tag / decryption failed
	ReasonClaims    Reason = "claims"    // payload not an object, bad exp/nbf/iat types, header/claim mismatch
	ReasonExpired   Reason = "expired"   // exp (JWT, with tolerance) or session expiry (database) passed
	ReasonNotYet    Reason = "not_yet"   // nbf in the future beyond tolerance
	ReasonCallback  Reason = "callback"  // a jwt/session hook returned no session

	// Database strategy.
	ReasonUnknownSession Reason = "unknown_session" // token not in the store
	ReasonUserMissing    Reason = "user_missing"    // session row whose user is gone
	ReasonStoreError     Reason = "store_error"     // the store failed or timed out

	// Proxy mode.
	ReasonUpstreamStatus  Reason = "upstream_status"  // non-2xx (incl. redirects)
	ReasonUpstreamBody    Reason = "upstream_body"    // invalid JSON, too long, wrong shape
	ReasonUpstreamTimeout Reason = "upstream_timeout" // per-call deadline exceeded
	ReasonUpstreamError   Reason = "upstream_error"   // network error
	ReasonUpstreamNull    Reason = "upstream_null"    // upstream answered null or {} (no session)

	// ReasonCanceled: the caller's context ended first.
	ReasonCanceled Reason = "canceled"
)

// NoSessionError wraps the detail behind a Reason. errors.Is(err,
// ErrNoSession) holds for every NoSessionError.
type NoSessionError struct {
	Reason Reason
	Err    error
}

// ErrNoSession matches every NoSessionError with errors.Is.
var ErrNoSession = &NoSessionError{}

func (e *NoSessionError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("resolver: no session (%s)", e.Reason)
	}
	return fmt.Sprintf("resolver: no session (%s): %v", e.Reason, e.Err)
}

// Unwrap returns the underlying error.
func (e *NoSessionError) Unwrap() error { return e.Err }

// Is makes every NoSessionError match ErrNoSession, and two with the same
// Reason match each other.
func (e *NoSessionError) Is(target error) bool {
	t, ok := target.(*NoSessionError)
	if !ok {
		return false
	}
	return t == ErrNoSession || t.Reason == e.Reason
}

// noSession builds the Result for a failed resolution.
func noSession(reason Reason, source string, err error) Result {
	return Result{Reason: reason, Source: source, Err: &NoSessionError{Reason: reason, Err: err}}
}
