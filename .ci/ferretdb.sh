#!/usr/bin/env bash
# Builds FerretDB v1.24.2 (a MongoDB wire-protocol server written in Go)
# from its module source, once (cached), and starts it on 127.0.0.1:27017
# with its SQLite backend: the MongoDB server the mongostore tests use.
# Packaging notes (build/version/version.go): a source build must provide
# build/version/version.txt.
set -uo pipefail

version=v1.24.2
cache="${XDG_CACHE_HOME:-$HOME/.cache}/authscope/ferretdb-$version"
bin="$cache/ferretdb"
data="$cache/data"
port=27017

ferret_up() { (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; }

if [ ! -x "$bin" ]; then
	dir=$(go mod download -json "github.com/FerretDB/FerretDB@$version" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
	if [ -z "$dir" ]; then
		echo "ferretdb: cannot download the module source" >&2
		exit 1
	fi
	src="$cache/src"
	rm -rf "$src" && mkdir -p "$cache" && cp -r "$dir" "$src" && chmod -R u+w "$src"
	echo "$version" >"$src/build/version/version.txt"
	(cd "$src" && GOFLAGS=-mod=mod go build -o "$bin" ./cmd/ferretdb) || exit 1
	rm -rf "$src"
fi

if ! ferret_up; then
	mkdir -p "$data"
	nohup "$bin" --handler=sqlite --sqlite-url="file:$data/" --state-dir="$cache" \
		--listen-addr="127.0.0.1:$port" --telemetry=disable --log-level=warn \
		>"$cache/ferretdb.log" 2>&1 &
	for _ in $(seq 1 60); do ferret_up && break; sleep 0.5; done
fi
ferret_up
