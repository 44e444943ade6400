#!/usr/bin/env bash
# The installed package's `sealsync-server` bin starts and listens on loopback (then is stopped).
set -u
./node_modules/.bin/sealsync-server --port 0 --host 127.0.0.1 > server.log 2>&1 &
pid=$!
for _ in $(seq 1 40); do
  if grep -q "listening on http://127.0.0.1:" server.log; then
    cat server.log
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    exit 0
  fi
  sleep 0.5
done
echo "sealsync-server did not start:"; cat server.log
kill "$pid" 2>/dev/null
exit 1
