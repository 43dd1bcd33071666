package backend

import (
	"context"
	"errors"
	"fmt"

	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/tui"
)

// ByStrategy lists the jwt population or the database store depending on
// the strategy the browser shows; either may be nil (nothing to list).
type ByStrategy struct {
	JWT, Database tui.SessionSource
}

func (s ByStrategy) pick(st resolver.Strategy) (tui.SessionSource, error) {
	src := s.JWT
	if st == resolver.StrategyDatabase {
		src = s.Database
	}
	if src == nil {
		return nil, fmt.Errorf("no %s sessions to list in this profile: %w", st, tui.ErrNotSupported)
	}
	return src, nil
}

// List implements tui.SessionSource.
func (s ByStrategy) List(ctx context.Context, q tui.ListQuery) (tui.SessionPage, error) {
	src, err := s.pick(q.Strategy)
	if err != nil {
		return tui.SessionPage{}, err
	}
	return src.List(ctx, q)
}

// Sorts implements tui.Sorter: the keys of the source listing st's sessions,
// or none (the screen then offers tui's default keys) when that source is
// missing or is not a Sorter.
func (s ByStrategy) Sorts(st resolver.Strategy) []tui.SortKey {
	src, err := s.pick(st)
	if err != nil {
		return nil
	}
	if so, ok := src.(tui.Sorter); ok {
		return so.Sorts(st)
	}
	return nil
}

// Revoke implements tui.SessionSource.
func (s ByStrategy) Revoke(ctx context.Context, r tui.SessionRow) error {
	src, err := s.pick(r.Strategy)
	if err != nil {
		return err
	}
	return src.Revoke(ctx, r)
}

// RevokeUser implements tui.SessionSource.
func (s ByStrategy) RevokeUser(ctx context.Context, r tui.SessionRow) (int, error) {
	src, err := s.pick(r.Strategy)
	if err != nil {
		return 0, err
	}
	return src.RevokeUser(ctx, r)
}

// errNoUser: a session row that names no user cannot have its user's
// sessions revoked.
var errNoUser = errors.New("the session names no user")
