#!/usr/bin/env bash
# The API as a contract: checks that the committed OpenAPI snapshot (api/src/main/openapi/whittle.json) is what the
# service serves, that it validates, and that clients generated from it drive a job end to end:
#   1. validate the snapshot with openapi-generator (the CLI jar from Maven Central, run with java);
#   2. start the last build's api jar (./whittle run's jar) on a free port, in a throwaway folder (embedded database,
#      reference/model copied in as whittle-ref) and compare its /v3/api-docs with the snapshot;
#   3. Java: the client module's generated client (built from the snapshot) runs ContractDriver: register the model,
#      submit PRUNE (wanda 50%) + EVALUATE (limit 4), poll it to SUCCEEDED, read the typed results, compare report;
#   4. Python: the same with a client generated now (pydantic 2 + urllib3). Only when python3 lacks them is this half
#      skipped (SKIP is printed); a broken client or contract fails.
# Usage: scripts/contract-check.sh [--no-build]     (--no-build: use the jars the last build left in target/)
# After a deliberate API change, refresh the snapshot from a running service and commit it:
#   scripts/contract-check.sh --refresh
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SPEC=api/src/main/openapi/whittle.json
GENERATOR_VERSION=7.25.0
BUILD=1 REFRESH=0
for arg in "$@"; do
  case "$arg" in
    --no-build) BUILD=0 ;;
    --refresh) REFRESH=1 ;;
    *) sed -n '2,15p' "$0"; exit 2 ;;
  esac
done

# JDK 25 as ./whittle finds it
source <(sed -n '/^java_major()/,/^export JAVA_HOME/p' whittle)
MVN=(mvn -B -q --no-transfer-progress -Dstyle.color=never)
JVM_FLAGS=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED)
START=$SECONDS
step() { echo "contract: [$((SECONDS - START))s] $*"; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/whittle-contract.XXXXXX")
APP_PID=
cleanup() {
  if [[ -n $APP_PID ]]; then kill "$APP_PID" 2>/dev/null || true; wait "$APP_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

if [[ $BUILD == 1 && $REFRESH == 0 ]]; then
  step "building (package -DskipTests; the client module generates and compiles the Java client)"
  "${MVN[@]}" package -DskipTests
fi

step "openapi-generator-cli $GENERATOR_VERSION from Maven Central"
"${MVN[@]}" dependency:copy -Dartifact=org.openapitools:openapi-generator-cli:$GENERATOR_VERSION -DoutputDirectory="$WORK" \
    -Dmdep.stripVersion=true
GENERATOR=(java -jar "$WORK/openapi-generator-cli.jar")

step "starting the service"
mkdir -p "$WORK/run/models" "$WORK/run/datasets"
cp -r reference/model "$WORK/run/models/whittle-ref"
cp -r reference/model "$WORK/run/models/whittle-ref-py"
API_JAR=$(ls api/target/whittle-api-*[0-9T].jar)
# The first admin key, given (not logged): the drivers below send it as Authorization: Bearer.
WHITTLE_API_KEY=wh_contract-$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')
export WHITTLE_API_KEY
(cd "$WORK/run" && WHITTLE_SECURITY_BOOTSTRAP_KEY=$WHITTLE_API_KEY exec java "${JVM_FLAGS[@]}" -Xmx4g -jar "$ROOT/$API_JAR" --server.port=0 > app.log 2>&1) &
APP_PID=$!
PORT=
for _ in $(seq 1 240); do
  PORT=$(sed -n 's/.*Tomcat started on port \([0-9]*\).*/\1/p' "$WORK/run/app.log" | head -1)
  [[ -n $PORT ]] && break
  kill -0 "$APP_PID" 2>/dev/null || { cat "$WORK/run/app.log"; echo "contract: FAIL: the service did not start" >&2; exit 1; }
  sleep 0.5
done
[[ -n $PORT ]] || { tail -50 "$WORK/run/app.log"; echo "contract: FAIL: no port after 120 s" >&2; exit 1; }
URL=http://localhost:$PORT
step "service up at $URL"

curl -sf "$URL/v3/api-docs" -o "$WORK/live.json"
if [[ $REFRESH == 1 ]]; then
  mkdir -p "$(dirname "$SPEC")" && cp "$WORK/live.json" "$SPEC"
  step "wrote $SPEC from the running service; review and commit it"
  exit 0
fi
if ! diff -u "$SPEC" "$WORK/live.json" > "$WORK/spec.diff"; then
  head -80 "$WORK/spec.diff"
  echo "contract: FAIL: the service's /v3/api-docs differs from $SPEC (above). If the change is meant," >&2
  echo "contract: refresh the snapshot with: scripts/contract-check.sh --refresh   (then rebuild, rerun, commit)" >&2
  exit 1
fi
step "the live document is the snapshot"

step "validating the snapshot"
"${GENERATOR[@]}" validate -i "$SPEC" | tail -3

step "Java: generated client (module client) drives a job"
"${MVN[@]}" -pl client dependency:build-classpath -Dmdep.outputFile="$WORK/client.classpath"
java -cp "client/target/classes:$(cat "$WORK/client.classpath")" dev.whittle.client.ContractDriver "$URL" whittle-ref

if python3 -c 'import pydantic, urllib3, dateutil; assert pydantic.VERSION.startswith("2")' 2>/dev/null; then
  step "Python: generating the client"
  "${GENERATOR[@]}" generate -i "$SPEC" -g python -o "$WORK/python" --package-name whittle_client \
      --additional-properties=generateSourceCodeOnly=true > "$WORK/python-gen.log" \
      || { cat "$WORK/python-gen.log"; exit 1; }
  step "Python: generated client drives a job"
  PYTHONPATH="$WORK/python" python3 scripts/contract/driver.py "$URL" whittle-ref-py
else
  echo "contract: SKIP: Python half (python3 with pydantic 2, urllib3 and python-dateutil not found)"
fi
step "passed"
