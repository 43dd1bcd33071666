package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/authscope/authscope/internal/config"
	"github.com/authscope/authscope/profiles"
	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/engine"
	"github.com/authscope/authscope/resolver/store"
	"github.com/authscope/authscope/resolver/store/mysqlstore"
	"github.com/authscope/authscope/resolver/store/redisstore"
	"github.com/authscope/authscope/resolver/store/sqlitestore"
)

// resolveFlags are the flags shared by the commands that build a resolver.
type resolveFlags struct {
	profile    string
	mode       string
	strategy   string
	url        string
	basePath   string
	cookieName string
	maxAge     ageFlag
	now        instantFlag
	legacyV4   bool
	readOnly   bool
	engine     string
	store      storeFlagSet
	// secureCookies is --use-secure-cookies (auto, true, false).
	secureCookies string
}

func (f *resolveFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.mode, "mode", "", "resolution `mode`: local or proxy (default local)")
	f.registerLocal(fs)
}

// registerLocal registers every resolver flag but --mode: upstream always
// resolves locally (it is what proxy mode calls), so it offers no choice.
func (f *resolveFlags) registerLocal(fs *flag.FlagSet) {
	fs.StringVar(&f.profile, "profile", "", "profile `name` or file (flags override it)")
	fs.StringVar(&f.strategy, "strategy", "", "session `strategy`: jwt or database (default jwt)")
	fs.StringVar(&f.url, "url", "", "Auth.js base `URL` (default $AUTH_URL); https selects __Secure- cookies; the upstream in proxy mode")
	fs.StringVar(&f.basePath, "base-path", "", "Auth.js basePath (default /api/auth)")
	fs.StringVar(&f.cookieName, "cookie-name", "", "session cookie `name` (default authjs.session-token, __Secure- on https)")
	fs.Var(&f.maxAge, "max-age", "session max `age`: seconds or a Go duration (default 2592000, 30 days)")
	fs.Var(&f.now, "now", "fixed clock for reproducible output: Unix seconds (fractions allowed) or an RFC 3339 `time`")
	fs.BoolVar(&f.legacyV4, "legacy-v4", false, "read next-auth v4 tokens (next-auth.session-token, A256GCM)")
	fs.BoolVar(&f.readOnly, "read-only", false, "never write to the store (no pruning or extension)")
	fs.StringVar(&f.secureCookies, "use-secure-cookies", "", "`auto`, true or false: the __Secure- cookie name (auto: from the URL; without one, the request's scheme, or both names for a bare cookie header)")
	fs.StringVar(&f.engine, "engine", "", engineUsage)
	f.store.register(fs)
}

// openStore opens the session store for the database strategy: --db or
// --db-env when given, else the profile's store section.
func openStore(ctx context.Context, env *cliEnv, f *resolveFlags, cfg resolver.Config, p *profiles.Profile) (resolver.Store, error) {
	opts := f.store.options(cfg.ReadOnly)
	var dsn string
	switch {
	case f.store.db != "" || f.store.dbEnv != "" || p == nil:
		var err error
		if dsn, err = f.store.dsn(env); err != nil {
			return nil, err
		}
	default:
		var err error
		if dsn, err = p.DSN(env.getenv); err != nil {
			return nil, usageError{err}
		}
		if dsn == "" {
			return nil, usagef("profile %s names no store: add store.dsn_env or pass --db", p.Name)
		}
		opts = p.StoreOptions(opts)
	}
	if err := f.checkStoreKind(dsn, opts); err != nil {
		return nil, err
	}
	st, err := store.Open(ctx, dsn, opts)
	if err != nil {
		return nil, storeOpenError(fmt.Errorf("opening %s: %w", store.Redact(dsn), err))
	}
	return st, nil
}

// maxConnsLimit bounds --max-conns: far beyond what any store accepts from
// one process, so a larger value is a typo rather than a pool size.
const maxConnsLimit = 10000

