#!/bin/sh
# Start-up (issue 28 item 16): from launching `attnscope` to its window's first paint and to the
# demo's matrix drawn, as the app itself logs them (QT_LOGGING_RULES attnscope.startup.info; the
# time since the process started, from /proc/self/stat, 10 ms resolution). Each run has fresh
# settings (so the demo, not a restored session, is what opens) but the user's cache folder, which
# is warm after the first run: the first run is reported apart, then the best and worst of N.
#   bench/startup.sh [BUILD_DIR] [N]      (default: build, 5)
# Needs xvfb-run (Debian xvfb), as the GUI tests do not: this draws on a real X server.
set -eu
build=${1:-build}
n=${2:-5}
exe="$build/bin/attnscope"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

once() {  # one launch; prints "window_ms trace_ms"
    rm -rf "$tmp/config" "$tmp/data"
    mkdir "$tmp/config" "$tmp/data"
    XDG_CONFIG_HOME="$tmp/config" XDG_DATA_HOME="$tmp/data" QT_LOGGING_RULES="attnscope.startup.info=true" \
        xvfb-run -a -s "-screen 0 1400x900x24" sh -c "\"$exe\" > \"$tmp/log\" 2>&1 & pid=\$!
            i=0
            while [ \$i -lt 600 ] && ! grep -q 'first trace drawn' \"$tmp/log\"; do sleep 0.1; i=\$((i + 1)); done
            kill \$pid; wait \$pid 2>/dev/null || true"
    w=$(sed -n 's/.*window painted \([0-9]*\) ms.*/\1/p' "$tmp/log")
    t=$(sed -n 's/.*first trace drawn .* \([0-9]*\) ms after launch.*/\1/p' "$tmp/log")
    [ -n "$w" ] && [ -n "$t" ] || { echo "no start-up lines in the log:" >&2; cat "$tmp/log" >&2; exit 1; }
    echo "$w $t"
}

first=$(once)
echo "first run (cache as found): window ${first% *} ms, demo matrix ${first#* } ms"
all=""
i=0
while [ $i -lt "$n" ]; do
    all="$all$(once)
"
    i=$((i + 1))
done
ws=$(printf '%s' "$all" | cut -d' ' -f1 | sort -n)
ts=$(printf '%s' "$all" | cut -d' ' -f2 | sort -n)
echo "| window painted | $(echo "$ws" | head -n 1)–$(echo "$ws" | tail -n 1) ms |"
echo "| demo matrix drawn | $(echo "$ts" | head -n 1)–$(echo "$ts" | tail -n 1) ms |"
echo "(best–worst of $n warm runs)"
