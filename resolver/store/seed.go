package store

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/authscope/authscope/resolver"
)

// SeedOptions describe the demo or load data `authscope seed` writes.
type SeedOptions struct {
	Users    int
	Sessions int
	// Seed makes the data reproducible: the same seed gives the same users
	// and tokens, so seeding twice inserts nothing the second time.
	Seed int64
	// Now anchors the expiries (default time.Now()).
	Now time.Time
	// MaxAge and UpdateAge shape the mix (Auth.js defaults when zero).
	MaxAge, UpdateAge time.Duration
	// Mix is the share of sessions that are due for an update and that are
	// expired; the rest are fresh. Default 20% due, 20% expired.
	DueShare, ExpiredShare float64
	// Batch is the rows per insert batch (default 10,000).
	Batch int
	// Progress, when set, is called after each batch with totals so far.
	Progress func(SeedReport)
}

// SeedReport counts what Seed did.
type SeedReport struct {
	Users, Sessions               int // inserted
	SkippedUsers, SkippedSessions int // already there (same id or token)
}

// Seed fills s with opts.Users users and opts.Sessions sessions in
// batches. Users have plausible names and addresses in the reserved
// example.com / example.org domains; sessions are a deterministic mix of
// fresh, due-for-update and expired ones spread over users.
func Seed(ctx context.Context, s Seeder, opts SeedOptions) (SeedReport, error) {
	var rep SeedReport
	if opts.Users <= 0 || opts.Sessions < 0 {
		return rep, errors.New("seed: need at least one user and a non-negative session count")
	}
	if opts.Users > maxSeedUsers {
		return rep, fmt.Errorf("seed: at most %d users", maxSeedUsers)
	}
	opts = opts.WithDefaults()
	for start := 0; start < opts.Users; start += opts.Batch {
		n := min(opts.Batch, opts.Users-start)
		users := make([]resolver.StoredUser, n)
		for i := range n {
			users[i] = SeedUserFor(s, opts.Seed, start+i)
		}
		k, err := s.InsertUsers(ctx, users)
		if err != nil {
			return rep, fmt.Errorf("seed users: %w", err)
		}
		rep.Users += k
		rep.SkippedUsers += n - k
		if opts.Progress != nil {
			opts.Progress(rep)
		}
	}
	for start := 0; start < opts.Sessions; start += opts.Batch {
		n := min(opts.Batch, opts.Sessions-start)
		sessions := make([]resolver.StoredSession, n)
		for i := range n {
			sessions[i] = SeedSessionFor(s, opts, start+i)
		}
		k, err := s.InsertSessions(ctx, sessions)
		if err != nil {
			return rep, fmt.Errorf("seed sessions: %w", err)
		}
		rep.Sessions += k
		rep.SkippedSessions += n - k
		if opts.Progress != nil {
			opts.Progress(rep)
		}
	}
	return rep, nil
}

// WithDefaults fills in the zero options as Seed does.
func (opts SeedOptions) WithDefaults() SeedOptions {
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	if opts.MaxAge == 0 {
		opts.MaxAge = resolver.DefaultMaxAge
	}
	if opts.UpdateAge == 0 {
		opts.UpdateAge = resolver.DefaultUpdateAge
	}
	if opts.DueShare == 0 && opts.ExpiredShare == 0 {
		opts.DueShare, opts.ExpiredShare = 0.2, 0.2
	}
	if opts.Batch <= 0 {
		opts.Batch = 10_000
	}
	return opts
}

// maxSeedUsers keeps integer ids inside one seed's block (see SeedUserID).
const maxSeedUsers = 10_000_000

// SeedUserID is user i's id for a seed. Integer layouts (SERIAL) get ids
// from 1e9 up, a block of 1e7 per seed (mod 100), far above what a
// sequence hands out to real sign-ups; text layouts get UUID-shaped ids,
// as Drizzle's and Kysely's adapters do (crypto.randomUUID()), which
// uuid-typed id columns (Supabase, Kysely on PostgreSQL) accept too.
func SeedUserID(seed int64, i int, integer bool) string {
	if integer {
		block := (seed%100 + 100) % 100
		return strconv.FormatInt(1_000_000_000+block*maxSeedUsers+int64(i), 10)
	}
	return uuidOf(seedHash(seed, "user", i))
}

// ObjectIDSeeder is a Seeder whose user ids are MongoDB ObjectIds
// (@auth/mongodb-adapter): the seed gives it 24-hex-digit ids.
type ObjectIDSeeder interface {
	ObjectIDUserIDs() bool
}

// UserIDFor is user i's id for a seed in the id format s stores: integer,
// ObjectId hex, or a UUID-shaped text id.
func UserIDFor(s Seeder, seed int64, i int) string {
	if o, ok := s.(ObjectIDSeeder); ok && o.ObjectIDUserIDs() {
		h := seedHash(seed, "user", i)
		return hex.EncodeToString(h[:12])
	}
	return SeedUserID(seed, i, s.IntegerUserIDs())
}

// SeedToken is session j's token for a seed: UUID-shaped like Auth.js's
// crypto.randomUUID(), derived from the seed so reruns are idempotent.
func SeedToken(seed int64, j int) string {
	return uuidOf(seedHash(seed, "session", j))
}

