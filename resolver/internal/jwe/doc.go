// Package jwe is the cryptography under Auth.js's session tokens: compact
// JWE with alg "dir" and enc A256CBC-HS512 or A256GCM (plus A128CBC-HS256
// for next-auth v4), content keys derived with HKDF-SHA256 from each secret
// and a salt (Auth.js salts with the session cookie name), RFC 7638 kid
// thumbprints to pick the key of a rotated secret, and DEFLATE with jose's
// size bound.
//
// # Design
//
// Decryption is written by hand after jose 6's lib/jwe_decrypt.js, check
// for check and in the same order, so the first failure reported is the one
// jose would have thrown: segments, header (base64url as Node's atob reads
// it, strict UTF-8, a JSON object as JSON.parse sees it), crit and zip, the
// alg/enc allow-lists, the encrypted-key segment, the key (kid or the
// kid-less rule), IV and tag shapes, authentication, inflation. Every
// failure is an *Error of one Kind (Malformed, Unsupported, NoKey,
// DecryptFailed); the caller maps Kinds to its own vocabulary. Errors
// never contain token bytes.
//
// Keys are derived once per (secret, salt, enc) when a Ring is built, with
// everything a decryption needs kept next to them (AES block, GCM AEAD, a
// pool of keyed HMACs and CBC modes), so the hot path runs no HKDF, imports
// no key and, warm, allocates little: one buffer for the decoded segments
// (plus a C ‖ T copy for GCM, and the output of an inflation). go-jose is
// not used on this path: it allocates per call, derives nothing that can
// be cached and differs from jose on base64 leniency; the tests use it as
// an independent implementation to compare against.
//
// # Why it is apart
//
// The resolver keeps Auth.js's rules: which cookie, which secret order,
// what an expired or mismatched claim means, which Reason a caller sees.
// This package is only the cryptography and the byte-level parsing of a
// compact JWE; it knows nothing of cookies, sessions or claims, returns the
// protected header members the caller's claim checks need (iss, sub, aud)
// as raw JSON, and can be read, tested and fuzzed against go-jose on its
// own. It is internal: its API is what the resolver needs, nothing more.
package jwe
