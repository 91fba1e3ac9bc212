#!/usr/bin/env bash
# Installs every Debian package pyvc needs to build, cross-compile and test. Idempotent: packages
# already present are skipped, so a second run costs one dpkg query.
set -euo pipefail

host_packages=(
  build-essential cmake ninja-build pkg-config git ca-certificates
  llvm-19-dev liblld-19-dev lld-19 clang-19 libclang-19-dev
  libcli11-dev nlohmann-json3-dev libgtest-dev libgmock-dev libbenchmark-dev
  libffi-dev libsqlite3-dev sqlite3 libcurl4-openssl-dev libssl-dev zlib1g-dev libzstd-dev
  libmosquitto-dev mosquitto libcpp-httplib-dev libyaml-cpp-dev prometheus libfuzzer-19-dev libclang-rt-19-dev
  gcc-aarch64-linux-gnu g++-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user
  python3 python3-numpy python3-numba python3-paho-mqtt mosquitto-clients
  python3-setuptools python3-venv python3-pip
)
cross_packages=(libffi-dev:arm64)

sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
for package in "${host_packages[@]}" "${cross_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}"
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  sudo_if_needed dpkg --add-architecture arm64
fi
export DEBIAN_FRONTEND=noninteractive
sudo_if_needed apt-get update -qq
sudo_if_needed apt-get install -y -qq --no-install-recommends "${missing[@]}"
