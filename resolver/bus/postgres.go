package bus

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/authscope/authscope/resolver"
	"github.com/jackc/pgx/v5"
)

// Postgres publishes and receives invalidation events with PostgreSQL's
// LISTEN/NOTIFY. It is safe for concurrent use.
//
// Listen holds one dedicated connection (LISTEN state belongs to a session,
// so a pooled connection cannot be used). Publish opens a short connection
// per call unless a Notifier is supplied; invalidations are rare.
type Postgres struct {
	dsn     string
	channel string
	origin  string
	logger  *slog.Logger
}

var _ resolver.Publisher = (*Postgres)(nil)

// NewPostgres returns a PostgreSQL bus for the database at dsn on channel
// (DefaultChannel if empty). origin and logger are as for NewRedis.
func NewPostgres(dsn, channel, origin string, logger *slog.Logger) *Postgres {
	if channel == "" {
		channel = DefaultChannel
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Postgres{dsn: dsn, channel: channel, origin: origin, logger: logger}
}

// Publish sends e with pg_notify.
func (p *Postgres) Publish(ctx context.Context, e resolver.InvalidationEvent) error {
	if err := e.Validate(); err != nil {
		return err
	}
	if e.Origin == "" {
		e.Origin = p.origin
	}
	b, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("bus: encoding event: %w", err)
	}
	conn, err := pgx.Connect(ctx, p.dsn)
	if err != nil {
		return connectError(err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "select pg_notify($1, $2)", p.channel, string(b)); err != nil {
		return fmt.Errorf("bus: pg_notify: %w", err)
	}
	return nil
}

// Listen connects, LISTENs on the channel and applies every notification to
// inv until ctx ends or Close is called. It returns once LISTEN is in
// effect; the first connection failure is returned. Afterwards a lost
// connection is re-established with capped exponential backoff
// (notifications sent while disconnected are lost, as with any LISTEN; a
// reconnect therefore also invalidates everything, to be safe).
func (p *Postgres) Listen(ctx context.Context, inv resolver.Invalidator) (*Listener, error) {
	ctx, cancel := context.WithCancel(ctx)
	conn, err := p.connectListen(ctx)
	if err != nil {
		cancel()
		return nil, err
	}
	l := &Listener{cancel: cancel, done: make(chan struct{}), c: &counters{}}
	go func() {
		defer close(l.done)
		backoff := 50 * time.Millisecond
		for {
			if conn == nil {
				if !sleepCtx(ctx, backoff) {
					return
				}
				backoff = min(backoff*2, 5*time.Second)
				c, err := p.connectListen(ctx)
				if err != nil {
					p.logger.Warn("postgres invalidation listener reconnect failed", slog.String("error", err.Error()))
					continue
				}
				conn, backoff = c, 50*time.Millisecond
				inv.InvalidateAll()  // we may have missed events while away
				l.c.reconnect.Add(1) // counted once applied: Stats never runs ahead of the cache
			}
			n, err := conn.WaitForNotification(ctx)
			if err != nil {
				conn.Close(context.Background())
				conn = nil
				if ctx.Err() != nil {
					return
				}
				p.logger.Warn("postgres invalidation listener lost its connection; retrying", slog.String("error", err.Error()))
				continue
			}
			l.c.apply([]byte(n.Payload), p.origin, inv, p.logger)
		}
	}()
	return l, nil
}

func (p *Postgres) connectListen(ctx context.Context) (*pgx.Conn, error) {
	conn, err := pgx.Connect(ctx, p.dsn)
	if err != nil {
		return nil, connectError(err)
	}
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{p.channel}.Sanitize()); err != nil {
		conn.Close(context.Background())
		return nil, fmt.Errorf("bus: LISTEN %s: %w", p.channel, err)
	}
	return conn, nil
}

// Layout names the Auth.js tables and columns the trigger watches.
type Layout struct {
	Schema        string // "" = the search path (usually public)
	Sessions      string // sessions table
	SessionToken  string // its token column
	SessionUserID string // its user id column
	Users         string // users table
	UserID        string // its id column
}

// PgAdapterLayout is @auth/pg-adapter's schema (AUTHJS.md §7).
var PgAdapterLayout = Layout{Sessions: "sessions", SessionToken: "sessionToken", SessionUserID: "userId", Users: "users", UserID: "id"}