// checkStoreFlags refuses store flags with bad values, or that cfg would
// silently ignore: the store is opened only for the database strategy, so
// --db with a jwt session would decode the opaque cookie as a JWT and
// report it malformed. A profile selecting the database strategy counts.
func (f *resolveFlags) checkStoreFlags(cfg resolver.Config) error {
	sf := &f.store
	if err := sf.checkValues(); err != nil {
		return err
	}
	if cfg.Strategy == resolver.StrategyDatabase {
		return nil
	}
	if flag := sf.given(); flag != "" {
		return usagef("--%s needs --strategy database (a %s session has no store)", flag, cfg.Strategy)
	}
	return nil
}

// checkValues refuses store flags with bad values.
func (sf *storeFlagSet) checkValues() error {
	if sf.maxConns < 0 || sf.maxConns > maxConnsLimit {
		return usagef("--max-conns %d: want 1 to %d (0 for the store's default)", sf.maxConns, maxConnsLimit)
	}
	if sf.schema != "" && sf.schema != "custom" && sf.schema != store.SchemaAuto && !slices.Contains(store.PresetNames(), sf.schema) && !slices.Contains(sqlitestore.PresetNames(), sf.schema) && !slices.Contains(mysqlstore.PresetNames(), sf.schema) && !slices.Contains(redisstore.PresetNames(), sf.schema) {
		return usagef("--schema %q: want auto, one of %s, or custom with a profile's store.mapping", sf.schema, strings.Join(store.PresetNames(), ", "))
	}
	return nil
}

// unusedInProxy refuses store flags in proxy mode, where the upstream
// looks sessions up and no store is opened. keepSchema lets --schema pass
// for commands that use the layout without a store (serve's triggers).
func (sf *storeFlagSet) unusedInProxy(keepSchema bool) error {
	flag := sf.given()
	if keepSchema && flag == "schema" {
		rest := *sf
		rest.schema = ""
		flag = rest.given()
	}
	if flag != "" {
		return usagef("--%s is not used in proxy mode: the upstream looks sessions up", flag)
	}
	return nil
}

// given names the first store flag set, or "".
func (sf *storeFlagSet) given() string {
	switch {
	case sf.db != "":
		return "db"
	case sf.dbEnv != "":
		return "db-env"
	case sf.schema != "":
		return "schema"
	case sf.prefix != "":
		return "prefix"
	case sf.maxConns != 0:
		return "max-conns"
	}
	return ""
}

// checkStoreKind refuses flags that do not apply to the store the DSN
// names (the store packages ignore them) and a custom layout with nothing
// to map, before anything is opened.
func (f *resolveFlags) checkStoreKind(dsn string, opts store.Options) error {
	kind, err := store.KindOf(dsn)
	if err != nil {
		return nil // store.Open names the bad DSN
	}
	if f.store.schema != "" && kind == store.KindRedis {
		return usagef("--schema is for SQL layouts; the store is %s", kind)
	}
	if kind == store.KindSQLite && f.store.schema != "" && f.store.schema != "auto" && !slices.Contains(sqlitestore.PresetNames(), f.store.schema) {
		return usagef("--schema %q is not a SQLite layout (want auto, %s)", f.store.schema, strings.Join(sqlitestore.PresetNames(), ", "))
	}
	if f.store.prefix != "" && kind != store.KindRedis {
		return usagef("--prefix is for Redis key layouts; the store is %s", kind)
	}
	if kind == store.KindMySQL && f.store.schema != "" && f.store.schema != "custom" && f.store.schema != store.SchemaAuto && !slices.Contains(mysqlstore.PresetNames(), f.store.schema) {
		return usagef("--schema %q is not a MySQL layout (want auto, %s)", f.store.schema, strings.Join(mysqlstore.PresetNames(), ", "))
	}
	if kind == store.KindPostgres && opts.Schema == "custom" && len(opts.Mapping) == 0 && opts.Layout.Users == "" {
		return usagef("--schema custom needs a mapping (a profile's store.mapping)")
	}
	return nil
}

