package mongostore

import (
	"context"
	"crypto/sha256"
	"fmt"

	"github.com/authscope/authscope/resolver"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// IntegerUserIDs implements store.Seeder: ids are ObjectIds.
func (s *Store) IntegerUserIDs() bool { return false }

// ObjectIDUserIDs makes the seed give users ObjectId-shaped ids
// (store.ObjectIDSeeder), as the adapter's would be.
func (s *Store) ObjectIDUserIDs() bool { return true }

// InsertUsers implements store.Seeder: an upsert per user that only
// inserts ($setOnInsert), so existing users are skipped.
func (s *Store) InsertUsers(ctx context.Context, users []resolver.StoredUser) (int, error) {
	models := make([]mongo.WriteModel, len(users))
	for i, u := range users {
		doc := bson.D{{Key: "name", Value: u.Name}, {Key: "email", Value: u.Email}, {Key: "image", Value: u.Image}}
		if u.EmailVerified != nil {
			doc = append(doc, bson.E{Key: "emailVerified", Value: u.EmailVerified.UTC()})
		} else {
			doc = append(doc, bson.E{Key: "emailVerified", Value: nil})
		}
		models[i] = mongo.NewUpdateOneModel().SetFilter(bson.D{{Key: "_id", Value: idValue(u.ID)}}).
			SetUpdate(bson.D{{Key: "$setOnInsert", Value: doc}}).SetUpsert(true)
	}
	return s.upsert(ctx, s.users, models)
}

// InsertSessions implements store.Seeder. The document _id is derived
// from the token (the adapter's is a fresh ObjectId; it only has to be
// unique), so reseeding skips existing sessions even without an index on
// sessionToken.
func (s *Store) InsertSessions(ctx context.Context, sessions []resolver.StoredSession) (int, error) {
	models := make([]mongo.WriteModel, len(sessions))
	for i, ss := range sessions {
		h := sha256.Sum256([]byte(ss.Token))
		var oid bson.ObjectID
		copy(oid[:], h[:12])
		doc := bson.D{{Key: "sessionToken", Value: ss.Token}, {Key: "userId", Value: idValue(ss.UserID)}, {Key: "expires", Value: ss.Expires.UTC()}}
		models[i] = mongo.NewUpdateOneModel().SetFilter(bson.D{{Key: "_id", Value: oid}}).
			SetUpdate(bson.D{{Key: "$setOnInsert", Value: doc}}).SetUpsert(true)
	}
	return s.upsert(ctx, s.sessions, models)
}

func (s *Store) upsert(ctx context.Context, c *mongo.Collection, models []mongo.WriteModel) (int, error) {
	if len(models) == 0 {
		return 0, nil
	}
	res, err := c.BulkWrite(ctx, models)
	if err != nil {
		return 0, fmt.Errorf("mongodb: insert: %w", err)
	}
	return int(res.UpsertedCount), nil
}
