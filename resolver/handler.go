package resolver

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Handler serves Auth.js's GET {basePath}/session from any Resolver, with
// the status, headers, Set-Cookie lines and body that @auth/core's Auth()
// produces (AUTHJS.md §1, §5, §6):
//
//   - only GET and POST; anything else, or a path that is not
//     {basePath}/session (trailing slash and query tolerated, as Auth.js's
//     action parser does), is 400 with the JSON string "Bad request.".
//     Auth.js's other actions (signin, csrf, …) are not served: they answer
//     400 here, since authscope resolves sessions and never signs anyone in;
//   - the CSRF cookie (`<token>|sha256hex(token+secret)`) is issued first
//     when the request lacks a valid one, then the callback-url cookie when
//     the request's does not already equal what the default redirect
//     callback makes of it, then the resolver's Result.SetCookies;
//   - POST needs the CSRF token in the body (JSON or form) matching a valid
//     CSRF cookie, else 400 with body null; a verified POST is answered like
//     a GET without the cache headers, as Auth.js's update path does;
//   - Resolve returning an error (an unconfigured resolver) is Auth.js's
//     configuration error: 500 {"message": "There was a problem …"}.
//
// With Config.LegacyV4 it answers as next-auth v4's handler does instead:
// "{}" rather than "null" without a session (AUTHJS.md §4), and the
// next-auth.csrf-token / next-auth.callback-url cookie names (__Host- and
// __Secure- on https), so a v4 client keeps its own CSRF cookie.
//
// The CSRF secret is Auth.js's options.secret as a string: the rotation list
// joined with ",". Without secrets (proxy mode with none configured) a
// random per-process secret is drawn, so issued CSRF cookies are valid
// only for this process; nothing here reads them for anything but POST.
//
// The request origin (for the callback-url cookie) is scheme://Host, the
// scheme being https when the connection is TLS or, with TrustForwarded,
// when X-Forwarded-Proto says so (Express's trust proxy).
//
// A Handler is safe for concurrent use.
type Handler struct {
	r              Resolver
	basePath       string
	secure         bool
	csrfName       string
	callbackName   string
	csrfAttrs      cookieAttrs // cookies.csrfToken.options over Auth.js's defaults
	callbackAttrs  cookieAttrs // cookies.callbackUrl.options
	csrfSecret     string
	trustForwarded bool
	legacyV4       bool
	logger         *slog.Logger
	observe        func(*http.Request, Result, time.Duration)
	// observeToken and tokenName: WithSessionObserver's.
	observeToken func(*http.Request, string, Result, time.Duration)
	tokenName    string
	now          Clock
	origins      originMemo
	csrfSeen     *csrfMemo
	views        *JWTResolver // r, when it is one: it hands over session views (session_view.go)
	// usualPath is {basePath}/session when its escaped form is itself:
	// a request for exactly it needs neither escaping nor splitting
	// (sessionPath); "" otherwise.
	usualPath string
}

// HandlerOption configures NewHandler.
type HandlerOption func(*Handler)

// WithTrustForwarded makes X-Forwarded-Proto decide the request's scheme.
func WithTrustForwarded(on bool) HandlerOption { return func(h *Handler) { h.trustForwarded = on } }

// WithHandlerLogger sets the logger (default: discard). Tokens and
// sessions are never logged.
func WithHandlerLogger(l *slog.Logger) HandlerOption { return func(h *Handler) { h.logger = l } }

// WithObserver is called after every resolution (for metrics) with the
// result and the time Resolve took. It must not modify the result.
func WithObserver(f func(*http.Request, Result, time.Duration)) HandlerOption {
	return func(h *Handler) { h.observe = f }
}

// WithSessionObserver is WithObserver for an observer that also wants
// the request's session token under cookieName: SessionToken's answer for
// the request, found in the Handler's one pass over the Cookie header
// rather than in another (serve's recent-sessions list). The token is a
// live credential. It is called after WithObserver's observer, if any.
func WithSessionObserver(cookieName string, f func(r *http.Request, token string, res Result, d time.Duration)) HandlerOption {
	return func(h *Handler) { h.observeToken, h.tokenName = f, cookieName }
}

// WithHandlerClock sets the clock used to time resolutions.
func WithHandlerClock(c Clock) HandlerOption { return func(h *Handler) { h.now = c } }

