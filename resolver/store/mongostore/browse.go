package mongostore

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/store"
	"github.com/authscope/authscope/resolver/store/internal/keyset"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// ListSessions implements store.Browser: a find sorted on the keyset
// (expires or userId, then sessionToken), the page's users fetched with
// one $in.
func (s *Store) ListSessions(ctx context.Context, q store.ListQuery) (store.Page, error) {
	q, cur, err := keyset.Parse(q)
	if err != nil {
		return store.Page{}, fmt.Errorf("mongodb: list: %w", err)
	}
	filter, err := s.filter(ctx, q.Filter, q.State, q.Now, q.MaxAge, q.UpdateAge)
	if err != nil {
		return store.Page{}, err
	}
	key := "expires"
	if q.Sort == store.SortUser {
		key = "userId"
	}
	dir := 1
	op := "$gt"
	if q.Desc {
		dir, op = -1, "$lt"
	}
	if cur != nil {
		var k any = cur.Expires.UTC()
		if q.Sort == store.SortUser {
			k = idValue(cur.UserID)
		}
		filter = append(filter, bson.E{Key: "$or", Value: bson.A{
			bson.D{{Key: key, Value: bson.D{{Key: op, Value: k}}}},
			bson.D{{Key: key, Value: k}, {Key: "sessionToken", Value: bson.D{{Key: op, Value: cur.Token}}}},
		}})
	}
	fo := options.Find().SetSort(bson.D{{Key: key, Value: dir}, {Key: "sessionToken", Value: dir}}).SetLimit(int64(q.Limit + 1))
	c, err := s.sessions.Find(ctx, and(filter), fo)
	if err != nil {
		return store.Page{}, fmt.Errorf("mongodb: list: %w", err)
	}
	var docs []sessionDoc
	if err := c.All(ctx, &docs); err != nil {
		return store.Page{}, fmt.Errorf("mongodb: list: %w", err)
	}
	rows, err := s.join(ctx, docs)
	if err != nil {
		return store.Page{}, err
	}
	return keyset.PageOf(q, rows), nil
}

// and is filter as one document ({} when empty).
func and(f bson.D) bson.D {
	if f == nil {
		return bson.D{}
	}
	return f
}

// join reads the sessions' users with one $in and pairs them up.
func (s *Store) join(ctx context.Context, docs []sessionDoc) ([]resolver.SessionRow, error) {
	ids := bson.A{}
	for _, d := range docs {
		ids = append(ids, d.UserID)
	}
	users := map[string]*resolver.StoredUser{}
	if len(ids) > 0 {
		c, err := s.users.Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}})
		if err != nil {
			return nil, fmt.Errorf("mongodb: list users: %w", err)
		}
		var us []userDoc
		if err := c.All(ctx, &us); err != nil {
			return nil, fmt.Errorf("mongodb: list users: %w", err)
		}
		for _, u := range us {
			users[idString(u.ID)] = u.stored()
		}
	}
	rows := make([]resolver.SessionRow, 0, len(docs))
	for _, d := range docs {
		sess, err := d.stored()
		if err != nil {
			return nil, fmt.Errorf("mongodb: list: %w", err)
		}
		rows = append(rows, resolver.SessionRow{Session: *sess, User: users[sess.UserID]})
	}
	return rows, nil
}

// filter is the sessions query for a substring filter (through the
// matching users' ids) and a state window.
func (s *Store) filter(ctx context.Context, sub string, state store.SessionState, now time.Time, maxAge, updateAge time.Duration) (bson.D, error) {
	var f bson.D
	if sub != "" {
		ids, err := s.matchingUsers(ctx, sub)
		if err != nil {
			return nil, err
		}
		f = append(f, bson.E{Key: "userId", Value: bson.D{{Key: "$in", Value: ids}}})
	}
	lo, hi := keyset.Window(state, now, maxAge, updateAge)
	var exp bson.D
	if !lo.IsZero() {
		exp = append(exp, bson.E{Key: "$gte", Value: lo.UTC()})
	}
	if !hi.IsZero() {
		exp = append(exp, bson.E{Key: "$lt", Value: hi.UTC()})
	}
	if exp != nil {
		f = append(f, bson.E{Key: "expires", Value: exp})
	}
	return f, nil
}

