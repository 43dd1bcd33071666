// Package js reproduces the JavaScript built-ins whose exact behaviour
// Auth.js's answers depend on, so the resolver can give the same answer
// byte for byte: JSON.stringify (escaping, Number::toString, V8's member
// order) and a JSON.parse-compatible decoder (lone surrogates kept as
// WTF-8, member order kept in Object), Date.prototype.toISOString, V8's
// Array.prototype.sort (a TimSort whose result matters because Auth.js's
// chunk comparator is not a consistent order), decodeURIComponent's
// URIError cases, and parseInt with no radix.
//
// The encoder knows no resolver type: AppendValue takes an Ext through
// which the resolver writes its Session, Claims and Value.
//
// They live apart from the resolver because they are specifications, not
// Auth.js logic: each is tested against the ECMAScript rules and Node's
// recorded output on its own, and the resolver's files read as Auth.js's
// flow rather than as a JavaScript engine. The package is internal: its
// API is whatever the resolver needs, nothing more.
package js
