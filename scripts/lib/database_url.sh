# Sourced by scripts/backup.sh and scripts/restore.sh (which define die): reads DATABASE_URL and
# MEDIA_ROOT as the application does and sets
#   url     postgresql://user@host:port/name — without the password, which goes to libpq in
#           PGPASSWORD, not on a command line other users could read
#   media   the uploaded files' directory
# $root must be the checkout; $1 is what to say when DATABASE_URL is not set.
database_url() {
  url=${DATABASE_URL:-}
  [[ -n $url ]] || die "$1"
  case $url in
    postgres://* | postgresql://* | pgsql://* | psql://* | postgis://*) ;;
    *) die "DATABASE_URL is not PostgreSQL (${url%%://*}); the embedded SQLite mode is not backed up by these scripts" ;;
  esac
  local rest=${url#*://} credentials password
  if [[ $rest == *@* && ${rest%@*} == *:* ]]; then
    credentials=${rest%@*}
    password=${credentials#*:}
    PGPASSWORD=$(printf '%b' "${password//%/\\x}")
    export PGPASSWORD
    rest="${credentials%%:*}@${rest##*@}"
  fi
  url="postgresql://$rest"
  media=${MEDIA_ROOT:-${VAR_DIR:-$root/var}/media}
}
