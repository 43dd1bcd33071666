package sqlstore_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/betterauth"
	"github.com/authscope/authscope/resolver/betterauth/sqlstore"
)

// The recorded get-session vectors (a real Better Auth server, Kysely on
// SQLite) replayed over every PostgreSQL and MySQL layout: the rows go in
// converted to each column's type, and Go must answer the same body byte
// for byte and leave the same rows.

const vectorDir = "../../../testdata/betterauth/vectors"

type vector struct {
	Name    string `json:"name"`
	NowMS   int64  `json:"now_ms"`
	Options struct {
		Secret                *string         `json:"secret"`
		BaseURL               string          `json:"base_url"`
		ExpiresIn             *int            `json:"expires_in"`
		UpdateAge             *int            `json:"update_age"`
		DisableSessionRefresh bool            `json:"disable_session_refresh"`
		UserFields            []field         `json:"user_additional_fields"`
		SessionFields         []field         `json:"session_additional_fields"`
		CookieCache           json.RawMessage `json:"cookie_cache"`
	} `json:"options"`
	Rows   rows    `json:"rows_before"`
	Cookie *string `json:"cookie_header"`
	Query  string  `json:"query"`
	Expect struct {
		BodyRaw string `json:"body_raw"`
		Rows    rows   `json:"rows_after"`
	} `json:"expect"`
}

type field struct {
	Name     string `json:"name"`
	Type     string `json:"type"`
	Returned bool   `json:"returned"`
}

type rows struct {
	User    []map[string]any `json:"user"`
	Session []map[string]any `json:"session"`
}

func extra(fs []field) []betterauth.AdditionalField {
	var out []betterauth.AdditionalField
	for _, f := range fs {
		out = append(out, betterauth.AdditionalField{Name: f.Name, Type: f.Type, Hidden: !f.Returned})
	}
	return out
}

func loadVectors(t *testing.T) []vector {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(vectorDir, "database.json"))
	if err != nil {
		t.Fatal(err)
	}
	var vs []vector
	if err := json.Unmarshal(b, &vs); err != nil {
		t.Fatal(err)
	}
	return vs
}

// object orders a recorded row's members (sorted: inserts do not care).
func object(m map[string]any) betterauth.Object {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	o := betterauth.Object{}
	for _, k := range keys {
		o = append(o, betterauth.Field{Name: k, Value: m[k]})
	}
	return o
}

func TestDatabaseVectorsOverLayouts(t *testing.T) {
	vs := loadVectors(t)
	for _, l := range layouts() {
		t.Run(l.name, func(t *testing.T) {
			dsn := fresh(t, l)
			n := 0
			for _, v := range vs {
				if v.Options.CookieCache != nil && string(v.Options.CookieCache) != "null" {
					continue
				}
				n++
				t.Run(v.Name, func(t *testing.T) { replay(t, l, dsn, v) })
			}
			if n < 20 {
				t.Fatalf("only %d vectors replayed", n)
			}
		})
	}
}

func replay(t *testing.T, l layout, dsn string, v vector) {
	ctx := context.Background()
	st := open(t, l, dsn, sqlstore.Layout{SessionExtra: extra(v.Options.SessionFields), UserExtra: extra(v.Options.UserFields)})
	if _, err := st.DB().Exec(`DELETE FROM ` + l.q(l.session)); err != nil {
		t.Fatal(err)
	}
	if _, err := st.DB().Exec(`DELETE FROM ` + l.q(l.user)); err != nil {
		t.Fatal(err)
	}
	var users, sessions []betterauth.Object
	for _, u := range v.Rows.User {
		users = append(users, object(u))
	}
	for _, s := range v.Rows.Session {
		sessions = append(sessions, object(s))
	}
	if err := st.InsertAll(ctx, users, sessions); err != nil {
		t.Fatal(err)
	}
	cfg := betterauth.Config{BaseURL: v.Options.BaseURL, Secrets: betterauth.Secrets{Current: *v.Options.Secret}, DisableSessionRefresh: v.Options.DisableSessionRefresh,
		SessionFields: extra(v.Options.SessionFields), UserFields: extra(v.Options.UserFields)}
	if v.Options.ExpiresIn != nil {
		cfg.ExpiresIn = time.Duration(*v.Options.ExpiresIn) * time.Second
	}
	if v.Options.UpdateAge != nil {
		cfg.UpdateAge, cfg.UpdateAgeSet = time.Duration(*v.Options.UpdateAge)*time.Second, true
	}
	now := time.UnixMilli(v.NowMS)
	r, err := betterauth.New(cfg, betterauth.WithStore(st), betterauth.WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	var in resolver.Input
	if v.Cookie != nil {
		in = resolver.FromCookieHeader(*v.Cookie)
	}
	a, err := r.ResolveBody(ctx, in, betterauth.Options{DisableRefresh: v.Query == "?disableRefresh=true"})
	if err != nil {
		t.Fatal(err)
	}
	if got := string(betterauth.MarshalBody(a.Body)); got != v.Expect.BodyRaw {
		t.Errorf("body:\n got %s\nwant %s", got, v.Expect.BodyRaw)
	}
	if got, want := sessionRows(t, l, st), coreRows(v.Expect.Rows.Session); got != want {
		t.Errorf("rows after:\n got %s\nwant %s", got, want)
	}
}

var sessionCore = []string{"id", "expiresAt", "token", "createdAt", "updatedAt", "ipAddress", "userAgent", "userId"}

func coreRows(rs []map[string]any) string {
	out := []map[string]any{}
	for _, r := range rs {
		c := map[string]any{}
		for _, k := range sessionCore {
			c[k] = r[k]
		}
		out = append(out, c)
	}
	b, _ := json.Marshal(out)
	return string(b)
}

// sessionRows reads the session table as the recorded rows hold it (dates
// as ISO text).
func sessionRows(t *testing.T, l layout, st *sqlstore.Store) string {
	t.Helper()
	cols := ""
	for i, f := range sessionCore {
		if i > 0 {
			cols += ", "
		}
		cols += l.q(l.col(f))
	}
	rs, err := st.DB().Query(`SELECT ` + cols + ` FROM ` + l.q(l.session) + ` ORDER BY ` + l.q(l.col("id")))
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	out := []map[string]any{}
	for rs.Next() {
		vals := make([]any, len(sessionCore))
		ptrs := make([]any, len(vals))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rs.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		m := map[string]any{}
		for i, f := range sessionCore {
			switch x := vals[i].(type) {
			case time.Time:
				m[f] = x.UTC().Format("2006-01-02T15:04:05.000Z")
			case []byte:
				m[f] = string(x)
			default:
				m[f] = x
			}
		}
		out = append(out, m)
	}
	b, _ := json.Marshal(out)
	return string(b)
}
