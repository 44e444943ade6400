#!/usr/bin/env bash
# Packaging checks on the packed tarball ($1): attw (node16 profile: node16 CJS + ESM, and bundler
# resolution), publint, the size budget, and the minified+gzip size of the root entry as a browser
# app bundles it. Run from the repository root (uses its devDependencies).
set -euo pipefail
tarball=$1
budget=$((600 * 1000))

echo "-- attw (node16 and bundler resolution)"
npx --no-install attw "$tarball" --profile node16
echo "-- publint"
npx --no-install publint run "$tarball" --strict

packed=$(stat -c %s "$tarball")
echo "-- packed size: $packed bytes (budget $budget)"
if [ "$packed" -ge "$budget" ]; then echo "packed tarball over budget"; exit 1; fi
if tar -tzf "$tarball" | grep -q '\.map$'; then echo "source maps in the tarball"; exit 1; fi

echo "-- shipped declarations cite no file that is not shipped"
# The package ships dist/, README, CHANGELOG and the licence: a comment in a .d.ts that points to a
# source file, a test, the design notes or an internal issue sends the reader nowhere.
refs=$(tar -xzOf "$tarball" --wildcards 'package/dist/*.d.ts' 'package/dist/*.d.cts' |
  grep -E '^\s*(/\*\*|\*).*(DESIGN|(^|[^A-Za-z0-9_/.-])(src|test|examples|bench)/|[A-Za-z0-9_-]+\.ts\b|issue [0-9]+)' |
  grep -v '\.d\.c\?ts' || true)
if [ -n "$refs" ]; then echo "$refs"; echo "declarations cite unshipped files"; exit 1; fi

echo "-- browser bundle of the root entry (esbuild, minified, gzip)"
node .ci/browser-size.mjs "$tarball"
