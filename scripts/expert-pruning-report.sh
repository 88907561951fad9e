#!/usr/bin/env bash
# Issue 13's experiment through the Whittle API with curl alone: expert pruning of whittle-ref-moe.
#   1. register the MoE model (models/whittle-ref-moe, copied from reference/model-moe when missing);
#   2. a job [EVALUATE] on it, then one job [PRUNE method experts, EVALUATE] for each of reap, frequency, ean and
#      merge-experts at each fraction of experts removed (default 0.25 and 0.5), calibrated on the default
#      natural-english set; one domain-calibrated run (REAP on the biographies of the built-in `knowledge` set);
#      and a STUN run ([PRUNE reap, PRUNE wanda 50%, EVALUATE]);
#   3. GET /api/v1/reports/compare?models=dense,...&format=md, printed on stdout (everything else on stderr).
# Each model is evaluated per domain: ref-closed-book-qa (stored knowledge), ref-icr-qa (reading), ref-multiple-choice,
# ref-arithmetic (arithmetic) and wikitext2-perplexity (English). Re-running reuses the jobs that already succeeded
# with the same requests (--fresh submits new ones).
#
# Needs curl and jq. WHITTLE_API_KEY, when set, is sent as the bearer key. Exit status: 0 done, 1 a job failed or
# the API refused a request, 2 bad usage or a missing tool.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
  cat <<'USAGE'
Usage: scripts/expert-pruning-report.sh [options]

  --url URL          the API (default: $WHITTLE_URL or http://localhost:8080)
  --fractions LIST   fractions of each layer's experts removed, comma-separated (default: 0.25,0.5)
  --methods LIST     expert methods, comma-separated (default: reap,frequency,ean,merge-experts)
  --limit N          samples per task (default: 200; 0: every sample)
  --nsamples N       calibration windows (default: 64)
  --poll SECONDS     how often a running job is polled (default: 5)
  --fresh            submit new jobs even if the same ones already succeeded
  -h, --help         this text
USAGE
}
bad_usage() { echo "expert-pruning-report: $*" >&2; echo "(--help for usage)" >&2; exit 2; }
for needed in curl jq; do
  command -v "$needed" >/dev/null 2>&1 || { echo "expert-pruning-report: '$needed' is required (apt-get install -y $needed)" >&2; exit 2; }
done

url=${WHITTLE_URL:-http://localhost:8080}
fractions=0.25,0.5
methods=reap,frequency,ean,merge-experts
limit=200
nsamples=64
poll=5
fresh=false
while (($#)); do
  case "$1" in
    --url) url=${2:?}; shift 2 ;;
    --fractions) fractions=${2:?}; shift 2 ;;
    --methods) methods=${2:?}; shift 2 ;;
    --limit) limit=${2:?}; shift 2 ;;
    --nsamples) nsamples=${2:?}; shift 2 ;;
    --poll) poll=${2:?}; shift 2 ;;
    --fresh) fresh=true; shift ;;
    -h|--help) usage; exit 0 ;;
    *) bad_usage "unknown argument '$1'" ;;
  esac
done
[[ $limit =~ ^[0-9]+$ && $nsamples =~ ^[1-9][0-9]*$ && $poll =~ ^[1-9][0-9]*$ ]] \
  || bad_usage "--limit, --nsamples and --poll take whole numbers"
api="${url%/}/api/v1"
tool=expert-pruning-report
source scripts/lib/api.sh

if [[ ! -d models/whittle-ref-moe ]]; then
  [[ -d reference/model-moe ]] || die "reference/model-moe is missing"
  echo "+ mkdir -p models && cp -r reference/model-moe models/whittle-ref-moe" >&2
  mkdir -p models && cp -r reference/model-moe models/whittle-ref-moe
fi
register_model whittle-ref-moe "$(cd models/whittle-ref-moe && pwd -P)"
dense_id=$(jq -r .id <<<"$body")

evaluate=$(jq -cn --argjson limit "$limit" '{type: "EVALUATE", limit: $limit, tasks: ["ref-closed-book-qa", "ref-icr-qa",
  "ref-multiple-choice", "ref-arithmetic", "wikitext2-perplexity"]}')
# job TITLE OUTPUT STAGES_JSON: a job on the MoE model; appends its output model to $ids.
ids=$dense_id
job_on_moe() {
  local title=$1 output=$2 stages=$3
  run_job "$title" "$(jq -cn --arg model "$dense_id" --arg out "$output" --argjson stages "$stages" \
    '{model: $model, stages: $stages} + (if $out == "" then {} else {output: {name: $out}} end)')"
  if [[ -n $output ]]; then
    local id
    id=$(jq -r '.outputModel.id // empty' <<<"$job")
    [[ -n $id ]] || die "job $(jq -r .id <<<"$job") succeeded but names no output model"
    ids+=",$id"
  fi
}
# prune METHOD FRACTION [CALIBRATION_JSON]: an expert-pruning stage.
prune() {
  jq -cn --arg method "$1" --argjson experts "$2" --argjson nsamples "$nsamples" --argjson calibration "${3:-{\}}" \
    '{type: "PRUNE", method: $method, experts: $experts, calibration: ({nsamples: $nsamples} + $calibration)}'
}

job_on_moe "evaluate whittle-ref-moe" "" "[$evaluate]"
IFS=, read -ra fraction_list <<<"$fractions"
IFS=, read -ra method_list <<<"$methods"
for fraction in "${fraction_list[@]}"; do
  for method in "${method_list[@]}"; do
    job_on_moe "$method, $fraction of the experts" "moe-$method-$fraction" "[$(prune "$method" "$fraction"), $evaluate]"
  done
done
job_on_moe "reap 0.5, calibrated on biographies only" "moe-reap-0.5-knowledge" \
  "[$(prune reap 0.5 '{"builtIn": "knowledge"}'), $evaluate]"
job_on_moe "STUN: reap 0.25, then wanda 50%" "moe-stun-reap-0.25-wanda-0.5" \
  "[$(prune reap 0.25), {\"type\": \"PRUNE\", \"method\": \"wanda\", \"sparsity\": 0.5, \"calibration\": {\"nsamples\": $nsamples}}, $evaluate]"

echo "== comparison" >&2
call GET "$api/reports/compare?models=$ids&format=md"
expect 200 "reading the comparison"
echo "whittle-ref-moe, experts removed per layer by each method (calibrated on natural-english, $nsamples windows, unless named); at most $limit samples per task."
echo
echo "$body"
