package resolver

import (
	"testing"
	"time"
)

// The database strategy writes its refresh and clear cookies with the
// configured cookie options too.
func TestDatabaseCookieOptions(t *testing.T) {
	st := newMemStore()
	st.users["u1"] = StoredUser{ID: "u1"}
	st.sessions["tok"] = StoredSession{Token: "tok", UserID: "u1", Expires: dbNow.Add(time.Hour)}
	f := false
	cfg := Config{Strategy: StrategyDatabase, RefreshCookies: true, UpdateAge: time.Nanosecond,
		Cookies: CookiesConfig{SessionToken: CookieOptions{Domain: ".example.com", Path: "/app", SameSite: "strict", HTTPOnly: &f}}}
	r := newDBResolver(t, cfg, st)
	res, _ := r.Resolve(t.Context(), FromPairs("authjs.session-token", "tok"))
	if !res.OK() || len(res.SetCookies) != 1 {
		t.Fatalf("%s %v", res.Reason, res.SetCookies)
	}
	want := "authjs.session-token=tok; Domain=.example.com; Path=/app; Expires=Tue, 31 Mar 2026 12:00:00 GMT; SameSite=Strict"
	if got := FormatSetCookie(res.SetCookies[0]); got != want {
		t.Fatalf("refresh\n got %s\nwant %s", got, want)
	}
	res, _ = r.Resolve(t.Context(), FromPairs("authjs.session-token", "unknown"))
	want = "authjs.session-token=; Max-Age=0; Domain=.example.com; Path=/app; SameSite=Strict"
	if len(res.SetCookies) != 1 || FormatSetCookie(res.SetCookies[0]) != want {
		t.Fatalf("clear %q", SetCookieLines(res.SetCookies))
	}
}

// Without a decided cookie name the database strategy reads the name the
// request's scheme selects, as the JWT resolver does.
func TestDatabasePerRequestCookieName(t *testing.T) {
	st := newMemStore()
	st.users["u1"] = StoredUser{ID: "u1"}
	st.sessions["tok"] = StoredSession{Token: "tok", UserID: "u1", Expires: dbNow.Add(time.Hour)}
	r := newDBResolver(t, Config{Strategy: StrategyDatabase, RefreshCookies: true}, st)
	for _, c := range []struct {
		in   Input
		ok   bool
		line string
	}{
		{FromPairs("__Secure-authjs.session-token", "tok"), true, "__Secure-authjs.session-token=tok; Path=/; Expires=Tue, 31 Mar 2026 12:00:00 GMT; HttpOnly; Secure; SameSite=Lax"},
		{FromPairs("authjs.session-token", "tok"), true, "authjs.session-token=tok; Path=/; Expires=Tue, 31 Mar 2026 12:00:00 GMT; HttpOnly; SameSite=Lax"},
		{FromPairs("__Secure-authjs.session-token", "tok").WithScheme("http", ""), false, ""},
		{FromPairs("authjs.session-token", "tok").WithScheme("https", ""), false, ""},
	} {
		res, _ := r.Resolve(t.Context(), c.in)
		if res.OK() != c.ok {
			t.Fatalf("%q: %s", c.in.CookieHeader(), res.Reason)
		}
		if c.ok && (len(res.SetCookies) != 1 || FormatSetCookie(res.SetCookies[0]) != c.line) {
			t.Fatalf("%q: %q", c.in.CookieHeader(), SetCookieLines(res.SetCookies))
		}
	}
}
