#!/usr/bin/env bash
# Backs up the service's data: the database and the uploaded files (docs/backups.md).
#
#   bash scripts/backup.sh [DESTINATION]
#
# Writes a new directory DESTINATION/mentoring-<UTC date and time>/ holding
#   database.dump   pg_dump --format=custom of DATABASE_URL (restore with scripts/restore.sh)
#   media.tar.gz    every file under MEDIA_ROOT (default: $VAR_DIR/media, VAR_DIR default var/)
#   MANIFEST        what was backed up, from where, when, with which pg_dump
#   SHA256SUMS      checksums of the three files above (restore.sh checks them first)
# DESTINATION defaults to $BACKUP_DIR, else var/backups. The last line printed is the new
# directory. The directory appears only once everything in it is written and checked; on any
# failure nothing is left behind and the exit status is not zero.
#
# Not in the backup, on purpose: SECRET_KEY and the rest of the environment (keep them in the
# secret store — a restore needs the same SECRET_KEY for sessions and signed links to stay valid).
set -euo pipefail

say() { printf '==> %s\n' "$*"; }
die() {
  printf 'backup: %s\n' "$*" >&2
  exit 1
}

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
(($# <= 1)) || die "usage: bash scripts/backup.sh [DESTINATION]"
destination=${1:-${BACKUP_DIR:-$root/var/backups}}
# shellcheck source=scripts/lib/database_url.sh
source "$root/scripts/lib/database_url.sh"
database_url "DATABASE_URL is not set: there is no PostgreSQL database to back up"
for tool in pg_dump pg_restore sha256sum tar; do
  command -v "$tool" >/dev/null || die "$tool is not installed"
done

mkdir -p "$destination"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
final=$destination/mentoring-$stamp
[[ ! -e $final ]] || die "$final already exists"
partial=$(mktemp -d "$destination/.partial-$stamp.XXXXXX")
trap 'rm -rf "$partial"' EXIT
# Backups hold personal data: readable by their owner alone.
chmod 700 "$partial"
umask 077

database=${url##*/}
database=${database%%\?*}
say "dumping database $database (pg_dump --format=custom)"
pg_dump --format=custom --compress=6 --no-password --dbname="$url" --file="$partial/database.dump" ||
  die "pg_dump failed"
# A dump pg_restore cannot list is no backup.
pg_restore --list "$partial/database.dump" >"$partial/contents.txt" ||
  die "the dump cannot be read back (pg_restore --list failed)"
tables=$(grep -c ' TABLE DATA ' "$partial/contents.txt" || true)
rm "$partial/contents.txt"
say "  $(du -h "$partial/database.dump" | cut -f1), $tables tables' data"

if [[ -d $media ]]; then
  files=$(find "$media" -type f | wc -l)
  say "archiving media files from $media ($files files)"
  tar --create --gzip --file="$partial/media.tar.gz" --directory="$media" . || die "tar of $media failed"
else
  files=0
  say "archiving media files: $media does not exist, so the archive is empty"
  tar --create --gzip --file="$partial/media.tar.gz" --files-from=/dev/null
fi

{
  echo "created_at=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "database=$database"
  echo "database_host=$(printf '%s' "$url" | sed -E 's#^[a-z]+://([^@/]*@)?([^/?]*).*#\2#')"
  echo "tables_with_data=$tables"
  echo "media_root=$media"
  echo "media_files=$files"
  echo "pg_dump=$(pg_dump --version)"
  echo "git_commit=$(git -C "$root" rev-parse HEAD 2>/dev/null || echo unknown)"
} >"$partial/MANIFEST"
(cd "$partial" && sha256sum database.dump media.tar.gz MANIFEST >SHA256SUMS)

mv "$partial" "$final"
trap - EXIT
chmod 700 "$final"
say "backup complete: database.dump, media.tar.gz, MANIFEST, SHA256SUMS"
printf '%s\n' "$final"
