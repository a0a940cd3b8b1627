#!/bin/sh
# Data-parallel checks on one GPU (issue 15), for a build against a CUDA LibTorch:
#   1. one process on cuda (the reference),
#   2. a world of one through NCCL (--dist env://, WORLD_SIZE=1),
#   3. two ranks sharing the GPU: NCCL first (NCCL refuses two ranks on one device in most
#      versions: "Duplicate GPU detected"), then Gloo staging the CUDA tensors through the host.
# Each prints its JSON metrics and training seconds; the last lines compare them.
#
# Usage: packaging/gpu/dist.sh [BUILD_DIR]     (default build-gpu; needs BUILD_DIR/app/recscope-cli)
# Takes about two minutes on an H100; writes only under a temporary folder.
set -u
BUILD=${1:-build-gpu}
CLI=$BUILD/app/recscope-cli
[ -x "$CLI" ] || { echo "dist.sh: $CLI not found (build first)" >&2; exit 1; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export RECSCOPE_CACHE_DIR=$WORK/cache
"$CLI" generate "$WORK/data" --format csv --users 6000 --items 4000 --ratings 600000 --seed 3 >/dev/null || exit 1

PARAMS="--param epochs=3 --param batch_size=4096 --param patience=0"
run() {  # run NAME CMD...: prints NAME, the exit code, ndcg@10, train seconds, backend
    name=$1; shift
    "$@" >"$WORK/$name.json" 2>"$WORK/$name.err"
    rc=$?
    python3 - "$name" "$rc" "$WORK/$name.json" <<'PY'
import json, sys
name, rc, path = sys.argv[1], sys.argv[2], sys.argv[3]
try:
    j = json.load(open(path))
    print(f"{name:28s} rc={rc} ndcg@10={j['metrics']['ndcg@10']:.5f} recall@10={j['metrics']['recall@10']:.5f}"
          f" train_s={j['train_seconds']:.2f} world={j.get('world_size', 1)} backend={j.get('dist_backend', '-')}")
except Exception as e:
    print(f"{name:28s} rc={rc} no JSON ({e})")
PY
    [ "$rc" -eq 0 ] || tail -5 "$WORK/$name.err"
}

for MODEL in twotower bpr; do
    echo "== $MODEL"
    run "$MODEL-1proc" "$CLI" run "$WORK/data" --model "$MODEL" --device cuda --json --quiet $PARAMS
    run "$MODEL-world1-nccl" env WORLD_SIZE=1 RANK=0 MASTER_ADDR=127.0.0.1 MASTER_PORT=29561 \
        "$CLI" run "$WORK/data" --model "$MODEL" --device cuda --dist env:// --dist-backend nccl \
        --dist-timeout 60 --json --quiet $PARAMS
    run "$MODEL-2ranks-nccl" "$CLI" launch --nproc 2 --master-port 29562 --dist-timeout 60 -- \
        run "$WORK/data" --model "$MODEL" --device cuda:0 --dist-backend nccl --json --quiet $PARAMS
    run "$MODEL-2ranks-gloo" "$CLI" launch --nproc 2 --master-port 29563 --dist-timeout 60 -- \
        run "$WORK/data" --model "$MODEL" --device cuda:0 --dist-backend gloo --json --quiet $PARAMS
done
