package cli

import (
	"strings"
	"testing"
)

// The CLI reads the environment as next-auth v5 does (NEXTAUTH_SECRET,
// NEXTAUTH_URL with its path), and without a URL accepts both cookie
// names, saying in --explain which one held the token.
func TestResolveNextAuthEnvAndBothCookieNames(t *testing.T) {
	const secret = "cli-env-test-secret-not-for-production"
	minted := map[string]string{"NEXTAUTH_SECRET": secret, "NEXTAUTH_URL": "https://app.example.com/custom/auth"}
	code, cookie, errs := runCLI(t, minted, `{"sub":"u1","name":"Ada"}`, "mint", "--now", testNow)
	if code != 0 || !strings.HasPrefix(cookie, "__Secure-authjs.session-token=") {
		t.Fatalf("mint: exit %d, %q %q", code, cookie, errs)
	}
	code, out, errs := runCLI(t, map[string]string{"NEXTAUTH_SECRET": secret}, cookie, "resolve", "--explain", "--reveal", "--now", testNow)
	if code != 0 || !strings.Contains(out, `"name":"Ada"`) || !strings.Contains(errs, "token from: __Secure-authjs.session-token") {
		t.Fatalf("resolve without a URL: exit %d, out %q, stderr %q", code, out, errs)
	}
	// With the URL the name is decided: the plain name is not read.
	plain := strings.Replace(strings.TrimSpace(cookie), "__Secure-", "", 1)
	code, out, _ = runCLI(t, minted, plain, "resolve", "--now", testNow)
	if code != 0 || out != "null\n" {
		t.Fatalf("plain name on an https deployment: exit %d, out %q", code, out)
	}
	// --use-secure-cookies false overrides the URL.
	code, out, errs = runCLI(t, minted, cookie, "resolve", "--explain", "--use-secure-cookies", "false", "--now", testNow)
	if code != 0 || out != "null\n" || !strings.Contains(errs, "no_cookie") {
		t.Fatalf("--use-secure-cookies false: exit %d, out %q, stderr %q", code, out, errs)
	}
}
