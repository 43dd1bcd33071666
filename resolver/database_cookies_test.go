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