// config builds the resolver configuration: profile first, then the
// environment (AUTH_URL, AUTH_SECRET*), then flags, then the command's
// layers; validated once (internal/config).
func (f *resolveFlags) config(env *cliEnv, layers ...config.Layer) (resolver.Config, *profiles.Profile, error) {
	return f.configFor(env, true, layers...)
}

// configFor is config; needKey false accepts a jwt configuration without
// a secret, for uses that never decode (resolve --output raw only
// reassembles the cookie).
func (f *resolveFlags) configFor(env *cliEnv, needKey bool, layers ...config.Layer) (resolver.Config, *profiles.Profile, error) {
	flags := config.Flags{
		Profile: f.profile, Mode: f.mode, Strategy: f.strategy, URL: f.url, BasePath: f.basePath,
		CookieName: f.cookieName, MaxAge: f.maxAge.d, LegacyV4: f.legacyV4, ReadOnly: f.readOnly,
		UseSecureCookies: f.secureCookies,
	}
	name, err := f.engineName(env)
	if err != nil {
		return resolver.Config{}, nil, err
	}
	// Better Auth alone never reads Auth.js's secret.
	needKey = needKey && name != engine.BetterAuth
	cfg, p, err := config.Resolver(env.getenv, flags, config.Options{NoKey: !needKey, Layers: layers})
	if err != nil {
		return cfg, nil, usageError{err}
	}
	if name.Uses(engine.BetterAuth) {
		// Better Auth's store serves any Auth.js strategy (auto).
		return cfg, p, f.store.checkValues()
	}
	if err := f.checkStoreFlags(cfg); err != nil {
		return cfg, nil, err
	}
	return cfg, p, nil
}

// clock returns the fixed clock of --now, or time.Now.
func (f *resolveFlags) clock() resolver.Clock { return f.now.clock() }

// runResolve reads one Cookie header value from stdin and prints what
// Auth.js's GET /session (or getToken) would return.
func runResolve(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlagSet(env, "resolve", resolveSynopsis)
	var f resolveFlags
	f.register(fs)
	output := fs.String("output", "session", "what to print: session (the /session body), token (decoded claims) or raw (the reassembled token)")
	explain := fs.Bool("explain", false, "print the reason for \"no session\" on stderr")
	reveal := fs.Bool("reveal", false, "print personal data and tokens unredacted")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch *output {
	case "session", "token", "raw":
	default:
		return usagef("--output %q: want session, token or raw", *output)
	}
	cfg, p, err := f.configFor(env, *output != "raw")
	if err != nil {
		return err
	}
	if cfg.Mode == resolver.ModeProxy {
		if err := f.store.unusedInProxy(false); err != nil {
			return err
		}
	}
	clock := f.clock()
	if isTerminal(env.stdin) {
		fmt.Fprintln(env.stderr, "Paste a Cookie header (name=value; ...) and press Enter:")
	}
	header, err := readCookieHeader(env.stdin)
	if err != nil {
		return err
	}
	if looksLikeBareToken(header) {
		fmt.Fprintf(env.stderr, "hint: stdin holds a bare token, not a Cookie header; try %s=<token>\n", cfg.SessionCookieName())
	}
	in := resolver.FromCookieHeader(header)
	red := resolver.NewRedactor(resolver.RedactOptions{Reveal: *reveal, Allow: allowList(p)})
	o := resolveOutput{env: env, cfg: cfg, in: in, red: red, explain: *explain, reveal: *reveal}
	if name, _ := f.engineName(env); name != engine.AuthJS {
		if *output != "session" {
			return onlyAuthJS(name, "--output "+*output)
		}
		return o.engineSession(ctx, &f, p, clock, name)
	}
	switch *output {
	case "raw":
		return o.raw()
	case "token":
		return o.token(clock)
	}
	return o.session(ctx, &f, p, clock)
}

