#!/bin/sh
# Installs the lifecycle binary for this machine:
#
#   curl -fsSL https://github.com/lifecycle-runner/lifecycle/releases/download/latest/install.sh | sh
#
# Settings (environment variables):
#   LIFECYCLE_VERSION        release tag to install, e.g. v0.1.0 (default: latest)
#   LIFECYCLE_DOWNLOAD_BASE  releases live at <base>/<tag>/lifecycle-<os>-<arch>.gz with <base>/<tag>/SHA256SUMS
#   LIFECYCLE_INSTALL_DIR    where the binary goes (default: ~/.local/bin)
#
# Supported: Linux x64/arm64 (glibc or musl), macOS x64/arm64. The download is checked against
# SHA256SUMS before anything is installed; on any failure nothing is left behind.
# POSIX sh only (checked with `dash -n`).
set -eu

# Rewritten by scripts/release.ts (--base-url) in the copy published with each release.
DEFAULT_BASE_URL='https://github.com/lifecycle-runner/lifecycle/releases/download'

tmp_dir=''
staged=''

say() {
  printf '%s\n' "$*"
}

fail() {
  printf 'lifecycle install: error: %s\n' "$*" >&2
  exit 1
}

cleanup() {
  if [ -n "$staged" ]; then rm -f "$staged"; fi
  if [ -n "$tmp_dir" ]; then rm -rf "$tmp_dir"; fi
}

has() {
  command -v "$1" >/dev/null 2>&1
}

# Prints "<os>-<arch>[-musl|-baseline]", the asset suffix for this machine, or fails.
detect_target() {
  os_name=$(uname -s 2>/dev/null || echo unknown)
  cpu_name=$(uname -m 2>/dev/null || echo unknown)
  case "$os_name" in
    Linux) os=linux ;;
    Darwin) os=darwin ;;
    MINGW* | MSYS* | CYGWIN* | Windows_NT)
      fail "Windows is not supported by this installer: download lifecycle-windows-x64.exe.gz from the release page" ;;
    *) fail "unsupported operating system: $os_name (supported: Linux, macOS)" ;;
  esac
  case "$cpu_name" in
    x86_64 | amd64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) fail "unsupported architecture: $cpu_name on $os_name (supported: x86_64, arm64)" ;;
  esac
  if [ "$os" = darwin ] && [ "$arch" = x64 ]; then
    # An x64 shell under Rosetta on Apple silicon: the native build is faster.
    if [ "$(sysctl -n sysctl.proc_translated 2>/dev/null || echo 0)" = 1 ]; then arch=arm64; fi
  fi
  suffix=''
  if [ "$os" = linux ]; then
    if is_musl; then
      suffix=-musl
    elif [ "$arch" = x64 ] && [ -r /proc/cpuinfo ] && ! grep -q avx2 /proc/cpuinfo; then
      suffix=-baseline
    fi
  fi
  printf '%s-%s%s\n' "$os" "$arch" "$suffix"
}

is_musl() {
  for loader in /lib/ld-musl-*.so.1; do
    if [ -e "$loader" ]; then return 0; fi
  done
  if has ldd && ldd --version 2>&1 | grep -qi musl; then return 0; fi
  return 1
}

# download URL FILE: fails with the URL named when the server does not answer 2xx.
download() {
  if has curl; then
    curl --proto '=https,http' -fsSL --retry 2 -o "$2" "$1" || fail "download failed: $1"
  elif has wget; then
    wget -q -O "$2" "$1" || fail "download failed: $1"
  else
    fail "need curl or wget to download"
  fi
}

sha256_of() {
  if has sha256sum; then
    sha256sum "$1" | cut -d ' ' -f 1
  elif has shasum; then
    shasum -a 256 "$1" | cut -d ' ' -f 1
  else
    fail "need sha256sum or shasum to verify the download"
  fi
}

main() {
  version=${LIFECYCLE_VERSION:-latest}
  base=${LIFECYCLE_DOWNLOAD_BASE:-$DEFAULT_BASE_URL}
  base=${base%/}
  if [ -n "${LIFECYCLE_INSTALL_DIR:-}" ]; then
    install_dir=$LIFECYCLE_INSTALL_DIR
  elif [ -n "${HOME:-}" ]; then
    install_dir=$HOME/.local/bin
  else
    fail "HOME is not set: set LIFECYCLE_INSTALL_DIR"
  fi
  case "$version" in
    '' | *[!A-Za-z0-9._+-]*) fail "LIFECYCLE_VERSION must be a release tag like v0.1.0 or latest, got: $version" ;;
  esac
  has gzip || fail "need gzip to unpack the download"

  target=$(detect_target)
  asset=lifecycle-$target.gz
  url=$base/$version/$asset

  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  tmp_dir=$(mktemp -d 2>/dev/null || mktemp -d -t lifecycle-install) || fail "cannot create a temporary directory"

  say "Downloading lifecycle $version for $target"
  say "  from $url"
  download "$base/$version/SHA256SUMS" "$tmp_dir/SHA256SUMS"
  download "$url" "$tmp_dir/$asset"

  expected=$(awk -v f="$asset" '$2 == f || $2 == ("*" f) { print tolower($1); exit }' "$tmp_dir/SHA256SUMS")
  [ -n "$expected" ] || fail "SHA256SUMS of $version lists no $asset"
  actual=$(sha256_of "$tmp_dir/$asset")
  if [ "$actual" != "$expected" ]; then
    fail "checksum mismatch for $asset: expected $expected, got $actual (download damaged or tampered with; nothing installed)"
  fi

  mkdir -p "$install_dir" 2>/dev/null || fail "cannot create $install_dir"
  [ -w "$install_dir" ] || fail "$install_dir is not writable: set LIFECYCLE_INSTALL_DIR"
  # Unpacked next to its final place, then renamed over it: an old binary is replaced in one step.
  staged=$install_dir/.lifecycle.install.$$
  gzip -dc "$tmp_dir/$asset" >"$staged" || fail "cannot unpack $asset into $install_dir"
  chmod 755 "$staged"
  if ! installed_version=$("$staged" --version 2>&1); then
    case "$target" in
      *-musl) fail "the downloaded binary does not run here: $installed_version (the musl build needs libstdc++ and libgcc: apk add libstdc++ libgcc)" ;;
      *) fail "the downloaded binary does not run here: $installed_version" ;;
    esac
  fi
  mv -f "$staged" "$install_dir/lifecycle" || fail "cannot move the binary into $install_dir"
  staged=''

  say "Installed $installed_version to $install_dir/lifecycle"
  case ":${PATH:-}:" in
    *":$install_dir:"*) ;;
    *)
      say ""
      say "$install_dir is not on your PATH. Add it, e.g. in ~/.profile or your shell's rc file:"
      say "  export PATH=\"$install_dir:\$PATH\""
      ;;
  esac
}

# Everything runs from here, so a script cut short by a broken download does nothing.
main "$@"
