#!/usr/bin/env bash
# Run by release-checks in `mvn verify` (see its pom.xml): builds the published modules a second time, from a copy
# of the sources at another path, and compares every jar this build made (classes, sources, Javadoc, test-jars) byte
# for byte with the second build's. Also checks that each published jar and sources jar carries META-INF/LICENSE and
# META-INF/NOTICE.
# Usage: reproducible-build.sh ROOT VERSION MVN LOCAL_REPO MODULE...
set -euo pipefail
root=$1 version=$2 mvn=$3 repo=$4
shift 4
modules=("$@")
copy="$root/release-checks/target/second-build"

rm -rf "$copy"
mkdir -p "$copy"
(cd "$root" && tar --exclude='./*/target' --exclude='./target' --exclude='./.git' --exclude='*/node_modules' -cf - .) \
  | (cd "$copy" && tar -xf -)
list=$(IFS=,; echo "${modules[*]}")
started=$SECONDS
"$mvn" -o -q -B -Dmaven.repo.local="$repo" -DskipTests -f "$copy/pom.xml" -pl "$list" package

failed=0
compared=0
for m in "${modules[@]}"; do
  for jar in "$root/$m/target/$m-$version"*.jar; do
    second="$copy/$m/target/$(basename "$jar")"
    compared=$((compared + 1))
    if ! cmp -s "$jar" "$second"; then
      echo "not reproducible: $m/target/$(basename "$jar") differs from a second build's ($second)" >&2
      failed=1
    fi
  done
  for jar in "$root/$m/target/$m-$version.jar" "$root/$m/target/$m-$version-sources.jar"; do
    for f in META-INF/LICENSE META-INF/NOTICE; do
      if ! unzip -l "$jar" "$f" >/dev/null 2>&1; then
        echo "$jar lacks $f" >&2
        failed=1
      fi
    done
  done
done
if [[ $failed -ne 0 ]]; then
  echo "A tree built incrementally can hold stale classes (moved or deleted sources): the second build is clean," \
    "so compare after 'mvn clean verify'. Otherwise something in the build depends on the time, the path or the" \
    "machine: unzip both jars and diff them." >&2
  exit 1
fi
echo "reproducible: $compared jars of ${#modules[@]} modules identical in a second build ($((SECONDS - started)) s); LICENSE and NOTICE in each"
