#!/usr/bin/env bash
# The production stack on one machine, for a trial or a load test (docs/operations.md,
# "The stack on one machine"): PostgreSQL, Redis, gunicorn (N workers), huey workers (M), a
# Spark standalone master and worker (the PySpark distribution's spark-class), the store on
# disk. Everything lives in $ZIZHU_STACK_DIR (var/stack) and listens on loopback only.
#
#   scripts/stack.sh up       # start what is not running; prints the environment file
#   scripts/stack.sh status   # each process, and /readyz
#   scripts/stack.sh down     # stop everything this script started
#
# Knobs (environment): ZIZHU_WEB_WORKERS (3), ZIZHU_HUEY_WORKERS (2), ZIZHU_WEB_PORT (8000),
# ZIZHU_STACK_PG_PORT (55432), ZIZHU_STACK_REDIS_PORT (56379), ZIZHU_STACK_SPARK_PORT (57077),
# ZIZHU_STACK_SPARK=0 to leave Spark out, DATABASE_URL to use an existing PostgreSQL instead.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
dir="${ZIZHU_STACK_DIR:-$root/var/stack}"
py="$root/.venv/bin/python"
web_workers="${ZIZHU_WEB_WORKERS:-3}"
huey_workers="${ZIZHU_HUEY_WORKERS:-2}"
web_port="${ZIZHU_WEB_PORT:-8000}"
pg_port="${ZIZHU_STACK_PG_PORT:-55432}"
redis_port="${ZIZHU_STACK_REDIS_PORT:-56379}"
spark_port="${ZIZHU_STACK_SPARK_PORT:-57077}"
spark_ui=$((spark_port + 1))
with_spark="${ZIZHU_STACK_SPARK:-1}"
pgbin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
spark_home="$("$py" -c 'import os, pyspark; print(os.path.dirname(pyspark.__file__))' 2>/dev/null || true)"

as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
alive() { [ -f "$dir/$1.pid" ] && kill -0 "$(cat "$dir/$1.pid")" 2>/dev/null; }
started() { echo "$2" > "$dir/$1.pid"; echo "stack: $1 started (pid $2)"; }

write_env() {
  local db="${DATABASE_URL:-postgres://postgres@127.0.0.1:$pg_port/zizhu}"
  cat > "$dir/env" <<ENV
export DATABASE_URL=$db
export ZIZHU_JOB_QUEUE=redis://127.0.0.1:$redis_port/0
export ZIZHU_JOB_WORKERS=2
export ZIZHU_CACHE_URL=redis://127.0.0.1:$redis_port/1
export ZIZHU_DATA_DIR=$dir/data
export ZIZHU_STORE=$dir/data/store
export ZIZHU_MEDIA_ROOT=$dir/data/media
export ZIZHU_SPARK_MASTER=spark://127.0.0.1:$spark_port
export PROMETHEUS_MULTIPROC_DIR=$dir/metrics
export SPARK_LOCAL_IP=127.0.0.1
export PYSPARK_PYTHON=$py
ENV
}

up_postgres() {
  [ -n "${DATABASE_URL:-}" ] && return
  if [ ! -d "$dir/pg" ]; then
    mkdir -p "$dir/pg"; [ "$(id -u)" = 0 ] && chown postgres: "$dir/pg"
    as_pg "$pgbin/initdb" -D "$dir/pg" -U postgres -A trust >/dev/null
  fi
  if ! as_pg "$pgbin/pg_ctl" -D "$dir/pg" status >/dev/null 2>&1; then
    as_pg "$pgbin/pg_ctl" -D "$dir/pg" -l "$dir/pg/log" -w -o \
      "-p $pg_port -k $dir/pg -c listen_addresses=127.0.0.1 -c max_connections=200 -c shared_buffers=512MB" start >/dev/null
    echo "stack: postgresql started on 127.0.0.1:$pg_port"
  fi
  psql "postgres://postgres@127.0.0.1:$pg_port/postgres" -qAtc "SELECT 1 FROM pg_database WHERE datname='zizhu'" | grep -q 1 \
    || createdb -h 127.0.0.1 -p "$pg_port" -U postgres zizhu
}

up_redis() {
  alive redis && return
  redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$dir" --appendonly yes \
    --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log"
  sleep 0.5; echo "stack: redis started on 127.0.0.1:$redis_port (append-only file: the queue survives a restart)"
}

