#!/usr/bin/env bash
# Installs the system libraries Smart Interview needs on Debian/Ubuntu.
#   scripts/system-packages.sh app    audio I/O and Qt's X11 libraries
#   scripts/system-packages.sh test   also PulseAudio, Xvfb, speech tools, PostgreSQL, keyring
#   scripts/system-packages.sh package   what building the .deb needs (Debian's python3 with
#                                        venv and headers, a C compiler, dpkg-dev, git)
#   scripts/system-packages.sh ci     test + package + what the installed-package checks use
#                                     (xwininfo, ImageMagick's `import` for the screenshot)
# Other systems: install the equivalents by hand (README lists them); nothing to do on
# Windows and macOS, where the Python wheels carry what is needed.
set -euo pipefail
kind="${1:-app}"
app_packages=(libportaudio2 libsndfile1 libxcb-cursor0 libxkbcommon-x11-0 libxcb-icccm4
  libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-shape0 libxcb-randr0
  libxcb-xinerama0 libxcb-xkb1 libegl1 libgl1 libfontconfig1 libdbus-1-3 pulseaudio-utils)
test_packages=(pulseaudio libasound2-plugins xvfb xauth espeak-ng sox postgresql gnome-keyring
  dbus-x11 dbus)
package_packages=(python3 python3-venv python3-dev gcc make libc6-dev binutils dpkg-dev git)
ci_packages=(x11-utils imagemagick)
case "$kind" in
  app) packages=("${app_packages[@]}") ;;
  test) packages=("${app_packages[@]}" "${test_packages[@]}") ;;
  package) packages=("${package_packages[@]}") ;;
  ci) packages=("${app_packages[@]}" "${test_packages[@]}" "${package_packages[@]}"
        "${ci_packages[@]}") ;;
  *) echo "system-packages: unknown kind '$kind' (app, test, package or ci)" >&2; exit 2 ;;
esac

if ! command -v apt-get >/dev/null 2>&1; then
  echo "system-packages: no apt-get here; install these yourself: ${packages[*]}" >&2
  exit 0
fi
missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
