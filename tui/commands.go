package tui

import (
	"context"
	"fmt"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/authscope/authscope/resolver"
)

// Commands: every piece of I/O the TUI does. Each constructor captures
// values (a query, an engine, a channel), never the model, and returns a
// message carrying the id it was issued under.

// resolveConcurrency bounds the resolutions one refresh runs at once.
const resolveConcurrency = 8

// callTimeout bounds one store call or resolution.
const callTimeout = 10 * time.Second

func listCmd(ctx context.Context, src SessionSource, seq uint64, q ListQuery) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, callTimeout)
		defer cancel()
		page, err := src.List(ctx, q)
		if err != nil {
			err = fmt.Errorf("list sessions: %w", err)
		}
		return listMsg{seq: seq, offset: q.Offset, page: page, err: err}
	}
}

// resolveRowsCmd resolves every row of a window through eng.
func resolveRowsCmd(ctx context.Context, eng *meteredEngine, gen, seq uint64, rows []SessionRow) tea.Cmd {
	if eng == nil || len(rows) == 0 {
		return nil
	}
	return func() tea.Msg {
		out := make(map[string]rowResult, len(rows))
		var (
			mu  sync.Mutex
			wg  sync.WaitGroup
			sem = make(chan struct{}, resolveConcurrency)
		)
		for _, row := range rows {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer func() { <-sem; wg.Done() }()
				cctx, cancel := context.WithTimeout(ctx, callTimeout)
				res, d, err := eng.resolve(cctx, row.Token)
				cancel()
				rr := rowResult{reason: res.Reason, source: res.Source, latency: d, err: err}
				mu.Lock()
				out[row.Key] = rr
				mu.Unlock()
			}()
		}
		wg.Wait()
		return resolvedRowsMsg{seq: seq, gen: gen, results: out}
	}
}

// resolveDetailCmd resolves one session and decodes its claims.
func resolveDetailCmd(ctx context.Context, eng *meteredEngine, seq uint64, row SessionRow) tea.Cmd {
	return func() tea.Msg {
		msg := detailMsg{seq: seq, key: row.Key}
		if eng == nil {
			msg.err = errNoEngine
			return msg
		}
		cctx, cancel := context.WithTimeout(ctx, callTimeout)
		defer cancel()
		msg.result, msg.latency, msg.err = eng.resolve(cctx, row.Token)
		if row.Strategy == resolver.StrategyJWT && eng.Claims != nil {
			msg.claims, msg.claimsErr = eng.Claims(row.Token)
		}
		return msg
	}
}

// buildEngineCmd builds the resolver for s, metered with a recorder from
// latencies; the old one is closed by closeEngineCmd once the new one is in
// place.
func buildEngineCmd(ctx context.Context, f ResolverFactory, latencies func() LatencyRecorder, gen uint64, s Settings) tea.Cmd {
	return func() tea.Msg {
		cctx, cancel := context.WithTimeout(ctx, callTimeout)
		defer cancel()
		e, err := f.Build(cctx, s)
		if err != nil {
			return engineReadyMsg{gen: gen, settings: s, err: fmt.Errorf("build %s/%s resolver: %w", s.Mode, s.Strategy, err)}
		}
		return engineReadyMsg{gen: gen, settings: s, engine: newMeteredEngine(e, s, latencies)}
	}
}

func closeEngineCmd(eng *meteredEngine) tea.Cmd {
	if eng == nil || eng.Close == nil {
		return nil
	}
	return func() tea.Msg {
		if err := eng.Close(); err != nil {
			return statusMsg{err: fmt.Errorf("close resolver: %w", err)}
		}
		return nil
	}
}

// revokeCmd deletes the session and drops the user's cached answers.
func revokeCmd(ctx context.Context, src SessionSource, eng *meteredEngine, row SessionRow, fp string) tea.Cmd {
	return func() tea.Msg {
		cctx, cancel := context.WithTimeout(ctx, callTimeout)
		defer cancel()
		msg := revokedMsg{key: row.Key, fp: fp}
		if err := src.Revoke(cctx, row); err != nil {
			msg.err = fmt.Errorf("revoke session %s: %w", msg.fp, err)
			return msg
		}
		if eng != nil && eng.Invalidate != nil {
			eng.Invalidate(row)
		}
		return msg
	}
}

