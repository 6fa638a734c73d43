#!/usr/bin/env bash
# run-tied.sh OWNER_PID COMMAND [ARG...]: runs COMMAND and stops it when OWNER_PID
# has exited, so that processes a test run started never outlive it.
owner=$1
shift
"$@" &
child=$!
trap 'kill -TERM "$child" 2>/dev/null; wait "$child"; exit 143' TERM INT
while kill -0 "$child" 2>/dev/null; do
  if ! kill -0 "$owner" 2>/dev/null; then
    kill -TERM "$child" 2>/dev/null
    wait "$child"
    exit 0
  fi
  sleep 1
done
wait "$child"
