#!/usr/bin/env bash
# System programs the extractors call: Tesseract with the Russian model (OCR of scans and
# photos), LibreOffice Writer (DOC, RTF, ODT -> DOCX/PDF), Impress (PPT, ODP -> PPTX) and Calc
# (XLS, ODS -> XLSX), poppler-utils (pdftotext for the benchmark, pdftoppm for rasterised test
# scans), DejaVu fonts (Cyrillic in generated PDFs) and libarchive (RAR, 7-Zip and tar uploads,
# through the libarchive-c package).
# Idempotent: installs only what is missing; works as root, or through sudo otherwise.
set -euo pipefail

PACKAGES=(
    tesseract-ocr tesseract-ocr-rus libreoffice-writer libreoffice-impress libreoffice-calc
    poppler-utils fonts-dejavu-core libarchive13
)

missing=()
for pkg in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$pkg")
    fi
done

if [ ${#missing[@]} -eq 0 ]; then
    echo "system deps: all present (${PACKAGES[*]})"
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    SUDO=()
elif command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
else
    echo "system deps: missing ${missing[*]}; run this script as root or install sudo" >&2
    exit 1
fi

echo "system deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
