package sqlitestore

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/betterauth"
)

// TestCreateAndInsert: a file created with Schema and filled through
// InsertUser/InsertSession answers the recorded "valid" vector's body.
func TestCreateAndInsert(t *testing.T) {
	var vs []vector
	readJSON(t, "database.json", &vs)
	v := vs[0]
	ctx := context.Background()
	st, err := Create(ctx, filepath.Join(t.TempDir(), "ba.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	obj := func(m map[string]any, order []string) betterauth.Object {
		o := betterauth.Object{}
		for _, k := range order {
			o = append(o, betterauth.Field{Name: k, Value: m[k]})
		}
		return o
	}
	if err := st.InsertUser(ctx, obj(v.Rows.User[0], []string{"id", "name", "email", "emailVerified", "image", "createdAt", "updatedAt"})); err != nil {
		t.Fatal(err)
	}
	if err := st.InsertSession(ctx, obj(v.Rows.Session[0], []string{"id", "expiresAt", "token", "createdAt", "updatedAt", "ipAddress", "userAgent", "userId"})); err != nil {
		t.Fatal(err)
	}
	if err := st.InsertSession(ctx, obj(v.Rows.Session[0], []string{"id"})); err == nil {
		t.Fatal("a duplicate, incomplete session row was accepted")
	}
	now := time.UnixMilli(v.NowMS)
	r, err := betterauth.New(betterauth.Config{BaseURL: v.Options.BaseURL, Secrets: betterauth.Secrets{Current: *v.Options.Secret}},
		betterauth.WithStore(st), betterauth.WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	a, err := r.ResolveBody(ctx, resolver.FromCookieHeader(*v.Cookie), betterauth.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := string(betterauth.MarshalBody(a.Body)); got != v.Expect.BodyRaw {
		t.Fatalf("body\n got %s\nwant %s", got, v.Expect.BodyRaw)
	}
}
