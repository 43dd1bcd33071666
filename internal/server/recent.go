package server

import (
	"container/list"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/authscope/authscope/internal/recentapi"
	"github.com/authscope/authscope/resolver"
)

// Recent sessions: serve remembers the JWT session cookies it answered
// most recently, so that `authscope tui --from-serve URL` can browse the
// sessions a deployment is actually seeing (a JWT deployment has no store
// to list). The list is bounded (least recently seen dropped first), lives
// in memory only, and is served on the admin endpoint below (its wire
// format is package recentapi), behind the
// same bearer secret as invalidation: its contents are live credentials.

// DefaultRecent is serve's default bound on the recent-sessions list.
const DefaultRecent = 1000

// recentSessions is an LRU of session tokens by last request; its entries
// are the wire type, so a snapshot is the reply as is.
type recentSessions struct {
	cookieName string
	capacity   int
	now        func() time.Time

	mu      sync.Mutex
	byToken map[string]*list.Element // of *recentapi.Entry
	order   *list.List               // front: most recently seen
}

func newRecentSessions(cookieName string, capacity int, now func() time.Time) *recentSessions {
	return &recentSessions{cookieName: cookieName, capacity: capacity, now: now,
		byToken: make(map[string]*list.Element, capacity), order: list.New()}
}

// observe records a request's session token tok ("" when it carries
// none) and its resolution. Results carry no token material by design, so
// that nothing holding one can leak a credential: the session handler
// hands the token over with the Result (resolver.WithSessionObserver),
// from its one pass over the Cookie header. A token seen before costs a
// map lookup and a move to the front.
func (rs *recentSessions) observe(tok string, res resolver.Result) {
	if tok == "" {
		return
	}
	now := rs.now()
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if el, ok := rs.byToken[tok]; ok {
		e := el.Value.(*recentapi.Entry)
		e.LastSeen, e.Reason = now, res.Reason
		e.Requests++
		rs.order.MoveToFront(el)
		return
	}
	tok = strings.Clone(tok) // a substring of the request's header: keep the token only
	rs.byToken[tok] = rs.order.PushFront(&recentapi.Entry{Token: tok, FirstSeen: now, LastSeen: now, Requests: 1, Reason: res.Reason})
	if rs.order.Len() > rs.capacity {
		oldest := rs.order.Back()
		rs.order.Remove(oldest)
		delete(rs.byToken, oldest.Value.(*recentapi.Entry).Token)
	}
}

// snapshot copies the entries, most recently seen first.
func (rs *recentSessions) snapshot() []recentapi.Entry {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	out := make([]recentapi.Entry, 0, rs.order.Len())
	for el := rs.order.Front(); el != nil; el = el.Next() {
		out = append(out, *el.Value.(*recentapi.Entry))
	}
	return out
}

// recentHandler serves GET /_authscope/recent; recent is nil when serve
// does not record (a 404 that says why).
type recentHandler struct {
	secret [32]byte
	recent *recentSessions
}

func (h *recentHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !authorized(w, r, h.secret) {
		return
	}
	if h.recent == nil {
		http.Error(w, "not recording: recent sessions are kept for the jwt strategy with --recent > 0", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store") // credentials inside
	_ = json.NewEncoder(w).Encode(recentapi.Reply{CookieName: h.recent.cookieName, Capacity: h.recent.capacity, Sessions: h.recent.snapshot()})
}
