#!/usr/bin/env bash
# The main job: sets everything up and builds what it runs (the compiler, pyvc-call, pyvc-agent
# and the aarch64 pyvc-call), then
#  1. compiles every kernel file in examples/ for the host and for aarch64 (cortex-a72, a
#     Raspberry Pi 4), signs them, and calls each function of examples/demo-inputs.txt natively
#     and under qemu-aarch64 (each checking the signature first), next to CPython's answer;
#  2. runs the gateway: pyvc-agent on its embedded default config (simulated sensors, windows and
#     rules from the compiled example kernels, privacy, store and queue) for 15 seconds, syncing
#     to a loopback HTTP receiver this script starts, and prints the agent's summary.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/build.sh pyvc pyvc-driver pyvc-call pyvc-agent pyvc-agent-default-kernels
out=build/examples
mkdir -p "$out/host" "$out/aarch64"
# The libraries are signed, as a gateway requires (docs/INSTALL.md), with a key made once here;
# pyvc-call loads them only with a good signature by it.
[ -f "$out/demo.key" ] || build/bin/pyvc keygen "$out/demo" >/dev/null
for source in examples/*.py; do
  name=$(basename "$source" .py)
  for target in host aarch64; do
    [ "$target" = host ] && option=host || option=aarch64-cortex-a72
    build/bin/pyvc compile "$source" --target "$option" -o "$out/$target/$name.so"
    build/bin/pyvc sign "$out/$target/$name.so" --key "$out/demo.key" >/dev/null
  done
done
echo "compiled and signed $(ls "$out"/host/*.so | wc -l) kernel files for host and aarch64 into $out/"
echo

trusted=(--trusted-key "$out/demo.pub")
run_host() { build/bin/pyvc-call "${trusted[@]}" "$out/host/$1.so" "$2"; }
run_aarch64() {
  qemu-aarch64 -L /usr/aarch64-linux-gnu build-aarch64/bin/pyvc-call "${trusted[@]}" \
    "$out/aarch64/$1.so" "$2"
}
run_cpython() { python3 scripts/cpython-call.py "examples/$1.py" "$2"; }

# {"ok": 2.5} shows as 2.5 and {"error": "ValueError", ...} as ValueError.
brief() { sed -E 's/^\{"ok": (.*)\}$/\1/; s/^\{"error": "([A-Za-z]+)".*/\1/'; }

printf '%-44s %-20s %-20s %-20s %s\n' "call" "x86-64" "aarch64 (qemu)" "CPython" "agree"
grep -v '^#' examples/demo-inputs.txt | while read -r file function arguments; do
  name=$(basename "$file" .py)
  host=$(echo "$arguments" | run_host "$name" "$function" | brief)
  arm=$(echo "$arguments" | run_aarch64 "$name" "$function" | brief)
  reference=$(echo "$arguments" | run_cpython "$name" "$function" | brief)
  agree=$([ "$host" = "$reference" ] && [ "$arm" = "$reference" ] && echo yes || echo NO)
  call="$function(${arguments:1:${#arguments}-2})"
  printf '%-44s %-20s %-20s %-20s %s\n' "${call:0:44}" "$host" "$arm" "$reference" "$agree"
done

echo
echo "pyvc-agent: the embedded default config for 15 s, syncing to a loopback receiver"
demo=build/demo-agent
rm -rf "$demo" && mkdir -p "$demo"
python3 scripts/loopback-receiver.py --report "$demo/receiver.json" >"$demo/receiver.port" &
receiver=$!
trap 'kill $receiver 2>/dev/null || true' EXIT
for _ in $(seq 50); do [ -s "$demo/receiver.port" ] && break; sleep 0.1; done
port=$(cat "$demo/receiver.port")
agent=$(pwd)/build/bin/pyvc-agent
(cd "$demo" && "$agent" run --uplink "http://127.0.0.1:$port/ingest" --duration 15s \
  --sync-wait 5s --summary text 2>agent.log)
kill -TERM $receiver && wait $receiver || true
trap - EXIT
echo "  loopback receiver      $(cat "$demo/receiver.json")"
echo "  (logs: $demo/agent.log; store, queue and rejected readings: $demo/pyvc-agent-data/)"