// NewHandler returns a Handler for r. cfg supplies the base path, the
// secrets (CSRF hash) and the cookie scheme (https base URL → __Host- CSRF
// and __Secure- callback-url cookies with Secure), as r was built from it.
func NewHandler(r Resolver, cfg Config, opts ...HandlerOption) *Handler {
	cfg = cfg.WithDefaults()
	h := &Handler{
		r:            r,
		basePath:     cfg.BasePath,
		secure:       cfg.SecureCookies(),
		csrfName:     "authjs.csrf-token",
		callbackName: "authjs.callback-url",
		csrfSecret:   strings.Join(cfg.Secrets, ","),
		legacyV4:     cfg.LegacyV4,
		logger:       slog.New(slog.DiscardHandler),
		now:          time.Now,
		csrfSeen:     newCSRFMemo(),
	}
	if h.legacyV4 {
		h.csrfName, h.callbackName = "next-auth.csrf-token", "next-auth.callback-url"
	}
	if h.secure {
		h.csrfName, h.callbackName = "__Host-"+h.csrfName, "__Secure-"+h.callbackName
	}
	h.csrfAttrs, h.callbackAttrs = sessionCookieAttrs(cfg.Cookies.CSRFToken), sessionCookieAttrs(cfg.Cookies.CallbackURL)
	if n := cfg.Cookies.CSRFToken.Name; n != "" {
		h.csrfName = n
	}
	if n := cfg.Cookies.CallbackURL.Name; n != "" {
		h.callbackName = n
	}
	if len(cfg.Secrets) == 0 {
		h.csrfSecret = randomHex(32)
	}
	for _, o := range opts {
		o(h)
	}
	h.views, _ = r.(*JWTResolver)
	if p := strings.TrimSuffix(h.basePath, "/") + "/session"; (&url.URL{Path: p}).EscapedPath() == p && h.isSessionPath(p) {
		h.usualPath = p
	}
	return h
}

const configErrorBody = `{"message":"There was a problem with the server configuration. Check the server logs for more information."}`

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if (r.Method != http.MethodGet && r.Method != http.MethodPost) || !h.sessionPath(r.URL) {
		writeJSON(w, http.StatusBadRequest, `"Bad request."`)
		return
	}
	in := FromRequest(r) // the cookie, and the scheme for the cookie name
	isPost := r.Method == http.MethodPost
	var form map[string]string
	if isPost {
		form = readPostBody(r)
	}

	var sets []string
	var cookies cookieScan
	h.scanCookies(&cookies, in)
	var csrfBuf cookieBuf
	csrfTok, csrfOK := h.validCSRF(cookies.csrf, cookies.hasCSRF, &csrfBuf, isPost)
	if !csrfOK {
		tok := randomHex(32)
		sets = append(sets, FormatSetCookie(h.authCookie(h.csrfName, tok+"|"+sha256Hex(tok+h.csrfSecret), h.csrfAttrs)))
	}
	if isPost && (!csrfOK || form["csrfToken"] != csrfTok) {
		writeJSON(w, http.StatusBadRequest, "null")
		return
	}
	var param string
	if isPost {
		param = form["callbackUrl"]
	} else if r.URL.RawQuery != "" { // no map for the usual query-less GET
		param = r.URL.Query().Get("callbackUrl")
	}
	if cb, ok := h.callback(h.origin(r), param, cookies.callback, cookies.hasCallback); !ok {
		sets = append(sets, FormatSetCookie(h.authCookie(h.callbackName, cb, h.callbackAttrs)))
	}

	start := h.now()
	res, parts, err := h.resolve(r.Context(), in, &cookies)
	if h.observe != nil || h.observeToken != nil {
		h.observeResolution(r, in.cookie, &cookies, res, h.now().Sub(start))
	}
	if err != nil {
		level := slog.LevelError
		if r.Context().Err() != nil {
			level = slog.LevelDebug // the client went away first
		}
		h.logger.Log(r.Context(), level, "session resolver failed", slog.String("error", err.Error()))
		writeJSON(w, http.StatusInternalServerError, configErrorBody)
		return
	}
	switch {
	case parts.setCookies == nil:
		for _, c := range res.SetCookies {
			sets = append(sets, formatSetCookie(c, false))
		}
	case sets == nil:
		sets = parts.setCookies // made for this answer alone
	default:
		sets = append(sets, parts.setCookies...)
	}
	bp := bodyPool.Get().(*[]byte)
	var body []byte
	var clen []string
	if view := parts.view; view != nil && res.Session != nil {
		body = view.appendBody((*bp)[:0], res.Session.Expires)
		clen = view.contentLength(len(body))
	} else {
		body = appendSessionBody((*bp)[:0], res.Session, h.legacyV4)
	}
	writeSessionHeaders(w.Header(), !isPost, sets, len(body), clen)
	w.WriteHeader(http.StatusOK)
	w.Write(body)
	// An io.Writer does not keep body, so the buffer can go back; an
	// outsized session's is left to the GC.
	if cap(body) <= maxPooledBody {
		*bp = body
		bodyPool.Put(bp)
	}
}

