# ccodesk: `make run` starts the desktop app, `make test` runs the whole suite.
# Both create the virtual environment and install everything they need.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed-stamp

# Debian/Ubuntu packages the tests need: Qt's runtime libraries (offscreen platform); the
# sqlite3 shell (proof that the encrypted store is unreadable without its key); poppler-utils
# (pdftotext, pdffonts, pdfinfo, pdftoppm read the printed PDFs); zbar-tools (zbarimg decodes
# the printed QR codes from a 75 dpi render, as a cheap scanner would); openssh-client (ssh-keygen
# verifies bundle signatures independently), age and unzip (open bundles independently) and
# postgresql (the central store's real deployment); libreoffice-calc-nogui (soffice headless
# opens the CSV and XLSX reports the way officers do, to show no cell is a live formula).
SYSTEM_PACKAGES = libgl1 libegl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 \
                  libdbus-1-3 libglib2.0-0 sqlite3 poppler-utils zbar-tools openssh-client age \
                  unzip postgresql libreoffice-calc-nogui

.PHONY: run test system-deps venv lint typecheck bench screenshots installer clean

run: $(STAMP)
	$(BIN)/ccodesk

test: system-deps $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

venv: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "ccodesk needs Python 3.11 or newer")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Installs missing system libraries when run as root on Debian/Ubuntu; otherwise says what is missing.
system-deps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing system packages:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	else \
	  echo "warning: missing system packages:$$missing (run 'make test' as root or install them)"; \
	fi

lint: $(STAMP)
	$(BIN)/ruff check ccodesk tests benchmarks
	$(BIN)/ruff format --check ccodesk tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy ccodesk

screenshots: system-deps $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python scripts/screenshots.py

# One-folder build in dist/ccodesk with PyInstaller, smoke-tested (CLI and GUI) after building.
installer: system-deps $(STAMP)
	bash installer/build.sh

bench: $(STAMP)
	$(BIN)/python benchmarks/store_bench.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
