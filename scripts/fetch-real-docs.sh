#!/usr/bin/env bash
# Fetches real documents for benchmarks and end-to-end tests into .fixtures/ (git-ignored):
# the Debian Administrator's Handbook (HTML, English and Indonesian), the PostgreSQL 15 manual and
# the Python 3.11 manual (python3.11-doc: its general index is a test set of `npm run eval`).
# Idempotent: packages already downloaded or unpacked are reused.
#   scripts/fetch-real-docs.sh            download + unpack, print where the HTML lives
#   scripts/fetch-real-docs.sh --office   also convert ~5 handbook pages to PDF and DOCX, and make
#                                         PPTX/ODP/ODT/ODS/RTF from the handbook (needs libreoffice)
#   scripts/fetch-real-docs.sh --scans    also print handbook pages (English, Indonesian) and make
#                                         them into scans for OCR: scripts/make-scan-fixtures.sh
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="$root/.fixtures"
office=0
scans=0
for arg in "$@"; do
  case "$arg" in
    --office) office=1 ;;
    --scans) scans=1 ;;
    -h | --help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "unknown option: $arg" >&2; exit 2 ;;
  esac
done

command -v apt-get >/dev/null && command -v dpkg >/dev/null || {
  echo "needs apt-get and dpkg (Debian/Ubuntu)" >&2
  exit 1
}

# A clean machine has no package lists, a long-lived one may have stale ones (the .deb they name is
# gone from the mirror): either way `apt-get update` once, as root, and try again.
apt_opts=()
[ "$(id -u)" = 0 ] && apt_opts=(-o APT::Sandbox::User=root) # root: no "_apt cannot write here" warning
updated=0
apt_update() {
  [ "$updated" = 0 ] && [ "$(id -u)" = 0 ] || return 1
  echo "apt-get update …"
  apt-get update -qq && updated=1
}
# Into a scratch folder first, so a download cut short never leaves a truncated .deb to be reused.
download() {
  rm -rf "$dest/debs/.partial" && mkdir "$dest/debs/.partial"
  (cd "$dest/debs/.partial" && apt-get "${apt_opts[@]}" download "$1") &&
    mv "$dest/debs/.partial/"*.deb "$dest/debs/" && rmdir "$dest/debs/.partial"
}

mkdir -p "$dest/debs" "$dest/root"
cd "$dest/debs"
for pkg in debian-handbook postgresql-doc-15 python3.11-doc; do
  if ! ls "${pkg}"_*.deb >/dev/null 2>&1; then
    echo "downloading $pkg …"
    apt-cache show "$pkg" >/dev/null 2>&1 || apt_update || true
    download "$pkg" || { apt_update && download "$pkg"; } || {
      echo "apt-get download $pkg failed; try 'sudo apt-get update' first" >&2
      exit 1
    }
  fi
  stamp="$dest/root/.unpacked-$pkg"
  deb="$(ls "${pkg}"_*.deb | head -n 1)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$deb" ]; then
    echo "unpacking $deb …"
    dpkg -x "$deb" "$dest/root"
    echo "$deb" >"$stamp"
  fi
done

# The handbook ships one HTML directory per language, e.g. …/html/en-US/ and …/html/id-ID/.
find_dir() { find "$dest/root" -type d -path "$1" 2>/dev/null | head -n 1; }
hb_en="$(find_dir '*debian-handbook*/en-US')"
hb_id="$(find_dir '*debian-handbook*/id-ID')"
pg_html="$(dirname "$(find "$dest/root" -path '*postgresql-doc-15*' -name 'index.html' | head -n 1)")"

echo
echo "Debian handbook (English):    ${hb_en:-not found}"
echo "Debian handbook (Indonesian): ${hb_id:-not found}"
echo "PostgreSQL 15 manual:         ${pg_html:-not found}"

if [ "$scans" = 1 ]; then
  "$root/scripts/make-scan-fixtures.sh" "$hb_en" "$hb_id" "$dest/scans"
fi

if [ "$office" = 1 ]; then
  soffice="$(command -v libreoffice || command -v soffice || true)"
  if [ -z "$soffice" ]; then
    echo "--office: libreoffice is not installed; skipping PDF/DOCX conversion" >&2
    exit 0
  fi
  out="$dest/office"
  mkdir -p "$out"
  # The first five are read by the import tests; all of them (and the Indonesian ones, in
  # office/id-ID/) are the PDF/DOCX set of `npm run eval`.
  pages=(sect.apt-get.html sect.apt-cache.html sect.user-group-databases.html sect.remote-login.html
    sect.network-config.html sect.supervision.html sect.shell-environment.html sect.dist-upgrade.html
    sect.virtual-private-network.html sect.config-printing.html sect.package-authentication.html
    sect.filesystem-hierarchy.html)
  pages_id=(sect.apt-get.html sect.supervision.html sect.network-config.html sect.dist-upgrade.html)
  mkdir -p "$out/id-ID"
  to_office() { # to_office <html> <outdir>
    local src="$1" dir="$2" base target
    [ -f "$src" ] || { echo "missing $src; skipped" >&2; return; }
    base="$(basename "$src" .html)"
    # HTML opens in Writer/Web, which needs the DOCX filter named explicitly.
    for target in pdf 'docx:MS Word 2007 XML'; do
      [ -f "$dir/$base.${target%%:*}" ] && continue
      "$soffice" --headless --convert-to "$target" --outdir "$dir" "$src" >/dev/null 2>&1 ||
        echo "could not convert $src to ${target%%:*}" >&2
    done
  }
  for page in "${pages[@]}"; do to_office "$hb_en/$page" "$out"; done
  for page in "${pages_id[@]}"; do to_office "$hb_id/$page" "$out/id-ID"; done
  # Slides, OpenDocument and RTF: sources written from the handbook (English and Indonesian) by
  # scripts/office-fixture-sources.ts, converted by LibreOffice itself: Impress (.pptx, .odp),
  # Calc (.ods), Writer (.odt, .rtf). Its own profile, so a LibreOffice already running is not in
  # the way; a file is converted again only when its source changed.
  src="$out/sources"
  "$root/node_modules/.bin/tsx" "$root/scripts/office-fixture-sources.ts" "$(dirname "$hb_en")" "$src"
  lo=("$soffice" "-env:UserInstallation=file://$out/.lo-profile" --headless)
  convert() { # convert <ext[:filter]> <source>…
    local ext="${1%%:*}" target="$1" todo=() f dst
    shift
    for f in "$@"; do
      dst="$out/$(basename "${f%.*}").$ext"
      [ -f "$dst" ] && [ "$dst" -nt "$f" ] || todo+=("$f")
    done
    [ "${#todo[@]}" = 0 ] && return
    "${lo[@]}" --convert-to "$target" --outdir "$out" "${todo[@]}" >/dev/null 2>&1 ||
      echo "could not convert ${todo[*]} to $ext" >&2
  }
  convert pptx "$src"/*.fodp
  convert odp "$src"/*.fodp
  convert ods "$src"/*.fods
  convert 'odt:writerweb8_writer' "$src"/*.html
  convert 'rtf:Rich Text Format' "$src"/*.html
  echo "Office conversions:           $out"
fi
