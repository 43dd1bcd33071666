package server

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/authscope/authscope/resolver"
)

// InvalidatePath is where a server with an invalidation secret takes
// invalidation events.
const InvalidatePath = "/_authscope/invalidate"

// invalidateHandler is POST /_authscope/invalidate. The body is one event:
//
//	{"kind":"token","token":"<session token>"}      (or "token_sha256")
//	{"kind":"user","user_id":"42"}
//	{"kind":"all"}
//
// authenticated by "Authorization: Bearer <secret>". The raw token, when
// given, is hashed at once and never logged or forwarded: buses carry its
// digest. The event is applied to this instance's cache and published on
// every configured bus.
type invalidateHandler struct {
	secret     [32]byte
	cache      *resolver.Cache
	publishers []resolver.Publisher
	logger     *slog.Logger
	// blindUsers: the cached answers have no user id (proxy mode without a
	// secret), so a user event removes nothing here.
	blindUsers bool
}

// authorized checks the admin endpoints' "Authorization: Bearer <secret>"
// against the secret's digest and answers 401 when it does not match.
// Digests are compared so that neither the length nor a prefix of the
// secret leaks through timing.
func authorized(w http.ResponseWriter, r *http.Request, secret [32]byte) bool {
	auth := r.Header.Get("Authorization")
	got := sha256.Sum256([]byte(strings.TrimPrefix(auth, "Bearer ")))
	if !strings.HasPrefix(auth, "Bearer ") || subtle.ConstantTimeCompare(got[:], secret[:]) != 1 {
		w.Header().Set("WWW-Authenticate", `Bearer realm="authscope"`)
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return false
	}
	return true
}

func (h *invalidateHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !authorized(w, r, h.secret) {
		return
	}
	var req struct {
		resolver.InvalidationEvent
		Token string `json:"token"`
	}
	dec := json.NewDecoder(io.LimitReader(r.Body, 16<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		http.Error(w, "bad event: "+err.Error(), http.StatusBadRequest)
		return
	}
	ev := req.InvalidationEvent
	if ev.Kind == resolver.InvalidateKindToken && req.Token != "" {
		ev.TokenDigest = resolver.TokenDigest(req.Token)
	}
	ev.Origin = ""
	b, _ := json.Marshal(ev)
	ev, err := resolver.ParseInvalidationEvent(b) // validates, normalises the digest
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var removed uint64
	if h.cache != nil {
		before := h.cache.Stats().Invalidated
		_ = ev.Apply(h.cache)
		// Concurrent invalidations may add to the difference; it is a
		// report, not an exact count.
		removed = h.cache.Stats().Invalidated - before
	}
	published := 0
	for _, p := range h.publishers {
		if err := p.Publish(r.Context(), ev); err != nil {
			h.logger.Warn("publishing invalidation failed", slog.String("error", err.Error()))
			continue
		}
		published++
	}
	h.logger.Info("invalidation", slog.String("kind", string(ev.Kind)), slog.Int("published", published))
	w.Header().Set("Content-Type", "application/json")
	note := ""
	if ev.Kind == resolver.InvalidateKindUser && h.blindUsers && h.cache != nil {
		note = `,"note":"proxy answers cached without a secret carry no user id: invalidate by token or all"`
	}
	fmt.Fprintf(w, `{"ok":true,"applied":%t,"removed":%d,"published":%d%s}`+"\n", h.cache != nil, removed, published, note)
}
