#!/bin/sh
# A backup of the abcd PostgreSQL database with pg_dump, while the app servers run (one consistent snapshot).
#
#   ABCD_DATABASE_URL=postgresql+psycopg://abcd@db.example.nl/abcd deploy/backup-postgres.sh [DIR]
#
# Writes DIR/abcd-YYYY-MM-DDTHHMMSSZ.dump (custom format: compressed, restored with pg_restore; DIR is
# $ABCD_BACKUP_DIR or ./backups), readable by its owner only: it holds residents' personal data. The dump is
# written under a temporary name and renamed only when pg_restore can read it. Dumps older than
# $ABCD_BACKUP_KEEP_DAYS days (default 30) are deleted. Prints the file's name. Keep the password out of the
# URL (the URL is on pg_dump's command line): put it in ~/.pgpass. Restoring: deploy/README.md.
set -eu
url=${ABCD_DATABASE_URL:?set ABCD_DATABASE_URL to the PostgreSQL database}
case $url in
    postgresql*) ;;
    *) echo "ABCD_DATABASE_URL is not a PostgreSQL database; for SQLite use: abcd backup FILE" >&2; exit 2 ;;
esac
url=$(printf '%s' "$url" | sed -e 's|^postgresql+[A-Za-z0-9_]*://|postgresql://|')
dir=${1:-${ABCD_BACKUP_DIR:-backups}}
keep=${ABCD_BACKUP_KEEP_DAYS:-30}
umask 077
mkdir -p "$dir"
name="$dir/abcd-$(date -u +%Y-%m-%dT%H%M%SZ).dump"
trap 'rm -f "$name.part"' EXIT
"${PG_DUMP:-pg_dump}" --format=custom --file="$name.part" --dbname="$url"
"${PG_RESTORE:-pg_restore}" --list "$name.part" >/dev/null
mv "$name.part" "$name"
trap - EXIT
find "$dir" -maxdepth 1 -name 'abcd-*.dump' -mtime +"$keep" -delete
echo "$name"
