# Sourced by ./burrow and ./run-tests: the JDK and locale Burrow runs with.
# burrow_find_jdk25 prints the home of a JDK 25 or newer, or prints one line on stderr and fails. Order: $JAVA_HOME
# if it is 25+, then /usr/lib/jvm/*25*, then the `java` on PATH if it is 25+.
# burrow_utf8_locale makes sure the JVM sees a UTF-8 locale.

# The feature version (25 for "25.0.3") of the JDK at $1, read from its release file without starting a JVM.
burrow_jdk_major() {
    local home=$1 version=""
    if [[ -f $home/release ]]; then
        version=$(sed -n 's/^JAVA_VERSION="\([^"]*\)".*/\1/p' "$home/release")
    fi
    if [[ -z $version && -x $home/bin/java ]]; then
        version=$("$home/bin/java" -version 2>&1 | sed -n '1s/.*version "\([^"]*\)".*/\1/p')
    fi
    version=${version%%[.+-]*}
    [[ $version =~ ^[0-9]+$ ]] && echo "$version"
}

# True when $1 is a JDK (java and javac) of version 25 or newer.
burrow_is_jdk25() {
    local major
    [[ -n $1 && -x $1/bin/java && -x $1/bin/javac ]] || return 1
    major=$(burrow_jdk_major "$1") || return 1
    ((major >= 25))
}

burrow_find_jdk25() {
    local candidate java
    if [[ -n ${JAVA_HOME:-} ]] && burrow_is_jdk25 "$JAVA_HOME"; then
        echo "$JAVA_HOME"
        return 0
    fi
    for candidate in /usr/lib/jvm/*25*; do
        if burrow_is_jdk25 "$candidate"; then
            echo "$candidate"
            return 0
        fi
    done
    if java=$(command -v java); then
        candidate=$(dirname "$(dirname "$(readlink -f "$java")")")
        if burrow_is_jdk25 "$candidate"; then
            echo "$candidate"
            return 0
        fi
    fi
    echo "burrow: no JDK 25 found (looked at \$JAVA_HOME, /usr/lib/jvm/*25* and java on PATH);" \
        "install JDK 25, e.g. Temurin 25 from https://adoptium.net, or set JAVA_HOME" >&2
    return 1
}

# The JVM turns file names into Strings with the locale's charset (sun.jnu.encoding), which cannot be set
# otherwise. Under the POSIX locale of a bare container or `env -i`, that is ASCII, and every name with other
# characters fails with InvalidPathException. So when the locale is not UTF-8, use C.UTF-8 (built into glibc).
burrow_utf8_locale() {
    local charmap
    charmap=$(locale charmap 2>/dev/null || true)
    if [[ $charmap != UTF-8 ]]; then
        export LC_ALL=C.UTF-8
    fi
}
