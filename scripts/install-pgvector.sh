#!/usr/bin/env bash
# Install pgvector into the machine's PostgreSQL (Debian 12 "bookworm", PostgreSQL 15 by default).
#
# Debian 12 does not package pgvector, but the next Debian release (trixie) has it as a source
# package that builds against PostgreSQL 15 in seconds. This script:
#   1. installs the build dependencies (postgresql-server-dev-$PG_MAJOR, build-essential);
#   2. builds a private, throw-away apt configuration holding only
#      "deb-src <this machine's own Debian mirror> trixie main" (the mirror is read from the
#      machine's apt sources; no mirror name is written here);
#   3. downloads the pgvector source package with it, unpacks the upstream tarball,
#      and runs make / make install against pg_config of PostgreSQL $PG_MAJOR.
# The machine's own apt configuration, package lists and caches are left untouched.
#
# Idempotent: does nothing when vector.control is already installed.
# Needs root (apt-get install, make install).
#
# Environment:
#   PG_MAJOR   PostgreSQL major version to build for (default 15)
#
# See /work/shared/notes/pgvector-on-debian12.md (and the project's DESIGN.md).
set -euo pipefail

PG_MAJOR="${PG_MAJOR:-15}"
PG_CONFIG="/usr/lib/postgresql/${PG_MAJOR}/bin/pg_config"
CONTROL="/usr/share/postgresql/${PG_MAJOR}/extension/vector.control"
SOURCE_SUITE="trixie"
DEB822_SOURCES="/etc/apt/sources.list.d/debian.sources"
LEGACY_SOURCES="/etc/apt/sources.list"

log() { printf 'install-pgvector: %s\n' "$*"; }
die() {
  printf 'install-pgvector: ERROR: %s\n' "$1" >&2
  shift
  local line
  for line in "$@"; do printf 'install-pgvector:   %s\n' "$line" >&2; done
  exit 1
}

# --- 0. already installed? -------------------------------------------------------------------
if [[ -f "$CONTROL" ]]; then
  log "pgvector already installed for PostgreSQL ${PG_MAJOR} (${CONTROL}); nothing to do."
  exit 0
fi

if [[ "$(id -u)" -ne 0 ]]; then
  die "must run as root (it runs apt-get install and make install)." \
      "Re-run it as: sudo bash $0"
fi

START=$SECONDS
export DEBIAN_FRONTEND=noninteractive
TMP="$(mktemp -d -t install-pgvector.XXXXXX)"
cleanup() { rm -rf "$TMP"; }
trap cleanup EXIT

# --- 1. build dependencies ------------------------------------------------------------------
DEPS=("postgresql-server-dev-${PG_MAJOR}" build-essential)
log "installing build dependencies: ${DEPS[*]}"
if ! apt-get install -y "${DEPS[@]}" 2>&1 | tee "$TMP/apt-install.log"; then
  if grep -qE 'Unable to locate package|has no installation candidate|is not available|Unable to fetch some archives' "$TMP/apt-install.log"; then
    log "package lists look missing or stale; running apt-get update and retrying"
    apt-get update \
      || die "apt-get update failed." \
             "Check the network and the entries in ${DEB822_SOURCES} / ${LEGACY_SOURCES}, then re-run."
    apt-get install -y "${DEPS[@]}" \
      || die "apt-get install ${DEPS[*]} failed even after apt-get update." \
             "Is PostgreSQL ${PG_MAJOR} the server on this machine? Set PG_MAJOR=<major> if not."
  else
    die "apt-get install ${DEPS[*]} failed (output above)." \
        "Fix the apt problem shown above (e.g. a held lock: wait for the other apt/dpkg to finish), then re-run."
  fi
fi
[[ -x "$PG_CONFIG" ]] \
  || die "${PG_CONFIG} not found after installing postgresql-server-dev-${PG_MAJOR}." \
         "Is PostgreSQL ${PG_MAJOR} installed? Set PG_MAJOR=<major> to build for another version."

# --- 2. the machine's own Debian mirror -------------------------------------------------------
MIRROR=""
if [[ -f "$DEB822_SOURCES" ]]; then
  # deb822: first "URIs:" field (a field may list several URIs; take the first one).
  MIRROR="$(awk 'tolower($1) == "uris:" { print $2; exit }' "$DEB822_SOURCES")"
  SOURCE_OF_MIRROR="$DEB822_SOURCES"
