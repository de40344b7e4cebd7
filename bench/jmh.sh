#!/usr/bin/env bash
# Builds core's JMH benchmarks (core/src/test/java/dev/burrow/core/bench) and runs them on a JDK 25.
#
#   bench/jmh.sh [REGEX] [JMH OPTIONS...]     e.g. bench/jmh.sh ChunkerBench -f 1 -wi 3 -i 5
#
# REGEX selects benchmarks (default: all). Without options it runs -f 1 -wi 3 -i 5 -w 2s -r 3s (about 7 minutes for
# all). Scores are MiB/s on one thread (one core); add -t 2 to load both cores. Other builds on the machine skew the
# figures: repeat a run to see the spread, or run `bench/jmh.sh CpuTime [ROUNDS]`, which runs the same
# benchmark methods round-robin and rates them by CPU time. `mvn verify` compiles the benchmarks but never runs them.
set -euo pipefail
root=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
# shellcheck source=scripts/java-env.bash
source "$root/scripts/java-env.bash"
burrow_utf8_locale
JAVA_HOME=$(burrow_find_jdk25) || exit 1
export JAVA_HOME
export MAVEN_OPTS="${MAVEN_OPTS:+$MAVEN_OPTS }--sun-misc-unsafe-memory-access=allow"

regex=${1:-.}
shift || true

cd "$root"
# -am builds burrow-native (and its library) in the same reactor, so nothing is taken from ~/.m2's snapshots.
mvn -B -q -pl core -am test-compile dependency:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-classpath.txt
classpath=core/target/test-classes:core/target/classes:$(<core/target/bench-classpath.txt)
if [[ $regex == CpuTime ]]; then
    exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -cp "$classpath" dev.burrow.core.bench.CpuTime "$@"
fi
if (($# == 0)); then
    set -- -f 1 -wi 3 -i 5 -w 2s -r 3s
fi
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -cp "$classpath" org.openjdk.jmh.Main "$regex" "$@"
