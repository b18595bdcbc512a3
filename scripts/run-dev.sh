#!/usr/bin/env bash
# `make run`: the development server and one task worker (db_worker) in one command.
# Ctrl-C (or the end of either) stops both.
set -euo pipefail
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"
PY=("$@")  # how to run python, e.g. `uv run --no-sync python`
if [ "${#PY[@]}" -eq 0 ]; then PY=(python); fi

trap 'trap - INT TERM EXIT; kill 0 2>/dev/null; wait' INT TERM EXIT

"${PY[@]}" manage.py db_worker --no-reload &
"${PY[@]}" manage.py runserver "$HOST:$PORT" &
# Stop as soon as one of them ends (the trap then stops the other).
wait -n
