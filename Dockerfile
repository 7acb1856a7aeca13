# syntax=docker/dockerfile:1
# The Timeline API in a container: docker compose up -d --build (see docker-compose.yml and the README).
# Build by hand: docker build --build-arg GIT_COMMIT=$(git rev-parse HEAD) -t timeline-api .

# Build stage: the SDK restores, builds (warnings are errors, as everywhere) and publishes.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src

# Restore from the project files alone first (the API and every project it references: the model and both engines), so
# the package layer is reused until they change.
COPY Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/Timeline.Api/Timeline.Api.csproj src/Timeline.Api/
COPY src/Timeline.Model/Timeline.Model.csproj src/Timeline.Model/
COPY src/Timeline.Store.Sqlite/Timeline.Store.Sqlite.csproj src/Timeline.Store.Sqlite/
COPY src/Timeline.Store.Postgres/Timeline.Store.Postgres.csproj src/Timeline.Store.Postgres/
RUN dotnet restore src/Timeline.Api/Timeline.Api.csproj

COPY src/ src/
# The build context has no .git, so the commit GET /version reports comes in as an argument ("unknown" without it).
ARG GIT_COMMIT=
RUN dotnet publish src/Timeline.Api/Timeline.Api.csproj --configuration Release --no-restore --output /app \
        -p:UseAppHost=false -p:SourceRevisionId="${GIT_COMMIT}"

# Runtime stage: the ASP.NET Core runtime only, running as the image's non-root user.
FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app ./

# The curated dataset and its source documents, loaded into an empty store at the first start.
COPY data/timeline.json data/timeline.json
COPY data/sources/ data/sources/

# The store (and backups) live on a volume, owned by the user the server runs as.
RUN mkdir -p /data/backups && chown -R "$APP_UID" /data
VOLUME /data

ENV ASPNETCORE_HTTP_PORTS=8080 \
    Timeline__DatabasePath=/data/timeline.db \
    Timeline__SeedPath=/app/data/timeline.json \
    Timeline__BackupDirectory=/data/backups
EXPOSE 8080
USER $APP_UID

# The image has no curl: the app's own command asks http://127.0.0.1:8080/health/ready and exits 0 or 1.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["dotnet", "Timeline.Api.dll", "healthcheck"]

# Docker's stop sends SIGTERM: in-flight requests finish (Timeline:ShutdownTimeoutSeconds), then the
# write-ahead log is checkpointed into /data/timeline.db.
ENTRYPOINT ["dotnet", "Timeline.Api.dll"]
