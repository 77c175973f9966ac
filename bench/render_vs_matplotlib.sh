#!/bin/sh
# Long matrices → PNG, whole process, side by side in one run: `attnscope import DUMP --out X.png`
# against matplotlib's imshow + colorbar + savefig of the same .npy (the peer users reach for).
# Wall time and peak resident memory from /usr/bin/time; the best of three runs each.
#   bench/render_vs_matplotlib.sh [BUILD_DIR] [SIZES...]      (default: build, 4096 8192 16384)
# Needs python3-numpy and python3-matplotlib (Debian packages; for this benchmark only — not
# for the build or the tests). Dumps, float32 (float16 for 16384: 512 MiB), two patterns:
#   llm    causal rows with an attention sink on key 0, a local band and a random background
#   noise  uniform random rows (the worst case for both: the PNG does not compress)
set -eu
build=${1:-build}
[ $# -gt 0 ] && shift
sizes=${*:-"4096 8192 16384"}
. "$(dirname "$0")/common.sh"

cat > "$tmp/make.py" <<'EOF'
import sys, numpy as np
n = int(sys.argv[1]); out = sys.argv[2]; pattern = sys.argv[3]; dtype = np.float16 if n >= 16384 else np.float32
rng = np.random.default_rng(0)
a = np.lib.format.open_memmap(out, mode="w+", dtype=dtype, shape=(n, n))
for r0 in range(0, n, 1024):
    r = np.arange(r0, min(n, r0 + 1024))[:, None]; c = np.arange(n)[None, :]
    w = rng.random((len(r), n), dtype=np.float32)
    if pattern == "llm":
        w *= (c <= r)
        w += 8.0 * ((r - c >= 0) & (r - c < 16))            # local band
        w /= w.sum(1, keepdims=True); w *= 0.6; w[:, 0] += 0.4  # a sink on key 0
    else:
        w /= w.sum(1, keepdims=True)
    a[r0:r0 + len(r)] = w.astype(dtype)
a.flush()
EOF
cat > "$tmp/mpl.py" <<'EOF'
import sys, numpy as np, matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
a = np.load(sys.argv[1])
plt.figure(figsize=(12, 11))
plt.imshow(a, cmap="viridis", interpolation="antialiased")
plt.colorbar()
plt.xlabel("key"); plt.ylabel("query")
plt.savefig(sys.argv[2], dpi=100)
EOF

echo "| matrix | dump | attnscope import → PNG | matplotlib imshow + savefig | time ratio |"
echo "|---|---|---|---|---|"
for n in $sizes; do
    for pattern in llm noise; do
        "$py" "$tmp/make.py" "$n" "$tmp/a$n.npy" "$pattern"
        mb=$(( $(stat -c %s "$tmp/a$n.npy") / 1048576 ))
        ours=$(best "$exe" import "$tmp/a$n.npy" --out "$tmp/ours$n.png")
        [ -s "$tmp/ours$n.png" ] || { echo "attnscope wrote no figure for ${n}²" >&2; exit 1; }
        theirs=$(best "$py" "$tmp/mpl.py" "$tmp/a$n.npy" "$tmp/mpl$n.png")
        ratio=$(awk "BEGIN { printf \"%.2f\", ${ours% *} / ${theirs% *} }")
        echo "| ${n}² $pattern | $mb MiB | ${ours% *} s, ${ours#* } MiB | ${theirs% *} s, ${theirs#* } MiB | $ratio× |"
        rm -f "$tmp/a$n.npy" "$tmp/ours$n.png"
    done
done
