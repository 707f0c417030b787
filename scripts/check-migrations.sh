#!/usr/bin/env bash
# Landed migrations are never edited (docs/migrations.md). Every migration in migrations/ is
# recorded with its SHA-256 in .ci/migrations.sha256 in the commit that adds it; this check fails
# when a recorded file changed or disappeared, when a migration is not recorded, or when a new one
# sorts before one already recorded (it would run out of order on existing databases).
#   --record   add the SHA-256 of migrations not yet recorded (run once, when adding a migration)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
sums=.ci/migrations.sha256
touch "$sums"
fail=0
while read -r sum file; do
  [[ -z "$sum" ]] && continue
  if [[ ! -f "$file" ]]; then
    echo "migration check: $file was landed and is gone; add a new migration instead" >&2; fail=1
  elif [[ "$(sha256sum "$file" | cut -d' ' -f1)" != "$sum" ]]; then
    echo "migration check: $file was edited after it landed; revert it and add a new migration" >&2; fail=1
  fi
done <"$sums"
last="$(awk '{print $2}' "$sums" | sort | tail -1)"
for f in migrations/*.sql; do
  grep -q " $f\$" "$sums" && continue
  if [[ -n "$last" && "$f" < "$last" ]]; then
    echo "migration check: $f sorts before the landed $last; give it a later version" >&2; fail=1
  elif [[ "${1:-}" == "--record" ]]; then
    sha256sum "$f" >>"$sums"; echo "recorded $f"
  else
    echo "migration check: $f is not recorded; run scripts/check-migrations.sh --record and commit $sums" >&2; fail=1
  fi
done
((fail == 0)) && echo "migrations: $(grep -c . "$sums") recorded, none edited"
exit "$fail"
