# mailstencil: two images from one build, both slim and run as the numeric user 10001.
#   docker build -t mailstencil .                          the extraction service (the default target)
#   docker build --target learn -t mailstencil-learn .     the nightly learner (adds scikit-learn, numpy)
#   docker run -p 8000:8000 -e MAILSTENCIL_ADMIN_TOKEN=... -v mailstencil-data:/data mailstencil
#   docker run -v /path/to/mail:/mail:ro ... mailstencil-learn learn /mail --store "$MAILSTENCIL_STORE"
# Dependencies come from the lock files: requirements/serve.lock for both, requirements/base.lock adds
# the learning libraries in learn.

FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README* ./
# mailstencil/rules, mailstencil/offline and mailstencil/app link to these three: the wheel takes the files
COPY rules ./rules
COPY offline ./offline
COPY app ./app
COPY mailstencil ./mailstencil
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

# the service's dependencies and the package, which both images have: learn adds the learning
# libraries on top, serve the HTTP port and health check (serve stays last: the default target)
FROM python:3.11-slim AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    MAILSTENCIL_STORE=sqlite:////data/rules.db
RUN groupadd --system --gid 10001 mailstencil \
 && useradd --system --uid 10001 --gid 10001 --home-dir /data --create-home --shell /usr/sbin/nologin mailstencil
COPY requirements/serve.lock /tmp/requirements.lock
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir -r /tmp/requirements.lock \
 && pip install --no-cache-dir --no-deps /wheels/*.whl \
 && rm -rf /wheels /tmp/requirements.lock
WORKDIR /data
VOLUME ["/data"]
ENTRYPOINT ["mailstencil"]

# serve.lock is pinned within base.lock (scripts/lock.sh): installing base.lock keeps every version
# the runtime has and adds only the learning libraries
FROM runtime AS learn
COPY requirements/base.lock /tmp/requirements.lock
RUN pip install --no-cache-dir -r /tmp/requirements.lock \
 && rm /tmp/requirements.lock
USER 10001:10001
CMD ["learn", "--help"]

FROM runtime AS serve
USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
