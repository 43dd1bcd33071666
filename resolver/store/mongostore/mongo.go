// Package mongostore reads and manages Auth.js sessions in MongoDB, in the
// layout of @auth/mongodb-adapter: collections "users" and "sessions" in
// the connection string's database,
//
//	users     {_id: ObjectId, name, email, emailVerified: Date, image}
//	sessions  {_id: ObjectId, sessionToken, userId: ObjectId, expires: Date}
//
// with ids exposed as the ObjectId's hex (the adapter's from()). A lookup
// is the adapter's two finds (session by token, user by _id); an
// extension $sets expires; a deletion deletes the session document.
//
// The adapter creates no index. Until `authscope db migrate` adds them
// (createIndex on sessionToken, {expires, sessionToken} and {userId,
// sessionToken}), every lookup and listing scans the collection.
// Filters first find the matching users (a case-insensitive regular
// expression on name, email or id), then their sessions: a filter that
// matches more than MaxFilterUsers users is refused rather than sent as a
// huge $in.
//
// Open never creates a collection or an index: a database without a
// "sessions" collection is an error naming what it has.
package mongostore

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/store"
	storedsn "github.com/authscope/authscope/resolver/store/internal/dsn"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/connstring"
)

// Options tune Open.
type Options struct {
	// ReadOnly makes Migrate refuse; every other write is refused by
	// store.ReadOnly, which store.Open applies (MongoDB has no session-wide
	// read-only switch to add below it).
	ReadOnly bool
	// MaxConns bounds the pool (default 8).
	MaxConns int
	// Users and Sessions rename the collections (the adapter's
	// options.collections); empty keeps "users" and "sessions".
	Users, Sessions string
	// ConnectTimeout bounds the first round trip (default 5s).
	ConnectTimeout time.Duration
}

// MaxFilterUsers bounds how many users one filter may match.
const MaxFilterUsers = 100_000

// AdapterLayout is the one layout this store reads (--schema accepts it,
// or auto).
const AdapterLayout = "mongodb-adapter"

// Store is a MongoDB session store. It implements resolver.Store,
// store.Browser and store.Seeder.
type Store struct {
	client   *mongo.Client
	users    *mongo.Collection
	sessions *mongo.Collection
	readOnly bool
}

var (
	_ resolver.Store = (*Store)(nil)
	_ store.Browser  = (*Store)(nil)
	_ store.Seeder   = (*Store)(nil)
)

// Open connects to the database the URI names (mongodb:// or
// mongodb+srv://; "test" when it names none, as the driver and the
// adapter default) and checks the adapter's collections are there.
func Open(ctx context.Context, uri string, opts Options) (*Store, error) {
	cs, err := connstring.ParseAndValidate(uri)
	if err != nil {
		// The parser's errors can quote the URI, password included.
		return nil, fmt.Errorf("mongodb: %w: want mongodb://user:password@host:27017/database", storedsn.ErrBad)
	}
	if opts.MaxConns <= 0 {
		opts.MaxConns = 8
	}
	if opts.ConnectTimeout <= 0 {
		opts.ConnectTimeout = 5 * time.Second
	}
	if opts.Users == "" {
		opts.Users = "users"
	}
	if opts.Sessions == "" {
		opts.Sessions = "sessions"
	}
	co := options.Client().ApplyURI(uri).SetMaxPoolSize(uint64(opts.MaxConns)).
		SetServerSelectionTimeout(opts.ConnectTimeout).SetConnectTimeout(opts.ConnectTimeout).SetAppName("authscope")
	client, err := mongo.Connect(co)
	if err != nil {
		return nil, fmt.Errorf("mongodb: %w: invalid connection settings", storedsn.ErrBad)
	}
	name := cs.Database
	if name == "" {
		name = "test"
	}
	db := client.Database(name)
	s := &Store{client: client, users: db.Collection(opts.Users), sessions: db.Collection(opts.Sessions), readOnly: opts.ReadOnly}
	if err := s.check(ctx, db); err != nil {
		client.Disconnect(context.Background())
		return nil, err
	}
	return s, nil
}

// check is --schema auto for MongoDB: the sessions collection must exist.
func (s *Store) check(ctx context.Context, db *mongo.Database) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	names, err := db.ListCollectionNames(ctx, bson.D{})
	if err != nil {
		return fmt.Errorf("mongodb: %w", err)
	}
	if slices.Contains(names, s.sessions.Name()) {
		return nil
	}
	slices.Sort(names)
	found := "no collections"
	if len(names) > 0 {
		found = "collections " + strings.Join(names, ", ")
	}
	return noLayoutError{fmt.Sprintf("mongodb: no Auth.js session collection in database %s: found %s; looked for %s (%s layout)", db.Name(), found, s.sessions.Name(), AdapterLayout)}
}

