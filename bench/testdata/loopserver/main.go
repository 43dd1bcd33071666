// Command loopserver is the loopback server of truthfulness.sh: it answers
// GET /api/auth/session with an Auth.js-shaped body after a fixed service
// time (spun, so the timing is not at the mercy of timer granularity).
package main

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"
)

func main() {
	addr := flag.String("listen", "127.0.0.1:0", "loopback address")
	service := flag.Duration("service", 2*time.Millisecond, "time spent on each request")
	flag.Parse()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(ln.Addr().String())
	http.HandleFunc("/api/auth/session", func(w http.ResponseWriter, r *http.Request) {
		end := time.Now().Add(*service)
		if d := time.Until(end) - time.Millisecond; d > 0 {
			time.Sleep(d)
		}
		for time.Now().Before(end) {
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"user":{"name":"Bench"},"expires":"2030-01-01T00:00:00.000Z"}`))
	})
	_ = http.Serve(ln, nil)
}
