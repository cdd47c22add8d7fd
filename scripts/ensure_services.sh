#!/usr/bin/env bash
# Start PostgreSQL and Redis when they are installed but not running.
# Best effort: tests that need a missing service skip (or fail when CI=true).
set -u
reachable() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

if ! reachable 6379 && command -v redis-server >/dev/null 2>&1; then
  mkdir -p /tmp/submission-live-redis
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir /tmp/submission-live-redis --logfile /tmp/submission-live-redis/redis.log >/dev/null 2>&1 || true
fi
if ! reachable 5432 && command -v pg_ctlcluster >/dev/null 2>&1; then
  for version in $(ls /etc/postgresql 2>/dev/null); do
    pg_ctlcluster --skip-systemctl-redirect "$version" main start >/dev/null 2>&1 || true
  done
fi
for _ in $(seq 1 50); do
  { reachable 6379 || ! command -v redis-server >/dev/null 2>&1; } && \
  { reachable 5432 || ! command -v pg_ctlcluster >/dev/null 2>&1; } && break
  sleep 0.1
done
exit 0
