package tui

import (
	"context"
	"errors"
	"time"

	"github.com/authscope/authscope/resolver"
)

// The interfaces below are tui's consumer-side view of the rest of
// authscope (the vegeta Targeter idea, STYLE.md c.1): the screens are built
// and tested against fakes of these, and package tui/backend adapts the real
// stores, bench and histogram to them. Every method may block and is
// only ever called from a tea.Cmd, never from Update or View.

// ErrNotSupported is wrapped by operations a source or runner cannot do.
var ErrNotSupported = errors.New("not supported")

// ErrClaimsExpired is wrapped by Engine.Claims when the token has expired
// but its claims could still be decoded (keys checked, expiry not): the
// claims come with the error and the detail shows both, marked expired.
var ErrClaimsExpired = errors.New("token expired")

// Deps is what New needs. Sessions, Resolvers and Runner are required; Clock
// defaults to time.Now.
type Deps struct {
	// Profile names the active profile, shown in the status bar.
	Profile string
	// Sessions lists and revokes sessions.
	Sessions SessionSource
	// Resolvers builds the resolver for a Settings.
	Resolvers ResolverFactory
	// Runner runs load tests and capacity searches.
	Runner Runner
	// Latencies makes the recorder of each built engine's resolution
	// latencies, the Resolver screen's p50 and p99. Optional: without it
	// the screen counts resolutions but shows no percentiles.
	Latencies func() LatencyRecorder
	// Settings are the initial resolver settings (Mode, Strategy, Cache).
	Settings Settings
	// Clock is the time source for expiry columns and counters.
	Clock func() time.Time
	// RefreshEvery is the sessions auto-refresh interval (default 5s).
	RefreshEvery time.Duration
	// Context is the root context commands derive from (default Background).
	Context context.Context
	// Redactor is the redaction policy (default: a fresh resolver.Redactor,
	// with a random fingerprint key).
	Redactor *resolver.Redactor
	// MaxAge and UpdateAge drive the state column (default Auth.js's).
	MaxAge, UpdateAge time.Duration
	// ReadOnly says writes are off (revocation refused): the status bar
	// shows "read-only" and the revoke keys are disabled. Browsing itself
	// never writes either way: the Engine a ResolverFactory builds must be
	// read-only (resolver.Config.ReadOnly), so resolving a row never prunes
	// or extends a session.
	ReadOnly bool
}

// SessionRow is one session as the store (database strategy) or a cookie
// population (jwt strategy) knows it. It holds raw personal data and the raw
// token: the screens render it only through redact.go, and Token is never
// rendered at all (only its fingerprint).
type SessionRow struct {
	// Key identifies the row in its source; stable across pages.
	Key string
	// Token is the database session token or the JWT cookie value. Secret.
	Token    string
	UserID   string
	Name     string
	Email    string
	Strategy resolver.Strategy
	Expires  time.Time
}

// SortKey orders the session list. Only some columns can be sorted: the
// stores order by expiry and user id only (store.ListQuery), so a
// store lists by name or e-mail only if it walked every row; and LAST
// RESULT and LATENCY are known only for the rows on screen. A source says
// which keys it lists in with Sorter.
type SortKey int

// Sort keys, in the order `o` cycles through them.
const (
	// SortActive, the default, lists active sessions first, the soonest
	// to expire first, then expired ones, the most recently expired
	// first: the first screen shows what is live (ListQuery.Now says when).
	SortActive SortKey = iota
	// SortExpires orders by expiry, soonest (longest expired) first.
	SortExpires
	// SortExpiresLatest orders by expiry, the latest first.
	SortExpiresLatest
	// SortUser groups each user's sessions together, ordered by the user
	// key the USER column shows (a keyed fingerprint of the user id, the
	// fourth field of ListQuery.Shown), so the order is the one on
	// screen, not that of an id the list hides. Without Shown, by user id.
	SortUser
	// SortEmail and SortName order by the e-mail or name as the list
	// shows them (ListQuery.Shown): redacted, so the order reveals
	// nothing the column hides. Sessions without one come last.
	SortEmail
	SortName
	sortKeys
)

// defaultSorts are the keys offered for a source that is not a Sorter.
var defaultSorts = []SortKey{SortActive, SortExpires, SortUser}

// String implements fmt.Stringer.
func (k SortKey) String() string {
	switch k {
	case SortUser:
		return "user"
	case SortExpires:
		return "expiry"
	case SortExpiresLatest:
		return "latest expiry first"
	case SortEmail:
		return "e-mail (as shown)"
	case SortName:
		return "name (as shown)"
	}
	return "active first"
}

