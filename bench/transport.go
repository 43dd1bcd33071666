package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// Response headers that carry an Outcome. The in-process transport sets
// them on its synthetic responses; an HTTP endpoint (serve) may set them
// too, and otherwise the body is classified (see classify).
const (
	HeaderReason   = "Authscope-Reason"
	HeaderCache    = "Authscope-Cache"    // "hit" or "miss"
	HeaderUpstream = "Authscope-Upstream" // number of upstream calls, "0" or "1"
)

// inprocTransport is the http.RoundTripper that lets vegeta drive an
// in-process Target: it passes the request's Cookie header to Target.Do and
// answers a synthetic 200 (500 when Do fails) with the Outcome in headers
// and an empty body. vegeta's pacer, workers and Result timing apply
// unchanged, so in-process and HTTP scenarios are measured the same way.
//
// It is given to vegeta through vegeta.Client, never combined with the
// options that type-assert *http.Transport (Connections, MaxConnections,
// HTTP2, KeepAlive, LocalAddr, Proxy, TLSConfig, SessionTickets): those
// would panic.
//
// It enforces the run's timeout itself (the Client has none): net/http
// enforces a Client.Timeout on any transport but its own with a timer,
// two channels and a goroutine per request, where a deadline on the
// context Target.Do gets is all an in-process call needs.
type inprocTransport struct {
	target  Target
	runCtx  context.Context
	timeout time.Duration // 0: none
}

// RoundTrip implements http.RoundTripper.
func (t inprocTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx, done := joinContext(req.Context(), t.runCtx, t.timeout)
	defer done()
	out, err := t.target.Do(ctx, req.Header.Get("Cookie"))
	code := http.StatusOK
	if err != nil {
		code = http.StatusInternalServerError
		if out.Reason == "" {
			out.Reason = errorReason(err)
		}
	}
	h := make(http.Header, 3)
	if out.Reason != "" {
		h[HeaderReason] = []string{out.Reason}
	}
	if out.CacheHit {
		h[HeaderCache] = []string{"hit"}
	}
	if out.Upstream {
		h[HeaderUpstream] = []string{"1"}
	}
	return &http.Response{
		Status:     strconv.Itoa(code) + " " + http.StatusText(code),
		StatusCode: code,
		Proto:      "HTTP/1.1",
		ProtoMajor: 1,
		ProtoMinor: 1,
		Header:     h,
		Body:       http.NoBody,
		Request:    req,
	}, nil
}

// runConns are the connections of one scenario's transport, so that a
// cancelled run can end every request in flight at once by closing them;
// once cut, it dials nothing more. Connections are kept alive, so the set
// changes at dial and close, not per request.
//
// It is also where HTTP scenarios are held to the allowed hosts: a request
// reaches a host only through a connection dialled to it (no proxy), so
// refusing the dial refuses every request to a host not allowed, redirects
// included, at no cost per request. A RoundTripper wrapping the transport
// would cost more than its check: net/http gives a Client.Timeout the
// cheap per-request deadline (a context) only when the client's transport
// is an *http.Transport, and otherwise a timer, two channels and a
// goroutine per request.
type runConns struct {
	mu    sync.Mutex
	conns map[*runConn]struct{}
	cut   bool
	// allow says whether a host (no port) may be dialled.
	allow func(host string) bool
}

type runConn struct {
	net.Conn
	rc   *runConns
	once sync.Once
}

func (c *runConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() {
		c.rc.mu.Lock()
		delete(c.rc.conns, c)
		c.rc.mu.Unlock()
	})
	return err
}

func newRunConns(allow func(host string) bool) *runConns {
	return &runConns{conns: map[*runConn]struct{}{}, allow: allow}
}

