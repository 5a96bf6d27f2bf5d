# syntax=docker/dockerfile:1
# kb: `kb serve`; KB_ROLE picks what it does: all (default: sync + watch + site + API in one container),
# writer (sync + watch + site build, no HTTP) or reader (API + site, read-only, no content needed).
# Build: docker build -t kb .   Run: docker compose up   (see deploy/README-deploy.md)

FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
COPY pyproject.toml README.md ./
COPY kbsync ./kbsync
COPY site_plugins ./site_plugins
COPY api ./api
RUN pip install --no-cache-dir .

FROM python:3.11-slim-bookworm AS runtime
# git: created/updated dates and authors, and `kb sync --since REV`
RUN apt-get update \
    && apt-get install -y --no-install-recommends git \
    && rm -rf /var/lib/apt/lists/* \
    && git config --system --add safe.directory '*' \
    && useradd --create-home --uid 10001 --user-group kb \
    && mkdir -p /data/content /data/site && chown -R kb:kb /data
COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    KB_CONTENT_DIR=/data/content \
    KB_HOST=0.0.0.0 \
    KB_PORT=8000 \
    KB_LOG_FORMAT=json
WORKDIR /data
USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/api/health', timeout=2).status != 200)"]
STOPSIGNAL SIGTERM
CMD ["kb", "serve", "--host", "0.0.0.0", "--port", "8000"]
