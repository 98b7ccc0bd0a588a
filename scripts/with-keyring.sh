#!/usr/bin/env bash
# Run "$@" inside a private D-Bus session with a freshly unlocked GNOME Keyring (a real Secret Service),
# so the keychain tests use a real backend without touching the user's own keyring. Without
# dbus-run-session or gnome-keyring-daemon it runs "$@" as is (the keychain suite then skips, or fails
# when CI=true).
set -euo pipefail
if [ -z "${CREDCTL_IN_KEYRING:-}" ] && command -v dbus-run-session >/dev/null && command -v gnome-keyring-daemon >/dev/null; then
  export CREDCTL_IN_KEYRING=1
  exec dbus-run-session -- "$0" "$@" 2> >(grep -v 'Failed to set fd limit' >&2)
fi
if [ -n "${CREDCTL_IN_KEYRING:-}" ]; then
  keyring_home=$(mktemp -d)
  trap 'rm -rf "$keyring_home"' EXIT
  # The daemon keeps its keyring files under XDG_DATA_HOME: a throwaway one, unlocked with a throwaway password.
  printf 'credctl-test' | XDG_DATA_HOME="$keyring_home" gnome-keyring-daemon --unlock --components=secrets >/dev/null
fi
"$@"
