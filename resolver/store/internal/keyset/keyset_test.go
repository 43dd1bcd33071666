package keyset

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/store"
)

func rows(n int) []resolver.SessionRow {
	var out []resolver.SessionRow
	for i := range n {
		out = append(out, resolver.SessionRow{Session: resolver.StoredSession{Token: string(rune('a' + i)), UserID: "u", Expires: time.UnixMilli(int64(i)).UTC()}})
	}
	return out
}

// PageOf keeps Limit rows and points Next after the last kept one only
// when the store fetched more.
func TestPageOf(t *testing.T) {
	q := store.ListQuery{Sort: store.SortExpires, Limit: 2}
	if p := PageOf(q, rows(2)); len(p.Rows) != 2 || p.Next != "" {
		t.Errorf("exactly Limit rows: %d rows, next %q", len(p.Rows), p.Next)
	}
	p := PageOf(q, rows(3))
	if d := cmp.Diff(rows(2), p.Rows); d != "" {
		t.Errorf("rows (-want +got):\n%s", d)
	}
	c, err := Decode(q.Sort, p.Next)
	if err != nil || c.Token != "b" {
		t.Errorf("next cursor %+v, %v: want after token b", c, err)
	}
}

func TestRevoked(t *testing.T) {
	boom := errors.New("boom")
	for _, tc := range []struct {
		n    int64
		err  error
		want error
	}{{1, nil, nil}, {0, nil, resolver.ErrNotFound}, {0, boom, boom}} {
		if got := Revoked(tc.n, tc.err); !errors.Is(got, tc.want) || (tc.want == nil) != (got == nil) {
			t.Errorf("Revoked(%d, %v) = %v, want %v", tc.n, tc.err, got, tc.want)
		}
	}
}

func TestParseRejectsCursorOfOtherSort(t *testing.T) {
	next := Encode(store.SortUser, rows(1)[0])
	if _, _, err := Parse(store.ListQuery{Sort: store.SortExpires, After: next}); !errors.Is(err, ErrBadCursor) {
		t.Errorf("Parse: %v, want ErrBadCursor", err)
	}
	q, c, err := Parse(store.ListQuery{Sort: store.SortUser, After: next})
	if err != nil || c == nil || c.Token != "a" || q.Limit != DefaultLimit || q.MaxAge != resolver.DefaultMaxAge {
		t.Errorf("Parse: %+v %+v %v", q, c, err)
	}
}

func TestWhereAndOrder(t *testing.T) {
	if got := Where(nil); got != "" {
		t.Errorf("Where(nil) = %q", got)
	}
	if got := Where([]string{"a", "b"}); got != " WHERE a AND b" {
		t.Errorf("Where = %q", got)
	}
	if op, dir := Order(false); op != ">" || dir != "ASC" {
		t.Errorf("Order(asc) = %s %s", op, dir)
	}
	if op, dir := Order(true); op != "<" || dir != "DESC" {
		t.Errorf("Order(desc) = %s %s", op, dir)
	}
}
