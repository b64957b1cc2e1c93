# Sourced by the benchmark scripts: starts `folio serve` on a free port and waits
# until it is ready (listening, and its migrations done), setting $server (its pid)
# and $port. Requests are not logged one by one (that would be measured too).
# usage: serve FOLIO_BINARY LOG_FILE [TRIES, 0.2 s apart]
serve() {
    RUST_LOG=info,folio::http=warn "$1" serve --bind 127.0.0.1:0 > "$2" 2>&1 &
    server=$!
    port=""
    for _ in $(seq 1 "${3:-300}"); do
        port=$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$2" | grep -o '[0-9]*$' || true)
        [ -n "$port" ] && curl -fs "http://127.0.0.1:$port/ready" > /dev/null && return 0
        sleep 0.2
    done
    echo "the server did not become ready:" >&2
    cat "$2" >&2
    return 1
}