// resolveOutput is one `resolve` run's input and how to print it.
type resolveOutput struct {
	env             *cliEnv
	cfg             resolver.Config
	in              resolver.Input
	red             *resolver.Redactor
	explain, reveal bool
}

// raw prints the reassembled token (its fingerprint unless --reveal).
func (o resolveOutput) raw() error {
	tok, _ := resolver.ReadSessionToken(o.in, o.cfg.SessionCookieName())
	if o.explain && tok == "" {
		fmt.Fprintf(o.env.stderr, "no session: %s\n", resolver.ReasonNoCookie)
	}
	var err error
	switch {
	case tok == "":
		_, err = io.WriteString(o.env.stdout, "null\n")
	case o.reveal:
		err = json.NewEncoder(o.env.stdout).Encode(tok)
	default:
		err = json.NewEncoder(o.env.stdout).Encode("fp:" + o.red.Fingerprint(tok))
	}
	return err
}

// token prints the JWT's decoded claims, redacted.
func (o resolveOutput) token(clock resolver.Clock) error {
	if o.cfg.Strategy == resolver.StrategyDatabase {
		return usagef("--output token decodes JWT session cookies; a database session's cookie is an opaque token (use --output session or raw)")
	}
	if len(o.cfg.Secrets) == 0 {
		return usagef("--output token decodes locally and needs AUTH_SECRET")
	}
	codec, err := resolver.NewCodec(o.cfg)
	if err != nil {
		return usageError{err}
	}
	tok, _ := resolver.ReadSessionToken(o.in, o.cfg.SessionCookieName())
	if tok == "" {
		if o.explain {
			fmt.Fprintf(o.env.stderr, "no session: %s\n", resolver.ReasonNoCookie)
		}
		_, err = io.WriteString(o.env.stdout, "null\n")
		return err
	}
	claims, reason, derr := codec.Decode(tok, clock())
	if claims == nil {
		if o.explain {
			explainTo(o.env.stderr, reason, derr)
		}
		_, err = io.WriteString(o.env.stdout, "null\n")
		return err
	}
	b, err := resolver.MarshalClaims(o.red.Claims(claims))
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(o.env.stdout, "%s\n", b)
	return err
}

// session resolves the cookie as GET /session would and prints the body.
func (o resolveOutput) session(ctx context.Context, f *resolveFlags, p *profiles.Profile, clock resolver.Clock) error {
	env, cfg := o.env, o.cfg
	// The resolver's warnings (a plaintext upstream on another host, a
	// failing store) reach the user as serve's do, one line each.
	opts := []resolver.Option{resolver.WithClock(clock), resolver.WithLogger(newWarnLogger(env.stderr))}
	if cfg.Strategy == resolver.StrategyDatabase && cfg.Mode == resolver.ModeLocal {
		st, err := openStore(ctx, env, f, cfg, p)
		if err != nil {
			return err
		}
		defer st.Close()
		opts = append(opts, resolver.WithStore(st))
		if o.explain {
			fmt.Fprintf(env.stderr, "store: %s layout\n", store.LayoutName(st))
		}
	}
	r, err := resolver.New(cfg, opts...)
	if err != nil {
		return usageError{err}
	}
	res, err := r.Resolve(ctx, o.in)
	if err != nil {
		return err
	}
	// "No session" because something is down reads the same on stdout as
	// a signed-out user; stderr and the exit code say so even without
	// --explain.
	dependency := infrastructureReason(res.Reason)
	switch {
	case o.explain && res.Session == nil:
		explainTo(env.stderr, res.Reason, res.Err)
		if dependency {
			fmt.Fprintf(env.stderr, "exit status %d: a dependency failed (%s), not a signed-out request\n", exitDependency, res.Reason)
		}
	case dependency:
		fmt.Fprintf(env.stderr, "warning: no session because of %s: a dependency failed, exit status %d (use --explain for the detail)\n", res.Reason, exitDependency)
	}
	if o.explain && res.Cookie != "" {
		fmt.Fprintf(env.stderr, "token from: %s\n", res.Cookie) // which name matched when both were accepted
	}
	body := resolver.MarshalSessionBody
	if cfg.LegacyV4 {
		// next-auth v4's /session answers {} rather than null without a
		// session; print what the deployment being mirrored would.
		body = resolver.MarshalSessionBodyLegacyV4
	}
	if _, err := fmt.Fprintf(env.stdout, "%s\n", body(o.red.Session(res.Session))); err != nil {
		return err
	}
	if dependency {
		return exitDependency
	}
	return nil
}

