#!/usr/bin/env bash
# Brings a fresh Debian bookworm machine to where pinrig runs: apt packages (QEMU 10 pinned from bookworm-backports),
# npm dependencies, the guest image and the QEMU plugin. Each step is skipped when already done, so `npm test` and
# `npm run nightly` can always call it.
set -euo pipefail
cd "$(dirname "$0")/.."

# The one QEMU for emulation, installed system-wide from bookworm-backports; harness/guest/qemu-plugin.ts pins the
# same version for the plugin header.
QEMU_VERSION=$(sed -n "s/^export const QEMU_DEBIAN_VERSION = '\(.*\)';$/\1/p" harness/guest/qemu-plugin.ts)
QEMU_PACKAGES=(qemu-system-arm qemu-system-common qemu-system-data)
APT_PACKAGES=(sigrok-cli socat dropbear-bin openssl procps openssh-client gtkwave gcc-12-aarch64-linux-gnu linux-kbuild-6.1 make bubblewrap
  gcc libglib2.0-dev pkg-config device-tree-compiler xz-utils dpkg-dev chromium time)
BACKPORTS=/etc/apt/sources.list.d/pinrig-bookworm-backports.sources

installed_version() { dpkg-query -W -f='${Status} ${Version}' "$1" 2>/dev/null | sed -n 's/^install ok installed //p'; }

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  [ -n "$(installed_version "$pkg")" ] || missing+=("$pkg")
done
qemu_missing=()
for pkg in "${QEMU_PACKAGES[@]}"; do
  [ "$(installed_version "$pkg")" = "$QEMU_VERSION" ] || qemu_missing+=("$pkg=$QEMU_VERSION")
done
arm64=$(dpkg --print-foreign-architectures | grep -cx arm64 || true)
if ((${#missing[@]} + ${#qemu_missing[@]})) || [ "$arm64" = 0 ] || [ ! -f "$BACKPORTS" ]; then
  if [ "$(id -u)" != 0 ] && ! command -v sudo >/dev/null; then
    echo "pinrig setup: not root; run as root: dpkg --add-architecture arm64, add $BACKPORTS (deb and deb-src), apt-get update, apt-get install ${missing[*]} and, with -t bookworm-backports, ${qemu_missing[*]}" >&2
    exit 1
  fi
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  [ "$arm64" = 0 ] && $SUDO dpkg --add-architecture arm64
  # deb-src too: the plugin is compiled against qemu-plugin.h from the same QEMU's source tarball.
  printf 'Types: deb deb-src\nURIs: http://deb.debian.org/debian\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
    | $SUDO tee "$BACKPORTS" >/dev/null
  echo "pinrig setup: apt-get install ${missing[*]:-} ${qemu_missing[*]:-} (arm64 packages for the guest image come later)" >&2
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  apt_install=($SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends)
  if ((${#missing[@]})); then "${apt_install[@]}" "${missing[@]}" >/dev/null; fi
  if ((${#qemu_missing[@]})); then "${apt_install[@]}" --allow-downgrades -t bookworm-backports "${qemu_missing[@]}" >/dev/null; fi
fi

# npm ci only when the lock file changed since the last install.
stamp=node_modules/.pinrig-lock-hash
hash=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$hash" ]; then
  npm ci --no-audit --no-fund
  echo "$hash" >"$stamp"
fi

# The guest image (Debian arm64 packages, cached by their exact versions) and the gpio-stores QEMU plugin.
npx tsx harness/guest/build.ts >/dev/null

# The pinrig command's bundle (bin/pinrig.js also rebuilds it whenever a source is newer).
node bin/build-cli.js
