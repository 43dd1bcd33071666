// Package examples shows authscope's resolver in Go web stacks: plain
// net/http, chi, gin, echo and a Connect (gRPC-compatible) interceptor,
// one package each, each tested.
//
// It is a module of its own (examples/go.mod, with a replace directive to
// the repository root) so that the library never depends on a web
// framework: resolver.Middleware is plain net/http, and each framework
// needs at most a few lines of glue, shown here.
//
//	cd examples && go test ./...
package examples
