#!/usr/bin/env bash
# The command-line demo (`make demo-cli`): starts `hostapi emulator` on a free loopback port in the background,
# waits for its health endpoint, runs a few commands against it, and stops it with SIGTERM.
set -euo pipefail

BIN=${1:-target/release/hostapi}
if [ ! -x "$BIN" ]; then
    echo "demo-cli: $BIN not found; build it with: cargo build --release -p hostapi-cli" >&2
    exit 1
fi

work=$(mktemp -d)
pid=
cleanup() {
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

# --port 0: the emulator picks a free port and prints its URL on the first line.
"$BIN" emulator --port 0 >"$work/out" 2>"$work/err" &
pid=$!

url=
for _ in $(seq 1 100); do
    url=$(sed -n '1s/^hostapi emulator listening on //p' "$work/out")
    [ -n "$url" ] && break
    if ! kill -0 "$pid" 2>/dev/null; then
        echo "demo-cli: the emulator did not start:" >&2
        cat "$work/err" >&2
        exit 1
    fi
    sleep 0.1
done
[ -n "$url" ] || { echo "demo-cli: the emulator printed no URL" >&2; exit 1; }
port=${url##*:}

healthy() {
    # GET /_emulator/health with bash's /dev/tcp (no curl needed).
    exec 3<>"/dev/tcp/127.0.0.1/$port" || return 1
    printf 'GET /_emulator/health HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
    local answer
    answer=$(cat <&3)
    exec 3<&- 3>&-
    [[ $answer == *'"status":"ok"'* ]]
}
for _ in $(seq 1 100); do
    healthy 2>/dev/null && break
    sleep 0.1
done
healthy || { echo "demo-cli: the emulator at $url is not healthy" >&2; exit 1; }

cat "$work/out"
echo

# The emulator's public demo accounts.
export VELNEO_BASE_URL="$url/v1" VELNEO_EMAIL=ejemplo@gmail.com VELNEO_API_KEY=NyraFY6GMz8lu1fameMdrH0V
export WEDOS_BASE_URL="$url/wapi/json" WEDOS_USER=tester@example.com WEDOS_PASSWORD=123456

run() {
    echo "\$ hostapi $*"
    "$BIN" "$@"
    echo
}

run velneo vserver status
run velneo groups put Clientes --no-manage-solutions
run velneo groups list
echo "\$ printf '%s' 'Acme-2026!' | hostapi velneo users put acme --full-name 'ACME Ltd' --group Clientes --password-stdin"
printf '%s' 'Acme-2026!' | "$BIN" velneo users put acme --full-name 'ACME Ltd' --group Clientes --password-stdin
echo
run velneo users list --json
run wedos ping
run wedos dns rows example.cz

# A failure, and its exit code (7: the API refused the request).
echo "\$ hostapi velneo groups get Nope; echo \"exit \$?\""
set +e
"$BIN" velneo groups get Nope
echo "exit $?"
set -e
echo

echo "Stopping the emulator (SIGTERM)…"
kill -TERM "$pid"
status=0
wait "$pid" || status=$?
pid=
cat "$work/err"
if [ "$status" -ne 0 ]; then
    echo "demo-cli: the emulator exited with $status" >&2
    exit 1
fi
echo "demo-cli: done"
