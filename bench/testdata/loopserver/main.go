// Command loopserver is the loopback server of truthfulness.sh, ceiling.sh
// and serve-ratio.sh: it answers GET /api/auth/session with an
// Auth.js-shaped body after a fixed service time (spun, so the timing is
// not at the mercy of timer granularity). With -service 0 it answers at
// once: the static Go handler the serve figures are measured against
// (-size 171 gives the fixed 171-byte body).
package main

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"time"
)

func main() {
	addr := flag.String("listen", "127.0.0.1:0", "loopback address")
	service := flag.Duration("service", 2*time.Millisecond, "time spent on each request")
	size := flag.Int("size", 0, "answer a session body of exactly this many bytes (0: the short default)")
	flag.Parse()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(ln.Addr().String())
	body := []byte(`{"user":{"name":"Bench"},"expires":"2030-01-01T00:00:00.000Z"}`)
	if *size > len(body) {
		body = []byte(`{"user":{"name":"` + strings.Repeat("x", *size-len(body)+len("Bench")) + `"},"expires":"2030-01-01T00:00:00.000Z"}`)
	}
	http.HandleFunc("/api/auth/session", func(w http.ResponseWriter, r *http.Request) {
		if *service > 0 {
			end := time.Now().Add(*service)
			if d := time.Until(end) - time.Millisecond; d > 0 {
				time.Sleep(d)
			}
			for time.Now().Before(end) {
			}
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	})
	_ = http.Serve(ln, nil)
}
