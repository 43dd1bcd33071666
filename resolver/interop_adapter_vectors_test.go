package resolver_test

// Adapter vectors (testdata/authjs/vectors/adapters/<kind>.json): the rows
// a real Auth.js adapter wrote, byte for byte as its database holds them,
// the Cookie headers sent to the real Auth() at a fixed clock, its answers,
// and the session rows it left. TestAdapterVectors replays them without
// Node: the rows go into a fresh database of the same kind (SQLite always;
// PostgreSQL and MariaDB when they run, required under CI=true), the Go
// store opens it with --schema auto, and the resolver must answer and leave
// the rows as Auth.js did. TestGenerateAdapterVectors writes them (needs
// the live harness and AUTHSCOPE_GEN_ADAPTER_VECTORS=1).

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"github.com/authscope/authscope/resolver"
	"github.com/authscope/authscope/resolver/authjstest"
	"github.com/authscope/authscope/resolver/store"
)

// adapterTables are where each adapter kind keeps its rows.
type adapterTables struct {
	dialect         string // postgres, mysql, sqlite
	users, sessions string
}

var adapterVectorKinds = map[string]adapterTables{
	"drizzle-pg":       {"postgres", "user", "session"},
	"kysely-pg":        {"postgres", "User", "Session"},
	"supabase":         {"postgres", "next_auth.users", "next_auth.sessions"},
	"prisma-pg":        {"postgres", "User", "Session"},
	"drizzle-mysql":    {"mysql", "user", "session"},
	"kysely-mysql":     {"mysql", "User", "Session"},
	"prisma-mysql":     {"mysql", "User", "Session"},
	"drizzle-sqlite":   {"sqlite", "user", "session"},
	"prisma-sqlite":    {"sqlite", "User", "Session"},
	"prisma-sqlite-ms": {"sqlite", "User", "Session"},
}

// rawRow is one row as its database holds it: PostgreSQL's to_json of the
// row; MySQL's text values (UTC session); SQLite's stored values.
type rawRow = map[string]any

type adapterVector struct {
	Adapter    string `json:"adapter"`
	Dialect    string `json:"dialect"`
	NowMS      int64  `json:"now_ms"`
	MaxAge     int64  `json:"max_age"`
	UpdateAge  int64  `json:"update_age"`
	BaseURL    string `json:"base_url"`
	CookieName string `json:"cookie_name"`
	RowsBefore struct {
		Users    []rawRow `json:"users"`
		Sessions []rawRow `json:"sessions"`
	} `json:"rows_before"`
	Cases []struct {
		Name         string `json:"name"`
		SessionToken string `json:"session_token"`
		CookieHeader string `json:"cookie_header"`
		Expect       struct {
			Status           int      `json:"status"`
			BodyRaw          string   `json:"body_raw"`
			SessionSetCookie []string `json:"session_set_cookie"`
		} `json:"expect"`
	} `json:"cases"`
	// SessionsAfter are the session rows after every case ran.
	SessionsAfter []rawRow `json:"sessions_after"`
}

func adapterVectorDir() string { return filepath.Join(authjstest.VectorDir, "adapters") }

func TestAdapterVectors(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(adapterVectorDir(), "*.json"))
	if len(files) < len(adapterVectorKinds) {
		t.Fatalf("%d adapter vector files, want %d (one per kind)", len(files), len(adapterVectorKinds))
	}
	for _, f := range files {
		var v adapterVector
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		t.Run(v.Adapter, func(t *testing.T) { replayAdapterVector(t, &v) })
	}
}

func replayAdapterVector(t *testing.T, v *adapterVector) {
	tables, ok := adapterVectorKinds[v.Adapter]
	if !ok {
		t.Fatalf("unknown adapter kind %q", v.Adapter)
	}
	db := newAdapterDB(t, v.Adapter)
	insertRaw(t, tables.dialect, db.dsn, tables.users, v.RowsBefore.Users)
	insertRaw(t, tables.dialect, db.dsn, tables.sessions, v.RowsBefore.Sessions)
	ctx := context.Background()
	st, err := store.Open(ctx, db.dsn, db.opts)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer st.Close()
	now := time.UnixMilli(v.NowMS).UTC()
	cfg := resolver.Config{
		Mode: resolver.ModeLocal, Strategy: resolver.StrategyDatabase, BaseURL: v.BaseURL,
		MaxAge: time.Duration(v.MaxAge) * time.Second, UpdateAge: time.Duration(v.UpdateAge) * time.Second,
		RefreshCookies: true,
	}
	r, err := resolver.New(cfg, resolver.WithClock(func() time.Time { return now }), resolver.WithStore(st))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range v.Cases {
		res, err := r.Resolve(ctx, resolver.FromCookieHeader(c.CookieHeader))
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		if got := string(resolver.MarshalSessionBody(res.Session)); got != c.Expect.BodyRaw {
			t.Errorf("%s: body (reason %s, %v)\n got: %s\nwant: %s", c.Name, res.Reason, res.Err, got, c.Expect.BodyRaw)
		}
		var got, want []string
		for _, ck := range res.SetCookies {
			got = append(got, resolver.FormatSetCookie(ck))
		}
		for _, ck := range sessionSetCookies(c.Expect.SessionSetCookie, v.CookieName) {
			want = append(want, ck.name+"="+ck.value+";"+ck.attrs)
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("%s: session Set-Cookie lines (-auth.js +go):\n%s", c.Name, d)
		}
	}
	after := dumpRaw(t, tables.dialect, db.dsn, tables.sessions)
	if d := cmp.Diff(sessionExpiries(t, v.SessionsAfter), sessionExpiries(t, after)); d != "" {
		t.Errorf("session rows after (-auth.js +go):\n%s", d)
	}
}