// Sorter is a SessionSource that says which sort keys it lists st's
// sessions in; `o` cycles through those only. A source that is not a
// Sorter is offered SortActive, SortExpires and SortUser.
type Sorter interface {
	Sorts(st resolver.Strategy) []SortKey
}

// ListQuery asks a SessionSource for one window of rows.
type ListQuery struct {
	Strategy resolver.Strategy
	// Filter keeps rows whose e-mail, name or user id contain it
	// (case-insensitive), or, with Shown, whose shown text does. Empty
	// keeps all.
	Filter string
	// Now is the instant SortActive splits active from expired at
	// (default time.Now).
	Now time.Time
	// Shown, when set, makes Filter match Shown(row) (lower-cased) instead
	// of the raw values: what the screen shows for the row (redacted name,
	// e-mail, fingerprint and user key, in that order, separated by NUL;
	// SortName, SortEmail and SortUser order by those fields). With redaction on a filter must not
	// find rows by what the columns hide. It must be a pure function of the
	// row (sources cache its results) and safe for concurrent use.
	Shown func(SessionRow) string
	Sort  SortKey
	// Offset and Limit select the window [Offset, Offset+Limit) of the
	// matching rows in Sort order.
	Offset, Limit int
}

// SessionPage is one window of rows and the number of rows that match.
type SessionPage struct {
	Rows  []SessionRow
	Total int
	// States, when the source knows them, break Total down by state.
	States *StateCounts
}

// StateCounts are matching sessions by state; Due ones are also Active.
type StateCounts struct {
	Active, Expired, Due int
}

// SessionSource is the session browser's view of a store or cookie
// population. Implementations are safe for concurrent use; only the window
// asked for is materialised, so the browser stays instant with 100,000 rows.
type SessionSource interface {
	List(ctx context.Context, q ListQuery) (SessionPage, error)
	// Revoke deletes the session (database strategy). Sources that cannot
	// revoke return an error wrapping ErrNotSupported.
	Revoke(ctx context.Context, row SessionRow) error
	// RevokeUser deletes every session of row's user (the seed's
	// sign-out everywhere) and reports how many it deleted. Sources that
	// cannot revoke return an error wrapping ErrNotSupported.
	RevokeUser(ctx context.Context, row SessionRow) (int, error)
}

// Settings are the resolver knobs the Resolver screen toggles.
type Settings struct {
	Mode     resolver.Mode
	Strategy resolver.Strategy
	Cache    bool
}

// CacheStats are a cached resolver's counters.
type CacheStats struct {
	Hits, Misses, Evictions uint64
}

// Engine is a built resolver plus what the TUI can ask of it.
type Engine struct {
	Resolver resolver.Resolver
	// Describe is one line about where resolution happens (store, upstream).
	Describe string
	// Details lists the engine's settings for the Resolver screen, e.g.
	// "cache ttl 30s, 100000 entries" or "upstream timeout 3s".
	Details []string
	// Layout names the session store's adapter layout (store.LayoutName:
	// "postgres prisma", "sqlite d1"), which --schema auto found; the
	// Resolver screen shows it with the database strategy. Optional.
	Layout string
	// CookieName is the session cookie the rows' tokens are sent as
	// (default resolver.DefaultCookieName).
	CookieName string
	// CacheStats, when non-nil, reads the cache counters.
	CacheStats func() CacheStats
	// Invalidate, when non-nil, drops the cached answer for a session
	// (after its revocation).
	Invalidate func(row SessionRow)
	// InvalidateUser, when non-nil, drops every cached answer for the
	// user's sessions (after RevokeUser).
	InvalidateUser func(userID string)
	// Claims, when non-nil, decodes a JWT cookie's claims for the detail
	// view. For an expired token it may return the claims with an error
	// wrapping ErrClaimsExpired.
	Claims func(token string) (resolver.Claims, error)
	// Close releases the engine (connections); may be nil.
	Close func() error
	// Writes says resolving may change the deployment's sessions and the
	// TUI cannot stop it: an upstream Auth.js on the database strategy
	// extends and prunes sessions on GET /session. Browsing then resolves
	// nothing on its own: rows show no last result, and a detail resolves
	// only when asked (enter on "resolve").
	Writes bool
}

