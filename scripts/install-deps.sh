#!/usr/bin/env bash
# Installs every Debian package pyvc needs to build, cross-compile and test. Idempotent: packages
# already present are skipped, so a second run costs one dpkg query.
#
# The aarch64 cross build (scripts/build-aarch64.sh) links Debian's arm64 libraries, installed
# next to the amd64 ones through multiarch (`dpkg --add-architecture arm64`). Every -dev package
# it needs is "Multi-Arch: same" except libyaml-cpp-dev, whose amd64 and arm64 builds refuse to
# co-install on Debian 12; its arm64 .deb is therefore unpacked (not installed) into
# /opt/pyvc-cross/arm64, which cmake/aarch64-linux-gnu.cmake searches. See docs/CROSS.md.
set -euo pipefail

host_packages=(
  build-essential cmake ninja-build pkg-config git ca-certificates
  llvm-19-dev liblld-19-dev lld-19 clang-19 libclang-19-dev
  libcli11-dev nlohmann-json3-dev libgtest-dev libgmock-dev libbenchmark-dev
  libffi-dev libsqlite3-dev sqlite3 libcurl4-openssl-dev libssl-dev zlib1g-dev libzstd-dev
  libmosquitto-dev mosquitto libcpp-httplib-dev libyaml-cpp-dev prometheus libfuzzer-19-dev libclang-rt-19-dev
  gcc-aarch64-linux-gnu g++-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user
  python3 python3-numpy python3-numba python3-paho-mqtt mosquitto-clients
  lintian file systemd
  python3-setuptools python3-venv python3-pip
)
# What the runtime, pyvc-call, pyvc-agent, their tests and benchmarks link, for arm64.
cross_packages=(
  libffi-dev:arm64 libsqlite3-dev:arm64 libcurl4-openssl-dev:arm64 libssl-dev:arm64
  zlib1g-dev:arm64 libmosquitto-dev:arm64 libcpp-httplib-dev:arm64 libgtest-dev:arm64
  libgmock-dev:arm64 libbenchmark-dev:arm64 libyaml-cpp0.7:arm64
)
# Unpacked, not installed: the root the toolchain file searches, and the package put there.
cross_unpacked_root=/opt/pyvc-cross/arm64
cross_unpacked_package=libyaml-cpp-dev

sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# The version of the amd64 package, which the arm64 one must match (same headers in /usr/include).
installed_version() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null; }

# Unpacks the arm64 build of $cross_unpacked_package into $cross_unpacked_root, unless the same
# version is already there (a stamp file records it).
unpack_cross_package() {
  local version stamp work
  version=$(installed_version "$cross_unpacked_package")
  stamp=$cross_unpacked_root/$cross_unpacked_package.version
  [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$version" ] && return 0
  echo "install-deps: unpacking $cross_unpacked_package:arm64 $version into $cross_unpacked_root"
  work=$(mktemp -d)
  # Run as root, apt downloads as its sandbox user, who must be able to write there.
  chmod a+rwx "$work"
  (cd "$work" && apt-get download -qq "$cross_unpacked_package:arm64=$version")
  sudo_if_needed rm -rf "$cross_unpacked_root"
  sudo_if_needed mkdir -p "$cross_unpacked_root"
  sudo_if_needed dpkg-deb -x "$work"/"$cross_unpacked_package"_*_arm64.deb "$cross_unpacked_root"
  echo "$version" | sudo_if_needed tee "$stamp" >/dev/null
  sudo_if_needed rm -rf "$work"
}

missing=()
for package in "${host_packages[@]}" "${cross_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    sudo_if_needed dpkg --add-architecture arm64
  fi
  export DEBIAN_FRONTEND=noninteractive
  sudo_if_needed apt-get update -qq
  sudo_if_needed apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
unpack_cross_package