// matchingUsers are the ids of the users whose name, email or id contains
// sub, case-insensitively (the id as the adapter shows it: ObjectId hex).
func (s *Store) matchingUsers(ctx context.Context, sub string) (bson.A, error) {
	re := bson.Regex{Pattern: regexp.QuoteMeta(sub), Options: "i"}
	c, err := s.users.Find(ctx, bson.D{{Key: "$or", Value: bson.A{
		bson.D{{Key: "name", Value: re}}, bson.D{{Key: "email", Value: re}},
	}}}, options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}).SetLimit(MaxFilterUsers+1))
	if err != nil {
		return nil, fmt.Errorf("mongodb: filter users: %w", err)
	}
	var us []userDoc
	if err := c.All(ctx, &us); err != nil {
		return nil, fmt.Errorf("mongodb: filter users: %w", err)
	}
	ids := bson.A{}
	for _, u := range us {
		ids = append(ids, u.ID)
	}
	// An ObjectId is not text to a regular expression: ids are matched on
	// their hex here. Only a filter that could be part of one needs it.
	if isHexish(sub) {
		more, err := s.usersByID(ctx, sub)
		if err != nil {
			return nil, err
		}
		ids = append(ids, more...)
	}
	if len(ids) > MaxFilterUsers {
		return nil, fmt.Errorf("mongodb: the filter matches more than %d users: narrow it", MaxFilterUsers)
	}
	return ids, nil
}

func isHexish(s string) bool {
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f' || r >= 'A' && r <= 'F') {
			return false
		}
	}
	return true
}

// usersByID scans the users' ids for the substring (string ids by regex,
// ObjectIds by their hex).
func (s *Store) usersByID(ctx context.Context, sub string) (bson.A, error) {
	c, err := s.users.Find(ctx, bson.D{}, options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("mongodb: filter users: %w", err)
	}
	defer c.Close(ctx)
	ids := bson.A{}
	for c.Next(ctx) {
		id := c.Current.Lookup("_id")
		if keyset.Matches(sub, &resolver.StoredUser{ID: idString(id)}) {
			ids = append(ids, id)
			if len(ids) > MaxFilterUsers {
				break
			}
		}
	}
	return ids, c.Err()
}

// Counts implements store.Browser with a count per state.
func (s *Store) Counts(ctx context.Context, q store.CountQuery) (store.Counts, error) {
	q = keyset.NormalizeCounts(q)
	now, dueHi := keyset.CountBounds(q)
	base, err := s.filter(ctx, q.Filter, store.StateAll, time.Time{}, 0, 0)
	if err != nil {
		return store.Counts{}, err
	}
	count := func(exp bson.D) (int, error) {
		f := append(bson.D{}, base...)
		if exp != nil {
			f = append(f, bson.E{Key: "expires", Value: exp})
		}
		n, err := s.sessions.CountDocuments(ctx, f)
		return int(n), err
	}
	var c store.Counts
	for _, x := range []struct {
		dst *int
		exp bson.D
	}{
		{&c.Total, nil},
		{&c.Active, bson.D{{Key: "$gte", Value: now.UTC()}}},
		{&c.Expired, bson.D{{Key: "$lt", Value: now.UTC()}}},
		{&c.Due, bson.D{{Key: "$gte", Value: now.UTC()}, {Key: "$lt", Value: dueHi.UTC()}}},
	} {
		if *x.dst, err = count(x.exp); err != nil {
			return store.Counts{}, fmt.Errorf("mongodb: counts: %w", err)
		}
	}
	return c, nil
}

// RevokeSession implements store.Browser.
func (s *Store) RevokeSession(ctx context.Context, token string) error {
	return keyset.Revoked(s.deleteSession(ctx, token))
}

// RevokeUser implements store.Browser.
func (s *Store) RevokeUser(ctx context.Context, userID string) (int, error) {
	res, err := s.sessions.DeleteMany(ctx, bson.D{{Key: "userId", Value: idValue(userID)}})
	if err != nil {
		return 0, fmt.Errorf("mongodb: revoke user: %w", err)
	}
	return int(res.DeletedCount), nil
}
