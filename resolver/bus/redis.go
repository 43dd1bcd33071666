package bus

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/authscope/authscope/resolver"
	"github.com/redis/go-redis/v9"
)

// DefaultChannel is the Redis channel and PostgreSQL NOTIFY channel used
// when none is configured.
const DefaultChannel = "authscope_invalidate"

// NewOrigin returns a random instance id for InvalidationEvent.Origin.
func NewOrigin() string {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		panic("bus: no randomness: " + err.Error())
	}
	return hex.EncodeToString(b)
}

// Stats are a listener's counters.
type Stats struct {
	Received  uint64 `json:"received"`  // events applied
	Skipped   uint64 `json:"skipped"`   // own events ignored
	Malformed uint64 `json:"malformed"` // payloads that were not valid events
	Reconnect uint64 `json:"reconnects"`
}

type counters struct{ received, skipped, malformed, reconnect atomic.Uint64 }

func (c *counters) stats() Stats {
	return Stats{Received: c.received.Load(), Skipped: c.skipped.Load(), Malformed: c.malformed.Load(), Reconnect: c.reconnect.Load()}
}

// apply decodes payload and applies it to inv unless it is our own.
func (c *counters) apply(payload []byte, origin string, inv resolver.Invalidator, log *slog.Logger) {
	ev, err := resolver.ParseInvalidationEvent(payload)
	if err != nil {
		c.malformed.Add(1)
		log.Warn("ignoring malformed invalidation event", slog.String("error", err.Error()))
		return
	}
	if origin != "" && ev.Origin == origin {
		c.skipped.Add(1)
		return
	}
	_ = ev.Apply(inv) // validated above
	// Counted after the event took effect: whoever sees Received grow (a
	// test, /metrics) may rely on the entries being gone already.
	c.received.Add(1)
}

// Redis publishes and receives invalidation events over Redis pub/sub. It
// is safe for concurrent use.
type Redis struct {
	client  redis.UniversalClient
	channel string
	origin  string
	logger  *slog.Logger
}

var _ resolver.Publisher = (*Redis)(nil)

// NewRedis returns a Redis bus on channel (DefaultChannel if empty). origin
// is stamped on published events and skipped when received ("" disables
// both). logger may be nil.
func NewRedis(client redis.UniversalClient, channel, origin string, logger *slog.Logger) *Redis {
	if channel == "" {
		channel = DefaultChannel
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Redis{client: client, channel: channel, origin: origin, logger: logger}
}

// Publish sends e to every listener on the channel.
func (r *Redis) Publish(ctx context.Context, e resolver.InvalidationEvent) error {
	if err := e.Validate(); err != nil {
		return err
	}
	if e.Origin == "" {
		e.Origin = r.origin
	}
	b, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("bus: encoding event: %w", err)
	}
	if err := r.client.Publish(ctx, r.channel, b).Err(); err != nil {
		return fmt.Errorf("bus: redis publish: %w", err)
	}
	return nil
}

// Listener is a running subscription. Close stops it and waits for its
// goroutine.
type Listener struct {
	cancel context.CancelFunc
	done   chan struct{}
	c      *counters
	once   sync.Once
}

// Stats returns the listener's counters.
func (l *Listener) Stats() Stats { return l.c.stats() }

// Close stops the listener and waits for it to finish.
func (l *Listener) Close() error {
	l.once.Do(l.cancel)
	<-l.done
	return nil
}

// Listen subscribes to the channel and applies every event to inv until ctx
// ends or Close is called. It returns once the first subscription is
// confirmed, so events published after Listen returns are not missed; a
// failure to subscribe the first time is returned. Later connection losses
// are retried with backoff; once go-redis has resubscribed, the cache is
// invalidated wholesale, since events sent meanwhile were lost.
func (r *Redis) Listen(ctx context.Context, inv resolver.Invalidator) (*Listener, error) {
	ctx, cancel := context.WithCancel(ctx)
	ps := r.client.Subscribe(ctx, r.channel)
	if _, err := ps.Receive(ctx); err != nil { // the subscription confirmation
		cancel()
		ps.Close()
		return nil, fmt.Errorf("bus: redis subscribe %q: %w", r.channel, err)
	}
	// go-redis does not interrupt a blocked read when ctx ends; closing the
	// PubSub does, so a watcher closes it when ctx ends (Close or the caller).
	l := &Listener{cancel: cancel, done: make(chan struct{}), c: &counters{}}
	unblocked := make(chan struct{})
	go func() {
		defer close(unblocked)
		<-ctx.Done()
		ps.Close()
	}()
	go func() {
		defer func() { <-unblocked; close(l.done) }()
		backoff := 50 * time.Millisecond
		// lost: the connection dropped and the cache has not been emptied
		// since; pinged: a PING is out on the new connection. Its PONG comes
		// back after the SUBSCRIBE go-redis sends on reconnecting, so when it
		// arrives the subscription is live again.
		lost, pinged := false, false
		for {
			reply, err := ps.Receive(ctx)
			if err != nil {
				if ctx.Err() != nil {
					return
				}
				r.logger.Warn("redis invalidation subscription interrupted; retrying", slog.String("error", err.Error()))
				lost, pinged = true, false
				if !sleepCtx(ctx, backoff) {
					return
				}
				backoff = min(backoff*2, 5*time.Second)
				// The PING makes go-redis dial again and resubscribe now
				// rather than on the next read.
				pinged = ps.Ping(ctx) == nil
				continue
			}
			backoff = 50 * time.Millisecond
			switch m := reply.(type) {
			case *redis.Message:
				l.c.apply([]byte(m.Payload), r.origin, inv, r.logger)
			case *redis.Pong:
				if lost {
					// Events published while the subscription was down are
					// lost: drop everything, as the PostgreSQL listener does,
					// then count the reconnect.
					lost, pinged = false, false
					inv.InvalidateAll()
					l.c.reconnect.Add(1)
				}
			}
			if lost && !pinged { // reconnected by the read itself
				pinged = ps.Ping(ctx) == nil
			}
		}
	}()
	return l, nil
}

func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
