#!/usr/bin/env bash
# The long crash soak of pyvc-agent: the crash test (tests/agent/test_crash.py) with many more
# SIGKILLs under load than the test suite's 30. Every reading the HTTP source acknowledged must
# be in the store and delivered to the uplink after the last restart.
#   bash scripts/agent-soak.sh [KILLS]      (default 500; needs a built build/)
set -euo pipefail
cd "$(dirname "$0")/.."
kills=${1:-500}
PYVC_AGENT_CRASH_KILLS=$kills PYVC_AGENT=build/bin/pyvc-agent PYVC=build/bin/pyvc \
  /usr/bin/python3 tests/agent/test_crash.py -v
