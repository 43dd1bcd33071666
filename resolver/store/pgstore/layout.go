package pgstore

import (
	"strings"

	"github.com/jackc/pgx/v5"
)

// ident quotes a column name; table quotes a possibly schema-qualified table.
func ident(name string) string { return pgx.Identifier{name}.Sanitize() }

func table(name string) string { return pgx.Identifier(strings.Split(name, ".")).Sanitize() }