elif [[ -f "$LEGACY_SOURCES" ]]; then
  # one-line format: "deb [options] URI suite components..."; skip an optional [ ... ] block.
  MIRROR="$(awk '$1 == "deb" {
                   i = 2
                   if ($i ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
                   print $i; exit
                 }' "$LEGACY_SOURCES")"
  SOURCE_OF_MIRROR="$LEGACY_SOURCES"
else
  die "no apt sources found (neither ${DEB822_SOURCES} nor ${LEGACY_SOURCES} exists)." \
      "Configure a Debian mirror for apt first, then re-run."
fi
[[ -n "$MIRROR" ]] \
  || die "could not read a Debian mirror URI from ${SOURCE_OF_MIRROR}." \
         "Expected a 'URIs: <url>' line (deb822) or a 'deb <url> <suite> ...' line."
MIRROR="${MIRROR%/}"
log "using the Debian mirror from ${SOURCE_OF_MIRROR}: ${MIRROR}"

# --- 3. private apt configuration for the next release's sources -------------------------------
# apt downloads as the unprivileged _apt user; let it reach the directories it writes to.
chmod 0755 "$TMP"
mkdir -p "$TMP/lists/partial" "$TMP/cache/archives/partial" "$TMP/src"
if id _apt >/dev/null 2>&1; then chown _apt "$TMP/src" "$TMP/lists/partial" 2>/dev/null || true; fi
printf 'deb-src %s %s main\n' "$MIRROR" "$SOURCE_SUITE" >"$TMP/sources.list"

APT_OPTS=(
  -o "Dir::Etc::SourceList=$TMP/sources.list"
  -o "Dir::Etc::SourceParts=/dev/null"
  -o "Dir::State::Lists=$TMP/lists"
  # keep the machine's package caches out of it too
  -o "Dir::Cache=$TMP/cache"
)

log "fetching the ${SOURCE_SUITE} source index (private apt configuration in ${TMP})"
apt-get "${APT_OPTS[@]}" update \
  || die "apt-get update of the private '${SOURCE_SUITE}' source list failed." \
         "Check that ${MIRROR} is reachable and carries the '${SOURCE_SUITE}' suite (see the errors above)."

log "downloading the pgvector source package from ${SOURCE_SUITE}"
(cd "$TMP/src" && apt-get "${APT_OPTS[@]}" source --download-only pgvector) \
  || die "apt-get source --download-only pgvector failed." \
         "Is pgvector still in Debian '${SOURCE_SUITE}' main on ${MIRROR}? See the errors above."

shopt -s nullglob
tarballs=("$TMP"/src/pgvector_*.orig.tar.gz)
shopt -u nullglob
[[ ${#tarballs[@]} -ge 1 ]] \
  || die "no pgvector_*.orig.tar.gz among the downloaded files ($(ls "$TMP/src" | tr '\n' ' '))." \
         "The source package's layout changed; unpack it by hand and build it with make PG_CONFIG=${PG_CONFIG}."
TARBALL="${tarballs[0]}"
log "unpacking $(basename "$TARBALL")"
mkdir -p "$TMP/build"
tar -xzf "$TARBALL" -C "$TMP/build" \
  || die "could not unpack ${TARBALL}."
shopt -s nullglob
srcdirs=("$TMP"/build/*/)
shopt -u nullglob
[[ ${#srcdirs[@]} -eq 1 && -f "${srcdirs[0]}/Makefile" ]] \
  || die "unexpected layout of $(basename "$TARBALL") (expected one directory with a Makefile)."
SRCDIR="${srcdirs[0]%/}"

# --- 4. build and install ----------------------------------------------------------------------
BUILD_START=$SECONDS
log "building $(basename "$SRCDIR") against $("$PG_CONFIG" --version)"
make -C "$SRCDIR" -j"$(nproc)" PG_CONFIG="$PG_CONFIG" \
  || die "building pgvector failed (compiler output above)." \
         "Check that postgresql-server-dev-${PG_MAJOR} and build-essential are installed and complete."
make -C "$SRCDIR" install PG_CONFIG="$PG_CONFIG" \
  || die "make install of pgvector failed (output above)." \
         "It writes to $("$PG_CONFIG" --pkglibdir) and $("$PG_CONFIG" --sharedir)/extension; run as root."

[[ -f "$CONTROL" ]] \
  || die "make install finished but ${CONTROL} is missing." \
         "The build installed into another PostgreSQL; check PG_MAJOR (now ${PG_MAJOR})."

log "installed pgvector for PostgreSQL ${PG_MAJOR} (build+install $((SECONDS - BUILD_START))s, total $((SECONDS - START))s)."
log "enable it per database with: CREATE EXTENSION IF NOT EXISTS vector;"
