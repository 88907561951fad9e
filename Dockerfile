# Whittle's image: the api (default command) and the standalone worker, built from source.
#   docker build -t whittle .
#   docker compose up --scale worker=3      (see docker-compose.yml)

FROM maven:3.9-eclipse-temurin-25 AS build
WORKDIR /src
COPY . .
# Tests need a database and run in CI (./whittle test); the image only packages the two applications.
RUN --mount=type=cache,target=/root/.m2 mvn -B -q --no-transfer-progress -DskipTests -pl api,worker -am package \
 && cp api/target/whittle-api-*[0-9T].jar /whittle-api.jar \
 && cp worker/target/whittle-worker-*-exec.jar /whittle-worker.jar

FROM eclipse-temurin:25-jre
RUN useradd --system --uid 10001 --home-dir /app whittle \
 && mkdir -p /app /models /datasets /outputs \
 && chown whittle /app /outputs
COPY --from=build /whittle-api.jar /whittle-worker.jar /app/
USER whittle
WORKDIR /app
EXPOSE 8080 8081
# Every Whittle JVM needs the Vector API module and native access (memory-mapped weights).
ENTRYPOINT ["java", "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-XX:+UseParallelGC", "-jar"]
CMD ["/app/whittle-api.jar"]
