#!/bin/sh
# One image, one role per container; see deploy/README.md.
#   prepare    once per deployment: practice settings, leads migrations, calendar collection
#   rasa       a Rasa server replica (endpoints.scaled.yml: PostgreSQL tracker, Redis lock)
#   actions    an action server
#   jobs       erasures, reminder mails, calendar retries (run exactly one)
#   dashboard  the staff dashboard
#   radicale   the bundled CalDAV server (only for a practice without its own calendar)
set -eu

role="${1:-rasa}"
[ "$#" -gt 0 ] && shift

case "$role" in
  prepare)
    exec python -m burnout_assistant.apps.replicas prepare --source /app/practice.yml \
      --out "$PRACTICE_SETTINGS" ${CALENDAR_URL:+--calendar-url "$CALENDAR_URL"} "$@"
    ;;
  rasa)
    # Channels, CORS origins from the practice settings, and the HTTP API behind the token:
    # the same options scripts/run uses (burnout_assistant/apps/launch.py).
    args="$(python -m burnout_assistant.apps.launch rasa-args --separator ' ')"
    # shellcheck disable=SC2086  # the options are single words (paths, origins, a token)
    # deploy/rasa_cli.py: Rasa's command line without the JAX import TensorFlow makes (~70 MB).
    exec python -m deploy.rasa_cli run --model "$MODEL" --endpoints endpoints.scaled.yml $args \
      --port 5005 --interface 0.0.0.0 "$@"
    ;;
  actions)
    # deploy/rasa_cli.py keeps TensorFlow out (thinc would load it for spaCy's tokenizer).
    exec python -m deploy.rasa_cli run actions --actions actions --port 5055 "$@"
    ;;
  jobs)
    exec python -m burnout_assistant.apps.jobs --endpoints endpoints.scaled.yml --every 60 "$@"
    ;;
  dashboard)
    exec python -m burnout_assistant.apps.dashboard serve --endpoints endpoints.scaled.yml \
      --host 0.0.0.0 --port 8080 --secret-file /data/dashboard_secret "$@"
    ;;
  radicale)
    exec python -m radicale --config /app/deploy/radicale.conf "$@"
    ;;
  *)
    exec "$role" "$@"
    ;;
esac