// observeResolution calls the observers; cookies is the pass over header.
func (h *Handler) observeResolution(r *http.Request, header string, cookies *cookieScan, res Result, d time.Duration) {
	if h.observe != nil {
		h.observe(r, res, d)
	}
	if h.observeToken != nil {
		var scratch [4]cookiePair
		tok, _ := readSessionToken(header, cookies, h.tokenName, scratch[:0])
		h.observeToken(r, tok, res, d)
	}
}

// scanCookies reads in's Cookie header once (cookie_scan.go) for the
// CSRF and callback-url cookies, the session cookie names h.r will read
// for in when it is a JWT resolver, and the session observer's.
func (h *Handler) scanCookies(s *cookieScan, in Input) {
	s.csrfName, s.callbackName = h.csrfName, h.callbackName
	if h.views != nil {
		for _, n := range h.views.candidates(in) {
			s.wantSession(n.name)
		}
	}
	if h.observeToken != nil {
		s.wantSession(h.tokenName)
	}
	s.scan(in.cookie)
}

// resolve is h.r.Resolve, through resolveView, reading the session cookie
// from cookies, when h.r is a JWT resolver.
func (h *Handler) resolve(ctx context.Context, in Input, cookies *cookieScan) (Result, sessionParts, error) {
	if h.views != nil {
		return h.views.resolveView(ctx, in, cookies)
	}
	res, err := h.r.Resolve(ctx, in)
	return res, sessionParts{}, err
}

// sessionPath is isSessionPath(u.EscapedPath()): for the usual path,
// whose escaped form is itself (checked once, in NewHandler), without
// escaping or splitting it again.
func (h *Handler) sessionPath(u *url.URL) bool {
	if u.RawPath == "" && u.Path == h.usualPath && h.usualPath != "" {
		return true // EscapedPath is escape(Path) when RawPath is empty
	}
	return h.isSessionPath(u.EscapedPath())
}

// isSessionPath applies Auth.js's parseActionAndProviderId to the escaped
// path: ^basePath(.+), one leading "/" dropped, split on "/", empty parts
// dropped, and the single remaining part must be "session".
func (h *Handler) isSessionPath(p string) bool {
	rest, ok := strings.CutPrefix(p, h.basePath)
	if !ok || rest == "" {
		return false
	}
	rest = strings.TrimPrefix(rest, "/")
	parts := 0
	for s := range strings.SplitSeq(rest, "/") {
		if s == "" {
			continue
		}
		if parts++; parts > 1 || s != "session" {
			return false
		}
	}
	return parts == 1
}

// validCSRF reports whether the request's CSRF cookie (raw, as sent; ok
// when present) is valid and, when wantTok (a POST, which must echo it),
// returns its token; it may alias buf. The memo holds cookie values as
// sent, before the URI decoding: the decoded value is a function of them,
// so a GET with a value seen valid before decodes and hashes nothing.
func (h *Handler) validCSRF(raw string, ok bool, buf *cookieBuf, wantTok bool) (string, bool) {
	if !ok || raw == "" { // decoding never empties a value
		return "", false
	}
	seen := h.csrfSeen.has(raw)
	if seen && !wantTok {
		return "", true
	}
	// value.split("|"): the token is part 0, the hash part 1.
	tok, rest, ok := strings.Cut(uriDecodeInto(raw, buf), "|")
	if !ok {
		return "", false
	}
	if seen {
		return tok, true
	}
	sum, _, _ := strings.Cut(rest, "|")
	if !sha256HexEqual(tok, h.csrfSecret, sum) {
		return "", false
	}
	h.csrfSeen.add(raw)
	return tok, true
}

