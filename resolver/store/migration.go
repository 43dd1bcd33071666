package store

// Migration is one statement `authscope db migrate` prints and runs, and
// why: SQL DDL for the SQL drivers, a mongosh createIndex call for
// MongoDB, so every store's plan is shown alike.
type Migration struct {
	Why string
	SQL string
}
