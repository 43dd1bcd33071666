package resolver

// Constructors not yet implemented. Each owner deletes its function from
// this file when it lands the real one; the file goes when it is empty.

func newCached(r Resolver, _ Config, _ options) Resolver { return r }
