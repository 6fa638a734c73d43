#!/usr/bin/env bash
# run-tied.sh OWNER_PID COMMAND [ARG...]: runs COMMAND and stops it when OWNER_PID
# has exited, so that processes a test run started never outlive it. A command that
# ignores SIGTERM for 5 s (kube-apiserver waiting on an etcd that is gone) is killed.
owner=$1
shift
"$@" &
child=$!

stop_child() {
  kill -TERM "$child" 2>/dev/null
  for _ in $(seq 50); do
    kill -0 "$child" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$child" 2>/dev/null
  wait "$child"
}

trap 'stop_child; exit 143' TERM INT
while kill -0 "$child" 2>/dev/null; do
  if ! kill -0 "$owner" 2>/dev/null; then
    stop_child
    exit 0
  fi
  sleep 1
done
wait "$child"
