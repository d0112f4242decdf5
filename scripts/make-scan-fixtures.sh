#!/usr/bin/env bash
# Scanned-document fixtures for the OCR tests and benchmark (called by fetch-real-docs.sh --scans):
# Debian handbook pages (English and Indonesian) printed to PDF by LibreOffice, then made into
# pictures the way a scanner or a phone would: rasterised by pdftoppm at 300 and 150 dpi (grey),
# one page turned a quarter, one slanted 3°, one saved as a coarse JPEG; assembled into image-only
# PDFs by img2pdf, and kept as PNG/JPEG/TIFF files too. Idempotent (a file is made once).
#   make-scan-fixtures.sh <handbook en-US html dir> <handbook id-ID html dir> <out dir>
# Needs: soffice (libreoffice-writer), pdftoppm + pdfunite (poppler-utils), img2pdf (which brings
# Debian's python3-pil, used here for the turned, slanted and JPEG pages).
set -euo pipefail
hb_en="$1" hb_id="$2" out="$3"

soffice="$(command -v libreoffice || command -v soffice || true)"
missing=()
[ -n "$soffice" ] || missing+=(libreoffice-writer)
command -v pdftoppm >/dev/null && command -v pdfunite >/dev/null || missing+=(poppler-utils)
command -v img2pdf >/dev/null || missing+=(img2pdf)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "--scans needs ${missing[*]}: apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi
# Debian's Python (with PIL from python3-pil), not whatever python3 comes first on PATH.
py=/usr/bin/python3
[ -x "$py" ] && "$py" -c 'import PIL' 2>/dev/null || py=python3
"$py" -c 'import PIL' 2>/dev/null || { echo "--scans needs python3-pil" >&2; exit 1; }

mkdir -p "$out/src"
out="$(cd "$out" && pwd)" # LibreOffice takes its profile as an absolute file:// URL
# One prose section per language (the Indonesian translation of this one is nearly complete).
page=sect.dealing-with-compromised-machine
declare -A html=([en]="$hb_en/$page.html" [id]="$hb_id/$page.html")
lo=("$soffice" "-env:UserInstallation=file://$out/.lo-profile" --headless)
for lang in en id; do
  pdf="$out/src/$lang.pdf"
  [ -f "$pdf" ] && continue
  [ -f "${html[$lang]}" ] || { echo "missing ${html[$lang]}" >&2; exit 1; }
  tmp="$out/src/.convert-$lang"
  rm -rf "$tmp" && mkdir -p "$tmp"
  "${lo[@]}" --convert-to pdf --outdir "$tmp" "${html[$lang]}" >/dev/null 2>&1 ||
    { echo "LibreOffice could not print ${html[$lang]} to PDF" >&2; exit 1; }
  mv "$tmp/$page.pdf" "$pdf" && rm -rf "$tmp"
done

# Pages 1 and 2 of each printout, as grey PNGs at both resolutions, and image-only PDFs of them.
for lang in en id; do
  for dpi in 300 150; do
    base="$out/$lang-$dpi"
    if [ ! -f "$base.pdf" ]; then
      pdftoppm -r "$dpi" -gray -f 1 -l 2 -png "$out/src/$lang.pdf" "$base-p"
      # pdftoppm numbers pages with as many digits as the document needs: -p1, -p01 …
      for n in 1 2; do mv "$(ls "$base"-p*"$n".png | head -n 1)" "$base-p$n.png" 2>/dev/null || true; done
      img2pdf --imgsize "${dpi}dpi" "$base-p1.png" "$base-p2.png" -o "$base.pdf"
    fi
  done
done

# A phone's or a careless scanner's page: turned, upside down, slanted, compressed, a fax-quality
# copy; a multi-page TIFF; and a
# mixed PDF (page 1 with its text layer, page 2 a scan of the next page).
if [ ! -f "$out/mixed-en.pdf" ] || [ ! -f "$out/en-50.png" ]; then
  "$py" - "$out" <<'EOF'
import sys
from PIL import Image
out = sys.argv[1]
page = Image.open(f"{out}/en-300-p1.png").convert("L")
# PIL turns counter-clockwise: 90 is a page lying on its left side.
page.rotate(90, expand=True).save(f"{out}/en-300-rotated.png", dpi=(300, 300))
page.rotate(3, expand=True, fillcolor=255, resample=Image.BICUBIC).save(f"{out}/en-300-skewed.png", dpi=(300, 300))
page.rotate(180).save(f"{out}/en-300-upside-down.png", dpi=(300, 300))
page.save(f"{out}/en-300-q30.jpg", quality=30, dpi=(300, 300))
# A fax-quality copy (50 dpi): what OCR reads with low confidence.
page.resize((page.width // 6, page.height // 6), Image.BOX).save(f"{out}/en-50.png", dpi=(50, 50))
pages = [Image.open(f"{out}/id-300-p{n}.png").convert("L") for n in (1, 2)]
pages[0].save(f"{out}/id-300.tif", save_all=True, append_images=pages[1:], compression="tiff_lzw", dpi=(300, 300))
EOF
  for v in rotated skewed; do img2pdf --imgsize 300dpi "$out/en-300-$v.png" -o "$out/en-300-$v.pdf"; done
  img2pdf --imgsize 300dpi "$out/en-300-q30.jpg" -o "$out/en-300-q30.pdf"
  pdftoppm -r 300 -gray -f 2 -l 2 -png "$out/src/en.pdf" "$out/.mixed"
  img2pdf --imgsize 300dpi "$(ls "$out"/.mixed*.png | head -n 1)" -o "$out/.mixed-scan.pdf"
  # Page 1 of the printout (text layer), then the scan of page 2.
  pdfseparate -f 1 -l 1 "$out/src/en.pdf" "$out/.mixed-text.pdf"
  pdfunite "$out/.mixed-text.pdf" "$out/.mixed-scan.pdf" "$out/mixed-en.pdf"
  rm -f "$out"/.mixed*
fi
echo "Scanned-page fixtures:        $out"
