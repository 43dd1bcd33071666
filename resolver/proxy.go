package resolver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Proxy mode asks the upstream Auth.js deployment, as the seed's
// configureAuthProxyRuntime does: GET {upstream}/session with the request's
// Cookie header, redirect: "manual", and the upstream's answer is trusted.
//
// Upstream URL. Config.BaseURL may name the upstream in two ways, and the
// rule is the one Auth.js itself applies to AUTH_URL:
//   - with a path (http://10.0.0.5:3000/api/auth), the path IS the
//     upstream's base path and Config.BasePath is not appended;
//   - without one (http://10.0.0.5:3000 or …:3000/), Config.BasePath
//     (default /api/auth) is appended.
//
// Config.BasePath therefore has one meaning everywhere: the path this
// process serves (authscope serve --base-path), which equals the
// upstream's only when --url carries no path.
//
// Every failure is "no session" with a proxy Reason; nothing is retried
// (the caller decides: the seed says "consider retry logic").

// UpstreamProtocol is what proxy mode asks the upstream and how it reads
// the answer. The zero value is Auth.js's: GET {base}/session, its body
// read by ParseSessionBody, the session cookie's Set-Cookie lines kept.
// Other engines (package betterauth: GET {base}/get-session) supply their
// own and reuse everything else: deadline, body cap, no redirects, reasons.
type UpstreamProtocol struct {
	// Path is appended to the upstream's base path ("/get-session").
	Path string
	// Decode parses a 2xx body: nil Session for "no session".
	Decode func(body []byte) (*Session, error)
	// CookiePrefix selects the Set-Cookie lines passed on under
	// RefreshCookies (the session cookie's name, or a common prefix).
	CookiePrefix string
}

// UpstreamError is the detail behind ReasonUpstreamStatus: the upstream
// answered with a status other than 2xx (a redirect included, since
// redirects are never followed).
type UpstreamError struct {
	StatusCode int
	// Location is the redirect target for a 3xx, so --explain can show where
	// the upstream tried to send us. It is never followed.
	Location string
	// Body is the start of the upstream's body (at most 256 bytes).
	Body []byte
}

func (e *UpstreamError) Error() string {
	if e.Location != "" {
		return fmt.Sprintf("upstream answered %d (redirect to %s, not followed)", e.StatusCode, e.Location)
	}
	return fmt.Sprintf("upstream answered %d", e.StatusCode)
}

// upstreamErrBody bounds UpstreamError.Body.
const upstreamErrBody = 256

// sourceUpstream is Result.Source for proxy answers.
const sourceUpstream = "upstream"

type proxy struct {
	sessionURL string
	client     *http.Client
	header     http.Header // static headers, canonical keys
	timeout    time.Duration
	maxBody    int64
	cookieName string
	refresh    bool
	// codec, when secrets are configured (jwt strategy), decodes the
	// cookie locally for getToken and for the session's user id.
	codec  *Codec
	clock  Clock
	decode func([]byte) (*Session, error)
}

var _ Resolver = (*proxy)(nil)

// UpstreamSessionURL returns the URL proxy mode calls for cfg (see the rule
// above). cfg should have its defaults applied.
func UpstreamSessionURL(cfg Config) (string, error) {
	return upstreamURL(cfg, "/session")
}

func upstreamURL(cfg Config, endpoint string) (string, error) {
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("resolver: upstream URL %q: want an absolute http(s) URL", RedactURL(cfg.BaseURL))
	}
	base := strings.TrimSuffix(u.Path, "/")
	if base == "" {
		base = strings.TrimSuffix(cfg.BasePath, "/")
	}
	u.Path = base + endpoint
	u.RawPath = ""
	u.RawQuery = ""
	u.Fragment = ""
	return u.String(), nil
}

func newProxy(cfg Config, o options) (Resolver, error) {
	proto := UpstreamProtocol{Path: "/session", Decode: decodeSessionBody, CookiePrefix: cfg.SessionCookieName()}
	if o.upstream != nil {
		proto = *o.upstream
	}
	if proto.Path == "" || proto.Decode == nil {
		return nil, errors.New("resolver: upstream protocol needs a path and a decoder")
	}
	sessionURL, err := upstreamURL(cfg, proto.Path)
	if err != nil {
		return nil, err
	}
	if u, _ := url.Parse(sessionURL); u.Scheme == "http" && !isLoopbackHost(u.Hostname()) {
		// Cookies are bearer credentials: over plaintext to another host they
		// can be read on the wire. Allowed (private networks exist) but loud.
		o.logger.Warn("proxy upstream is plaintext http on a non-loopback host; session cookies travel unencrypted",
			slog.String("upstream_host", u.Host))
	}
	var codec *Codec
	if len(cfg.Secrets) > 0 && cfg.Strategy == StrategyJWT && o.upstream == nil {
		if codec, err = NewCodec(cfg); err != nil {
			return nil, err
		}
	}
	h := make(http.Header, len(cfg.Proxy.Headers))
	for k, v := range cfg.Proxy.Headers {
		h.Set(k, v)
	}
	return &proxy{
		sessionURL: sessionURL,
		client:     proxyClient(cfg.Proxy, o.client),
		header:     h,
		timeout:    cfg.Proxy.Timeout,
		maxBody:    cfg.Proxy.MaxBody,
		cookieName: proto.CookiePrefix,
		refresh:    cfg.RefreshCookies,
		codec:      codec,
		clock:      o.clock,
		decode:     proto.Decode,
	}, nil
}

