package main

import "testing"

// next-auth v4's /session answers "{}" (not "null") when there is no
// session; --legacy-v4 prints what v4 would.
func TestResolveLegacyV4NoSessionIsEmptyObject(t *testing.T) {
	for _, tc := range []struct{ name, stdin string }{
		{"no cookie", ""},
		{"undecryptable", "next-auth.session-token=not-a-jwe"},
	} {
		code, out, errs := runCLI(t, testEnv, tc.stdin, "resolve", "--legacy-v4", "--now", testNow)
		if code != 0 || out != "{}\n" {
			t.Errorf("%s: exit %d, out %q (stderr %q), want {}", tc.name, code, out, errs)
		}
	}
	// A v4 session still prints its body, and v5 keeps null.
	cookie := mintCookie(t, `{"sub":"u1","name":"Ada"}`, "--legacy-v4")
	_, out, _ := runCLI(t, testEnv, cookie, "resolve", "--legacy-v4", "--now", testNow, "--reveal")
	if out != `{"user":{"name":"Ada"},"expires":"2025-12-27T08:00:00.000Z"}`+"\n" {
		t.Errorf("v4 session body %q", out)
	}
	if _, out, _ := runCLI(t, testEnv, "", "resolve"); out != "null\n" {
		t.Errorf("v5 without a session printed %q, want null", out)
	}
}
