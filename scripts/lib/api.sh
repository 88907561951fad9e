# Shared by the report scripts (retention-report.sh, recovery-report.sh): the Whittle API through curl and jq, every
# command printed before it runs. Source it after setting:
#   tool    the script's name, for messages
#   api     the API's base, e.g. http://localhost:8080/api/v1
#   poll    seconds between polls of a running job
#   fresh   true to submit new jobs even when the same request already succeeded
# WHITTLE_API_KEY, when set, is sent as "Authorization: Bearer <key>" (shown as $WHITTLE_API_KEY, never in clear).

die() { echo "$tool: $*" >&2; exit 1; }

# Prints a command as it could be typed again: arguments with shell-special characters in single quotes.
show() {
  local out="+" arg
  for arg in "$@"; do
    if [[ $arg == "Authorization: Bearer "* ]]; then
      out+=' "Authorization: Bearer $WHITTLE_API_KEY"'
    elif [[ $arg =~ ^[A-Za-z0-9_./:=@,%+-]+$ ]]; then
      out+=" $arg"
    else
      out+=" '${arg//\'/\'\\\'\'}'"
    fi
  done
  echo "$out" >&2
}

# call METHOD URL [JSON]: runs curl (shown first unless QUIET=1), sets $status and $body.
status=
body=
call() {
  local method=$1 target=$2 data=${3:-}
  local args=(curl -sS -X "$method" "$target")
  [[ -n ${WHITTLE_API_KEY:-} ]] && args+=(-H "Authorization: Bearer $WHITTLE_API_KEY")
  [[ -n $data ]] && args+=(-H 'Content-Type: application/json' -d "$data")
  [[ ${QUIET:-0} == 1 ]] || show "${args[@]}"
  local out
  out=$("${args[@]}" -w $'\n%{http_code}') || die "cannot reach the API at $api (is the server running? --url sets it)"
  status=${out##*$'\n'}
  body=${out%$'\n'*}
}

# The RFC 9457 problem in $body, as one line per offending field.
problem() {
  jq -r 'if (.errors // []) != [] then .errors[] | "  \(.field): \(.message)" else "  \(.detail // .title)" end' \
    <<<"$body" 2>/dev/null \
    || echo "$body"
}

# expect "STATUS..." WHAT: exits with the problem unless $status is one of the wanted ones.
expect() {
  local wanted=$1 what=$2
  [[ " $wanted " == *" $status "* ]] && return 0
  echo "$tool: $what failed: HTTP $status" >&2
  problem >&2
  exit 1
}

# register_model NAME PATH: the id of the model registered as NAME at PATH (registered now if it is not), in $body.
register_model() {
  local name=$1 path=$2 registered
  echo "== model '$name' ($path)" >&2
  call GET "$api/models/$name"
  if [[ $status == 200 ]]; then
    registered=$(jq -r .path <<<"$body")
    [[ $registered == "$path" ]] || die "a model named '$name' is already registered at $registered, not $path; \
give another --name"
    echo "   already registered; reusing it" >&2
  elif [[ $status == 404 ]]; then
    call POST "$api/models" "$(jq -cn --arg name "$name" --arg path "$path" '{name: $name, path: $path}')"
    if [[ $status == 422 ]]; then
      echo "$tool: the API refused the folder (HTTP 422):" >&2
      problem >&2
      echo "   (it must be a model folder inside one of the server's whittle.storage.model-roots)" >&2
      exit 1
    fi
    expect 201 "registering $path"
  else
    expect 200 "looking up model '$name'"
  fi
}

# run_job TITLE REQUEST_JSON: submits a job (or reuses the one that already ran the same request, unless $fresh)
# and waits for it; leaves the finished job in $job.
job=
run_job() {
  local title=$1 request=$2 key id wanted
  # The label identifies this exact request, so that a re-run finds the job it already ran.
  key=$(printf '%s' "$request" | sha256sum | cut -c1-32)
  echo "== $title" >&2
  id=
  if [[ $fresh == false ]]; then
    for wanted in SUCCEEDED RUNNING QUEUED CANCELLING; do
      call GET "$api/jobs?label=$tool:$key&status=$wanted&size=1"
      expect 200 "listing jobs"
      id=$(jq -r '.items[0].id // empty' <<<"$body")
      if [[ -n $id ]]; then
        echo "   the same job already exists ($wanted): $id" >&2
        break
      fi
    done
  fi
  if [[ -z $id ]]; then
    call POST "$api/jobs" "$(jq -c --arg name "$tool: $title" --arg tool "$tool" --arg key "$key" \
      '{name: $name} + . + {labels: {($tool): $key}}' <<<"$request")"
    expect 202 "submitting the job"
    id=$(jq -r .id <<<"$body")
    echo "   job $id queued" >&2
  fi
  wait_for "$id"
}

# wait_for ID: polls the job until it ends, printing its progress when it changes; leaves it in $job.
wait_for() {
  local id=$1 line last=
  echo "   polling every ${poll}s:" >&2
  show curl -sS -X GET "$api/jobs/$id"
  while :; do
    QUIET=1 call GET "$api/jobs/$id"
    expect 200 "reading job $id"
    line=$(jq -r '.status as $s | .progress as $p | "   \($s)"
        + (if $p.stageIndex == null then "" else "  stage \($p.stageIndex + 1)/\($p.stageCount) \($p.stageName // "")" end)
        + (if $p.unitTotal then "  \($p.unitDone // 0)/\($p.unitTotal)" else "" end)
        + (if $p.percent then "  \($p.percent)%" else "" end)
        + (if $p.message then "  \($p.message)" else "" end)
        + (if $p.eta and ($s == "RUNNING") then "  eta \($p.eta)" else "" end)' <<<"$body")
    if [[ $line != "$last" ]]; then
      echo "$line" >&2
      last=$line
    fi
    case $(jq -r .status <<<"$body") in
      SUCCEEDED) job=$body; return 0 ;;
      FAILED) die "job $id FAILED: $(jq -r '"\(.error.code // "?"): \(.error.message // "no message")"' <<<"$body")" ;;
      CANCELLED) die "job $id was CANCELLED" ;;
    esac
    sleep "$poll"
  done
}
