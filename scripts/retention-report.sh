#!/usr/bin/env bash
# The LLM-KICK retention table of a pruned model, made through the Whittle API with curl alone:
#   1. register the model folder (or reuse the model already registered under that name and path),
#   2. a job [EVALUATE suite] on it (the dense results),
#   3. a job [PRUNE method sparsity, EVALUATE suite] on it (prunes, then evaluates the pruned copy against it),
#   4. GET /api/v1/reports/compare?models=<dense>,<pruned>,
# and prints the comparison as a Markdown table (stdout; everything else goes to stderr), with one row per task
# (dense metric, pruned metric, retention) and rows for the average retention, sparsity, parameters, non-zero
# linear weights and MACs per token. Every curl command is printed before it runs.
#
# Needs curl and jq (Debian: apt-get install -y jq). The folder must lie inside one of the server's model roots
# (whittle.storage.model-roots, ./models by default). The default folder is models/whittle-ref, the layout of the
# README's walk-through; when it is missing, the reference model (reference/model) is copied there first.
#
# Re-running is cheap: jobs carry a label derived from their request, and a job that already succeeded with the
# same request is reused instead of submitted again (--fresh submits new ones). Dense results are reused by the
# server itself (one evaluation per model, task version, limit and seed).
#
# Exit status: 0 done, 1 a job failed or the API refused a request, 2 bad usage or a missing tool.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: scripts/retention-report.sh [options] [MODEL_FOLDER]

  MODEL_FOLDER            the dense model's folder (default: models/whittle-ref, copied from reference/model
                          when missing); a local folder is sent as its absolute path, anything else as given
                          (a path on the server)
  --url URL               the API (default: $WHITTLE_URL or http://localhost:8080); the key: $WHITTLE_API_KEY
  --name NAME             the name to register the model under (default: the folder's name; whittle-ref
                          for reference/model)
  --suite NAME            evaluation suite (default: kick)
  --limit N               samples per task; 0 = every sample (default: 0, the full tasks);
                          'suite' = the suite's own quick limits
  --method M              magnitude | wanda | sparsegpt (default: wanda)
  --sparsity S            fraction of each linear layer's weights to zero (default: 0.5)
  --nm N:M                N:M semi-structured pruning instead of --sparsity (e.g. 2:4)
  --calibration SET       a built-in set (knowledge, natural-english) or dataset:NAME, a registered
                          dataset (default: knowledge; ignored for magnitude)
  --nsamples N            calibration windows (default: the server's, 128)
  --seqlen N              tokens per calibration window (default: the server's, 2048, clipped to the model)
  --poll SECONDS          how often a running job is polled (default: 5)
  --fresh                 submit new jobs even if the same ones already succeeded
  -h, --help              this text

Example: scripts/retention-report.sh --url http://localhost:8080 --limit 20 models/whittle-ref > retention.md
EOF
}

bad_usage() { echo "retention-report: $*" >&2; echo "(--help for usage)" >&2; exit 2; }

for tool in curl jq; do
  command -v "$tool" >/dev/null 2>&1 || {
    echo "retention-report: '$tool' is required but not installed (Debian/Ubuntu: apt-get install -y $tool)" >&2
    exit 2
  }
done

url=${WHITTLE_URL:-http://localhost:8080}
default_folder=models/whittle-ref
folder=$default_folder
name=
suite=kick
limit=0
method=wanda
sparsity=0.5
nm=
calibration=knowledge
nsamples=
seqlen=
poll=5
fresh=false
positional=()
while (($#)); do
  case "$1" in
    --url) url=${2:?}; shift 2 ;;
    --name) name=${2:?}; shift 2 ;;
    --suite) suite=${2:?}; shift 2 ;;
    --limit) limit=${2:?}; shift 2 ;;
    --method) method=${2:?}; shift 2 ;;
    --sparsity) sparsity=${2:?}; shift 2 ;;
    --nm) nm=${2:?}; shift 2 ;;
    --calibration) calibration=${2:?}; shift 2 ;;
    --nsamples) nsamples=${2:?}; shift 2 ;;
    --seqlen) seqlen=${2:?}; shift 2 ;;
    --poll) poll=${2:?}; shift 2 ;;
    --fresh) fresh=true; shift ;;
    -h|--help) usage; exit 0 ;;
    -*) bad_usage "unknown option '$1'" ;;
    *) positional+=("$1"); shift ;;
  esac
