// Package connect resolves Auth.js sessions in a Connect (connectrpc.com)
// service, which speaks gRPC, gRPC-Web and Connect over net/http. Browsers
// calling it send the Auth.js cookie; Interceptor reads it from the
// request headers (and a Bearer token from Authorization, as getToken
// does), puts the Result in the context for handlers
// (resolver.SessionFromContext) and, when required, refuses calls without
// a session with CodeUnauthenticated (CodeUnavailable when a store or
// upstream failed, so clients retry).
package connect

import (
	"context"
	"errors"
	"net/http"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/authscope/authscope/resolver"
)

// WhoProcedure is the example's one RPC: it answers the caller's name.
const WhoProcedure = "/authscope.examples.v1.WhoService/Who"

// Interceptor resolves the caller's session for every unary call.
func Interceptor(r resolver.Resolver, require bool) connect.UnaryInterceptorFunc {
	return func(next connect.UnaryFunc) connect.UnaryFunc {
		return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
			if req.Spec().IsClient {
				return next(ctx, req)
			}
			in := resolver.FromHeader(req.Header()).WithBearer(req.Header().Get("Authorization"))
			res, err := r.Resolve(ctx, in)
			if err != nil {
				return nil, connect.NewError(connect.CodeInternal, errors.New("session resolver unavailable"))
			}
			if require && res.Session == nil {
				if res.Reason.Infrastructure() {
					return nil, connect.NewError(connect.CodeUnavailable, errors.New("session store unavailable"))
				}
				return nil, connect.NewError(connect.CodeUnauthenticated, errors.New("no session"))
			}
			return next(resolver.NewContext(ctx, res), req)
		}
	}
}

// New serves WhoProcedure behind the interceptor.
func New(r resolver.Resolver) (string, http.Handler) {
	return WhoProcedure, connect.NewUnaryHandler(WhoProcedure,
		func(ctx context.Context, _ *connect.Request[wrapperspb.StringValue]) (*connect.Response[wrapperspb.StringValue], error) {
			s, _ := resolver.SessionFromContext(ctx)
			name, _ := s.User.Name.Str()
			return connect.NewResponse(wrapperspb.String(name)), nil
		},
		connect.WithInterceptors(Interceptor(r, true)),
	)
}
