package pgstore

// SetMaxFilterUsers lets tests force the semi-join path of filtered lists.
func SetMaxFilterUsers(n int) (restore func()) {
	old := maxFilterUsers
	maxFilterUsers = n
	return func() { maxFilterUsers = old }
}
