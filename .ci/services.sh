#!/usr/bin/env bash
# Starts what the tests need on this machine and exports where to find it.
# Source it: `source .ci/services.sh`. Safe to source twice (running services are reused).
#   - PulseAudio with two null sinks: "interviewer" (the speakers the interviewer's voice
#     comes out of) and "candidate_mic" (its monitor plays the role of a microphone)
#   - PostgreSQL 15 on 127.0.0.1:5432 with role/database smart_interview_test

# Daemons start with every descriptor above 2 closed, so a lock or pipe held by whoever sourced
# this script (`flock LOCK bash -c 'source .ci/services.sh; ...'`) is not kept by them forever.
detached() {
  (
    for fd in /proc/$BASHPID/fd/*; do
      n=${fd##*/}
      [ "$n" -gt 2 ] 2>/dev/null && eval "exec $n>&-" 2>/dev/null
    done
    exec "$@"
  )
}

export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp/si-runtime}"
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"

if ! pactl info >/dev/null 2>&1; then
  detached pulseaudio --daemonize=yes --exit-idle-time=-1 -n \
    --load=module-native-protocol-unix \
    --load="module-null-sink sink_name=interviewer sink_properties=device.description=Interviewer-Speakers" \
    --load="module-null-sink sink_name=candidate_mic sink_properties=device.description=Candidate-Mic" \
    >/dev/null 2>&1 || true
  for _ in $(seq 1 50); do pactl info >/dev/null 2>&1 && break; sleep 0.1; done
fi
if pactl info >/dev/null 2>&1; then
  pactl set-default-sink interviewer >/dev/null 2>&1 || true
  pactl set-default-source candidate_mic.monitor >/dev/null 2>&1 || true
  export SMART_INTERVIEW_TEST_PULSE=1
else
  echo "services: PulseAudio did not start" >&2
fi

if command -v pg_ctlcluster >/dev/null 2>&1; then
  PG_VERSION="$(ls /etc/postgresql 2>/dev/null | sort -n | tail -1)"
  if [ -n "$PG_VERSION" ]; then
    detached pg_ctlcluster "$PG_VERSION" main start >/dev/null 2>&1 || true
    for _ in $(seq 1 50); do pg_isready -h 127.0.0.1 -q && break; sleep 0.1; done
    su postgres -c "psql -qtAc \"SELECT 1 FROM pg_roles WHERE rolname='smart_interview_test'\"" \
      | grep -q 1 || su postgres -c "psql -qc \"CREATE ROLE smart_interview_test LOGIN PASSWORD 'smart_interview_test' CREATEDB\"" >/dev/null
    su postgres -c "psql -qtAc \"SELECT 1 FROM pg_database WHERE datname='smart_interview_test'\"" \
      | grep -q 1 || su postgres -c "createdb -O smart_interview_test smart_interview_test" >/dev/null
    export SMART_INTERVIEW_TEST_POSTGRES_URL="postgresql+psycopg://smart_interview_test:smart_interview_test@127.0.0.1:5432/smart_interview_test"
  fi
fi
