#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Fails when po/ru.po misses or fuzzies any string of the current sources:
# extracts a fresh template from po/POTFILES.in, merges ru.po against it in a
# temporary copy, and counts untranslated and fuzzy messages.
set -euo pipefail

top=${1:?usage: check-translations.sh SOURCE_ROOT}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cd "$top"
grep -v '^\s*\(#\|$\)' po/POTFILES.in >"$tmp/files" || true
if [[ ! -s "$tmp/files" ]]; then
  echo "no translatable files listed in po/POTFILES.in" >&2
  exit 1
fi
while read -r f; do
  [[ -f "$f" ]] || { echo "po/POTFILES.in lists a missing file: $f" >&2; exit 1; }
done <"$tmp/files"

xgettext --from-code=UTF-8 --add-comments --keyword=_ --keyword=N_ --keyword=C_:1c,2 \
  --keyword=NC_:1c,2 --keyword=g_dngettext:2,3 --keyword=ngettext:1,2 \
  --files-from="$tmp/files" -o "$tmp/passport.pot" 2>"$tmp/xgettext.log" ||
  { cat "$tmp/xgettext.log" >&2; exit 1; }

msgmerge --quiet --no-fuzzy-matching "po/ru.po" "$tmp/passport.pot" -o "$tmp/ru.po"
# "N translated messages, M fuzzy translations, K untranslated messages."
stats=$(LC_ALL=C msgfmt --statistics -o /dev/null "$tmp/ru.po" 2>&1)
count() { sed -n "s/.*\b\([0-9][0-9]*\) $1.*/\1/p" <<<"$stats"; }
translated=$(count 'translated message')
fuzzy=$(count 'fuzzy translation')
untranslated=$(count 'untranslated message')
translated=${translated:-0} fuzzy=${fuzzy:-0} untranslated=${untranslated:-0}
total=$((translated + fuzzy + untranslated))
msgfmt --check -o /dev/null "po/ru.po"

echo "ru.po: $total strings, $untranslated untranslated, $fuzzy fuzzy"
if ((untranslated > 0 || fuzzy > 0)); then
  echo "missing or fuzzy in po/ru.po:" >&2
  msgattrib --untranslated --no-obsolete "$tmp/ru.po" >&2 || true
  msgattrib --only-fuzzy --no-obsolete "$tmp/ru.po" >&2 || true
  exit 1
fi
