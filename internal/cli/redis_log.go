package cli

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/redis/go-redis/v9"
)

// go-redis logs through one process-wide logger that prints plain-text
// "redis: ..." lines straight to os.Stderr, which would break serve's
// one-JSON-object-per-line log. routeRedisLogs sends those lines through
// serve's slog logger instead. The logger is global to go-redis, so the
// last serve built in a process wins; a CLI process builds one.
func routeRedisLogs(logger *slog.Logger) {
	redis.SetLogger(redisLogger{logger})
}

// redisLogger adapts slog to go-redis's Printf-style logging interface.
// go-redis logs only what went wrong (dial failures, dropped pub/sub
// messages, recovered panics), so every line is a warning.
type redisLogger struct{ l *slog.Logger }

func (r redisLogger) Printf(ctx context.Context, format string, v ...any) {
	msg := strings.TrimSpace(fmt.Sprintf(format, v...))
	msg = strings.TrimPrefix(msg, "redis: ")
	r.l.WarnContext(ctx, "redis client", slog.String("detail", msg))
}
