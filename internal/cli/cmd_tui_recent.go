package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/authscope/authscope/internal/recentapi"
	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/tui"
	"github.com/authscope/authscope/tui/backend"
)

// jwtSource is where the TUI's jwt strategy list comes from on a real
// deployment: a cookies file, or the cookies a running `serve` answered
// recently (its /_authscope/recent endpoint).
type jwtSource struct {
	cookies   string
	fromServe string // serve's base URL
	secretEnv string // variable holding serve's admin (invalidation) secret
}

func (j *jwtSource) register(fs interface {
	StringVar(p *string, name, value, usage string)
}) {
	fs.StringVar(&j.cookies, "cookies", "", "file of JWT session cookies to browse (one Cookie header or token per line)")
	fs.StringVar(&j.fromServe, "from-serve", "", "browse the JWT cookies a running authscope serve at this `URL` answered recently")
	fs.StringVar(&j.secretEnv, "from-serve-secret-env", defaultInvalidateEnv, "environment `variable` holding that serve's admin secret (its --invalidate-secret-env)")
}

// recentFetchEvery bounds how often browsing asks serve again: the list
// refreshes every few seconds, and one request per refresh is plenty.
const recentFetchEvery = 2 * time.Second

// serveSource lists what serve saw recently. Each fetch becomes an
// in-memory source (sorting, filtering and windows as for a cookies
// file); JWT cookies are stateless, so nothing here revokes.
type serveSource struct {
	endpoint string
	secret   string
	client   *http.Client
	codec    *resolver.Codec
	now      func() time.Time

	mu      sync.Mutex
	fetched time.Time
	mem     *backend.MemorySource
}

// newServeSource checks the URL and the secret; nothing is fetched yet.
func newServeSource(base, secretEnv string, getenv func(string) string, cfg resolver.Config, now func() time.Time) (*serveSource, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, usagef("--from-serve %q: want serve's base URL, http(s)://host:port", resolver.RedactURL(base))
	}
	if u.User != nil {
		return nil, usagef("--from-serve: credentials in the URL are refused; the secret comes from --from-serve-secret-env")
	}
	// The reply holds live session tokens: only TLS or loopback carries it.
	if u.Scheme == "http" {
		if ip := net.ParseIP(strings.Trim(u.Hostname(), "[]")); u.Hostname() != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return nil, usagef("--from-serve %s: plain http only to a loopback address (the reply carries session tokens); use https", resolver.RedactURL(base))
		}
	}
	secret := getenv(secretEnv)
	if secret == "" {
		return nil, usagef("--from-serve needs serve's admin secret in %s (see --from-serve-secret-env)", secretEnv)
	}
	codec, err := resolver.NewCodec(cfg)
	if err != nil {
		return nil, usagef("--from-serve needs the profile's secrets to decode the cookies: %v", err)
	}
	u.Path = strings.TrimSuffix(u.Path, "/") + recentapi.Path
	u.RawQuery, u.Fragment = "", ""
	return &serveSource{endpoint: u.String(), secret: secret, client: &http.Client{Timeout: 5 * time.Second}, codec: codec, now: now}, nil
}

// List implements tui.SessionSource.
func (s *serveSource) List(ctx context.Context, q tui.ListQuery) (tui.SessionPage, error) {
	mem, err := s.current(ctx)
	if err != nil {
		return tui.SessionPage{}, err
	}
	return mem.List(ctx, q)
}

// Sorts implements tui.Sorter, as the in-memory source does.
func (s *serveSource) Sorts(st resolver.Strategy) []tui.SortKey {
	return backend.NewMemorySource(nil, false).Sorts(st)
}

// Revoke implements tui.SessionSource: a JWT cannot be revoked.
func (s *serveSource) Revoke(context.Context, tui.SessionRow) error {
	return fmt.Errorf("%w: a JWT session lives in its cookie; rotate the secret to end them all", tui.ErrNotSupported)
}

// RevokeUser implements tui.SessionSource, like Revoke.
func (s *serveSource) RevokeUser(ctx context.Context, row tui.SessionRow) (int, error) {
	return 0, s.Revoke(ctx, row)
}

// current returns the last fetch, fetching again when it is stale. A failed
// fetch is reported, never papered over with the old list.
func (s *serveSource) current(ctx context.Context) (*backend.MemorySource, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if s.mem != nil && now.Sub(s.fetched) < recentFetchEvery {
		return s.mem, nil
	}
	reply, err := s.fetch(ctx)
	if err != nil {
		return nil, err
	}
	rows := make([]tui.SessionRow, 0, len(reply.Sessions))
	for _, e := range reply.Sessions {
		rows = append(rows, jwtRow(s.codec, "serve-"+resolver.TokenDigest(e.Token)[:16], e.Token, now))
	}
	s.mem, s.fetched = backend.NewMemorySource(rows, false), now
	return s.mem, nil
}

func (s *serveSource) fetch(ctx context.Context) (recentapi.Reply, error) {
	var reply recentapi.Reply
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.endpoint, nil)
	if err != nil {
		return reply, err
	}
	req.Header.Set("Authorization", "Bearer "+s.secret)
	resp, err := s.client.Do(req)
	if err != nil {
		return reply, fmt.Errorf("serve's recent sessions: %s", oneLineNetError(err))
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusUnauthorized:
		return reply, fmt.Errorf("serve's recent sessions: 401: the admin secret does not match serve's")
	case http.StatusNotFound, http.StatusMethodNotAllowed, http.StatusBadRequest: // 400: Auth.js's answer to an unknown action
		return reply, fmt.Errorf("serve's recent sessions: %d: that serve does not record them (jwt strategy, an admin secret and --recent > 0 are needed)", resp.StatusCode)
	default:
		return reply, fmt.Errorf("serve's recent sessions: HTTP %d", resp.StatusCode)
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 64<<20)).Decode(&reply); err != nil {
		return reply, fmt.Errorf("serve's recent sessions: bad reply: %v", err)
	}
	return reply, nil
}

// oneLineNetError keeps a transport error on one line without the URL's
// query (the endpoint has none, but errors from proxies may echo more).
func oneLineNetError(err error) string {
	if ue, ok := err.(*url.Error); ok {
		err = ue.Err
	}
	return strings.ReplaceAll(err.Error(), "\n", " ")
}
