package resolver

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

// benchUpstream is a loopback upstream answering a typical session body.
func benchUpstream(b *testing.B) *httptest.Server {
	const body = `{"user":{"name":"Ada Lovelace","email":"ada@example.com","image":"https://img.example/a.png"},"expires":"2026-12-27T08:00:00.000Z"}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, body)
	}))
	b.Cleanup(srv.Close)
	return srv
}

// BenchmarkProxyResolve is proxy mode over loopback: cookie header in,
// parsed session out, keep-alive connection reused.
func BenchmarkProxyResolve(b *testing.B) {
	srv := benchUpstream(b)
	r, err := New(Config{Mode: ModeProxy, BaseURL: srv.URL + "/api/auth"})
	if err != nil {
		b.Fatal(err)
	}
	header, _ := cookie600()
	in := FromCookieHeader(header)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		res, err := r.Resolve(ctx, in)
		if err != nil || !res.OK() {
			b.Fatalf("%v %+v", err, res)
		}
	}
}

// BenchmarkUpstreamDirect is the baseline for BenchmarkProxyResolve: the
// same GET with a plain keep-alive client, body read and discarded.
func BenchmarkUpstreamDirect(b *testing.B) {
	srv := benchUpstream(b)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	header, _ := cookie600()
	b.ReportAllocs()
	for b.Loop() {
		req, _ := http.NewRequest("GET", srv.URL+"/api/auth/session", nil)
		req.Header.Set("Cookie", header)
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}
