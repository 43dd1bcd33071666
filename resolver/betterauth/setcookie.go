package betterauth

import (
	"net/http"
	"strconv"
	"strings"
)

// Set-Cookie lines exactly as better-call serializes them
// (better-call/dist/cookies.mjs serializeCookieValue: Max-Age, Domain,
// Path, Expires, HttpOnly, Secure, SameSite) and in the order Better Auth
// appends them, including its quirks: expireCookie first removes earlier
// lines for the same cookie or its chunks, while cleaning a chunked store
// does not (so a cookie can be expired twice in one response).

// maxCookieSize is session-store.mjs MAX_COOKIE_SIZE; maxCookieChunks its
// MAX_COOKIE_CHUNKS.
const (
	maxCookieSize   = 4050
	maxCookieChunks = 100
)

type cookieJar struct {
	secure bool
	lines  []string
	names  []string
}

func (j *cookieJar) serialize(name, value string, maxAge int) string {
	var b strings.Builder
	b.WriteString(name)
	b.WriteByte('=')
	b.WriteString(value)
	if maxAge >= 0 {
		b.WriteString("; Max-Age=")
		b.WriteString(strconv.Itoa(maxAge))
	}
	b.WriteString("; Path=/; HttpOnly")
	if j.secure {
		b.WriteString("; Secure")
	}
	b.WriteString("; SameSite=Lax")
	return b.String()
}

func (j *cookieJar) add(name, line string) {
	j.lines = append(j.lines, line)
	j.names = append(j.names, name)
}

// expire is cookies/index.mjs expireCookie.
func (j *cookieJar) expire(name string) {
	keep := 0
	for i, n := range j.names {
		if n == name || strings.HasPrefix(n, name+".") {
			continue
		}
		j.names[keep], j.lines[keep] = n, j.lines[i]
		keep++
	}
	j.names, j.lines = j.names[:keep], j.lines[:keep]
	j.add(name, j.serialize(name, "", 0))
}

// set appends a cookie whose value is already encoded; maxAge < 0 omits
// Max-Age (a browser-session cookie).
func (j *cookieJar) set(name, value string, maxAge int) {
	j.add(name, j.serialize(name, value, maxAge))
}

// clean is the session store's clean(): one expiring line per chunk the
// request carried.
func (j *cookieJar) clean(reqHeader, name string) {
	for _, n := range chunkNames(reqHeader, name) {
		j.add(n, j.serialize(n, "", 0))
	}
}

// chunk is the session store's chunk()+setCookies(): the request's chunks
// expired, then value under name (or name.0, name.1, … when too long for
// one cookie) taking their places. Values are written URL-encoded as
// serializeCookie does.
func (j *cookieJar) chunk(reqHeader, name, value string, maxAge int) {
	type entry struct{ name, line string }
	var out []entry
	idx := map[string]int{}
	put := func(n, line string) {
		if i, ok := idx[n]; ok {
			out[i].line = line
			return
		}
		idx[n] = len(out)
		out = append(out, entry{n, line})
	}
	for _, n := range chunkNames(reqHeader, name) {
		put(n, j.serialize(n, "", 0))
	}
	size := maxCookieSize - len(j.serialize(name+".99", "", maxAge))
	count := maxCookieChunks + 1
	if size > 0 {
		count = (len(value) + size - 1) / size
	}
	switch {
	case count <= 1:
		put(name, j.serialize(name, encodeURIComponent(value), maxAge))
	case count <= maxCookieChunks:
		for i := 0; i < count; i++ {
			n := name + "." + strconv.Itoa(i)
			end := min((i+1)*size, len(value))
			put(n, j.serialize(n, encodeURIComponent(value[i*size:end]), maxAge))
		}
	}
	for _, e := range out {
		j.add(e.name, e.line)
	}
}

// httpCookies parses the lines back into net/http cookies, for
// resolver.Result.SetCookies.
func httpCookies(lines []string) []*http.Cookie {
	if len(lines) == 0 {
		return nil
	}
	h := http.Header{}
	for _, l := range lines {
		h.Add("Set-Cookie", l)
	}
	return (&http.Response{Header: h}).Cookies()
}
