package mongostore

import (
	"context"
	"fmt"
	"strings"

	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/store"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Migration is one index and why; SQL holds the mongosh command, so
// `authscope db migrate` prints every store alike.
type Migration = store.Migration

type index struct {
	why    string
	unique bool
	keys   []string
}

func (s *Store) indexes() []index {
	return []index{
		{"session lookups by token (the adapter creates no index)", true, []string{"sessionToken"}},
		{"lists sorted by expiry, counts by state", false, []string{"expires", "sessionToken"}},
		{"lists sorted by user, revoking a user's sessions", false, []string{"userId", "sessionToken"}},
	}
}

func (ix index) shell(coll string) string {
	var keys []string
	for _, k := range ix.keys {
		keys = append(keys, k+": 1")
	}
	opts := ""
	if ix.unique {
		opts = ", { unique: true }"
	}
	return fmt.Sprintf("db.%s.createIndex({ %s }%s)", coll, strings.Join(keys, ", "), opts)
}

// Migrations lists the createIndex calls the sessions collection lacks; an
// index led by the same field counts.
func (s *Store) Migrations(ctx context.Context) ([]Migration, error) {
	leads, err := s.leadingFields(ctx)
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, ix := range s.indexes() {
		if !leads[ix.keys[0]] {
			out = append(out, Migration{Why: ix.why, SQL: ix.shell(s.sessions.Name())})
		}
	}
	return out, nil
}

func (s *Store) leadingFields(ctx context.Context) (map[string]bool, error) {
	c, err := s.sessions.Indexes().List(ctx)
	if err != nil {
		return nil, fmt.Errorf("mongodb: list indexes: %w", err)
	}
	var specs []struct {
		Key bson.D `bson:"key"`
	}
	if err := c.All(ctx, &specs); err != nil {
		return nil, fmt.Errorf("mongodb: list indexes: %w", err)
	}
	leads := map[string]bool{}
	for _, sp := range specs {
		if len(sp.Key) > 0 {
			leads[sp.Key[0].Key] = true
		}
	}
	return leads, nil
}

// Migrate creates the indexes Migrations lists.
func (s *Store) Migrate(ctx context.Context, ms []Migration) error {
	if s.readOnly {
		return resolver.ErrReadOnly
	}
	want := map[string]bool{}
	for _, m := range ms {
		want[m.SQL] = true
	}
	for _, ix := range s.indexes() {
		if !want[ix.shell(s.sessions.Name())] {
			continue
		}
		keys := bson.D{}
		for _, k := range ix.keys {
			keys = append(keys, bson.E{Key: k, Value: 1})
		}
		m := mongo.IndexModel{Keys: keys}
		if ix.unique {
			m.Options = options.Index().SetUnique(true)
		}
		if _, err := s.sessions.Indexes().CreateOne(ctx, m); err != nil {
			return fmt.Errorf("mongodb: %s: %w", ix.shell(s.sessions.Name()), err)
		}
	}
	return nil
}