const resolveSynopsis = "resolve [flags] < cookie-header"

// infrastructureReason reports reasons that mean a dependency failed rather
// than that the request has no session.
func infrastructureReason(r resolver.Reason) bool {
	switch r {
	case resolver.ReasonStoreError, resolver.ReasonUpstreamError, resolver.ReasonUpstreamTimeout,
		resolver.ReasonUpstreamStatus, resolver.ReasonUpstreamBody:
		return true
	}
	return false
}

// looksLikeBareToken spots a JWE pasted without its cookie name.
func looksLikeBareToken(h string) bool {
	return !strings.ContainsAny(h, "=;") && strings.HasPrefix(h, "eyJ") && strings.Count(h, ".") == 4
}

func explainTo(w io.Writer, reason resolver.Reason, err error) {
	var nse *resolver.NoSessionError
	if errors.As(err, &nse) && nse.Err != nil {
		fmt.Fprintf(w, "no session: %s: %v\n", reason, nse.Err)
		return
	}
	fmt.Fprintf(w, "no session: %s\n", reason)
}

// readCookieHeader reads one Cookie header value: the first line of stdin,
// with an optional leading "Cookie:" and surrounding whitespace removed.
func readCookieHeader(r io.Reader) (string, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	line, err := br.ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("reading the cookie header: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if name, rest, ok := strings.Cut(line, ":"); ok && strings.EqualFold(strings.TrimSpace(name), "cookie") {
		line = rest
	}
	return strings.TrimSpace(line), nil
}

func allowList(p *profiles.Profile) []string {
	if p == nil {
		return nil
	}
	return p.Resolver.Redact.Allow
}

// newWarnLogger logs warnings and errors to w as "warning: msg key=value"
// lines: what a command-line user reads, without serve's JSON and
// timestamps. The resolver never logs tokens, sessions or secrets.
func newWarnLogger(w io.Writer) *slog.Logger {
	return slog.New(&warnHandler{w: w, mu: new(sync.Mutex)})
}

type warnHandler struct {
	w     io.Writer
	mu    *sync.Mutex
	attrs []slog.Attr
}

func (h *warnHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelWarn }

func (h *warnHandler) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString("warning: ")
	b.WriteString(flattenLine(r.Message))
	add := func(a slog.Attr) bool {
		if a.Equal(slog.Attr{}) {
			return true
		}
		v := flattenLine(a.Value.Resolve().String())
		if v == "" || strings.ContainsAny(v, " \"=") {
			v = strconv.Quote(v)
		}
		fmt.Fprintf(&b, " %s=%s", a.Key, v)
		return true
	}
	for _, a := range h.attrs {
		add(a)
	}
	r.Attrs(add)
	b.WriteByte('\n')
	h.mu.Lock()
	defer h.mu.Unlock()
	_, err := io.WriteString(h.w, b.String())
	return err
}

func (h *warnHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return &warnHandler{w: h.w, mu: h.mu, attrs: append(slices.Clip(h.attrs), as...)}
}

// WithGroup is flattened: the resolver's warnings use no groups, and a
// one-line message does not need them.
func (h *warnHandler) WithGroup(string) slog.Handler { return h }

func flattenLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
