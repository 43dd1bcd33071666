package benchtarget

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/authscope/authscope/profiles"
	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/store"
	"github.com/authscope/authscope/resolver/store/sqlitestore"
)

// What the TUI's embedded demo and bench/capacity runs both set up on this
// machine around a resolver: the profile's configuration (with a secret
// generated for demo profiles), a seeded SQLite store in a temporary
// directory, Auth.js-compatible upstreams on free loopback ports, and the
// cookie populations load runs draw from. One Env owns what was
// started and releases it on Close.

// SecretEnv names the variable that fixes the demo secret.
const SecretEnv = "AUTHSCOPE_DEMO_SECRET"

// Env is the resolver configuration of a run and what was started
// for it. Close releases it, newest first.
type Env struct {
	cfg     resolver.Config
	closers []func() error
	// children are the upstreams' processes (upstream_proc.go).
	children []int
}

// NewEnv reads p's resolver configuration (defaults filled in). A demo
// profile gets a secret generated for the run unless SecretEnv fixes
// one.
func NewEnv(p *profiles.Profile, getenv func(string) string) (*Env, error) {
	if p.Demo && getenv(SecretEnv) == "" {
		var b [32]byte
		_, _ = rand.Read(b[:]) // crypto/rand.Read does not fail on supported platforms
		secret := base64.RawURLEncoding.EncodeToString(b[:])
		outer := getenv
		getenv = func(k string) string {
			if k == SecretEnv {
				return secret
			}
			return outer(k)
		}
	}
	cfg, err := p.ResolverConfig(getenv)
	if err != nil {
		return nil, err
	}
	return &Env{cfg: cfg.WithDefaults()}, nil
}

// Config is the run's resolver configuration, defaults filled in.
func (e *Env) Config() resolver.Config { return e.cfg }

// settings is the run's configuration with a mode, strategy and cache.
func (e *Env) Settings(mode resolver.Mode, st resolver.Strategy, cache bool) resolver.Config {
	cfg := e.cfg
	cfg.Mode, cfg.Strategy, cfg.Cache.Enabled = mode, st, cache
	return cfg
}

// seedSQLite opens a SQLite store in a temporary directory and seeds it.
func (e *Env) SeedSQLite(ctx context.Context, opts store.SeedOptions) (*sqlitestore.Store, error) {
	dir, err := os.MkdirTemp("", "authscope-demo-")
	if err != nil {
		return nil, fmt.Errorf("demo store: %w", err)
	}
	e.closers = append(e.closers, func() error { return os.RemoveAll(dir) })
	st, err := sqlitestore.Open(ctx, filepath.Join(dir, "sessions.db"), sqlitestore.Options{CreateIfEmpty: true})
	if err != nil {
		return nil, fmt.Errorf("demo store: %w", err)
	}
	e.closers = append(e.closers, st.Close)
	if _, err := store.Seed(ctx, st, opts); err != nil {
		return nil, fmt.Errorf("seed demo store: %w", err)
	}
	return st, nil
}

// serve starts h on a free loopback port and returns its origin.
func (e *Env) Serve(h http.Handler) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("listen: %w", err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	e.closers = append(e.closers, func() error {
		// Shutdown lets requests in flight finish. A connection a client's
		// pool dialled but never used stays "new" to it for 5s, so when the
		// grace period ends what is left is dropped: the server is for this
		// run only, and its clients are gone by now.
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			return srv.Close()
		}
		return nil
	})
	return "http://" + ln.Addr().String(), nil
}

// startUpstream serves an Auth.js-compatible GET {basePath}/session of
// one strategy on a free loopback port, resolved locally (from st for the
// database strategy): the stand-in for a deployment that proxy mode calls.
// latency and jitter delay each answer to model the network hop. It
// returns the upstream's base URL (origin and base path) and the origin.
func (e *Env) StartUpstream(strategy resolver.Strategy, st resolver.Store, latency, jitter time.Duration) (base, origin string, err error) {
	cfg := e.Settings(resolver.ModeLocal, strategy, false)
	cfg.BaseURL = ""
	var opts []resolver.Option
	if st != nil {
		opts = append(opts, resolver.WithStore(st))
	}
	r, err := resolver.New(cfg, opts...)
	if err != nil {
		return "", "", fmt.Errorf("built-in upstream (%s): %w", strategy, err)
	}
	if origin, err = e.Serve(SessionHandler(r, cfg, latency, jitter, false)); err != nil {
		return "", "", fmt.Errorf("built-in upstream (%s): %w", strategy, err)
	}
	return origin + strings.TrimSuffix(cfg.BasePath, "/"), origin, nil
}

// Close stops the servers and releases the store, newest first.
func (e *Env) Close() error {
	var errs []error
	for i := len(e.closers) - 1; i >= 0; i-- {
		errs = append(errs, e.closers[i]())
	}
	e.closers = nil
	return errors.Join(errs...)
}

// AddCloser has Close call fn too (a store the caller opened for the run).
func (e *Env) AddCloser(fn func() error) { e.closers = append(e.closers, fn) }
