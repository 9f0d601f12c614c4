#!/usr/bin/env bash
# A throwaway redis-server for the shared-cache tests (rediscache).
#
#   eval "$(scripts/redis.sh start)"   # prints the two export lines below
#   (cd rediscache && go test -race ./...)
#   scripts/redis.sh stop              # or: scripts/redis.sh stop PIDFILE
#
# start finds redis-server on PATH (when it is missing and the script runs as
# root with apt-get, as in CI, it installs Debian's redis-server), starts it
# on a free port bound to 127.0.0.1 without persistence, waits until it
# answers PING, and prints on stdout
#   export CLERKGO_REDIS_ADDR=127.0.0.1:PORT
#   export CLERKGO_REDIS_PIDFILE=/tmp/clerkgo-redis.XXXXXX/redis.pid
# Everything else goes to stderr. Exit status: 0 started, 3 no redis-server
# (none on PATH and none could be installed), 1 any other failure.
#
# stop stops the server of CLERKGO_REDIS_PIDFILE (or of the pid file given)
# and removes its directory. Stopping a server that is gone is not an error.
set -euo pipefail

log() { printf 'redis.sh: %s\n' "$*" >&2; }

# ping PORT: whether a Redis server on 127.0.0.1:PORT answers PING.
ping() {
	local reply=""
	{
		exec 3<>"/dev/tcp/127.0.0.1/$1" || return 1
		printf 'PING\r\n' >&3
		IFS= read -r -t 1 reply <&3 || true
		exec 3>&-
	} 2>/dev/null
	[ "${reply%$'\r'}" = "+PONG" ]
}

# in_use PORT: whether something listens on 127.0.0.1:PORT.
in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# pid_of PIDFILE: the pid in PIDFILE if it is a live redis-server, else "".
pid_of() {
	local pid
	[ -s "$1" ] || return 0
	pid=$(tr -dc '0-9' <"$1")
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
	# Guard against a reused pid: it must still be a redis-server.
	if [ -r "/proc/$pid/cmdline" ] && ! tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q redis-server; then
		return 0
	fi
	echo "$pid"
}

find_or_install() {
	command -v redis-server >/dev/null 2>&1 && return 0
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		log "redis-server is not on PATH; installing Debian's redis-server with apt-get"
		if DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null 2>&1 &&
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null 2>&1; then
			command -v redis-server >/dev/null 2>&1 && return 0
		fi
		log "apt-get could not install redis-server"
	fi
	return 1
}

start() {
	if ! find_or_install; then
		log "no redis-server: none on PATH, and none could be installed (that needs root and apt-get)"
		exit 3
	fi
	local dir port attempt i pid
	dir=$(mktemp -d "${TMPDIR:-/tmp}/clerkgo-redis.XXXXXX")
	for attempt in 1 2 3 4 5; do
		port=$((20000 + RANDOM % 40000))
		in_use "$port" && continue
		rm -f "$dir/redis.pid"
		redis-server --bind 127.0.0.1 --port "$port" --protected-mode yes \
			--save "" --appendonly no --dir "$dir" \
			--daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" >/dev/null 2>&1 || true
		for i in $(seq 1 100); do # 10s at most
			if ping "$port"; then
				# daemonize writes the pid file right after the fork; wait for it
				for i in $(seq 1 50); do
					pid=$(pid_of "$dir/redis.pid")
					[ -n "$pid" ] && break
					sleep 0.1
				done
				if [ -z "$pid" ]; then
					log "redis-server answers on port $port but wrote no pid file ($dir/redis.pid)"
					exit 1
				fi
				log "redis-server $pid listening on 127.0.0.1:$port (log: $dir/redis.log)"
				echo "export CLERKGO_REDIS_ADDR=127.0.0.1:$port"
				echo "export CLERKGO_REDIS_PIDFILE=$dir/redis.pid"
				return 0
			fi
			# A server that failed to bind has exited: try another port.
			if [ -s "$dir/redis.log" ] && grep -q 'Address already in use\|Could not create server TCP' "$dir/redis.log"; then
				break
			fi
			sleep 0.1
		done
		pid=$(pid_of "$dir/redis.pid")
		[ -n "$pid" ] && kill "$pid" 2>/dev/null || true
		log "redis-server did not answer on port $port (attempt $attempt of 5)"
		[ -s "$dir/redis.log" ] && tail -5 "$dir/redis.log" >&2
		: >"$dir/redis.log"
	done
	rm -rf "$dir"
	log "could not start redis-server"
	exit 1
}

stop() {
	local pidfile="${1:-${CLERKGO_REDIS_PIDFILE:-}}" pid dir i
	if [ -z "$pidfile" ]; then
		log "stop: no pid file (give it, or set CLERKGO_REDIS_PIDFILE)"
		exit 1
	fi
	dir=$(dirname "$pidfile")
	pid=$(pid_of "$pidfile")
	if [ -n "$pid" ]; then
		kill "$pid" 2>/dev/null || true
		for i in $(seq 1 100); do # 10s at most, then SIGKILL
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		if kill -0 "$pid" 2>/dev/null; then
			log "redis-server $pid did not stop on SIGTERM; killing it"
			kill -9 "$pid" 2>/dev/null || true
		fi
		log "redis-server $pid stopped"
	fi
	# Remove only a directory this script made.
	case "$(basename "$dir")" in
	clerkgo-redis.*) rm -rf "$dir" ;;
	esac
}

case "${1:-}" in
start) start ;;
stop) stop "${2:-}" ;;
*)
	echo "usage: $0 start | stop [PIDFILE]" >&2
	exit 2
	;;
esac
