#!/usr/bin/env bash
# Brings a fresh Debian machine to where pinrig runs: apt packages, npm dependencies, the guest image.
# Each step is skipped when already done, so `npm test` and `npm run nightly` can always call it.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(sigrok-cli qemu-system-arm socat dropbear-bin openssl procps openssh-client gtkwave gcc-12-aarch64-linux-gnu linux-kbuild-6.1 make bubblewrap)
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
arm64=$(dpkg --print-foreign-architectures | grep -cx arm64 || true)
if ((${#missing[@]})) || [ "$arm64" = 0 ]; then
  if [ "$(id -u)" != 0 ] && ! command -v sudo >/dev/null; then
    echo "pinrig setup: not root; run as root: dpkg --add-architecture arm64 && apt-get update && apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  [ "$arm64" = 0 ] && $SUDO dpkg --add-architecture arm64
  echo "pinrig setup: apt-get install ${missing[*]:-} (arm64 packages for the guest image come later)" >&2
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  ((${#missing[@]})) && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm ci only when the lock file changed since the last install.
stamp=node_modules/.pinrig-lock-hash
hash=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$hash" ]; then
  npm ci --no-audit --no-fund
  echo "$hash" >"$stamp"
fi

# The guest image: built from Debian arm64 packages, cached by their exact versions.
npx tsx harness/guest/build.ts >/dev/null
