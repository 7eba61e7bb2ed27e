# syntax=docker/dockerfile:1
# Production image of the LearnHub gateway. The stores are not in it: every URL and secret
# comes from the environment (learnhub/core/settings.py; docker-compose.yml wires them up).

# Both stages must share one interpreter: the venv copied out of the builder points at
# /usr/local/bin/python3.11 of this exact image.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# ---------------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS builder

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1

WORKDIR /src
RUN python -m venv /opt/venv

# Build a wheel from pyproject.toml only (no extras), then install it with its runtime
# dependencies. The [embedded] and [dev] extras (server binaries, pytest, playwright) stay
# out of the image on purpose.
COPY pyproject.toml README.md ./
COPY learnhub ./learnhub
RUN python -m pip wheel --no-deps --wheel-dir /wheels . \
 && /opt/venv/bin/pip install /wheels/learnhub-*.whl \
 && /opt/venv/bin/pip check

# ---------------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    ENVIRONMENT=production \
    HOST=0.0.0.0 \
    PORT=8000

RUN groupadd --system --gid 10001 learnhub \
 && useradd --system --uid 10001 --gid learnhub --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin learnhub

COPY --from=builder /opt/venv /opt/venv

# The Alembic scripts ship inside the package, so `learnhub migrate` needs nothing else.
WORKDIR /app

# Numeric ids so Kubernetes' runAsNonRoot can verify them without reading /etc/passwd.
USER 10001:10001

EXPOSE 8000

# The slim image has no curl; urlopen raises (exit 1) on refused connections and HTTP >= 400.
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8000'), timeout=4)"]

CMD ["learnhub", "serve"]