// sessionExpiries maps each session row's token to its expiry instant, in
// whatever form the adapter or Go stored it (ISO text with or without an
// offset, epoch milliseconds, MySQL's DATETIME text in UTC).
func sessionExpiries(t *testing.T, rows []rawRow) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, r := range rows {
		tok, _ := r["sessionToken"].(string)
		out[tok] = parseStoredTime(t, r["expires"]).Format(jsISO)
	}
	return out
}

func parseStoredTime(t *testing.T, v any) time.Time {
	t.Helper()
	switch x := v.(type) {
	case json.Number:
		ms, err := x.Int64()
		if err != nil {
			t.Fatalf("expires %v: %v", x, err)
		}
		return time.UnixMilli(ms).UTC()
	case int64:
		return time.UnixMilli(x).UTC()
	case string:
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999", "2006-01-02 15:04:05.999999999Z07:00"} {
			if tm, err := time.Parse(layout, x); err == nil {
				return tm.UTC()
			}
		}
	}
	t.Fatalf("unreadable stored expiry %#v", v)
	return time.Time{}
}

// dumpRaw reads every row of a table as its database holds it, ordered by
// the row's JSON (so the dump is stable).
func dumpRaw(t *testing.T, dialect, dsn, table string) []rawRow {
	t.Helper()
	var rows []rawRow
	switch dialect {
	case "postgres":
		ctx := context.Background()
		c, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close(ctx)
		// Supabase's PostgREST and the adapters' drivers see UTC.
		if _, err := c.Exec(ctx, "SET TimeZone = 'UTC'"); err != nil {
			t.Fatal(err)
		}
		pr, err := c.Query(ctx, "SELECT to_json(t)::text FROM "+pgx.Identifier(strings.Split(table, ".")).Sanitize()+" t")
		if err != nil {
			t.Fatal(err)
		}
		for pr.Next() {
			var s string
			if err := pr.Scan(&s); err != nil {
				t.Fatal(err)
			}
			rows = append(rows, decodeRow(t, s))
		}
		if err := pr.Err(); err != nil {
			t.Fatal(err)
		}
	default:
		db := rawSQL(t, dialect, dsn)
		defer db.Close()
		rows = dumpSQL(t, db, dialect, table)
	}
	sort.Slice(rows, func(i, j int) bool { return rowKey(rows[i]) < rowKey(rows[j]) })
	return rows
}

func decodeRow(t *testing.T, s string) rawRow {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var r rawRow
	if err := dec.Decode(&r); err != nil {
		t.Fatal(err)
	}
	return r
}

func rowKey(r rawRow) string {
	b, _ := json.Marshal(r)
	return string(b)
}

// rawSQL opens MySQL (text values, UTC session) or SQLite for raw rows.
func rawSQL(t *testing.T, dialect, dsn string) *sql.DB {
	t.Helper()
	var db *sql.DB
	var err error
	if dialect == "sqlite" {
		db, err = sql.Open("sqlite", "file:"+strings.TrimPrefix(dsn, "sqlite:"))
	} else {
		u, perr := url.Parse(dsn)
		if perr != nil {
			t.Fatal(perr)
		}
		db, err = sql.Open("mysql", u.User.Username()+"@tcp("+u.Host+")"+u.Path+"?time_zone=%27%2B00%3A00%27")
	}
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	return db
}

func quoteSQL(dialect, table string) string {
	if dialect == "mysql" {
		return "`" + table + "`"
	}
	return `"` + table + `"`
}

