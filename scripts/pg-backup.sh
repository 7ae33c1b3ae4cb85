#!/bin/sh
# Logical backup of one tenant's Postgres databases, with the tenant apps' own credentials.
#
#   DATABASE_URLS  lines of `name=<libpq URL>`, each URL with the app role's own login
#   BACKUP_DIR     where to write; the backup goes to BACKUP_DIR/<stamp>/
#   TENANT         the tenant id, recorded in the manifest
#   BACKUP_STAMP   optional; defaults to the UTC time, e.g. 20261125T021500Z
#
# Writes one pg_dump custom-format file per database and a MANIFEST with each database's owner,
# size and SHA-256, which pg-restore.sh verifies before it touches anything.
set -eu
: "${DATABASE_URLS:?DATABASE_URLS is required: lines of name=<libpq URL>}"
: "${BACKUP_DIR:?BACKUP_DIR is required}"
: "${TENANT:?TENANT is required}"
stamp="${BACKUP_STAMP:-$(date -u +%Y%m%dT%H%M%SZ)}"
dest="$BACKUP_DIR/$stamp"
mkdir -p "$dest"
manifest="$dest/MANIFEST"
printf 'tenant %s\ncreated %s\n' "$TENANT" "$stamp" > "$manifest.partial"
count=0
# The URLs carry passwords: keep them in a private temp file, never next to the backup.
urls=$(mktemp)
trap 'rm -f "$urls"' EXIT
chmod 600 "$urls"
printf '%s\n' "$DATABASE_URLS" > "$urls"
while IFS='=' read -r name url; do
  [ -n "$name" ] || continue
  database=$(psql "$url" -XAtc "SELECT current_database()")
  owner=$(psql "$url" -XAtc "SELECT pg_catalog.pg_get_userbyid(datdba) FROM pg_catalog.pg_database WHERE datname = current_database()")
  file="$database.dump"
  pg_dump --format=custom --compress=6 --file="$dest/$file" "$url"
  sum=$(sha256sum "$dest/$file" | cut -d' ' -f1)
  size=$(wc -c < "$dest/$file" | tr -d ' ')
  printf 'database %s %s %s %s %s\n' "$database" "$owner" "$file" "$size" "$sum" >> "$manifest.partial"
  count=$((count + 1))
  echo "backed up $name ($database, owner $owner): $size bytes"
done < "$urls"
[ "$count" -gt 0 ] || { echo "pg-backup: no databases in DATABASE_URLS" >&2; exit 1; }
# The manifest appears last: a backup without one is incomplete and is never restored.
mv "$manifest.partial" "$manifest"
echo "backup $stamp of tenant $TENANT: $count database(s) in $dest"