// uuidOf formats a hash as a version-4 UUID.
func uuidOf(h [32]byte) string {
	h[6] = h[6]&0x0f | 0x40
	h[8] = h[8]&0x3f | 0x80
	x := hex.EncodeToString(h[:16])
	return x[0:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:32]
}

func seedHash(seed int64, kind string, i int) [32]byte {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(seed))
	binary.BigEndian.PutUint64(b[8:], uint64(i))
	return sha256.Sum256(append([]byte("authscope-seed/"+kind+"/"), b[:]...))
}

func seedRand(seed int64, kind string, i int) *rand.Rand {
	h := seedHash(seed, kind, i)
	return rand.New(rand.NewPCG(binary.BigEndian.Uint64(h[:8]), binary.BigEndian.Uint64(h[8:16])))
}

var (
	firstNames = []string{"Ada", "Alan", "Grace", "Linus", "Margaret", "Dennis", "Barbara", "Ken", "Frances", "Edsger",
		"Radia", "Donald", "Hedy", "Tim", "Katherine", "Guido", "Sophie", "John", "Karen", "Niklaus", "Mary", "Bjarne",
		"Adele", "Robin", "Joan", "Leslie", "Shafi", "Whitfield", "Evelyn", "Yukihiro"}
	lastNames = []string{"Lovelace", "Turing", "Hopper", "Torvalds", "Hamilton", "Ritchie", "Liskov", "Thompson",
		"Allen", "Dijkstra", "Perlman", "Knuth", "Lamarr", "Berners-Lee", "Johnson", "van Rossum", "Wilson",
		"McCarthy", "Spärck Jones", "Wirth", "Keller", "Stroustrup", "Goldberg", "Milner", "Clarke", "Lamport",
		"Goldwasser", "Diffie", "Boyd", "Matsumoto"}
)

// SeedUser is user i of a seed: a plausible person with an address in a
// reserved domain; about one in ten has no name and one in three no image,
// as OAuth profiles often lack them (NULL columns).
func SeedUser(seed int64, i int, integer bool) resolver.StoredUser {
	r := seedRand(seed, "user", i)
	first, last := firstNames[r.IntN(len(firstNames))], lastNames[r.IntN(len(lastNames))]
	domain := "example.com"
	if r.IntN(2) == 0 {
		domain = "example.org"
	}
	email := fmt.Sprintf("%s.%s.%d.%d@%s", asciiLower(first), asciiLower(last), seed, i, domain)
	u := resolver.StoredUser{ID: SeedUserID(seed, i, integer), Email: &email}
	if r.IntN(10) != 0 {
		name := first + " " + last
		u.Name = &name
	}
	if r.IntN(3) != 0 {
		img := fmt.Sprintf("https://example.com/avatars/%d/%d.png", seed, i)
		u.Image = &img
	}
	return u
}

// SeedSession is session j of a seed: its state drawn with the options'
// shares, its expiry uniform within that state's window at opts.Now.
func SeedSession(opts SeedOptions, j int, integer bool) resolver.StoredSession {
	ss, user := seedSession(opts, j)
	ss.UserID = SeedUserID(opts.Seed, user, integer)
	return ss
}

// SeedUserFor and SeedSessionFor are SeedUser and SeedSession with user ids
// in the format s stores (see UserIDFor).
func SeedUserFor(s Seeder, seed int64, i int) resolver.StoredUser {
	u := SeedUser(seed, i, s.IntegerUserIDs())
	u.ID = UserIDFor(s, seed, i)
	return u
}

// SeedSessionFor: see SeedUserFor.
func SeedSessionFor(s Seeder, opts SeedOptions, j int) resolver.StoredSession {
	ss, user := seedSession(opts, j)
	ss.UserID = UserIDFor(s, opts.Seed, user)
	return ss
}

// seedSession is session j without its user id, and its user's index.
func seedSession(opts SeedOptions, j int) (resolver.StoredSession, int) {
	r := seedRand(opts.Seed, "session", j)
	user := r.IntN(max(opts.Users, 1))
	now := time.UnixMilli(opts.Now.UnixMilli())
	fresh := opts.MaxAge - opts.UpdateAge // fresh: expires in (now+fresh, now+maxAge]
	var exp time.Time
	switch p := r.Float64(); {
	case p < opts.ExpiredShare:
		exp = now.Add(-time.Duration(r.Int64N(int64(opts.MaxAge))) - time.Millisecond)
	case p < opts.ExpiredShare+opts.DueShare:
		exp = now.Add(time.Duration(r.Int64N(int64(max(fresh, time.Millisecond)))))
	default:
		exp = now.Add(fresh + time.Millisecond + time.Duration(r.Int64N(int64(max(opts.UpdateAge, time.Millisecond)))))
	}
	return resolver.StoredSession{
		Token:   SeedToken(opts.Seed, j),
		Expires: time.UnixMilli(exp.UnixMilli()).UTC(),
	}, user
}

func asciiLower(s string) string {
	b := make([]byte, 0, len(s))
	for _, c := range []byte(s) {
		switch {
		case c >= 'A' && c <= 'Z':
			b = append(b, c+32)
		case c >= 'a' && c <= 'z', c == '-':
			b = append(b, c)
		}
	}
	return string(b)
}