// proxyClient returns the client proxy mode uses. A caller's client is
// shallow-copied so that forcing "never follow redirects" does not change
// it. The default transport ignores HTTP(S)_PROXY (only the configured
// upstream is ever contacted) and keeps enough idle connections per host for
// thousands of requests per second: Go's default of 2 idle connections per
// host would make most calls dial afresh under load. It also caps the
// connections open at once (MaxConns): calls beyond the cap wait for a
// connection rather than dial during an upstream stall.
func proxyClient(pc ProxyConfig, given *http.Client) *http.Client {
	var c http.Client
	if given != nil {
		c = *given
	} else {
		idle := pc.MaxIdleConns
		if idle <= 0 {
			idle = 512
		}
		open := pc.MaxConns
		if open <= 0 {
			open = idle
		}
		c.Transport = &http.Transport{
			Proxy:                 nil,
			DialContext:           (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			MaxIdleConns:          idle,
			MaxIdleConnsPerHost:   idle,
			MaxConnsPerHost:       open,
			IdleConnTimeout:       90 * time.Second,
			TLSHandshakeTimeout:   5 * time.Second,
			ResponseHeaderTimeout: 0, // the per-call context deadline covers it
			ForceAttemptHTTP2:     true,
		}
	}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

// Resolve implements Resolver.
func (p *proxy) Resolve(ctx context.Context, in Input) (Result, error) {
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	cctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(cctx, http.MethodGet, p.sessionURL, nil)
	if err != nil {
		return Result{}, fmt.Errorf("resolver: proxy request: %w", err)
	}
	if c := in.CookieHeader(); c != "" {
		req.Header.Set("Cookie", c)
	}
	req.Header.Set("Accept", "application/json")
	for k, v := range p.header {
		req.Header[k] = v // static headers override duplicates
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return p.fail(ctx, cctx, err), nil
	}
	// Closing without draining a long body gives up the connection, which is
	// right: draining an attacker-sized body would cost more than a dial.
	defer resp.Body.Close()

	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, upstreamErrBody))
		ue := &UpstreamError{StatusCode: resp.StatusCode, Body: b}
		if resp.StatusCode >= 300 && resp.StatusCode < 400 {
			ue.Location = resp.Header.Get("Location")
		}
		return noSession(ReasonUpstreamStatus, sourceUpstream, ue), nil
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, p.maxBody+1))
	if err != nil {
		return p.fail(ctx, cctx, fmt.Errorf("reading body: %w", err)), nil
	}
	if int64(len(body)) > p.maxBody {
		return noSession(ReasonUpstreamBody, sourceUpstream,
			fmt.Errorf("body longer than %d bytes", p.maxBody)), nil
	}
	s, err := p.decode(body)
	if err != nil {
		return noSession(ReasonUpstreamBody, sourceUpstream, err), nil
	}
	var res Result
	if s == nil {
		res = noSession(ReasonUpstreamNull, sourceUpstream, errors.New("upstream has no session"))
	} else {
		res = Result{Session: s, Reason: ReasonOK, Source: sourceUpstream}
		if p.codec != nil {
			// Auth.js's body carries no user id; the token's sub does. It
			// keys per-user cache invalidation. The upstream's answer stays
			// authoritative: a local decode failure changes nothing.
			if tok, _ := ReadSessionToken(in, p.cookieName); tok != "" {
				if c, _, err := p.codec.Decode(tok, p.clock()); err == nil {
					if sub, ok := c["sub"].(string); ok {
						s.User.ID = sub
					}
					res.NotAfter = notAfter(c)
				}
			}
		}
	}
	if p.refresh {
		res.SetCookies = p.sessionCookies(resp)
	}
	return res, nil
}

// Token is the seed's getToken in proxy mode. Auth.js's /session never
// reveals the token, so this decodes the cookie locally, which needs the
// secret; without one it returns ErrUnconfigured. No upstream call is made
// (the seed's "reduces upstream calls").
func (p *proxy) Token(in Input) (Claims, Reason, error) {
	if p.codec == nil {
		return nil, "", fmt.Errorf("%w: getToken in proxy mode decodes locally and needs the secret (AUTH_SECRET)", ErrUnconfigured)
	}
	tok, _ := ReadSessionToken(in, p.cookieName)
	if tok == "" {
		return nil, ReasonNoCookie, &NoSessionError{Reason: ReasonNoCookie}
	}
	c, reason, err := p.codec.Decode(tok, p.clock())
	if err != nil {
		return nil, reason, &NoSessionError{Reason: reason, Err: err}
	}
	return c, ReasonOK, nil
}

// fail maps a transport error to a Reason: the caller's context ending is
// ReasonCanceled, our own deadline is ReasonUpstreamTimeout, anything else
// (refused, reset, DNS, TLS) is ReasonUpstreamError.
func (p *proxy) fail(parent, call context.Context, err error) Result {
	switch {
	case parent.Err() != nil:
		return noSession(ReasonCanceled, sourceUpstream, err)
	case call.Err() != nil || isTimeout(err):
		return noSession(ReasonUpstreamTimeout, sourceUpstream,
			fmt.Errorf("no answer within %s: %w", p.timeout, err))
	default:
		return noSession(ReasonUpstreamError, sourceUpstream, err)
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// sessionCookies keeps the upstream's Set-Cookie lines for the session
// cookie and its chunks (Auth.js's prefix rule), in the upstream's order.
// CSRF and callback-url cookies belong to the client's exchange with the
// upstream's origin and are not passed on.
func (p *proxy) sessionCookies(resp *http.Response) []*http.Cookie {
	var out []*http.Cookie
	for _, c := range resp.Cookies() {
		if strings.HasPrefix(c.Name, p.cookieName) {
			out = append(out, c)
		}
	}
	return out
}

// isLoopbackHost reports whether host (no port) is loopback by name or
// address. Only literal addresses and "localhost" count: resolving names
// here would be I/O in a constructor.
func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
