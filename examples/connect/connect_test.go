package connect_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/wrapperspb"

	example "github.com/authscope/authscope/examples/connect"
	"github.com/authscope/authscope/examples/internal/sessiontest"
	"github.com/authscope/authscope/resolver"
)

type down struct{}

func (down) Resolve(context.Context, resolver.Input) (resolver.Result, error) {
	return resolver.Result{Reason: resolver.ReasonStoreError}, nil
}

func TestConnectInterceptor(t *testing.T) {
	r, cookie := sessiontest.Resolver(t)
	call := func(res resolver.Resolver, hdr ...string) (string, error) {
		mux := http.NewServeMux()
		mux.Handle(example.New(res))
		srv := httptest.NewServer(mux)
		defer srv.Close()
		client := connect.NewClient[wrapperspb.StringValue, wrapperspb.StringValue](srv.Client(), srv.URL+example.WhoProcedure)
		req := connect.NewRequest(&wrapperspb.StringValue{})
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header().Set(hdr[i], hdr[i+1])
		}
		resp, err := client.CallUnary(context.Background(), req)
		if err != nil {
			return "", err
		}
		return resp.Msg.GetValue(), nil
	}
	if name, err := call(r, "Cookie", cookie); err != nil || name != "Ada" {
		t.Fatalf("cookie: %q %v", name, err)
	}
	if name, err := call(r, "Authorization", "Bearer "+strings.TrimPrefix(cookie, "authjs.session-token=")); err != nil || name != "Ada" {
		t.Fatalf("bearer: %q %v", name, err)
	}
	if _, err := call(r); connect.CodeOf(err) != connect.CodeUnauthenticated {
		t.Fatalf("anonymous: %v, want unauthenticated", err)
	}
	if _, err := call(down{}, "Cookie", cookie); connect.CodeOf(err) != connect.CodeUnavailable {
		t.Fatalf("store down: %v, want unavailable", err)
	}
}
