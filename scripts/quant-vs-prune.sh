#!/usr/bin/env bash
# Quantization against pruning on one model, LLM-KICK's comparison, with the lab CLI alone (no service):
# compresses the model each way (./whittle cli quantize | prune, calibrated methods on the engine's default set,
# natural-english, 128 windows), evaluates the dense model and every compressed one on the suite with the suite's
# own quick limits (the same samples for all), then prints a Markdown table (stdout) of each task's retention
# against the dense model and the size of the compressed block linears:
#   quantized: the int32-packed codes plus the scales (and zero points), as the pack-quantized files hold them;
#   width:     the smaller dense block linears as written;
#   pruned:    the dense bytes as written, and what a sparse format would take: values plus a 1-bit-per-weight
#              bitmask (compressed-tensors' sparse-bitmask) for unstructured, values plus a 2-bit index per kept
#              value (NVIDIA's 2:4 metadata) for 2:4.
# Work goes to a folder (default /tmp/whittle-quant-vs-prune); a model or evaluation already there is reused, so a
# re-run only prints the table (--fresh redoes everything). Jobs run one at a time.
#
# Usage: scripts/quant-vs-prune.sh [--work DIR] [--suite NAME] [--only NAME,...] [--fresh] [MODEL_FOLDER]
#   MODEL_FOLDER  default reference/model (whittle-ref)
#   --only        run only these rows (dense, gptq-int4, rtn-int4, rtn-int8, wanda-50, sparsegpt-24, owl-70,
#                 width-50)
# Needs python3 for the table. WHITTLE_CLI overrides the command that runs the CLI (default: ./whittle cli).
set -euo pipefail
cd "$(dirname "$0")/.."

work=/tmp/whittle-quant-vs-prune
suite=kick
only=
model=reference/model
while [[ $# -gt 0 ]]; do
  case "$1" in
    --work) work=$2; shift 2 ;;
    --suite) suite=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    --fresh) fresh=1; shift ;;
    -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "quant-vs-prune: unknown option $1" >&2; exit 2 ;;
    *) model=$1; shift ;;
  esac
done
read -r -a cli <<< "${WHITTLE_CLI:-./whittle cli}"
[[ -n ${fresh:-} ]] && rm -rf "$work"
mkdir -p "$work"

# name | command | arguments (the row's recipe, also printed under the table)
rows=(
  "dense|-|"
  "gptq-int4|quantize|--method gptq --bits 4 --group 128"
  "rtn-int4|quantize|--method rtn --bits 4 --group 128"
  "rtn-int8|quantize|--method rtn --bits 8 --group 128"
  "wanda-50|prune|--method wanda --sparsity 0.5"
  "sparsegpt-24|prune|--method sparsegpt --nm 2:4"
  "owl-70|prune|--method wanda --sparsity 0.7 --sparsity-profile owl"
  "width-50|prune|--method width --mlp-ratio 0.5 --head-ratio 0.5"
)

wanted() { [[ -z $only || ",$only," == *",$1,"* ]]; }

for row in "${rows[@]}"; do
  IFS='|' read -r name command args <<< "$row"
  wanted "$name" || continue
  folder=$model
  if [[ $command != - ]]; then
    folder=$work/$name
    if [[ ! -f $work/$name.stats.json ]]; then
      rm -rf "$folder"
      echo "== $name: $command $args" >&2
      # shellcheck disable=SC2086
      "${cli[@]}" "$command" "$model" "$folder" $args --stats "$work/$name.stats.json.tmp" >&2
      mv "$work/$name.stats.json.tmp" "$work/$name.stats.json"
    fi
  fi
  if [[ ! -f $work/$name.eval.json ]]; then
    echo "== $name: eval --suite $suite" >&2
    "${cli[@]}" eval "$folder" --suite "$suite" --output "$work/$name.eval.tmp.json" >&2
    mv "$work/$name.eval.tmp.json" "$work/$name.eval.json"
  fi
done

python3 - "$work" "$model" "$suite" "${rows[@]}" <<'EOF'
import json, math, os, sys

work, model, suite, rows = sys.argv[1], sys.argv[2], sys.argv[3], [r.split('|') for r in sys.argv[4:]]
# The general LLM-KICK tasks are out of reach of a model this small (the README's retention table): averaged are
# the tasks on which the dense model beats zero and chance (1/4 for mcr-qa) by two standard errors.
CHANCE = {'mcr-qa': 0.25}
LOWER_IS_BETTER = {'token_perplexity', 'word_perplexity'}

def results(name):
    path = os.path.join(work, name + '.eval.json')
    if not os.path.exists(path):
        return None
    return {r['task']: r for r in json.load(open(path))['results']}

def primary(r):
    m = r['metrics'][r['primaryMetric']]
    return m['value'], m.get('stderr') or 0.0

def retention(task, dense, other):
    """compressed / dense (dense / compressed for perplexity) and its standard error over the paired samples"""
    metric = dense['primaryMetric']
    pairs = {r['docId']: r['scores'] for r in dense['records']}
    paired = [(pairs[r['docId']], r['scores']) for r in other['records'] if r['docId'] in pairs]
    n = len(paired)
    if metric == 'token_perplexity':
        # dense / compressed = exp((sum nll_dense - sum nll_compressed) / tokens), the windows paired
        tokens = sum(d['tokens'] for d, _ in paired)
        deltas = [d['nll'] - c['nll'] for d, c in paired]
        ratio = math.exp(sum(deltas) / tokens)
        return ratio, ratio * math.sqrt(n) * stdev(deltas) / tokens
    d = sum(x[metric] for x, _ in paired) / n
    if d == 0:
        return None, None
    ratio = sum(c[metric] for _, c in paired) / n / d
    # delta method for a ratio of paired means: z = (c - ratio d) / mean d
    return ratio, stdev([(c[metric] - ratio * x[metric]) / d for x, c in paired]) / math.sqrt(n)