// PrismaLayout is the Prisma adapter's default schema.
var PrismaLayout = Layout{Sessions: "Session", SessionToken: "sessionToken", SessionUserID: "userId", Users: "User", UserID: "id"}

func (l Layout) table(name string) string {
	if l.Schema == "" {
		return pgx.Identifier{name}.Sanitize()
	}
	return pgx.Identifier{l.Schema, name}.Sanitize()
}

// TriggerSQL returns the statements InstallTrigger runs: a function and
// triggers that NOTIFY channel with
//   - a token event (SHA-256 of the token, never the token) when a session
//     row is deleted or its expiry/token/user changes (sign-out, revocation;
//     also Auth.js's periodic extension, which costs one cache refill);
//   - a user event when a user row is deleted or updated (a changed name or
//     e-mail must not be served from cache).
//
// Everything is created with OR REPLACE / IF EXISTS guards, so running it
// twice is harmless. It is printed by `authscope serve --print-trigger` for
// DBAs who prefer to apply it themselves.
func TriggerSQL(l Layout, channel string) string {
	if channel == "" {
		channel = DefaultChannel
	}
	q := func(s string) string { return pgx.Identifier{s}.Sanitize() }
	lit := func(s string) string { return "'" + escapeLiteral(s) + "'" }
	fnSess, fnUser := l.table("authscope_notify_session"), l.table("authscope_notify_user")
	return fmt.Sprintf(`CREATE OR REPLACE FUNCTION %[1]s() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  PERFORM pg_notify(%[3]s, json_build_object(
    'kind', 'token',
    'token_sha256', encode(sha256(convert_to(OLD.%[4]s::text, 'UTF8')), 'hex'),
    'origin', 'postgres')::text);
  RETURN NULL;
END $fn$;
CREATE OR REPLACE FUNCTION %[2]s() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  PERFORM pg_notify(%[3]s, json_build_object(
    'kind', 'user',
    'user_id', OLD.%[5]s::text,
    'origin', 'postgres')::text);
  RETURN NULL;
END $fn$;
DROP TRIGGER IF EXISTS authscope_invalidate ON %[6]s;
CREATE TRIGGER authscope_invalidate AFTER DELETE OR UPDATE ON %[6]s
  FOR EACH ROW EXECUTE FUNCTION %[1]s();
DROP TRIGGER IF EXISTS authscope_invalidate ON %[7]s;
CREATE TRIGGER authscope_invalidate AFTER DELETE OR UPDATE ON %[7]s
  FOR EACH ROW EXECUTE FUNCTION %[2]s();
`, fnSess, fnUser, lit(channel), q(l.SessionToken), q(l.UserID), l.table(l.Sessions), l.table(l.Users))
}

func escapeLiteral(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '\'' {
			out = append(out, '\'')
		}
		out = append(out, s[i])
	}
	return string(out)
}

// InstallTrigger runs TriggerSQL in one transaction. It changes the
// database schema, so authscope runs it only when asked (serve
// --install-trigger).
func (p *Postgres) InstallTrigger(ctx context.Context, l Layout) error {
	conn, err := pgx.Connect(ctx, p.dsn)
	if err != nil {
		return connectError(err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	tx, err := conn.Begin(ctx)
	if err != nil {
		return fmt.Errorf("bus: begin: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if _, err := tx.Exec(ctx, TriggerSQL(l, p.channel)); err != nil {
		return fmt.Errorf("bus: installing trigger: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("bus: commit: %w", err)
	}
	return nil
}

// connectError wraps a pgx connection failure on one line: pgx lists each
// failed attempt (host, TLS then plain) on its own indented line, which
// breaks one-line CLI errors and log fields. The lines are joined with
// "; "; errors.Is/As still see pgx's error.
func connectError(err error) error { return lineError{fmt.Errorf("bus: postgres connect: %w", err)} }

type lineError struct{ err error }

func (e lineError) Error() string {
	var parts []string
	for _, l := range strings.FieldsFunc(e.err.Error(), func(r rune) bool { return r == '\n' || r == '\r' }) {
		if l = strings.TrimSpace(l); l != "" {
			parts = append(parts, strings.TrimSuffix(l, ":"))
		}
	}
	return strings.Join(parts, "; ")
}

func (e lineError) Unwrap() error { return e.err }
