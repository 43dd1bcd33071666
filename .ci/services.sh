#!/usr/bin/env bash
# Starts PostgreSQL, MariaDB and Redis when they are installed but not
# running, then checks them. Under CI their absence is a failure; elsewhere tests skip.
set -uo pipefail

pg_up() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
redis_up() { redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; }
mysql_up() { mysqladmin --protocol=tcp -h 127.0.0.1 -P 3306 -uroot ping 2>/dev/null | grep -q alive; }

if ! pg_up && command -v pg_ctlcluster >/dev/null; then
	pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
	for _ in $(seq 1 30); do pg_up && break; sleep 0.5; done
fi
if ! redis_up && command -v redis-server >/dev/null; then
	redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
		--dir /var/lib/redis --logfile /var/log/redis/ci.log || true
	for _ in $(seq 1 30); do redis_up && break; sleep 0.5; done
fi

if ! mysql_up && [ -x /usr/sbin/mariadbd ]; then
	mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld 2>/dev/null
	start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd || true
	for _ in $(seq 1 60); do mysql_up && break; sleep 0.5; done
fi

# FerretDB, built from its Go module source (cached), is the MongoDB server.
if command -v go >/dev/null; then
	bash "$(dirname "$0")/ferretdb.sh" >/dev/null 2>&1
fi
ferret_up() { (exec 3<>/dev/tcp/127.0.0.1/27017) 2>/dev/null; }

status=0
if pg_up; then echo "postgres: up"; else echo "postgres: DOWN"; status=1; fi
if redis_up; then echo "redis: up"; else echo "redis: DOWN"; status=1; fi
if mysql_up; then echo "mariadb: up"; else echo "mariadb: DOWN"; status=1; fi
if ferret_up; then echo "mongodb (ferretdb): up"; else echo "mongodb (ferretdb): DOWN"; status=1; fi
if [ "${CI:-}" = "true" ] && [ $status -ne 0 ]; then
	echo "CI needs PostgreSQL at 127.0.0.1:5432, MariaDB at 127.0.0.1:3306, FerretDB at 127.0.0.1:27017 and Redis at 127.0.0.1:6379" >&2
	exit 1
fi
exit 0
