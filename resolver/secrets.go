package resolver

// authSecretEnvs are the variables @auth/core's setEnvDefaults reads for the
// secret list, in the order the resulting list has them: it unshifts
// AUTH_SECRET, then _1, _2, _3, so the last one set ends up first.
var authSecretEnvs = [...]string{"AUTH_SECRET_3", "AUTH_SECRET_2", "AUTH_SECRET_1", "AUTH_SECRET"}

// SecretsFromEnv assembles Auth.js's secret list from AUTH_SECRET and
// AUTH_SECRET_1..3 exactly as @auth/core's setEnvDefaults does: each set
// variable is unshifted in the order AUTH_SECRET, _1, _2, _3, so the list
// reads [_3, _2, _1, AUTH_SECRET] and AUTH_SECRET_1 (when set without _2,
// _3) is the one used for encoding. Unset (empty) variables are skipped.
//
// It lives here, not with the profiles, because the order is Auth.js's
// own rule: any Go service configuring a Resolver from the environment
// needs it, and the interop vectors check it against real Auth.js.
func SecretsFromEnv(getenv func(string) string) []string {
	var out []string
	for _, n := range authSecretEnvs {
		if v := getenv(n); v != "" {
			out = append(out, v)
		}
	}
	return out
}
