#!/usr/bin/env bash
# Restores a backup made by scripts/backup.sh (docs/backups.md):
#
#   bash scripts/restore.sh BACKUP_DIRECTORY [--force]
#
# Checks the backup's checksums, then restores database.dump into DATABASE_URL — which must be
# an EMPTY database (create it first: createdb, or CREATE DATABASE) — in one transaction, so a
# failure leaves it empty; then unpacks media.tar.gz into MEDIA_ROOT (default: $VAR_DIR/media,
# VAR_DIR default var/), which must be empty or absent.
#
# --force restores over a database and a media directory that are not empty: the dump's tables
# are dropped and recreated (anything else in the database stays), and the backup's files
# overwrite those of the same name. Only for a deliberate roll-back, never by habit.
#
# The environment (SECRET_KEY and the rest) is not in the backup: set it as it was before
# starting the service on the restored data. Then `python manage.py migrate --check` says whether
# the code expects migrations the backup does not have.
set -euo pipefail

say() { printf '==> %s\n' "$*"; }
die() {
  printf 'restore: %s\n' "$*" >&2
  exit 1
}
usage="usage: bash scripts/restore.sh BACKUP_DIRECTORY [--force]"

force=false
backup=
for argument in "$@"; do
  case $argument in
    --force) force=true ;;
    -*) die "unknown option $argument; $usage" ;;
    *)
      [[ -z $backup ]] || die "$usage"
      backup=$argument
      ;;
  esac
done
[[ -n $backup ]] || die "$usage"
[[ -d $backup ]] || die "$backup is not a directory"

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/lib/database_url.sh
source "$root/scripts/lib/database_url.sh"
database_url "DATABASE_URL is not set: say which (empty) database to restore into"
for tool in pg_restore psql sha256sum tar; do
  command -v "$tool" >/dev/null || die "$tool is not installed"
done

for file in database.dump media.tar.gz MANIFEST SHA256SUMS; do
  [[ -f $backup/$file ]] || die "$backup has no $file: not a backup made by scripts/backup.sh"
done
say "checking the checksums of $backup"
(cd "$backup" && sha256sum --check --quiet SHA256SUMS) ||
  die "the backup's checksums do not match: it is damaged or incomplete, so nothing was restored"
sed 's/^/    /' "$backup/MANIFEST"

database=${url##*/}
database=${database%%\?*}
psql_at() { psql --no-password --no-psqlrc --quiet --tuples-only --no-align --dbname="$url" "$@"; }
objects=$(psql_at --command="
  SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
    AND n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND n.nspname NOT LIKE 'pg_toast%'") || die "cannot connect to database $database"
clean=()
if ((objects > 0)); then
  $force || die "database $database is not empty ($objects tables, views and sequences):" \
    "restore into a new, empty database, or pass --force to drop and recreate the backup's tables"
  say "database $database is not empty ($objects objects): --force, so the backup's tables are replaced"
  clean=(--clean --if-exists)
fi

if [[ -d $media ]] && [[ -n $(find "$media" -mindepth 1 -print -quit) ]]; then
  $force || die "the media directory $media is not empty: restore into an empty one, or pass" \
    "--force to overwrite files of the same name (nothing was restored)"
  say "media directory $media is not empty: --force, so files of the same name are overwritten"
fi

say "restoring the database into $database (pg_restore, one transaction)"
pg_restore --no-password --dbname="$url" --no-owner --no-privileges --exit-on-error \
  --single-transaction "${clean[@]}" "$backup/database.dump" ||
  die "pg_restore failed: the transaction was rolled back, so $database is as it was"
tables=$(psql_at --command="
  SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')")
migrations=$(psql_at --command="SELECT count(*) FROM django_migrations" 2>/dev/null || echo 0)
say "  $tables tables, $migrations migrations recorded"

mkdir -p "$media"
say "unpacking media files into $media"
tar --extract --gzip --file="$backup/media.tar.gz" --directory="$media" --no-same-owner ||
  die "unpacking media.tar.gz into $media failed"
say "  $(find "$media" -type f | wc -l) files in $media"
say "restore complete; next: python manage.py migrate --check, then start the service with the" \
  "same SECRET_KEY and environment as before"
