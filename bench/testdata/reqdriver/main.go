// Command reqdriver sends an exact number of GET requests to one loopback
// URL over a fixed set of keep-alive connections and checks every answer
// (status, and optionally the number of Set-Cookie lines), for
// serve-instr.sh: a server run under callgrind has its counters zeroed
// before and dumped after one reqdriver run, so the instructions it
// executed divided by -n are the cost of one request, whatever else the
// machine is doing. wrk cannot stop after a request count, hence this.
package main

import (
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
)

func main() {
	url := flag.String("url", "", "loopback URL to GET")
	n := flag.Int("n", 1000, "requests to send")
	conns := flag.Int("c", 8, "keep-alive connections (one goroutine each)")
	cookie := flag.String("cookie", "", "Cookie header to send")
	setCookies := flag.Int("set-cookies", -1, "Set-Cookie lines every answer must carry (-1: any)")
	flag.Parse()
	if *url == "" || *n <= 0 || *conns <= 0 {
		fmt.Fprintln(os.Stderr, "reqdriver: -url, a positive -n and -c are required")
		os.Exit(2)
	}
	if err := run(*url, *cookie, *n, *conns, *setCookies); err != nil {
		fmt.Fprintln(os.Stderr, "reqdriver:", err)
		os.Exit(1)
	}
}

// run shares the n requests among conns goroutines through one counter,
// so exactly n are sent whatever their speeds.
func run(url, cookie string, n, conns, setCookies int) error {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: conns, DisableCompression: true}}
	var (
		left  atomic.Int64
		wg    sync.WaitGroup
		first atomic.Pointer[error]
	)
	left.Store(int64(n))
	for range conns {
		wg.Go(func() {
			for left.Add(-1) >= 0 && first.Load() == nil {
				if err := get(client, url, cookie, setCookies); err != nil {
					first.CompareAndSwap(nil, &err)
				}
			}
		})
	}
	wg.Wait()
	if p := first.Load(); p != nil {
		return *p
	}
	return nil
}

func get(client *http.Client, url, cookie string, setCookies int) error {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	if got := len(resp.Header.Values("Set-Cookie")); setCookies >= 0 && got != setCookies {
		return fmt.Errorf("%d Set-Cookie lines, want %d", got, setCookies)
	}
	return nil
}