done
((${#positional[@]} <= 1)) || bad_usage "give one model folder, got ${#positional[@]}"
((${#positional[@]} == 0)) || folder=${positional[0]}
url=${url%/}
api="$url/api/v1"

[[ $limit == suite || $limit =~ ^[0-9]+$ ]] || bad_usage "--limit must be a number of samples (0: all) or 'suite', got '$limit'"
[[ $poll =~ ^[0-9]+$ && $poll -gt 0 ]] || bad_usage "--poll must be a positive number of seconds, got '$poll'"
for n in "$nsamples" "$seqlen"; do
  [[ -z $n || $n =~ ^[1-9][0-9]*$ ]] || bad_usage "--nsamples and --seqlen must be positive integers, got '$n'"
done
[[ -n $nm || $sparsity =~ ^(0|1)?\.?[0-9]+$ ]] || bad_usage "--sparsity must be a number in [0, 1), got '$sparsity'"

# The walk-through's layout: the reference model copied into the default model root.
if [[ $folder == "$default_folder" && ! -d $folder && -d reference/model ]]; then
  echo "+ mkdir -p models && cp -r reference/model $default_folder" >&2
  mkdir -p models && cp -r reference/model "$default_folder"
fi
# A local folder is sent as its absolute path (the server resolves relative paths against its first model root).
if [[ -d $folder ]]; then
  path=$(cd "$folder" && pwd -P)
else
  path=$folder
fi
if [[ -z $name ]]; then
  if [[ ${folder%/} == reference/model || ${folder%/} == ./reference/model ]]; then
    name=whittle-ref
  else
    name=$(basename "$path")
  fi
fi

tool=retention-report
source "$(dirname "$0")/lib/api.sh"

# --- 1. the dense model --------------------------------------------------------------------------------------------

register_model "$name" "$path"
dense_id=$(jq -r .id <<<"$body")
echo "   id $dense_id, $(jq -r '"\(.family), \(.parameterCount) parameters"' <<<"$body")" >&2

# --- 2. and 3. the jobs --------------------------------------------------------------------------------------------

evaluate=$(jq -cn --arg suite "$suite" --arg limit "$limit" \
  '{type: "EVALUATE", suite: $suite} + (if $limit == "suite" then {} else {limit: ($limit | tonumber)} end)')
if [[ -n $nm ]]; then
  prune=$(jq -cn --arg method "$method" --arg nm "$nm" '{type: "PRUNE", method: $method, nm: $nm}')
  pruning="$method $nm"
else
  prune=$(jq -cn --arg method "$method" --argjson sparsity "$sparsity" '{type: "PRUNE", method: $method, sparsity: $sparsity}')
  pruning="$method $(awk -v s="$sparsity" 'BEGIN { printf "%g%%", s * 100 }')"
fi
if [[ $method != magnitude ]]; then
  prune=$(jq -c --arg set "$calibration" --arg nsamples "$nsamples" --arg seqlen "$seqlen" '. + {calibration: (
      (if ($set | startswith("dataset:")) then {dataset: ($set | ltrimstr("dataset:"))} else {builtIn: $set} end)
      + (if $nsamples == "" then {} else {nsamples: ($nsamples | tonumber)} end)
      + (if $seqlen == "" then {} else {seqlen: ($seqlen | tonumber)} end))}' <<<"$prune")
fi

# stages STAGES_JSON: the request of a job on the dense model.
stages() { jq -cn --arg model "$dense_id" --argjson stages "$1" '{model: $model, stages: $stages}'; }

run_job "evaluate $name on $suite" "$(stages "[$evaluate]")"
run_job "prune $name ($pruning), then evaluate on $suite" "$(stages "[$prune, $evaluate]")"
pruned_id=$(jq -r '.outputModel.id // empty' <<<"$job")
[[ -n $pruned_id ]] || die "the pruning job $(jq -r .id <<<"$job") succeeded but names no output model"
pruned_name=$(jq -r .outputModel.name <<<"$job")
# The tasks the pruned model was evaluated on, with the evaluations this run compared.
outcomes=$(jq -c '[.result.stages[-1].result.tasks[] | {task, evaluationId, baselineEvaluationId}]' <<<"$job")

# --- 4. the comparison ---------------------------------------------------------------------------------------------

echo "== comparison" >&2
call GET "$api/reports/compare?models=$dense_id,$pruned_id"
expect 200 "reading the comparison"
compare=$body

# Warn when the report's latest results are not the ones this run produced (a later run on another limit, say).
jq -r --argjson outcomes "$outcomes" '
    .tasks as $rows | $outcomes[] | . as $o | ($rows[] | select(.task == $o.task)) as $r
    | select($r.cells[0].evaluationId != $o.baselineEvaluationId or $r.cells[1].evaluationId != $o.evaluationId)
    | "retention-report: warning: the report shows later results for \($o.task) than this run compared"' \
  <<<"$compare" >&2

case $limit in
  suite) samples="the suite's own limits" ;;
  0) samples="every sample of each task" ;;
  *) samples="at most $limit samples per task" ;;
esac
calibrated=
if [[ $method != magnitude ]]; then
  calibrated=", calibrated on \`$calibration\`"
  [[ -z $nsamples && -z $seqlen ]] || calibrated+=" (${nsamples:-128} x ${seqlen:-2048} tokens)"
fi
echo "\`$suite\` suite, $samples; $pruning$calibrated."
echo "Retention = pruned / dense (dense / pruned for perplexities), ± one standard error; - where the dense score is 0."
echo
# The table: jq picks the numbers (tab-separated), awk formats them.
{
  jq -r --argjson outcomes "$outcomes" '
      def num: if . == null then "" else tostring end;
      def mv: if . == null then ["", ""] else [(.value | num), (.stderr | num)] end;
      .tasks as $rows
      | ($outcomes[] | .task as $t | $rows[] | select(.task == $t)
         | ["task", .task, .metric, (.cells[1].samples // .cells[0].samples | num)]
           + (.cells[0].value | mv) + (.cells[1].value | mv) + (.cells[1].retention | mv)),
        (["average", (.averageRetention[1] | mv)[]]),
        (.models | ["model", (.[0].sparsity | num), (.[1].sparsity | num), (.[0].parameters | num),
                    (.[1].parameters | num), (.[0].nonZero | num), (.[1].nonZero | num),
                    (.[0].macsPerToken | num), (.[1].macsPerToken | num),
                    (.[0].blockSparsity | num), (.[1].blockSparsity | num)])
      | @tsv' <<<"$compare"
} | awk -F'\t' -v dense="dense ($name)" -v pruned="$pruning ($pruned_name)" '
  function metric(v, se,   d) {
    if (v == "") return "-"
    d = (v + 0 >= 10 || v + 0 <= -10) ? 2 : 3
    return se == "" ? sprintf("%." d "f", v) : sprintf("%." d "f ± %." d "f", v, se)
  }
  function ratio(v, se) {
    if (v == "") return "-"
    return se == "" ? sprintf("%.3f", v) : sprintf("%.3f ± %.3f", v, se)
  }
  function count(v,   s, out) {
    if (v == "") return "-"
    s = sprintf("%.0f", v); out = ""
    while (length(s) > 3) { out = "," substr(s, length(s) - 2) out; s = substr(s, 1, length(s) - 3) }
    return s out
  }
  function percent(v) { return v == "" ? "-" : sprintf("%.1f%%", v * 100) }
  BEGIN {
    print "| task | metric | samples | " dense " | " pruned " | retention |"
    print "|---|---|---|---|---|---|"
  }
  $1 == "task" { print "| " $2 " | " $3 " | " $4 " | " metric($5, $6) " | " metric($7, $8) " | " ratio($9, $10) " |" }
  $1 == "average" { print "| **average retention** | | | | | **" ratio($2, $3) "** |" }
  $1 == "model" {
    print "| sparsity of the decoder blocks | | | " percent($10) " | " percent($11) " | |"
    print "| sparsity of all linear weights (head included) | | | " percent($2) " | " percent($3) " | |"
    print "| parameters | | | " count($4) " | " count($5) " | |"
    print "| non-zero linear weights | | | " count($6) " | " count($7) " | |"
    print "| MACs per token (zeros skipped) | | | " count($8) " | " count($9) " | |"
  }'
# What the service left out of the average, and what it warns about (the limit's standard errors).
jq -r '([.tasks[] | select(.excludedFromAverage != null) | "- \(.task): \(.excludedFromAverage)"]
        | if length > 0 then "\nLeft out of the average retention:", .[] else empty end),
       (.warnings | if length > 0 then "\nWarnings:", (.[] | "- \(.)") else empty end)' <<<"$compare"
