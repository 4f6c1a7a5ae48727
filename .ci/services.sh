# Shared by .ci/run and ./arbiter demo: start local PostgreSQL and Redis if they are installed but down;
# when absent, .ci/run installs them with apt-get (only as root, as CI does) and ./arbiter demo says what to
# install (ensure_services --no-install).

pg_up() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
redis_up() { [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = "PONG" ]; }

install_if_absent() {
  local mode=${1:-} missing=()
  command -v pg_ctlcluster >/dev/null 2>&1 || missing+=(postgresql)
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$mode" = "--no-install" ] || [ "$(id -u)" -ne 0 ]; then
    echo "missing: ${missing[*]}; install them with: sudo apt-get install -y ${missing[*]}" >&2
    return 1
  fi
  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
  if [[ " ${missing[*]} " == *" postgresql "* ]]; then
    # A fresh Debian cluster asks for passwords over TCP; the services connect as the machine's
    # PostgreSQL is set up here: trust on the loopback addresses only.
    local hba
    hba=$(ls /etc/postgresql/*/main/pg_hba.conf | tail -n 1)
    sed -i -E 's/^(host\s+all\s+all\s+(127\.0\.0\.1\/32|::1\/128)\s+)\S+/\1trust/' "$hba"
  fi
}

start_postgres() {
  local version
  version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$version" ]; then
    echo "PostgreSQL is installed but has no cluster under /etc/postgresql; create one with pg_createcluster" >&2
    return 1
  fi
  if [ "$(id -u)" -ne 0 ]; then
    echo "PostgreSQL is installed but not running; start it with: sudo pg_ctlcluster $version main start" >&2
    return 1
  fi
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
}

start_redis() {
  if [ "$(id -u)" -ne 0 ]; then
    echo "Redis is installed but not running; start it with: sudo service redis-server start" >&2
    return 1
  fi
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
}

wait_for() {
  local what=$1 check=$2 i
  for i in $(seq 1 60); do
    "$check" && return 0
    sleep 0.5
  done
  echo "$what does not answer on 127.0.0.1 after 30 s" >&2
  return 1
}

# The services keep their tables in one database, "arbiter", each in a schema of its own; tests use
# "arbiter_test", which they empty at start.
ensure_database() {
  local db
  for db in arbiter arbiter_test; do
    if ! psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1; then
      psql -h 127.0.0.1 -U postgres -c "CREATE DATABASE $db"
    fi
  done
}

# xgboost4j's native library needs the GNU OpenMP runtime.
ensure_libgomp() {
  ldconfig -p | grep -q libgomp.so.1 && return 0
  if [ "${1:-}" = "--no-install" ] || [ "$(id -u)" -ne 0 ]; then
    echo "missing: libgomp1; install it with: sudo apt-get install -y libgomp1" >&2
    return 1
  fi
  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q libgomp1
}

# ta4j (test scope only) is compiled for Java 21: with Maven on JDK 17 the engine tests and bench need one.
check_jdk21() {
  local home=${JDK21_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
  if [ -x "$home/bin/javac" ] || java -version 2>&1 | grep -qE 'version "(2[1-9]|[3-9][0-9])'; then
    return 0
  fi
  echo "warning: no JDK 21+ at $home; the engine's ta4j parity tests need one (-Djdk21.home=/path/to/jdk21)" >&2
}

# ensure_services [--no-install]
ensure_services() {
  local mode=${1:-}
  if ! (pg_up && redis_up); then
    install_if_absent "$mode"
    pg_up || start_postgres
    redis_up || start_redis
    wait_for PostgreSQL pg_up
    wait_for Redis redis_up
  fi
  ensure_database
  ensure_libgomp "$mode"
  [ "$mode" = "--no-install" ] || check_jdk21
  echo "PostgreSQL (databases arbiter, arbiter_test) and Redis answer on 127.0.0.1"
}
