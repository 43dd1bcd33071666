package mongostore

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/authscope/authscope/resolver"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// IntegerUserIDs implements store.Seeder: ids are ObjectIds.
func (s *Store) IntegerUserIDs() bool { return false }

// ObjectIDUserIDs makes the seed give users ObjectId-shaped ids
// (store.ObjectIDSeeder), as the adapter's would be.
func (s *Store) ObjectIDUserIDs() bool { return true }

// InsertUsers implements store.Seeder: an unordered insertMany; a user
// whose _id exists is skipped (its duplicate-key error is the skip).
func (s *Store) InsertUsers(ctx context.Context, users []resolver.StoredUser) (int, error) {
	docs := make([]any, len(users))
	for i, u := range users {
		doc := bson.D{{Key: "_id", Value: idValue(u.ID)}, {Key: "name", Value: u.Name}, {Key: "email", Value: u.Email}, {Key: "image", Value: u.Image}}
		if u.EmailVerified != nil {
			doc = append(doc, bson.E{Key: "emailVerified", Value: u.EmailVerified.UTC()})
		} else {
			doc = append(doc, bson.E{Key: "emailVerified", Value: nil})
		}
		docs[i] = doc
	}
	return s.insertNew(ctx, s.users, docs)
}

// InsertSessions implements store.Seeder. The document _id is derived
// from the token (the adapter's is a fresh ObjectId; it only has to be
// unique), so reseeding skips existing sessions even without an index on
// sessionToken: _id is always unique.
func (s *Store) InsertSessions(ctx context.Context, sessions []resolver.StoredSession) (int, error) {
	docs := make([]any, len(sessions))
	for i, ss := range sessions {
		h := sha256.Sum256([]byte(ss.Token))
		var oid bson.ObjectID
		copy(oid[:], h[:12])
		docs[i] = bson.D{{Key: "_id", Value: oid}, {Key: "sessionToken", Value: ss.Token}, {Key: "userId", Value: idValue(ss.UserID)}, {Key: "expires", Value: ss.Expires.UTC()}}
	}
	return s.insertNew(ctx, s.sessions, docs)
}

// insertNew inserts the documents in one unordered insertMany and counts
// those inserted: duplicate _ids (a reseed) are skipped, any other error
// fails. Plain inserts, not upserts: a server answers a batch of inserts
// far faster than as many find-then-insert updates (FerretDB by orders of
// magnitude), which is what makes seeding a million sessions practical.
func (s *Store) insertNew(ctx context.Context, c *mongo.Collection, docs []any) (int, error) {
	if len(docs) == 0 {
		return 0, nil
	}
	res, err := c.InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	if err == nil {
		return len(res.InsertedIDs), nil
	}
	var bwe mongo.BulkWriteException
	if errors.As(err, &bwe) && bwe.WriteConcernError == nil {
		for _, we := range bwe.WriteErrors {
			if we.Code != duplicateKey {
				return 0, fmt.Errorf("mongodb: insert: %w", err)
			}
		}
		return len(docs) - len(bwe.WriteErrors), nil
	}
	return 0, fmt.Errorf("mongodb: insert: %w", err)
}

// duplicateKey is the server's E11000 code.
const duplicateKey = 11000
