import * as fs from "node:fs";
import * as path from "node:path";
import { CLICKHOUSE_NATIVE_PORT } from "../data/ports";

/**
 * The scripts tenant backup jobs run, mounted from a ConfigMap. `pg-backup.sh` is the project's
 * own script (scripts/), the same one the restore drill in the tests runs against PostgreSQL.
 */

/** Dumps each of the tenant's databases, with its app's own credentials (postgres image). */
export const PG_BACKUP_SCRIPT = fs.readFileSync(path.join(__dirname, "..", "..", "scripts", "pg-backup.sh"), "utf8");

/**
 * Uploads the dumps to the backup bucket with `mc` (the MinIO image): every dump first, its
 * MANIFEST last, so a backup without a manifest in the bucket is known to be incomplete.
 * `MC_HOST_backup` (from the Secret) carries the endpoint and credentials.
 */
export const UPLOAD_SCRIPT = `#!/bin/sh
set -eu
: "\${BACKUP_BUCKET:?}" "\${BACKUP_PREFIX:?}" "\${MC_HOST_backup:?MC_HOST_backup is required}"
n=0
for dir in /backup/*/; do
  [ -d "$dir" ] || continue
  dir=\${dir%/}
  [ -f "$dir/MANIFEST" ] || { echo "upload: $dir has no MANIFEST: the dump did not finish" >&2; exit 1; }
  stamp=$(basename "$dir")
  dest="backup/$BACKUP_BUCKET/$BACKUP_PREFIX/postgres/$stamp"
  for f in "$dir"/*.dump; do mc cp --quiet "$f" "$dest/$(basename "$f")"; done
  mc cp --quiet "$dir/MANIFEST" "$dest/MANIFEST"
  n=$((n + 1))
  echo "uploaded $stamp to $BACKUP_BUCKET/$BACKUP_PREFIX/postgres/$stamp"
done
[ "$n" -gt 0 ] || { echo "upload: nothing to upload in /backup" >&2; exit 1; }
`;

/**
 * \`BACKUP DATABASE … TO S3\` on the tenant's ClickHouse (its own client, from the ClickHouse
 * image): the server writes the backup straight into the bucket, in a new directory per run
 * (ClickHouse refuses to write into an existing backup). Synchronous; fails unless the server
 * reports BACKUP_CREATED.
 */
export const CLICKHOUSE_BACKUP_SCRIPT = `#!/bin/sh
set -eu
: "\${CLICKHOUSE_HOST:?}" "\${CLICKHOUSE_DB:?}" "\${BACKUP_S3_ENDPOINT:?}" "\${BACKUP_BUCKET:?}" "\${BACKUP_PREFIX:?}"
: "\${BACKUP_S3_ACCESS_KEY:?}" "\${BACKUP_S3_SECRET_KEY:?}"
stamp="\${BACKUP_STAMP:-$(date -u +%Y%m%dT%H%M%SZ)}"
url="\${BACKUP_S3_ENDPOINT%/}/$BACKUP_BUCKET/$BACKUP_PREFIX/clickhouse/$stamp/"
result=$(clickhouse-client --host "$CLICKHOUSE_HOST" --port ${CLICKHOUSE_NATIVE_PORT} --user "$CLICKHOUSE_USER" --password "$CLICKHOUSE_PASSWORD" --format TSV \\
  --query "BACKUP DATABASE \\\`$CLICKHOUSE_DB\\\` TO S3('$url', '$BACKUP_S3_ACCESS_KEY', '$BACKUP_S3_SECRET_KEY')")
case "$result" in
  *BACKUP_CREATED*) echo "clickhouse backup $stamp of $CLICKHOUSE_DB: $BACKUP_BUCKET/$BACKUP_PREFIX/clickhouse/$stamp/" ;;
  *) echo "clickhouse backup failed: $result" >&2; exit 1 ;;
esac
`;
