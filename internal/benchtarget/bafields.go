package benchtarget

import (
	"github.com/authscope/authscope/profiles"
	"github.com/authscope/authscope/resolver/betterauth"
)

// BetterAuthFields are the profile's store.better_auth additionalFields
// as Better Auth's resolver takes them (returned: false is Hidden). resolve,
// serve and bench all build their Better Auth configuration through it, so
// a field get-session hides never shows in a bench answer either.
func BetterAuthFields(p *profiles.Profile) (session, user []betterauth.AdditionalField) {
	if p == nil {
		return nil, nil
	}
	return additional(p.Store.BetterAuth.SessionExtra), additional(p.Store.BetterAuth.UserExtra)
}

func additional(fs []profiles.BetterAuthExtra) []betterauth.AdditionalField {
	var out []betterauth.AdditionalField
	for _, f := range fs {
		out = append(out, betterauth.AdditionalField{Name: f.Name, Type: f.Type, Hidden: f.Returned != nil && !*f.Returned})
	}
	return out
}
