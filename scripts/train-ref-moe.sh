#!/usr/bin/env bash
# Trains whittle-ref-moe in resumable 60-minute slices (a checkpoint every 5 minutes), niced, until the model is
# published; run it again after an interruption and it resumes from the last checkpoint. The run lives outside the
# git tree (default /work/moe-train, or WHITTLE_MOE_RUN): token streams and checkpoints are generated data.
# Never run two of these on one run folder.
#   nohup scripts/train-ref-moe.sh >> /work/moe-train/train.log 2>&1 &
set -u
cd "$(dirname "$0")/.."
run=${WHITTLE_MOE_RUN:-/work/moe-train}
mkdir -p "$run"
# The natural-English part of the training mix (training only; jobs never fetch anything).
[[ -f "$run/corpus/SOURCES.md" ]] || scripts/fetch-corpus.sh "$run/corpus" || exit 3
until [[ -f "$run/model/config.json" ]]; do
  nice -n 19 ./whittle cli train-reference --model whittle-ref-moe --run-dir "$run/run" --out "$run/model" \
    --tokenizer reference/tokenizer --eval-dir reference/eval --corpus-cache "$run/corpus" \
    --minutes 60 --checkpoint-minutes 5 || { echo "$(date -u +%FT%TZ) slice failed; retrying in 60 s"; sleep 60; }
done
echo "$(date -u +%FT%TZ) published to $run/model: copy it to reference/model-moe and commit it with its card"
