#!/usr/bin/env bash
# Loopback tunnel benchmark (no namespaces; the lab version is bench/tunnel-bench.sh): `burrow tunnel --method socks` against OpenSSH's `ssh -N -L`, through the same real sshd on
# 127.0.0.1 (started in a private mount namespace, so it needs root) to a loopback source server. Prints, per path
# and repetition: single-stream MB/s, the tunnel process's CPU ms per MB, the time of 200 sequential new
# connections and the failures among 500 concurrent ones. See dev.burrow.app.cli.TunnelBench.
#
#   bench/tunnel-loopback-bench.sh [MIB] [REPS] [PATH]   (defaults 512 and 3; PATH: direct, ssh or burrow, default all)
set -euo pipefail
root=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
# shellcheck source=scripts/java-env.bash
source "$root/scripts/java-env.bash"
burrow_utf8_locale
JAVA_HOME=$(burrow_find_jdk25) || exit 1
export JAVA_HOME MAVEN_OPTS="${MAVEN_OPTS:+$MAVEN_OPTS }--sun-misc-unsafe-memory-access=allow"
cd "$root"
mvn -B -q -DskipTests -pl core,app -am test-compile
cp_file=$(mktemp)
core_cp_file=$(mktemp)
mvn -B -q -pl app dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$cp_file" >/dev/null
mvn -B -q -pl core dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$core_cp_file" >/dev/null
# Burrow's own modules come from this tree, never from a jar someone installed in ~/.m2.
deps=$(cat "$cp_file" <(echo) "$core_cp_file" | tr ':' '\n' | grep -v '/dev/burrow/' | grep . | sort -u | paste -sd:)
classpath="app/target/test-classes:app/target/classes:core/target/test-classes:core/target/classes:$deps"
rm -f "$cp_file" "$core_cp_file"
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -cp "$classpath" dev.burrow.app.cli.TunnelBench "$@"