def stdev(values):
    mean = sum(values) / len(values)
    return math.sqrt(sum((v - mean) ** 2 for v in values) / max(1, len(values) - 1))

BYTES = {'float32': 4, 'bfloat16': 2, 'float16': 2}

def size(name, command):
    """(bytes of the compressed block linears as written, how counted, the same with bf16 values or scales)"""
    path = os.path.join(work, name + '.stats.json')
    if command == '-' or not os.path.exists(path):
        return None
    s = json.load(open(path))
    if command == 'quantize':
        n, bits = s['quantizedWeights'], s['settings']['bits']
        total = n * s['bitsPerWeight'] / 8
        codes = n * bits / 8  # every width here is a whole number of words
        return round(total), 'packed codes + scales', round(codes + (total - codes) * 2 / BYTES[s['scaleDtype']])
    if s.get('width'):  # a smaller dense model: its block linears as written, nothing to index
        kept = sum(layer['parametersAfter'] for layer in s['width']['layers'])
        return kept * BYTES[s['dtype']], 'smaller dense linears', kept * 2
    n, nz = s['prunedParameters'], s['prunedNonZeros']
    two_four = (s['settings'].get('nm') or '') == '2:4'
    index = (nz * 2 + 7) // 8 if two_four else (n + 7) // 8  # at 2:4 the same bytes as a bitmask
    how = 'values + 2-bit indices' if two_four else 'values + bitmask'
    return nz * BYTES[s['dtype']] + index, how, nz * 2 + index

dense = results('dense')
if dense is None:
    sys.exit('quant-vs-prune: no dense evaluation in ' + work)
tasks = list(dense)
averaged = []
for t in tasks:
    v, se = primary(dense[t])
    if dense[t]['primaryMetric'] in LOWER_IS_BETTER or v - 2 * se > CHANCE.get(t, 0.0):
        averaged.append(t)
present = [(n, c, a) for n, c, a in rows if results(n) is not None]
stats = lambda n: json.load(open(os.path.join(work, n + '.stats.json')))
linear = next((stats(n).get('prunedParameters') or stats(n).get('quantizedWeights') for n, c, _ in present[1:]
               if stats(n).get('prunedParameters') or stats(n).get('quantizedWeights')), None)
dense_files = sum(os.path.getsize(os.path.join(model, f)) for f in os.listdir(model) if f.endswith('.safetensors'))

print(f"`{suite}` suite with its quick limits (the same samples for every model: " + ', '.join(
      f"{t} {dense[t]['samples']}" for t in averaged) + f"), on `{model}`. Retention = compressed / dense "
      "(dense / compressed for perplexity), ± one standard error of the paired difference (each sample scored by "
      "both models). Bytes: the block linears (embeddings, norms and the tied head stay as they are), fp32 as the "
      "model is stored and with bf16 values and scales; quantized as the pack-quantized files hold them (int32-packed "
      "codes + scales), pruned as a sparse format would hold them (values + a 1-bit-per-weight bitmask; 2:4: values + "
      "a 2-bit index per kept value), the pruned files themselves being dense.\n")
print('| model | ' + ' | '.join(averaged) + ' | average retention | block linears, bytes (fp32) | compression | '
      'bytes with bf16 values | compression vs bf16 | model files, bytes |')
print('|---|' + '---|' * (len(averaged) + 6))
print('| dense | ' + ' | '.join(f"{primary(dense[t])[0]:.3f} ± {primary(dense[t])[1]:.3f}" for t in averaged)
      + f" | 1 | {4 * linear:,} | 1.00x | {2 * linear:,} | 1.00x | {dense_files:,} |")
for n, c, _ in present[1:]:
    rs = [retention(t, dense[t], results(n)[t]) for t in averaged]
    mean = sum(r for r, _ in rs) / len(rs)
    error = math.sqrt(sum(e * e for _, e in rs)) / len(rs)  # the tasks taken as independent
    b = size(n, c)
    print(f'| {n} | ' + ' | '.join(f'{r:.3f} ± {e:.3f}' for r, e in rs) + f' | **{mean:.3f} ± {error:.3f}** | '
          f'{b[0]:,} ({b[1]}) | {4 * linear / b[0]:.2f}x | {b[2]:,} | {2 * linear / b[2]:.2f}x | '
          f"{stats(n)['weightBytes']:,} |")
left = [t for t in tasks if t not in averaged]
if left:
    print('\nNot averaged (the dense model no better than zero or chance within two standard errors): ' + '; '.join(
        f"{t} dense {primary(dense[t])[0]:.3f}" + ''.join(
            f", {n} {retention(t, dense[t], results(n)[t])[0]:.3f}" for n, _, _ in present[1:]
            if retention(t, dense[t], results(n)[t])[0] is not None) for t in left) + '.')
print()
for n, c, a in present[1:]:
    print(f'- {n}: `./whittle cli {c} MODEL OUT {a}`')
EOF