// callback is the callback-url cookie's check: the value Auth.js's
// default redirect callback makes of param (the callbackUrl parameter) or
// else of the request's callback-url cookie (raw, as sent; hasCB when
// present), and whether the cookie holds
// it already (ok: nothing to set, and cb is ""). A browser sends the
// cookie it was given, unchanged, so the origin remembers the last raw
// value it was found to hold (originEntry.keptCallback) and such a
// request decodes and parses nothing.
func (h *Handler) callback(o *originEntry, param, raw string, hasCB bool) (string, bool) {
	if param == "" && hasCB {
		if k := o.keptCallback.Load(); k != nil && *k == raw {
			return "", true // only values whose decoding is its own redirect are kept
		}
	}
	var buf cookieBuf
	var cbCookie string
	if hasCB {
		cbCookie = uriDecodeInto(raw, &buf)
	}
	cb := o.origin // not the result itself: buf must not escape through it
	if param != "" {
		cb = defaultRedirect(param, o.origin)
	} else if hasCB && cbCookie != "" {
		cb = defaultRedirect(cbCookie, o.origin)
	}
	if hasCB && cb == cbCookie {
		if param == "" && cb != "" {
			k := strings.Clone(raw) // raw is a slice of the request's Cookie header
			o.keptCallback.Store(&k)
		}
		return "", true
	}
	return strings.Clone(cb), false // cb may alias buf
}

func (h *Handler) origin(r *http.Request) *originEntry {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if h.trustForwarded {
		if p := r.Header.Get("X-Forwarded-Proto"); p != "" {
			scheme = strings.ToLower(strings.TrimSpace(strings.Split(p, ",")[0]))
		}
	}
	return h.origins.get(scheme, r.Host)
}

// defaultRedirect is Auth.js's default callbacks.redirect: a relative URL is
// made absolute on the origin, an absolute one is kept only on the origin.
// An unparsable URL falls back to the origin (Auth.js would throw and
// answer with an error redirect; we do not reproduce that failure).
func defaultRedirect(u, origin string) string {
	if u == origin {
		return u // origin is jsOrigin's output, and jsOrigin keeps its own output
	}
	if strings.HasPrefix(u, "/") {
		return origin + u
	}
	if jsOrigin(strings.Clone(u)) == origin { // url.Parse keeps u; u may alias a cookieBuf
		return u
	}
	return origin
}

// jsOrigin is WHATWG URL's origin for http(s) URLs: lower-case scheme and
// host, default port dropped. Anything else has the opaque origin "null".
func jsOrigin(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "null"
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return "null"
	}
	host, port := strings.ToLower(u.Hostname()), u.Port()
	if (scheme == "http" && port == "80") || (scheme == "https" && port == "443") {
		port = ""
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port != "" {
		host += ":" + port
	}
	return scheme + "://" + host
}

// readPostBody reads csrfToken and callbackUrl from a JSON or form body
// (at most 64 KiB), as Auth.js's getBody does.
func readPostBody(r *http.Request) map[string]string {
	out := map[string]string{}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	if err != nil {
		return out
	}
	switch ct {
	case "application/json":
		var m map[string]any
		if json.Unmarshal(body, &m) == nil {
			for _, k := range []string{"csrfToken", "callbackUrl"} {
				if s, ok := m[k].(string); ok {
					out[k] = s
				}
			}
		}
	case "application/x-www-form-urlencoded":
		if q, err := url.ParseQuery(string(body)); err == nil {
			for _, k := range []string{"csrfToken", "callbackUrl"} {
				if q.Has(k) {
					out[k] = q.Get(k)
				}
			}
		}
	}
	return out
}

// authCookie is the shape Auth.js gives its CSRF and callback-url
// cookies: Path=/, HttpOnly, SameSite=Lax, Secure on https, unless the
// configuration's cookies.* options say otherwise (attrs).
func (h *Handler) authCookie(name, value string, attrs cookieAttrs) *http.Cookie {
	return attrs.apply(&http.Cookie{Name: name, Value: value}, h.secure)
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	io.WriteString(w, body)
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(errors.New("resolver: no randomness: " + err.Error()))
	}
	return hex.EncodeToString(b)
}
