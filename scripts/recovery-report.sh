#!/usr/bin/env bash
# Issue 12's experiment through the Whittle API with curl alone: how much of a block-removed model each recovery
# method brings back, at one token budget and seed.
#   1. register the dense model (models/whittle-ref, copied from reference/model when missing) and a customer-style
#      SFT set (datasets/customer-qa.jsonl, written by `./whittle cli customer-qa` when missing: full-sentence
#      answers about every third trained person);
#   2. jobs, each [PRUNE block-removal, (DISTILL method), EVALUATE suite]: none, sft, self-distill, logits; and a
#      second self-distilled student on another recovery set (the built-in knowledge-reading);
#   3. a job [MERGE slerp of the two self-distilled students, EVALUATE suite];
#   4. with --drafts N: a job [EVALUATE ref-speculative] on every compressed model, each a draft for the dense model
#      on N prompts (the SD² measure: is a self-distilled draft accepted more often than a merely pruned one?);
#   5. GET /api/v1/reports/compare?models=dense,...&format=md, printed on stdout (everything else goes to stderr).
# Re-running reuses the jobs that already succeeded with the same requests (--fresh submits new ones).
#
# Needs curl and jq. WHITTLE_API_KEY, when set, is sent as the bearer key. Exit status: 0 done, 1 a job failed or
# the API refused a request, 2 bad usage or a missing tool.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
  cat <<'USAGE'
Usage: scripts/recovery-report.sh [options]

  --url URL          the API (default: $WHITTLE_URL or http://localhost:8080)
  --blocks N         blocks removed by angular distance (default: 2 of whittle-ref's 6)
  --steps N          fine-tuning updates of every recovery (default: 150)
  --batch-tokens N   tokens per update (default: 2048)
  --lr LR            peak learning rate (default: 1e-4)
  --seed S           the fine-tunes' seed (default: 0)
  --suite NAME       evaluation suite (default: kick, at its own limits; none: no suite evaluation)
  --limit N          samples per task instead of the suite's limits
  --drafts N         also evaluate every compressed model as a speculative draft for the dense one, N prompts
                     (default: 0, none)
  --poll SECONDS     how often a running job is polled (default: 5)
  --fresh            submit new jobs even if the same ones already succeeded
  -h, --help         this text
USAGE
}
bad_usage() { echo "recovery-report: $*" >&2; echo "(--help for usage)" >&2; exit 2; }
for needed in curl jq; do
  command -v "$needed" >/dev/null 2>&1 || { echo "recovery-report: '$needed' is required (apt-get install -y $needed)" >&2; exit 2; }
done

url=${WHITTLE_URL:-http://localhost:8080}
blocks=2
steps=150
batch_tokens=2048
lr=1e-4
seed=0
suite=kick
limit=
drafts=0
poll=5
fresh=false
while (($#)); do
  case "$1" in
    --url) url=${2:?}; shift 2 ;;
    --blocks) blocks=${2:?}; shift 2 ;;
    --steps) steps=${2:?}; shift 2 ;;
    --batch-tokens) batch_tokens=${2:?}; shift 2 ;;
    --lr) lr=${2:?}; shift 2 ;;
    --seed) seed=${2:?}; shift 2 ;;
    --suite) suite=${2:?}; shift 2 ;;
    --limit) limit=${2:?}; shift 2 ;;
    --drafts) drafts=${2:?}; shift 2 ;;
    --poll) poll=${2:?}; shift 2 ;;
    --fresh) fresh=true; shift ;;
    -h|--help) usage; exit 0 ;;
    *) bad_usage "unknown argument '$1'" ;;
  esac
done
for n in "$blocks" "$steps" "$batch_tokens" "$poll" "$seed" "$drafts"; do
  [[ $n =~ ^[0-9]+$ ]] || bad_usage "--blocks, --steps, --batch-tokens, --seed, --drafts and --poll take whole numbers, got '$n'"
done
[[ -z $limit || $limit =~ ^[0-9]+$ ]] || bad_usage "--limit takes a whole number, got '$limit'"
api="${url%/}/api/v1"
tool=recovery-report
source scripts/lib/api.sh

# --- 1. the dense model and the customer's data ------------------------------------------------------------------
if [[ ! -d models/whittle-ref ]]; then
  echo "+ mkdir -p models && cp -r reference/model models/whittle-ref" >&2
  mkdir -p models && cp -r reference/model models/whittle-ref
fi
register_model whittle-ref "$(cd models/whittle-ref && pwd -P)"
dense_id=$(jq -r .id <<<"$body")

if [[ ! -f datasets/customer-qa.jsonl ]]; then
  echo "+ ./whittle cli customer-qa --out datasets/customer-qa.jsonl" >&2
  ./whittle cli customer-qa --out datasets/customer-qa.jsonl >&2
