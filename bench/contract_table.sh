#!/bin/sh
# Every registered model under both list rules (docs/protocols.md, "What a list may contain"),
# from `recscope-cli run ... --json` with default parameters: temporal Recall@10 / NDCG@10 and
# leave-one-out (99 sampled negatives) HR@10 / NDCG@10, as one Markdown table per data set.
#
# Usage: bench/contract_table.sh [CLI] [DATA...]
#   CLI   the recscope-cli to run (default: build/app/recscope-cli)
#   DATA  MovieLens folders (default: ../shared/data/movielens/{ml-100k,ml-latest-small})
# Environment: MODELS="pop ease ..." to choose models (default: every model `run --help`
#   lists), SEED (default 42), THREADS (default: all cores), OUT (a folder to keep the JSON
#   of every run; default: a temporary one, removed at the end).
# Timings are not part of the table; the runs are sequential, one per model, rule and protocol.
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
cli=${1:-$here/build/app/recscope-cli}
[ $# -gt 0 ] && shift
if [ $# -eq 0 ]; then
    set -- "$here/../shared/data/movielens/ml-100k" "$here/../shared/data/movielens/ml-latest-small"
fi
[ -x "$cli" ] || { echo "contract_table.sh: no recscope-cli at $cli" >&2; exit 1; }
command -v jq >/dev/null || { echo "contract_table.sh: needs jq" >&2; exit 1; }
models=${MODELS:-$("$cli" run --help | sed -n 's/^\([a-z0-9]*\): .*/\1/p')}
seed=${SEED:-42}
threads=${THREADS:-0}
keep=${OUT:-}
out=${OUT:-$(mktemp -d)}
mkdir -p "$out"

metric() {  # FILE KEY -> value with 4 decimals, or "—"
    jq -r --arg k "$2" 'if .metrics[$k] == null then "—" else (.metrics[$k] * 10000 | round / 10000 | tostring) end' "$1"
}

for data in "$@"; do
    name=$(basename "$data")
    echo "## $name (seed $seed, default parameters)"
    echo
    echo "| model | excludes | fit on | temporal R@10 | temporal NDCG@10 | loo HR@10 | loo NDCG@10 |"
    echo "|---|---|---|---|---|---|---|"
    for model in $models; do
        for rule in positives rated; do
            t="$out/$name-$model-$rule-temporal.json"
            l="$out/$name-$model-$rule-loo.json"
            for protocol in temporal loo; do
                f="$out/$name-$model-$rule-$protocol.json"
                if ! "$cli" run "$data" --model "$model" --protocol "$protocol" --exclude "$rule" \
                        --seed "$seed" --threads "$threads" --quiet --json >"$f" 2>"$f.err"; then
                    echo "{\"metrics\":{},\"fit_on\":\"failed: $(head -c 200 "$f.err" | tr -d '"\n')\"}" >"$f"
                fi
            done
            # Sampled negatives are never-seen items whatever the rule, so for most models the
            # loo columns agree under both rules; a staged model's candidates follow the rule.
            echo "| $model | $rule | $(jq -r .fit_on "$t") | $(metric "$t" recall@10) | $(metric "$t" ndcg@10) | $(metric "$l" hit@10) | $(metric "$l" ndcg@10) |"
        done
    done
    echo
done
[ -n "$keep" ] || rm -rf "$out"
