package tui

import (
	"context"
	"time"

	"github.com/authscope/authscope/resolver"
)

// Every message an async command returns. Each carries the id of the
// request that produced it (a sequence, an engine generation or a run id);
// its owner drops the message when the id is no longer current, which is
// how a result from before a toggle or a newer request is ignored.

// tickMsg drives the sessions auto-refresh; gen guards against two chains.
type tickMsg struct {
	gen int
	now time.Time
}

// listMsg is one window of the session list.
type listMsg struct {
	seq    uint64
	offset int
	page   SessionPage
	err    error
}

// rowResult is the last resolution of one row.
type rowResult struct {
	reason  resolver.Reason
	source  string
	latency time.Duration
	err     error
}

// resolvedRowsMsg carries the resolutions of the rows in a window.
type resolvedRowsMsg struct {
	seq     uint64
	gen     uint64
	results map[string]rowResult
}

// engineReadyMsg is a resolver built for settings.
type engineReadyMsg struct {
	gen      uint64
	settings Settings
	engine   *meteredEngine
	err      error
}

// detailMsg is the detail view's resolution of one session.
type detailMsg struct {
	seq       uint64
	key       string
	result    resolver.Result
	latency   time.Duration
	claims    resolver.Claims
	claimsErr error
	err       error
}

// revealMsg reveals the detail of the session with key, after confirmation.
type revealMsg struct{ key string }

// revokeMsg asks for the revocation of row, after confirmation.
type revokeMsg struct{ row SessionRow }

// revokedMsg reports a revocation.
type revokedMsg struct {
	key string
	fp  string
	err error
}

// revokeUserMsg asks for the revocation of every session of row's user,
// after confirmation.
type revokeUserMsg struct{ row SessionRow }

// revokedUserMsg reports how many of a user's sessions were revoked.
type revokedUserMsg struct {
	userID string
	who    string // the user as the screen names it (userKey)
	n      int
	err    error
}

// statsMsg samples the current engine's counters.
type statsMsg struct {
	gen   uint64
	stats meterStats
}

// runStartedMsg hands the run screen a started run's channel.
type runStartedMsg struct {
	id     uint64
	ch     <-chan RunSnapshot
	cancel context.CancelFunc
	err    error
}

// snapshotMsg is one snapshot of run id.
type snapshotMsg struct {
	id   uint64
	snap RunSnapshot
}

// runDoneMsg says run id's channel closed.
type runDoneMsg struct{ id uint64 }

// capStartedMsg hands the run screen a started capacity search.
type capStartedMsg struct {
	id     uint64
	ch     <-chan CapacityStep
	cancel context.CancelFunc
	err    error
}

// capStepMsg is one step of capacity search id.
type capStepMsg struct {
	id   uint64
	step CapacityStep
}

// capDoneMsg says capacity search id ended.
type capDoneMsg struct{ id uint64 }

// exportedMsg reports a report export.
type exportedMsg struct {
	path string
	err  error
}

// statusMsg shows a line in the status bar (an error when err is set).
type statusMsg struct {
	text string
	err  error
}