// LatencyRecorder keeps the latencies of the resolutions the screens run
// (an HDR histogram in tui/backend). The meter calls it under its own
// lock, so it need not be safe for concurrent use.
type LatencyRecorder interface {
	// Record adds one resolution's latency.
	Record(d time.Duration)
	// Percentile is the latency at percentile p (0-100) of those
	// recorded; it is only asked once at least one was.
	Percentile(p float64) time.Duration
}

// ResolverFactory builds an Engine for settings. Building may open a
// database or check an upstream, so it only runs inside a command.
type ResolverFactory interface {
	Build(ctx context.Context, s Settings) (Engine, error)
}

// Runner starts load runs and capacity searches. The channels carry
// immutable snapshots, are throttled at the source and closed when the run
// ends (after its final snapshot); cancelling ctx stops the run.
type Runner interface {
	// Profiles lists the load profiles the Load screen offers.
	Profiles() []string
	Start(ctx context.Context, profile string, s Settings) (<-chan RunSnapshot, error)
	Capacity(ctx context.Context, profile string, s Settings) (<-chan CapacityStep, error)
	// Export writes the report of a finished run and returns where.
	Export(ctx context.Context, snap RunSnapshot) (string, error)
}

// CapacityExporter is a Runner that can also write a capacity search's
// result (the probes and the rate found) to a file.
type CapacityExporter interface {
	ExportCapacity(ctx context.Context, profile string, steps []CapacityStep) (string, error)
}

// RunSnapshot is the state of a load run at one instant.
type RunSnapshot struct {
	Profile  string
	Elapsed  time.Duration
	Duration time.Duration
	// AttemptedRate and AchievedRate are requests per second.
	AttemptedRate, AchievedRate float64
	// RatesPending: the measured window is still too short for the rates
	// to mean anything (right after warm-up a few requests over a few
	// milliseconds read as tens of thousands per second); shown as "-".
	RatesPending bool
	// Current names the scenario running ("" when none is).
	Current   string
	Scenarios []ScenarioStats
	Final     bool
	// Stopped marks a final snapshot of a run stopped early: Elapsed is
	// how far it got and the figures cover what completed.
	Stopped bool
	// Err is the run's failure, if it failed.
	Err error
}

// ScenarioStats are one scenario's HDR results.
type ScenarioStats struct {
	Name string
	// Mode colours the curve: local and proxy in different colours.
	Mode     resolver.Mode
	Requests uint64
	Errors   uint64
	// Percentiles are (percentile 0-100, latency) pairs, ascending.
	Percentiles []Quantile
	Max         time.Duration
	Reasons     map[resolver.Reason]uint64
	// Lagged: the load generator sent this scenario's requests late
	// enough (bench's GeneratorLagged rule) that its corrected tail,
	// measured from the intended send time, includes the generator's own
	// delay. LagP99 is that dispatch lag's p99, UncorrectedP99 the p99
	// without it; the Load screen marks the tail and says so.
	Lagged         bool
	LagP99         time.Duration
	UncorrectedP99 time.Duration
}

// Quantile is one point of a percentile curve.
type Quantile struct {
	Percentile float64
	Latency    time.Duration
}

// CapacityStep is one probe of a capacity search.
type CapacityStep struct {
	// Scenario names the scenario probed (every step carries it).
	Scenario string
	// Criteria says what a probe must hold, e.g. "p99 ≤ 25ms, errors ≤ 1%".
	Criteria string
	// Started marks the message sent as the search begins, before any
	// probe: only Scenario, Criteria and Rate (the first rate) are set.
	Started bool
	Rate    float64
	P99     time.Duration
	Success float64
	OK      bool
	// Inconclusive marks a probe the search did not count: its failure
	// coincided with the load generator's own stalls or a busy host, so it
	// says nothing about the target and is measured again.
	Inconclusive bool
	// Final marks the search result: Rate is the capacity found.
	Final bool
	// LowerBound (Final only): no probe failed before the search stopped,
	// so Rate is a floor, not a measured limit. StoppedBy says why it
	// stopped: "max-rate" (the search's own ceiling), "max-steps",
	// "canceled", or what the search reports.
	LowerBound bool
	StoppedBy  string
	Err        error
}

// maxAge is Deps.MaxAge, Auth.js's default when unset.
func (d Deps) maxAge() time.Duration {
	if d.MaxAge > 0 {
		return d.MaxAge
	}
	return resolver.DefaultMaxAge
}

// updateAge is Deps.UpdateAge, Auth.js's default when unset.
func (d Deps) updateAge() time.Duration {
	if d.UpdateAge > 0 {
		return d.UpdateAge
	}
	return resolver.DefaultUpdateAge
}
