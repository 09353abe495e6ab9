#!/usr/bin/env bash
# Three cthb replicas behind nginx on 127.0.0.1, checked end to end: sticky sessions under the
# load test, 0 errors, each replica a fair share, server CPU per view per replica, and new data
# on every replica within 10 s of an import. See deploy/check_replicas.py and docs/DEPLOY.md.
#
#     bash deploy/check_replicas.sh [--sessions 12] [--duration 15]
#
# Installs Debian's nginx with apt-get if it is missing (needs root or sudo for that). Uses the
# project's .venv if there is one, else $PYTHON, else python3.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then
  echo "nginx is missing: installing Debian's nginx package"
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends nginx >/dev/null
  # The package starts a system nginx on port 80; this check runs its own on a free port.
fi

PY="${PYTHON:-}"
if [ -z "$PY" ]; then
  if [ -x .venv/bin/python ]; then PY=.venv/bin/python; else PY=python3; fi
fi
exec "$PY" deploy/check_replicas.py "$@"