up_spark() {
  [ "$with_spark" = 1 ] && [ -n "$spark_home" ] || return 0
  export SPARK_HOME="$spark_home" SPARK_LOCAL_IP=127.0.0.1 SPARK_WORKER_DIR="$dir/spark-work"
  if ! alive spark-master; then
    nohup "$spark_home/bin/spark-class" org.apache.spark.deploy.master.Master --host 127.0.0.1 \
      --port "$spark_port" --webui-port "$spark_ui" > "$dir/spark-master.log" 2>&1 &
    started spark-master $!
  fi
  if ! alive spark-worker; then
    nohup "$spark_home/bin/spark-class" org.apache.spark.deploy.worker.Worker \
      "spark://127.0.0.1:$spark_port" --host 127.0.0.1 --cores "${ZIZHU_SPARK_CORES:-2}" \
      --memory "${ZIZHU_SPARK_MEMORY:-2g}" --webui-port $((spark_port + 2)) > "$dir/spark-worker.log" 2>&1 &
    started spark-worker $!
  fi
}

up_app() {
  # shellcheck disable=SC1091
  source "$dir/env"
  mkdir -p "$ZIZHU_DATA_DIR" "$ZIZHU_STORE"
  "$py" manage.py migrate --verbosity 0
  "$py" manage.py collectstatic --noinput --verbosity 0
  if ! alive gunicorn; then
    rm -rf "$PROMETHEUS_MULTIPROC_DIR"; mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
    "$py" -m gunicorn --config python:zizhu.ops.gunicorn_config zizhu.wsgi --bind "127.0.0.1:$web_port" --workers "$web_workers" \
      --daemon --pid "$dir/gunicorn.pid" --access-logfile "$dir/access.log" --error-logfile "$dir/gunicorn.log"
    sleep 1; echo "stack: gunicorn started on http://127.0.0.1:$web_port/ ($web_workers workers)"
  fi
  for n in $(seq 1 "$huey_workers"); do
    alive "huey-$n" && continue
    periodic=(); [ "$n" = 1 ] || periodic=(--no-periodic)  # one worker schedules periodic tasks
    # a dead worker is restarted after a growing pause (its running jobs are failed by the
    # heartbeat recovery of the others)
    nohup bash -c 'pause=1; while true; do "$@"; echo "huey exited ($?); restarting in ${pause}s" >&2; sleep $pause; pause=$(( pause < 30 ? pause * 2 : 30 )); done' \
      huey "$py" manage.py run_huey "${periodic[@]}" >> "$dir/huey-$n.log" 2>&1 &
    started "huey-$n" $!
  done
}

status() {
  for name in redis spark-master spark-worker gunicorn $(seq -f 'huey-%g' 1 "$huey_workers"); do
    if alive "$name"; then echo "$name: running (pid $(cat "$dir/$name.pid"))"; else echo "$name: stopped"; fi
  done
  if [ -z "${DATABASE_URL:-}" ] && [ -d "$dir/pg" ]; then as_pg "$pgbin/pg_ctl" -D "$dir/pg" status | head -1; fi
  echo "readyz: $(curl -s "http://127.0.0.1:$web_port/readyz" || echo unreachable)"
}

down() {
  for name in $(seq -f 'huey-%g' 1 "$huey_workers") gunicorn spark-worker spark-master redis; do
    if alive "$name"; then
      pid="$(cat "$dir/$name.pid")"
      children="$(pgrep -P "$pid" || true)"  # the restart loop's child (huey)
      kill -TERM "$pid" 2>/dev/null || true
      [ -n "$children" ] && kill -TERM $children 2>/dev/null || true
      echo "stack: $name stopped"
    fi
    rm -f "$dir/$name.pid"
  done
  if [ -z "${DATABASE_URL:-}" ] && [ -d "$dir/pg" ]; then
    as_pg "$pgbin/pg_ctl" -D "$dir/pg" -m fast -w stop >/dev/null 2>&1 && echo "stack: postgresql stopped" || true
  fi
}

mkdir -p "$dir"
case "${1:-}" in
  up) write_env; up_postgres; up_redis; up_spark; up_app; echo "stack: environment in $dir/env (source it to run manage.py against the stack)" ;;
  status) status ;;
  down) down ;;
  *) echo "usage: scripts/stack.sh up|down|status" >&2; exit 2 ;;
esac