// revokeUserCmd deletes every session of row's user and drops the
// user's cached answers.
func revokeUserCmd(ctx context.Context, src SessionSource, eng *meteredEngine, row SessionRow, who string) tea.Cmd {
	return func() tea.Msg {
		cctx, cancel := context.WithTimeout(ctx, callTimeout)
		defer cancel()
		msg := revokedUserMsg{userID: row.UserID, who: who}
		n, err := src.RevokeUser(cctx, row)
		if err != nil {
			msg.err = fmt.Errorf("revoke the sessions of user %s: %w", who, err)
			return msg
		}
		msg.n = n
		if eng != nil {
			switch {
			case eng.InvalidateUser != nil:
				eng.InvalidateUser(row.UserID)
			case eng.Invalidate != nil:
				// No per-user hook: at least the session on screen goes.
				eng.Invalidate(row)
			}
		}
		return msg
	}
}

// tickCmd schedules the next auto-refresh.
func tickCmd(c *common, gen int) tea.Cmd {
	return c.tick(c.deps.RefreshEvery, func(t time.Time) tea.Msg { return tickMsg{gen: gen, now: t} })
}

// statsEvery is how often the Resolver screen's counters are sampled.
const statsEvery = time.Second

// statsCmd samples the current engine's counters after statsEvery.
func statsCmd(c *common, gen uint64) tea.Cmd {
	eng := c.engine
	if eng == nil {
		return nil
	}
	return c.tick(statsEvery, func(time.Time) tea.Msg { return statsMsg{gen: gen, stats: eng.sample()} })
}

func startRunCmd(ctx context.Context, r Runner, id uint64, profile string, s Settings) tea.Cmd {
	return func() tea.Msg {
		rctx, cancel := context.WithCancel(ctx)
		ch, err := r.Start(rctx, profile, s)
		if err != nil {
			cancel()
			return runStartedMsg{id: id, err: fmt.Errorf("start run %q: %w", profile, err)}
		}
		return runStartedMsg{id: id, ch: ch, cancel: cancel}
	}
}

// waitSnapshot waits for the next snapshot of run id; the screen re-arms it
// after each one (the Bubble Tea realtime pattern).
func waitSnapshot(id uint64, ch <-chan RunSnapshot) tea.Cmd {
	return func() tea.Msg {
		s, ok := <-ch
		if !ok {
			return runDoneMsg{id: id}
		}
		return snapshotMsg{id: id, snap: s}
	}
}

func startCapacityCmd(ctx context.Context, r Runner, id uint64, profile string, s Settings) tea.Cmd {
	return func() tea.Msg {
		rctx, cancel := context.WithCancel(ctx)
		ch, err := r.Capacity(rctx, profile, s)
		if err != nil {
			cancel()
			return capStartedMsg{id: id, err: fmt.Errorf("capacity search %q: %w", profile, err)}
		}
		return capStartedMsg{id: id, ch: ch, cancel: cancel}
	}
}

func waitCapStep(id uint64, ch <-chan CapacityStep) tea.Cmd {
	return func() tea.Msg {
		s, ok := <-ch
		if !ok {
			return capDoneMsg{id: id}
		}
		return capStepMsg{id: id, step: s}
	}
}

func exportCmd(ctx context.Context, r Runner, snap RunSnapshot) tea.Cmd {
	return func() tea.Msg {
		cctx, cancel := context.WithTimeout(ctx, callTimeout)
		defer cancel()
		path, err := r.Export(cctx, snap)
		if err != nil {
			err = fmt.Errorf("export report: %w", err)
		}
		return exportedMsg{path: path, err: err}
	}
}

func exportCapacityCmd(ctx context.Context, r CapacityExporter, profile string, steps []CapacityStep) tea.Cmd {
	return func() tea.Msg {
		cctx, cancel := context.WithTimeout(ctx, callTimeout)
		defer cancel()
		path, err := r.ExportCapacity(cctx, profile, steps)
		if err != nil {
			err = fmt.Errorf("export capacity result: %w", err)
		}
		return exportedMsg{path: path, err: err}
	}
}
