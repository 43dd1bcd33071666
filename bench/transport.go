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
type inprocTransport struct {
	target Target
	runCtx context.Context
}

// RoundTrip implements http.RoundTripper.
func (t inprocTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx, done := joinContext(req.Context(), t.runCtx)
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

// guardTransport sends real HTTP, but only to allowed hosts (redirects and
// all). In-flight requests end when the run is cancelled through the
// connections (runConns), not through a context per request: joining the
// run's context to each request's cost a cancel context, an AfterFunc
// registered on the run's (one mutex shared by every worker), a Request
// copy and a body wrapper per request, about a fifth of the generator's
// time per request at its ceiling.
type guardTransport struct {
	next   http.RoundTripper
	cfg    Config
	runCtx context.Context
	// okHost is the scenario URL's host, checked once by Run: the common
	// case skips the allow-list lookup.
	okHost string
}

// RoundTrip implements http.RoundTripper.
func (t guardTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if h := req.URL.Hostname(); (h != t.okHost || h == "") && !t.cfg.HostAllowed(h) {
		return nil, fmt.Errorf("%w: %q", ErrHostNotAllowed, req.URL.Hostname())
	}
	resp, err := t.next.RoundTrip(req)
	if err != nil && t.runCtx != nil && t.runCtx.Err() != nil {
		// Cut by the run's cancellation (its connections were closed):
		// say so, so the request is counted as cancelled, not failed.
		return nil, fmt.Errorf("%w: %v", t.runCtx.Err(), err)
	}
	return resp, err
}

// runConns are the connections of one scenario's transport, so that a
// cancelled run can end every request in flight at once by closing them;
// once cut, it dials nothing more. Connections are kept alive, so the set
// changes at dial and close, not per request.
type runConns struct {
	mu    sync.Mutex
	conns map[*runConn]struct{}
	cut   bool
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

func newRunConns() *runConns { return &runConns{conns: map[*runConn]struct{}{}} }

// dialer wraps dial so that every connection is tracked.
func (rc *runConns) dialer(dial func(context.Context, string, string) (net.Conn, error)) func(context.Context, string, string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
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
// flight fail at once (guardTransport reports them as cancelled).
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

// joinContext returns a context ended by either parent; done releases it.
func joinContext(req, run context.Context) (context.Context, func()) {
	if run == nil || run.Done() == nil {
		return req, func() {}
	}
	ctx, cancel := context.WithCancel(req)
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
