# Build stage: the fat jar.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY cluster.xml .
COPY schema schema
COPY src src
RUN mvn -B -q package -DskipTests

# Runtime stage: a JRE and the jar, as an unprivileged user.
FROM eclipse-temurin:17-jre
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --create-home --home-dir /app auralink
WORKDIR /app
COPY --from=build /src/target/auralink-comm.jar /app/auralink-comm.jar
USER auralink
ENV AURALINK_HTTP_PORT=8001 \
    AURALINK_DATA_DIR=/app/data
# 8001: internal HTTP API; 5701: Hazelcast membership (set AURALINK_CLUSTER_HOST to the container's address).
EXPOSE 8001 5701
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD curl -fsS "http://127.0.0.1:${AURALINK_HTTP_PORT}/health/live" || exit 1
# SIGTERM (docker stop) triggers the graceful shutdown: stop accepting, finish requests, leave the cluster.
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-jar", "/app/auralink-comm.jar"]
CMD ["start"]