// ErrNoCollection is wrapped by Open's error when the database has no
// sessions collection.
var ErrNoCollection = errors.New("no session collection")

type noLayoutError struct{ msg string }

func (e noLayoutError) Error() string      { return e.msg }
func (noLayoutError) Is(target error) bool { return target == ErrNoCollection }

// LayoutName implements store.LayoutNamer.
func (s *Store) LayoutName() string { return "mongodb " + AdapterLayout }

// Close implements resolver.Store.
func (s *Store) Close() error { return s.client.Disconnect(context.Background()) }

// Collections exposes the collections for migrations and tests.
func (s *Store) Collections() (users, sessions *mongo.Collection) { return s.users, s.sessions }

// sessionDoc and userDoc are the adapter's documents. Ids are kept raw:
// an ObjectId as the adapter writes it, or whatever another writer put.
type sessionDoc struct {
	Token   string        `bson:"sessionToken"`
	UserID  bson.RawValue `bson:"userId"`
	Expires bson.RawValue `bson:"expires"`
}

type userDoc struct {
	ID            bson.RawValue `bson:"_id"`
	Name          *string       `bson:"name"`
	Email         *string       `bson:"email"`
	Image         *string       `bson:"image"`
	EmailVerified bson.RawValue `bson:"emailVerified"`
}

// idString is an id as the adapter's from() shows it: an ObjectId's hex,
// a string as is.
func idString(v bson.RawValue) string {
	if oid, ok := v.ObjectIDOK(); ok {
		return oid.Hex()
	}
	if s, ok := v.StringValueOK(); ok {
		return s
	}
	return ""
}

// idValue is the stored form of an id: an ObjectId when it is 24 hex
// digits (the adapter's new ObjectId(id)), else the string.
func idValue(id string) any {
	if len(id) == 24 {
		if b, err := hex.DecodeString(id); err == nil {
			var oid bson.ObjectID
			copy(oid[:], b)
			return oid
		}
	}
	return id
}

func dateOf(v bson.RawValue) (*time.Time, error) {
	if v.Type == 0 || v.Type == bson.TypeNull {
		return nil, nil
	}
	dt, ok := v.DateTimeOK()
	if !ok {
		return nil, fmt.Errorf("%w: a date of BSON type %s", resolver.ErrMalformedRow, v.Type)
	}
	t := time.UnixMilli(dt).UTC()
	return &t, nil
}

func (d sessionDoc) stored() (*resolver.StoredSession, error) {
	exp, err := dateOf(d.Expires)
	if err != nil || exp == nil {
		return nil, fmt.Errorf("%w: expires", resolver.ErrMalformedRow)
	}
	return &resolver.StoredSession{Token: d.Token, UserID: idString(d.UserID), Expires: *exp}, nil
}

func (d userDoc) stored() *resolver.StoredUser {
	u := &resolver.StoredUser{ID: idString(d.ID), Name: d.Name, Email: d.Email, Image: d.Image}
	if v, err := dateOf(d.EmailVerified); err == nil {
		u.EmailVerified = v
	}
	return u
}

// SessionAndUser implements resolver.Store as the adapter's
// getSessionAndUser does: the session by token, then its user by _id.
func (s *Store) SessionAndUser(ctx context.Context, token string) (*resolver.StoredSession, *resolver.StoredUser, error) {
	var d sessionDoc
	err := s.sessions.FindOne(ctx, bson.D{{Key: "sessionToken", Value: token}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("mongodb: session lookup: %w", err)
	}
	sess, err := d.stored()
	if err != nil {
		return nil, nil, err
	}
	var u userDoc
	err = s.users.FindOne(ctx, bson.D{{Key: "_id", Value: d.UserID}}).Decode(&u)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return sess, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("mongodb: user lookup: %w", err)
	}
	return sess, u.stored(), nil
}

// UpdateExpiry implements resolver.Store (the adapter's updateSession).
func (s *Store) UpdateExpiry(ctx context.Context, token string, expires time.Time) error {
	_, err := s.sessions.UpdateOne(ctx, bson.D{{Key: "sessionToken", Value: token}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "expires", Value: expires.UTC()}}}})
	if err != nil {
		return fmt.Errorf("mongodb: update session: %w", err)
	}
	return nil
}

// DeleteSession implements resolver.Store (the adapter's deleteSession).
func (s *Store) DeleteSession(ctx context.Context, token string) error {
	_, err := s.deleteSession(ctx, token)
	return err
}

func (s *Store) deleteSession(ctx context.Context, token string) (int64, error) {
	res, err := s.sessions.DeleteOne(ctx, bson.D{{Key: "sessionToken", Value: token}})
	if err != nil {
		return 0, fmt.Errorf("mongodb: delete session: %w", err)
	}
	return res.DeletedCount, nil
}
