# FSS production image: gunicorn serving Django; the same image runs the Celery
# worker and beat (see docker-compose.yml).

# --- GOV.UK Frontend assets, installed from the npm lock file and compiled
FROM node:20-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend ./frontend
RUN mkdir -p static/build && npm run build

# --- Application
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app

RUN groupadd --system fss && useradd --system --gid fss --home-dir /app fss \
 && mkdir -p /var/lib/fss/media && chown fss:fss /var/lib/fss/media

# WeasyPrint draws subject access PDFs with Pango, and needs a font to draw with.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*

COPY requirements.lock ./
RUN pip install --no-cache-dir --require-hashes -r requirements.lock

COPY . .
COPY --from=assets /app/node_modules/govuk-frontend/dist/govuk ./node_modules/govuk-frontend/dist/govuk
COPY --from=assets /app/static/build ./static/build

# Collect static files with throwaway keys: nothing secret is baked into the image.
RUN DEBUG=false SECRET_KEY=collectstatic-only FIELD_ENCRYPTION_KEY=collectstatic-only-throwaway-passphrase-not-a-key \
    python manage.py collectstatic --noinput

USER fss
EXPOSE 8000
CMD ["gunicorn", "fss.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "60", "--access-logfile", "-"]
