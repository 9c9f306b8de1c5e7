#!/usr/bin/env bash
# A throwaway PostgreSQL server for the run-store tests (a ctest fixture).
#   postgres.sh start STATE   initdb in a fresh /tmp folder, start on a free port,
#                             write the connection URI to STATE/uri
#   postgres.sh stop STATE    stop it and remove its folder
# PostgreSQL refuses to run as root, so as root the server runs as the postgres
# user (which is also why its folder is in /tmp: it must reach it).
set -euo pipefail
action=$1 state=$2
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
as_owner() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

case $action in
  start)
    mkdir -p "$state"
    dir=$(mktemp -d /tmp/shipml-postgres-XXXXXX)
    [ "$(id -u)" -eq 0 ] && chown postgres "$dir"
    echo "$dir" > "$state/dir"
    port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    as_owner "$bin/initdb" -D "$dir/db" -A trust -U shipml >/dev/null
    as_owner "$bin/pg_ctl" -D "$dir/db" -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off" \
      -l "$dir/log" -w start >/dev/null
    echo "postgresql://shipml@127.0.0.1:$port/postgres" > "$state/uri"
    echo "PostgreSQL on port $port, in $dir"
    ;;
  stop)
    dir=$(cat "$state/dir" 2>/dev/null || true)
    if [ -n "$dir" ] && [ -d "$dir/db" ]; then as_owner "$bin/pg_ctl" -D "$dir/db" -m fast -w stop >/dev/null || true; fi
    [ -n "$dir" ] && rm -rf "$dir"
    rm -f "$state/uri" "$state/dir"
    ;;
esac
