# The two commands of the README: `make run` and `make test`. Both set up
# everything they need on a fresh machine; a second run reinstalls nothing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501
# Everything ruff formats and checks (mypy's files are in pyproject.toml).
LINTED := abcd app.py server.py app_pages tests bench notebooks

.PHONY: run run-https test lint bench clean

run: $(VENV)/.installed
	$(BIN)/abcd init
	$(BIN)/streamlit run server.py --server.port $(PORT) --server.headless true

# The app over HTTPS on the local network: a phone's browser only shares its location ("mijn locatie")
# with a secure page. The certificate is made once, self-signed, for this machine's names and addresses;
# the phone asks once whether to trust it.
TLS ?= data/tls
run-https: $(VENV)/.installed $(TLS)/abcd.crt
	$(BIN)/abcd init
	$(BIN)/streamlit run server.py --server.port $(PORT) --server.headless true --server.address 0.0.0.0 \
		--server.sslCertFile $(TLS)/abcd.crt --server.sslKeyFile $(TLS)/abcd.key

$(TLS)/abcd.crt:
	mkdir -p $(TLS) && chmod 700 $(TLS)
	names="DNS:localhost,DNS:$$(hostname),IP:127.0.0.1"; \
	for ip in $$(hostname -I 2>/dev/null); do case $$ip in *:*) ;; *) names="$$names,IP:$$ip";; esac; done; \
	openssl req -x509 -newkey rsa:2048 -nodes -days 825 -subj "/CN=abcd" -addext "subjectAltName=$$names" \
		-keyout $(TLS)/abcd.key -out $@ 2>/dev/null
	chmod 600 $(TLS)/abcd.key

# The habits first (format, lint, types: seconds), then every test.
test: lint $(VENV)/.debian-packages
	$(BIN)/python -m pytest

lint: $(VENV)/.installed-test
	$(BIN)/ruff format --check $(LINTED)
	$(BIN)/ruff check $(LINTED)
	$(BIN)/mypy

bench: $(VENV)/.installed-test
	$(BIN)/python bench/map_page.py
	$(BIN)/python bench/gaps.py
	$(BIN)/python bench/i18n.py

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(VENV)/.installed $@

# Debian packages the tests use: chromium for the real-browser tests (Playwright
# cannot download browsers here), the PostgreSQL server for the store's
# PostgreSQL tests, openssl for the HTTPS certificate of `make run-https` and osmium-tool for the
# .osm.pbf extracts tests/test_osm.py makes; PostGIS, nginx and GDAL's ogrinfo for the PostGIS layers and
# the two app servers behind a proxy (tests/test_postgis.py, tests/test_multi_server.py). Installed only
# when missing; the stamp saves the check until this Makefile changes.
$(VENV)/.debian-packages: Makefile | $(BIN)/python
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium fonts-dejavu-core"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	command -v openssl >/dev/null 2>&1 || missing="$$missing openssl"; \
	command -v osmium >/dev/null 2>&1 || missing="$$missing osmium-tool"; \
	ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1 || missing="$$missing postgresql-postgis"; \
	test -x /usr/sbin/nginx || missing="$$missing nginx-light"; \
	command -v ogrinfo >/dev/null 2>&1 || missing="$$missing gdal-bin"; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		echo "apt-get install$$missing"; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
	touch $@

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
