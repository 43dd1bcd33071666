package cli

import (
	"context"

	"github.com/authscope/authscope/bench"
	"github.com/authscope/authscope/internal/benchtarget"
	"github.com/authscope/authscope/profiles"
	"github.com/authscope/authscope/resolver/engine"
)

// betterAuthDeployment points bench and capacity at a real Better Auth
// deployment when --engine (or the profile's resolver.engine) says
// better-auth: the ba-* scenarios only (unless --scenarios chose), the
// profile's store opened read-only for ba-db and ba-cookie-cache, and
// --url as ba-proxy's get-session base. It returns what closes the store.
func (f *benchFlags) betterAuthDeployment(ctx context.Context, env *cliEnv, p *profiles.Profile, cfg *bench.Config, o *benchtarget.Options) (func() error, error) {
	none := func() error { return nil }
	v := f.engine
	if v == "" && !p.Demo {
		v = p.Resolver.Engine
	}
	name, err := engine.Parse(v)
	if err != nil {
		return none, usageError{err}
	}
	switch {
	case name == engine.AuthJS:
		return none, nil
	case name == engine.Auto:
		return none, usagef("bench and capacity measure one engine's deployment: --engine authjs or better-auth (the built-in comparison runs both)")
	case p.Demo:
		return none, usagef("--engine better-auth is for a real deployment's profile; the demo's comparison already has the ba-* scenarios")
	}
	if f.scenarios == "" {
		cfg.Scenarios = benchtarget.BetterAuthOnly(cfg.Scenarios)
		if !containsScenario(cfg.Scenarios, cfg.Baseline) {
			cfg.Baseline = ""
		}
		if len(cfg.Scenarios) == 0 {
			return none, usagef("the profile's bench section has no ba-* scenario to run on a Better Auth deployment (use --profile compare's, or --config)")
		}
	}
	o.BetterAuthURL, o.UpstreamURL = f.url, ""
	dsn, err := p.DSN(env.getenv)
	if err != nil || dsn == "" {
		return none, err
	}
	st, err := openBetterAuthLayout(ctx, env, dsn, true, baLayout(p))
	if err != nil {
		return none, err
	}
	o.BetterAuthStore = st
	return st.Close, nil
}