// dialer wraps dial so that every connection is to an allowed host and
// tracked.
func (rc *runConns) dialer(dial func(context.Context, string, string) (net.Conn, error)) func(context.Context, string, string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		if host, _, err := net.SplitHostPort(addr); err != nil || !rc.allow(host) {
			return nil, fmt.Errorf("%w: %q", ErrHostNotAllowed, addr)
		}
		if rc.isCut() {
			return nil, context.Canceled
		}
		c, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		rc.mu.Lock()
		defer rc.mu.Unlock()
		if rc.cut {
			c.Close()
			return nil, context.Canceled
		}
		tc := &runConn{Conn: c, rc: rc}
		rc.conns[tc] = struct{}{}
		return tc, nil
	}
}

func (rc *runConns) isCut() bool {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.cut
}

// cutAll closes every connection and refuses new ones: the requests in
// flight fail at once (the run loop counts them as cancelled).
func (rc *runConns) cutAll() {
	rc.mu.Lock()
	rc.cut = true
	conns := make([]*runConn, 0, len(rc.conns))
	for c := range rc.conns {
		conns = append(conns, c)
	}
	rc.mu.Unlock()
	for _, c := range conns {
		c.Conn.Close() // the wrapper's Close would take mu per connection
	}
}

// newHTTPTransport is the transport of HTTP scenarios: keep-alive pool
// sized for thousands of requests per second, never a proxy from the
// environment (it would send traffic to a host the run does not name).
func newHTTPTransport(rc *runConns) *http.Transport {
	d := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}
	return &http.Transport{
		Proxy:               nil,
		DialContext:         rc.dialer(d.DialContext),
		MaxIdleConns:        vegeta.DefaultConnections,
		MaxIdleConnsPerHost: vegeta.DefaultConnections,
		IdleConnTimeout:     30 * time.Second,
	}
}

// joinContext returns a context ended by either parent or, when timeout
// is positive, after timeout; done releases it.
func joinContext(req, run context.Context, timeout time.Duration) (context.Context, func()) {
	ctx, cancel := req, context.CancelFunc(func() {})
	if timeout > 0 {
		ctx, cancel = context.WithTimeout(req, timeout)
	}
	if run == nil || run.Done() == nil {
		return ctx, cancel
	}
	if timeout <= 0 {
		ctx, cancel = context.WithCancel(req)
	}
	stop := context.AfterFunc(run, cancel)
	return ctx, func() { stop(); cancel() }
}

// errorReason classifies a Target error that carries no reason.
func errorReason(err error) string {
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "canceled"
	}
	return "error"
}

// outcome is what the recorder reads off a vegeta Result.
type outcome struct {
	reason   string
	ok       bool
	cacheHit bool
	upstream bool
}

// classify reads a Result's outcome: the Authscope-* headers when present
// (always in-process), otherwise the status and body of an Auth.js-style
// /session answer (JSON object: session; null or {}: no session).
func classify(r *vegeta.Result) outcome {
	o := outcome{ok: r.Error == ""}
	if v := r.Headers.Get(HeaderReason); v != "" {
		o.reason = v
	}
	o.cacheHit = r.Headers.Get(HeaderCache) == "hit"
	if v := r.Headers.Get(HeaderUpstream); v != "" && v != "0" {
		o.upstream = true
	}
	if o.reason != "" {
		return o
	}
	switch {
	case r.Code == 0:
		o.reason = transportReason(r.Error)
	case r.Code >= 400 || r.Code < 200:
		o.reason = "http_" + strconv.Itoa(int(r.Code))
	default:
		b := bytes.TrimSpace(r.Body)
		switch {
		case len(b) == 0 || string(b) == "null" || string(b) == "{}":
			o.reason = "no_session"
		case b[0] == '{':
			o.reason = "session"
		default:
			o.reason = "http_" + strconv.Itoa(int(r.Code))
		}
	}
	return o
}

func transportReason(msg string) string {
	switch {
	case strings.Contains(msg, "Client.Timeout") || strings.Contains(msg, "deadline exceeded"):
		return "timeout"
	case strings.Contains(msg, "context canceled"):
		return "canceled"
	case strings.Contains(msg, "connection refused"):
		return "connect_refused"
	case strings.Contains(msg, ErrHostNotAllowed.Error()):
		return "host_not_allowed"
	}
	return "transport_error"
}
