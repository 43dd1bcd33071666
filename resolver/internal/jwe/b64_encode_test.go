package jwe

import (
	"bytes"
	"encoding/base64"
	"math/rand/v2"
	"testing"
)

// AppendB64 writes base64.RawURLEncoding.AppendEncode's bytes for every
// length up to 300 (each remainder and alignment of the 6-byte loop) and
// random contents, after a non-empty prefix.
func TestAppendB64(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for n := range 300 {
		for range 20 {
			src := make([]byte, n)
			for i := range src {
				src[i] = byte(rng.IntN(256))
			}
			want := base64.RawURLEncoding.AppendEncode([]byte("pre."), src)
			if got := AppendB64([]byte("pre."), src); !bytes.Equal(got, want) {
				t.Fatalf("%x:\n got %s\nwant %s", src, got, want)
			}
		}
	}
	all := make([]byte, 3*4096) // every 12-bit value at every position of a group
	for i := range 4096 {
		all[3*i], all[3*i+1], all[3*i+2] = byte(i>>4), byte(i<<4|i>>8), byte(i)
	}
	if got, want := AppendB64(nil, all), base64.RawURLEncoding.AppendEncode(nil, all); !bytes.Equal(got, want) {
		t.Fatal("12-bit table differs from encoding/base64")
	}
}
