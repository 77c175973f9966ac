# Shared by the side-by-side benchmark scripts, sourced once `build` is set: the executable, the
# Python the peers run on, a scratch folder removed on exit, and the timer.
exe="$build/bin/attnscope"
py=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# best CMD...: the best wall time of three runs and that run's peak resident memory, "seconds MiB"
# (/usr/bin/time); a run that fails stops the script with its output.
best() {
    b=""
    for i in 1 2 3; do
        /usr/bin/time -f "%e %M" -o "$tmp/t" "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; cat "$tmp/t" >&2; exit 1; }
        line=$(tail -n 1 "$tmp/t")
        s=${line% *}; k=${line#* }
        if [ -z "$b" ] || awk "BEGIN { exit !($s < ${b% *}) }"; then b="$s $((k / 1024))"; fi
    done
    echo "$b"
}
