// Package all links every store driver into a program: import it for its
// side effect when store.Open should accept any DSN the CLI documents.
//
//	import _ "github.com/authscope/authscope/resolver/store/all"
//
// Libraries and services that need one store import that driver package
// instead, so they do not link the others' client libraries.
package all

import (
	// Each driver registers itself with store.Register in its init.
	_ "github.com/authscope/authscope/resolver/store/mongostore"
	_ "github.com/authscope/authscope/resolver/store/mysqlstore"
	_ "github.com/authscope/authscope/resolver/store/pgstore"
	_ "github.com/authscope/authscope/resolver/store/redisstore"
	_ "github.com/authscope/authscope/resolver/store/sqlitestore"
)