func dumpSQL(t *testing.T, db *sql.DB, dialect, table string) []rawRow {
	t.Helper()
	rs, err := db.Query("SELECT " + sqlColumns(t, db, dialect, table) + " FROM " + quoteSQL(dialect, table))
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	cols, _ := rs.Columns()
	var rows []rawRow
	for rs.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rs.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		r := rawRow{}
		for i, c := range cols {
			switch x := vals[i].(type) {
			case []byte:
				r[c] = string(x)
			case int64:
				r[c] = json.Number(fmt.Sprint(x))
			case float64:
				r[c] = json.Number(fmt.Sprint(x))
			default:
				r[c] = x
			}
		}
		rows = append(rows, r)
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

// sqlColumns is the select list: * on MySQL; on SQLite each column as
// +"col", which keeps the stored value and its type but drops the
// declared type, so the driver does not turn DATETIME text into a
// time.Time (the dump must be the text the adapter wrote).
func sqlColumns(t *testing.T, db *sql.DB, dialect, table string) string {
	t.Helper()
	if dialect != "sqlite" {
		return "*"
	}
	rs, err := db.Query(`SELECT name FROM pragma_table_info(?)`, table)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	var cols []string
	for rs.Next() {
		var c string
		if err := rs.Scan(&c); err != nil {
			t.Fatal(err)
		}
		cols = append(cols, `+"`+c+`" AS "`+c+`"`)
	}
	if err := rs.Err(); err != nil || len(cols) == 0 {
		t.Fatalf("columns of %s: %v", table, err)
	}
	return strings.Join(cols, ", ")
}

// insertRaw writes rows back as they were dumped.
func insertRaw(t *testing.T, dialect, dsn, table string, rows []rawRow) {
	t.Helper()
	if len(rows) == 0 {
		return
	}
	if dialect == "postgres" {
		ctx := context.Background()
		c, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close(ctx)
		tbl := pgx.Identifier(strings.Split(table, ".")).Sanitize()
		for _, r := range rows {
			b, _ := json.Marshal(r)
			if _, err := c.Exec(ctx, "INSERT INTO "+tbl+" SELECT * FROM json_populate_record(NULL::"+tbl+", $1::json)", string(b)); err != nil {
				t.Fatalf("insert into %s: %v", table, err)
			}
		}
		return
	}
	db := rawSQL(t, dialect, dsn)
	defer db.Close()
	for _, r := range rows {
		cols := slices.Sorted(maps.Keys(r))
		var names, marks []string
		var args []any
		for _, c := range cols {
			names = append(names, quoteSQL(dialect, c))
			marks = append(marks, "?")
			v := r[c]
			if n, ok := v.(json.Number); ok {
				if i, err := n.Int64(); err == nil {
					v = i
				} else {
					v, _ = n.Float64()
				}
			}
			args = append(args, v)
		}
		q := fmt.Sprintf("INSERT INTO %s (%s) VALUES (%s)", quoteSQL(dialect, table), strings.Join(names, ", "), strings.Join(marks, ", "))
		if _, err := db.Exec(q, args...); err != nil {
			t.Fatalf("insert into %s: %v", table, err)
		}
	}
}

// TestGenerateAdapterVectors writes vectors/adapters/<kind>.json: a fresh
// database from the adapter's DDL, the real adapter writes the rows
// (gen-adapter-vectors.mjs write), they are dumped, the real Auth() answers
// each cookie (… resolve), and the session rows left are dumped.
func TestGenerateAdapterVectors(t *testing.T) {
	if os.Getenv("AUTHSCOPE_GEN_ADAPTER_VECTORS") != "1" {
		t.Skip("set AUTHSCOPE_GEN_ADAPTER_VECTORS=1 (with the live harness) to regenerate the adapter vectors")
	}
	authjstest.RequireLive(t)
	if err := os.MkdirAll(adapterVectorDir(), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, kind := range slices.Sorted(maps.Keys(adapterVectorKinds)) {
		t.Run(kind, func(t *testing.T) {
			tables := adapterVectorKinds[kind]
			db := newAdapterDB(t, kind)
			written := runVectorPhase(t, db.env, "write", nil)
			var v map[string]any
			if err := json.Unmarshal(written, &v); err != nil {
				t.Fatal(err)
			}
			before := map[string]any{
				"users":    dumpRaw(t, tables.dialect, db.dsn, tables.users),
				"sessions": dumpRaw(t, tables.dialect, db.dsn, tables.sessions),
			}
			resolved := runVectorPhase(t, db.env, "resolve", written)
			if err := json.Unmarshal(resolved, &v); err != nil {
				t.Fatal(err)
			}
			v["adapter"], v["dialect"], v["rows_before"] = kind, tables.dialect, before
			v["sessions_after"] = dumpRaw(t, tables.dialect, db.dsn, tables.sessions)
			out, err := json.MarshalIndent(v, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(adapterVectorDir(), kind+".json"), append(out, '\n'), 0o644); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func runVectorPhase(t *testing.T, env map[string]string, phase string, stdin []byte) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", "gen-adapter-vectors.mjs", phase)
	cmd.Dir = authjstest.Dir
	cmd.Env = os.Environ()
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Stdin = bytes.NewReader(stdin)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("gen-adapter-vectors.mjs %s: %v\n%s", phase, err, stderr.String())
	}
	return out
}
