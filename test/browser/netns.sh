#!/usr/bin/env bash
# Runs a command (the browser tests) inside a private network namespace whose only interface is
# loopback: every packet stays on this machine, nothing outside can disturb the timings, and the
# media-cut test may add firewall rules that touch nothing but this namespace.
set -euo pipefail
if ! unshare --net --map-root-user true 2>/dev/null; then
  echo "netns.sh: cannot create a network namespace here (unshare --net --map-root-user failed)." >&2
  echo "The browser tests cut the media path inside one; they need user or network namespaces." >&2
  exit 1
fi
exec unshare --net --map-root-user -- bash -c 'ip link set lo up && exec "$@"' netns "$@"
