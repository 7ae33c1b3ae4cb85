#!/bin/sh
# Restores one tenant's Postgres databases from a backup made by pg-backup.sh.
#
#   BACKUP_DIR   the backup's directory (the one holding MANIFEST)
#   PGHOST, PGPORT, PGUSER, PGPASSWORD, PGSSLMODE
#                an admin connection (it drops and creates databases)
#   DATABASES    optional: only these databases (space-separated)
#   REPLACE      set to 1 to drop databases that exist; without it an existing database stops the restore
#
# Verifies every file's SHA-256 first, then per database: drop (with REPLACE=1), create it owned
# by the role that owned it, revoke CONNECT from PUBLIC, and restore its objects as that role.
set -eu
: "${BACKUP_DIR:?BACKUP_DIR is required: the directory holding MANIFEST}"
manifest="$BACKUP_DIR/MANIFEST"
[ -f "$manifest" ] || { echo "pg-restore: $manifest not found: not a complete backup" >&2; exit 1; }

wanted() { [ -z "${DATABASES:-}" ] && return 0; for d in $DATABASES; do [ "$d" = "$1" ] && return 0; done; return 1; }
sql() { psql -X -v ON_ERROR_STOP=1 -d postgres -Atc "$1"; }

grep '^database ' "$manifest" | while read -r _ database owner file size sum; do
  wanted "$database" || continue
  actual=$(sha256sum "$BACKUP_DIR/$file" | cut -d' ' -f1)
  [ "$actual" = "$sum" ] || { echo "pg-restore: $file is corrupt (sha256 $actual, manifest says $sum); nothing restored" >&2; exit 1; }
done

restored=0
for line in $(grep '^database ' "$manifest" | awk '{print $2 "|" $3 "|" $4}'); do
  database=${line%%|*}; rest=${line#*|}; owner=${rest%%|*}; file=${rest#*|}
  wanted "$database" || continue
  [ "$(sql "SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = '$owner'")" = "1" ] || { echo "pg-restore: role $owner, owner of $database, does not exist; create the tenant (pulumi up) first" >&2; exit 1; }
  if [ "$(sql "SELECT 1 FROM pg_catalog.pg_database WHERE datname = '$database'")" = "1" ]; then
    [ "${REPLACE:-0}" = "1" ] || { echo "pg-restore: database $database exists; set REPLACE=1 to drop it and restore the backup" >&2; exit 1; }
    sql "DROP DATABASE \"$database\" WITH (FORCE)" > /dev/null
  fi
  sql "CREATE DATABASE \"$database\" OWNER \"$owner\" TEMPLATE template0 ENCODING 'UTF8'" > /dev/null
  sql "REVOKE CONNECT, TEMPORARY ON DATABASE \"$database\" FROM PUBLIC" > /dev/null
  pg_restore --exit-on-error --no-owner --role="$owner" --dbname="$database" "$BACKUP_DIR/$file"
  restored=$((restored + 1))
  echo "restored $database (owner $owner)"
done
[ "$restored" -gt 0 ] || { echo "pg-restore: nothing matched DATABASES=${DATABASES:-} in $manifest" >&2; exit 1; }
echo "restored $restored database(s) from $BACKUP_DIR"
