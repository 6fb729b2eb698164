# Sourced by ./barmap, ./check and .ci/run: sets BARMAP_JAVA_HOME to a JDK 25 or newer.
# The JDK's release file says its version without starting a JVM (that costs ~0.1 s on every ./barmap);
# java -version only when there is no release file.
_jdk_ok() {
  [ -x "$1/bin/java" ] || return 1
  if [ -f "$1/release" ]; then grep -Eq '^JAVA_VERSION="(2[5-9]|[3-9][0-9])' "$1/release"
  else "$1/bin/java" -version 2>&1 | grep -Eq 'version "(2[5-9]|[3-9][0-9])'; fi
}
BARMAP_JAVA_HOME=""
for c in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-25-jdk-arm64 /usr/lib/jvm/*-25* /usr/lib/jvm/*; do
  [ -n "$c" ] && _jdk_ok "$c" && { BARMAP_JAVA_HOME="$c"; break; }
done
if [ -z "$BARMAP_JAVA_HOME" ]; then
  echo "barmap needs JDK 25 or newer (e.g. Temurin 25 at /usr/lib/jvm/temurin-25-jdk-amd64); set JAVA_HOME" >&2
  exit 2
fi
export BARMAP_JAVA_HOME
# Maven 3.8 on JDK 25 warns about sun.misc.Unsafe; allow it quietly
export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
