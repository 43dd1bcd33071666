package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/authscope/authscope/profiles"
	"github.com/authscope/authscope/resolver/betterauth"
	bapg "github.com/authscope/authscope/resolver/betterauth/pgstore"
	"github.com/authscope/authscope/resolver/store/storetest"
)

// TestResolveBetterAuthProfileLayout: a profile's store.better_auth
// (modelName, fields, additionalFields with a hidden one) reaches the
// store and the engine: the recorded additional_fields vector, replayed
// over renamed PostgreSQL tables and columns, answers the real body.
func TestResolveBetterAuthProfileLayout(t *testing.T) {
	b, err := os.ReadFile("../../testdata/betterauth/vectors/database.json")
	if err != nil {
		t.Fatal(err)
	}
	var all []baVector
	json.Unmarshal(b, &all)
	var v baVector
	for _, x := range all {
		if x.Name == "additional_fields" {
			v = x
		}
	}
	if v.Cookie == nil {
		t.Fatal("no additional_fields vector")
	}
	ddl := `CREATE TABLE app_user ("id" text primary key, "full_name" text not null, "email" text not null, "emailVerified" boolean not null, "image" text,
  "createdAt" timestamptz not null, "updatedAt" timestamptz not null, "role" text, "plan" integer, "internalNote" text, "beta" boolean, "lastSeen" timestamptz);
CREATE TABLE app_session ("id" text primary key, "expiresAt" timestamptz not null, "session_token" text not null unique, "createdAt" timestamptz not null,
  "updatedAt" timestamptz not null, "ipAddress" text, "userAgent" text, "owner" text not null references app_user ("id"), "device" text, "secretFlag" boolean);`
	dsn := storetest.PostgresSchema(t, storetest.PostgresDB(t), ddl)
	prof := `name: custom
resolver: {mode: local, engine: better-auth}
store:
  dsn_env: BADB
  better_auth:
    session_model: app_session
    user_model: app_user
    session_fields: {token: session_token, userId: owner}
    user_fields: {name: full_name}
    user_additional_fields:
      - {name: role, type: string}
      - {name: plan, type: number}
      - {name: internalNote, type: string, returned: false}
      - {name: beta, type: boolean}
      - {name: lastSeen, type: date}
    session_additional_fields:
      - {name: device, type: string}
      - {name: secretFlag, type: boolean, returned: false}
`
	path := filepath.Join(t.TempDir(), "custom.yaml")
	os.WriteFile(path, []byte(prof), 0o644)
	// Rows in through the same layout.
	p, err := profiles.Find(path, "")
	if err != nil {
		t.Fatal(err)
	}
	st, err := bapg.Open(context.Background(), dsn, bapg.Options{Layout: baLayout(p)})
	if err != nil {
		t.Fatal(err)
	}
	obj := func(m map[string]any) betterauth.Object {
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
	if err := st.InsertAll(context.Background(), []betterauth.Object{obj(v.Rows.User[0])}, []betterauth.Object{obj(v.Rows.Session[0])}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	env := map[string]string{"BETTER_AUTH_SECRET": v.Options.Secret, "BADB": dsn}
	code, out, errs := runCLI(t, env, *v.Cookie, "resolve", "--profile", path, "--now", msNow(v.NowMS), "--reveal")
	tok := regexp.MustCompile(`"token":"[^"]*"`)
	if got, want := tok.ReplaceAllString(strings.TrimSpace(out), "T"), tok.ReplaceAllString(v.Expect.BodyRaw, "T"); code != 0 || got != want {
		t.Fatalf("exit %d (%s)\n got %s\nwant %s", code, errs, got, want)
	}
}
