# mailstencil extraction service: slim, non-root.
#   docker build -t mailstencil .
#   docker run -p 8000:8000 -e MAILSTENCIL_ADMIN_TOKEN=... -v mailstencil-data:/data mailstencil
# The same image runs the learner: docker run ... mailstencil learn /mail --store "$MAILSTENCIL_STORE"

FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README* ./
COPY rules ./rules
COPY offline ./offline
COPY app ./app
COPY mailstencil ./mailstencil
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    MAILSTENCIL_STORE=sqlite:////data/rules.db
RUN groupadd --system --gid 10001 mailstencil \
 && useradd --system --uid 10001 --gid mailstencil --home-dir /data --create-home --shell /usr/sbin/nologin mailstencil
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
USER mailstencil:mailstencil
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
ENTRYPOINT ["mailstencil"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
