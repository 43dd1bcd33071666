package mongostore_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/authscope/authscope/resolver/store"
	"github.com/authscope/authscope/resolver/store/mongostore"
	"github.com/authscope/authscope/resolver/store/storetest"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

func client(t testing.TB, uri string) (*mongo.Client, *mongo.Database) {
	t.Helper()
	c, err := mongo.Connect(options.Client().ApplyURI(uri))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Disconnect(context.Background()) })
	name := uri[strings.LastIndex(uri, "/")+1:]
	return c, c.Database(name)
}

// adapterDB is a database as the adapter leaves it after its first
// sign-in: the users and sessions collections, no index but _id's.
func adapterDB(t testing.TB) string {
	t.Helper()
	uri := storetest.MongoDB(t)
	_, db := client(t, uri)
	for _, c := range []string{"users", "sessions", "accounts"} {
		if err := db.CreateCollection(t.Context(), c); err != nil {
			t.Fatal(err)
		}
	}
	return uri
}

func openURI(t testing.TB, uri string, ro bool) *mongostore.Store {
	t.Helper()
	st, err := store.Open(t.Context(), uri, store.Options{ReadOnly: ro})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if ro {
		t.Fatal("openURI is for writable stores: read-only ones are wrapped (store.ReadOnly)")
	}
	return st.(*mongostore.Store)
}

func openRO(t *testing.T, uri string) storetest.Full {
	st, err := store.Open(t.Context(), uri, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st.(storetest.Full)
}

// catalog is what is schema in a MongoDB database: its collections with
// their options, and every index.
func catalog(t *testing.T, uri string) string {
	t.Helper()
	_, db := client(t, uri)
	specs, err := db.ListCollectionSpecifications(t.Context(), bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, sp := range specs {
		lines = append(lines, fmt.Sprintf("collection %s %s %v", sp.Name, sp.Type, sp.Options))
		c, err := db.Collection(sp.Name).Indexes().List(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		var ix []bson.M
		if err := c.All(t.Context(), &ix); err != nil {
			t.Fatal(err)
		}
		for _, i := range ix {
			lines = append(lines, fmt.Sprintf("index %s %v %v unique=%v", sp.Name, i["name"], i["key"], i["unique"]))
		}
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Harness {
		uri := adapterDB(t)
		return storetest.Harness{
			Store:    openURI(t, uri, false),
			ReadOnly: func(t *testing.T) storetest.Full { return openRO(t, uri) },
			Reopen:   func(t *testing.T) storetest.Full { return openURI(t, uri, false) },
			Catalog:  func(t *testing.T) string { return catalog(t, uri) },
		}
	})
}

// TestAdapterDocuments reads documents shaped exactly as the adapter's
// to() writes them (ObjectId ids, Date expiries) and extends one in place.
func TestAdapterDocuments(t *testing.T) {
	uri := adapterDB(t)
	_, db := client(t, uri)
	uid := bson.NewObjectID()
	exp := time.Date(2026, 5, 1, 12, 0, 0, 123e6, time.UTC)
	if _, err := db.Collection("users").InsertOne(t.Context(), bson.D{{Key: "_id", Value: uid}, {Key: "name", Value: "Ada"}, {Key: "email", Value: "ada@example.com"}, {Key: "emailVerified", Value: nil}}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Collection("sessions").InsertOne(t.Context(), bson.D{{Key: "_id", Value: bson.NewObjectID()}, {Key: "sessionToken", Value: "tok"}, {Key: "userId", Value: uid}, {Key: "expires", Value: exp}}); err != nil {
		t.Fatal(err)
	}
	st := openURI(t, uri, false)
	sess, u, err := st.SessionAndUser(t.Context(), "tok")
	if err != nil || sess == nil || u == nil {
		t.Fatalf("%+v %+v %v", sess, u, err)
	}
	if sess.UserID != uid.Hex() || u.ID != uid.Hex() || !sess.Expires.Equal(exp) || *u.Name != "Ada" || u.Image != nil || u.EmailVerified != nil {
		t.Fatalf("session %+v user %+v", sess, u)
	}
	later := exp.Add(time.Hour)
	if err := st.UpdateExpiry(t.Context(), "tok", later); err != nil {
		t.Fatal(err)
	}
	var raw bson.M
	if err := db.Collection("sessions").FindOne(t.Context(), bson.D{{Key: "sessionToken", Value: "tok"}}).Decode(&raw); err != nil {
		t.Fatal(err)
	}
	if got, ok := raw["expires"].(bson.DateTime); !ok || !got.Time().Equal(later) || raw["userId"] != uid {
		t.Fatalf("stored %#v", raw)
	}
	if n, err := st.RevokeUser(t.Context(), uid.Hex()); err != nil || n != 1 {
		t.Fatalf("revoke user: %d %v", n, err)
	}
}

// TestNoCollection: a database without the adapter's collections is one
// line naming what it has, and is left as it was.
func TestNoCollection(t *testing.T) {
	uri := storetest.MongoDB(t)
	_, db := client(t, uri)
	if err := db.CreateCollection(t.Context(), "posts"); err != nil {
		t.Fatal(err)
	}
	before := catalog(t, uri)
	_, err := store.Open(t.Context(), uri, store.Options{})
	if err == nil || !errors.Is(err, mongostore.ErrNoCollection) || !strings.HasSuffix(err.Error(), ": found collections posts; looked for sessions (mongodb-adapter layout)") {
		t.Fatalf("err = %v", err)
	}
	if catalog(t, uri) != before {
		t.Fatal("a failed open changed the database")
	}
}

// TestMigrate: the adapter creates no index; migrate adds the three, and
// then has nothing left to do.
func TestMigrate(t *testing.T) {
	uri := adapterDB(t)
	st := openURI(t, uri, false)
	ms, err := st.Migrations(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"db.sessions.createIndex({ sessionToken: 1 }, { unique: true })",
		"db.sessions.createIndex({ expires: 1, sessionToken: 1 })",
		"db.sessions.createIndex({ userId: 1, sessionToken: 1 })",
	}
	var got []string
	for _, m := range ms {
		got = append(got, m.SQL)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("migrations %q", got)
	}
	if err := st.Migrate(t.Context(), ms); err != nil {
		t.Fatal(err)
	}
	if left, err := st.Migrations(t.Context()); err != nil || len(left) != 0 {
		t.Fatalf("after migrate: %v %v", left, err)
	}
}
