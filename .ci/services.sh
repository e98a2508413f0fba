#!/usr/bin/env bash
# Starts the local services the test suite talks to, when they do not already answer, and waits for
# them: MariaDB (root with an empty password over 127.0.0.1:3306, database `test`) and Redis
# (127.0.0.1:6379, nothing kept on disk).
#
#   bash .ci/services.sh          # start/wait for everything (needs root to start mariadbd)
#   source .ci/services.sh        # only defines the functions; .ci/run does this
#
# Waits are bounded so that a broken service fails the run instead of hanging it.

ci_log() {
  printf '[ci %s] %s\n' "$(date +%H:%M:%S)" "$*"
}

ci_die() {
  printf '[ci %s] ERROR: %s\n' "$(date +%H:%M:%S)" "$*" >&2
  return 1
}

# Runs its arguments with root rights: directly as root, through sudo otherwise.
as_root() {
  if [[ $(id -u) -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    ci_die "need root (or sudo) for: $*"
  fi
}

mariadb_tcp_ok() {
  mariadb -h127.0.0.1 -P3306 -uroot --connect-timeout=2 -e 'select 1' >/dev/null 2>&1
}

mariadb_tcp_denied() {
  mariadb -h127.0.0.1 -P3306 -uroot --connect-timeout=2 -e 'select 1' 2>&1 | grep -q 'Access denied'
}

mariadb_socket_ok() {
  as_root mariadb -uroot --connect-timeout=2 -e 'select 1' >/dev/null 2>&1
}

ensure_mariadb() {
  command -v mariadb >/dev/null 2>&1 || ci_die "the mariadb client is not installed" || return 1
  if ! mariadb_tcp_ok && ! mariadb_socket_ok; then
    [[ -x /usr/sbin/mariadbd ]] || ci_die "/usr/sbin/mariadbd is not installed" || return 1
    ci_log "starting MariaDB"
    # The init scripts normally create the socket directory; a bare mariadbd does not.
    as_root install -d -o mysql -g mysql /run/mysqld
    as_root start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd -- --user=mysql
  fi

  local waited=0 fixed_auth=0
  until mariadb_tcp_ok; do
    # Root may be set up for unix_socket only: let it log in over TCP with an empty password too.
    if [[ $fixed_auth -eq 0 ]] && mariadb_tcp_denied && mariadb_socket_ok; then
      ci_log "MariaDB answers on its socket but not over TCP: allowing root with an empty password"
      as_root mariadb -uroot -e \
        "ALTER USER root@localhost IDENTIFIED VIA mysql_native_password USING PASSWORD('') OR unix_socket;" ||
        true
      fixed_auth=1
      continue
    fi
    if ((waited >= 60)); then
      ci_die "MariaDB did not answer on 127.0.0.1:3306 within 60 s" || return 1
    fi
    sleep 1
    waited=$((waited + 1))
  done

  mariadb -h127.0.0.1 -P3306 -uroot -e 'CREATE DATABASE IF NOT EXISTS `test`'
  ci_log "MariaDB ready: $(mariadb -h127.0.0.1 -P3306 -uroot -N -B -e 'select version()')"
}

redis_ok() {
  [[ $(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null) == PONG ]]
}

ensure_redis() {
  command -v redis-cli >/dev/null 2>&1 || ci_die "redis-cli is not installed" || return 1
  if ! redis_ok; then
    command -v redis-server >/dev/null 2>&1 || ci_die "redis-server is not installed" || return 1
    ci_log "starting Redis"
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
  fi
  local waited=0
  until redis_ok; do
    if ((waited >= 30)); then
      ci_die "Redis did not answer on 127.0.0.1:6379 within 30 s" || return 1
    fi
    sleep 1
    waited=$((waited + 1))
  done
  ci_log "Redis ready: $(redis-cli -h 127.0.0.1 -p 6379 info server | tr -d '\r' | grep '^redis_version:')"
}

ensure_services() {
  ensure_mariadb
  ensure_redis
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  set -euo pipefail
  ensure_services
fi
