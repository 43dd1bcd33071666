package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/authscope/authscope/resolver"
)

func TestCookieRowsReadsHeadersAndTokens(t *testing.T) {
	cfg := resolver.Config{Secrets: []string{"cookies-file-secret"}}.WithDefaults()
	codec, err := resolver.NewCodec(cfg)
	if err != nil {
		t.Fatal(err)
	}
	other, err := resolver.NewCodec(resolver.Config{Secrets: []string{"another-secret"}}.WithDefaults())
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	mint := func(c *resolver.Codec, email string, issued time.Time) string {
		tok, err := c.Encode(resolver.Claims{"name": "Ada Lovelace", "email": email, "sub": "u-" + email[:1]}, issued, cfg.MaxAge)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	live := mint(codec, "ada@example.com", now)
	expired := mint(codec, "bob@example.com", now.Add(-2*cfg.MaxAge))
	foreign := mint(other, "eve@example.com", now)
	file := filepath.Join(t.TempDir(), "cookies.txt")
	body := "# browsed cookies\n" +
		"theme=dark; " + cfg.SessionCookieName() + "=" + live + "\n\n" +
		expired + "\n" +
		foreign + "\n"
	if err := os.WriteFile(file, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	rows, err := cookieRows(file, cfg, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 {
		t.Fatalf("%d rows", len(rows))
	}
	if rows[0].Token != live || rows[0].Email != "ada@example.com" || rows[0].UserID != "u-a" || rows[0].Expires.Before(now) {
		t.Fatalf("live row: %+v", rows[0])
	}
	if rows[1].Email != "bob@example.com" || !rows[1].Expires.Before(now) {
		t.Fatalf("expired row: email %q expires %v", rows[1].Email, rows[1].Expires)
	}
	if rows[2].Email != "" || !rows[2].Expires.IsZero() {
		t.Fatalf("a cookie of another secret was decoded: %+v", rows[2])
	}

	if err := os.WriteFile(file, []byte("theme=dark\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := cookieRows(file, cfg, now); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Fatalf("a line without the session cookie: %v", err)
	}
}
