#!/bin/sh
# A long float16 dump → tiled trace (issue 28 item 17), side by side in one run with the peer a
# user would write: numpy reading the same memory-mapped .npy in bands of 1024 rows, converting
# each band to float32 and reducing it to an overview (max and mean of 32×32 blocks).
# `attnscope import DUMP --out X.attn` does more: every pyramid level (blocks of 4, 16, …; max and
# mean), the row/column statistics, and the float16 tiles written through a temporary file.
# Wall time and peak resident memory from /usr/bin/time; the best of three runs each; the page
# cache is warm for both (the dump is read once before the first run).
#   bench/import_vs_numpy.sh [BUILD_DIR] [SIZES...]      (default: build, 32768)
# Needs python3-numpy (Debian package; for this benchmark only). Disk: the dump (2 GiB at 32768²)
# and the trace (2.4 GB) live in $TMPDIR.
set -eu
build=${1:-build}
[ $# -gt 0 ] && shift
sizes=${*:-"32768"}
. "$(dirname "$0")/common.sh"

cat > "$tmp/make.py" <<'EOF'
import sys, numpy as np
n = int(sys.argv[1]); out = sys.argv[2]
rng = np.random.default_rng(0)
a = np.lib.format.open_memmap(out, mode="w+", dtype=np.float16, shape=(n, n))
for r0 in range(0, n, 1024):
    r = np.arange(r0, min(n, r0 + 1024))[:, None]; c = np.arange(n)[None, :]
    w = rng.random((len(r), n), dtype=np.float32) * (c <= r)
    w += 8.0 * ((r - c >= 0) & (r - c < 16))                # local band
    w /= w.sum(1, keepdims=True); w *= 0.6; w[:, 0] += 0.4  # a sink on key 0
    a[r0:r0 + len(r)] = w.astype(np.float16)
a.flush()
EOF
cat > "$tmp/overview.py" <<'EOF'
import sys, numpy as np
a = np.load(sys.argv[1], mmap_mode="r"); n, m = a.shape; b = 32
mx = np.empty((n // b, m // b), np.float32); mean = np.empty_like(mx)
for r0 in range(0, n, 1024):
    band = np.asarray(a[r0:r0 + 1024], dtype=np.float32).reshape(-1, b, m // b, b)
    mx[r0 // b:(r0 + 1024) // b] = band.max(axis=(1, 3))
    mean[r0 // b:(r0 + 1024) // b] = band.mean(axis=(1, 3))
np.save(sys.argv[2], mx)
EOF

echo "| matrix | dump | attnscope import → .attn | numpy overview | time ratio |"
echo "|---|---|---|---|---|"
for n in $sizes; do
    "$py" "$tmp/make.py" "$n" "$tmp/a.npy"
    cat "$tmp/a.npy" > /dev/null
    mb=$(( $(stat -c %s "$tmp/a.npy") / 1048576 ))
    ours=$(best "$exe" import "$tmp/a.npy" --out "$tmp/a.attn")
    [ -s "$tmp/a.attn" ] || { echo "attnscope wrote no trace for ${n}²" >&2; exit 1; }
    rm -f "$tmp/a.attn"
    theirs=$(best "$py" "$tmp/overview.py" "$tmp/a.npy" "$tmp/ov.npy")
    ratio=$(awk "BEGIN { printf \"%.2f\", ${ours% *} / ${theirs% *} }")
    echo "| ${n}² float16 | $mb MiB | ${ours% *} s, ${ours#* } MiB | ${theirs% *} s, ${theirs#* } MiB | $ratio× |"
    rm -f "$tmp/a.npy" "$tmp/ov.npy"
done