fi
echo "== dataset 'customer-qa'" >&2
call GET "$api/datasets?size=500"
expect 200 "listing datasets"
if [[ -z $(jq -r '.items[] | select(.name == "customer-qa") | .id' <<<"$body") ]]; then
  call POST "$api/datasets" '{"name": "customer-qa", "path": "customer-qa.jsonl", "format": "jsonl"}'
  expect 201 "registering datasets/customer-qa.jsonl"
else
  echo "   already registered; reusing it" >&2
fi

# --- 2. and 3. the jobs ------------------------------------------------------------------------------------------
evaluate=
if [[ $suite != none ]]; then
  evaluate=$(jq -cn --arg suite "$suite" --arg limit "$limit" \
    '{type: "EVALUATE", suite: $suite} + (if $limit == "" then {} else {limit: ($limit | tonumber)} end)')
fi
prune=$(jq -cn --argjson blocks "$blocks" '{type: "PRUNE", method: "block-removal", blocks: $blocks}')
training=$(jq -cn --argjson steps "$steps" --argjson tokens "$batch_tokens" --argjson lr "$lr" --argjson seed "$seed" \
  '{steps: $steps, batchTokens: $tokens, learningRate: $lr, seed: $seed}')
customer='{"dataset": "customer-qa"}'
# distill METHOD DATA [EXTRA_JSON]: a DISTILL stage at the shared budget.
distill() {
  jq -cn --arg method "$1" --argjson data "$2" --argjson training "$training" --argjson extra "${3:-{\}}" \
    '{type: "DISTILL", method: $method, data: $data, training: $training} + $extra'
}
# recover NAME OUTPUT [DISTILL_STAGE]: a job on the dense model that removes blocks, recovers, evaluates.
declare -A model_of
recover() {
  local title=$1 output=$2 stage=${3:-} stages
  stages="[$prune${stage:+, $stage}${evaluate:+, $evaluate}]"
  run_job "$title" "$(jq -cn --arg model "$dense_id" --arg out "$output" --argjson stages "$stages" \
    '{model: $model, output: {name: $out}, stages: $stages}')"
  model_of[$title]=$(jq -r '.outputModel.id // empty' <<<"$job")
  [[ -n ${model_of[$title]} ]] || die "job $(jq -r .id <<<"$job") succeeded but names no output model"
}

recover "no recovery" "ref-minus$blocks"
recover "sft" "ref-minus$blocks-sft" "$(distill sft "$customer")"
# The customer's answers are sentences, the teacher's are bare answers: the final-answer check would keep every
# original, so the teacher's answer is always taken, as in the paper's self-data distillation.
recover "self-distill" "ref-minus$blocks-sdft" "$(distill self-distill "$customer" '{"check": "always"}')"
recover "logits" "ref-minus$blocks-kd" "$(distill logits "$customer")"
recover "self-distill (reading)" "ref-minus$blocks-sdft-reading" \
  "$(distill self-distill '{"builtIn": "knowledge-reading", "limit": 400}' '{"check": "always"}')"
run_job "slerp of the two self-distilled students" "$(jq -cn --arg model "${model_of[self-distill]}" \
  --arg other "${model_of[self-distill (reading)]}" --arg out "ref-minus$blocks-sdft-merged" --arg evaluate "$evaluate" \
  '{model: $model, output: {name: $out},
    stages: ([{type: "MERGE", method: "slerp", models: [$other], t: 0.5}] + if $evaluate == "" then [] else [$evaluate | fromjson] end)}')"
merged=$(jq -r '.outputModel.id // empty' <<<"$job")

# --- 4. each compressed model as a draft for the dense one -------------------------------------------------------
if ((drafts > 0)); then
  for title in "no recovery" "sft" "self-distill" "logits" "self-distill (reading)"; do
    run_job "$title as a draft" "$(jq -cn --arg model "${model_of[$title]}" --argjson limit "$drafts" \
      '{model: $model, stages: [{type: "EVALUATE", tasks: ["ref-speculative"], limit: $limit}]}')"
  done
  run_job "the merged student as a draft" "$(jq -cn --arg model "$merged" --argjson limit "$drafts" \
    '{model: $model, stages: [{type: "EVALUATE", tasks: ["ref-speculative"], limit: $limit}]}')"
fi

# --- 5. the comparison -------------------------------------------------------------------------------------------
ids="$dense_id,${model_of[no recovery]},${model_of[sft]},${model_of[self-distill]},${model_of[logits]}"
ids+=",${model_of[self-distill (reading)]},$merged"
echo "== comparison" >&2
call GET "$api/reports/compare?models=$ids&format=md"
expect 200 "reading the comparison"
echo "Blocks removed: $blocks (angular distance); every recovery $steps updates of $batch_tokens tokens, learning rate $lr, seed $seed; \`$suite\` suite${limit:+, at most $limit samples per task}$( ((drafts > 0)) && echo "; each a speculative draft for the dense model on $drafts prompts of ref-speculative")."
echo
echo "$body"
