# copier-aws-agents: the template repository. `make demo` and `make test` do all set-up.
UV ?= $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
DEMO ?= build/demo
SPEC ?= presets/finance.yaml

.DEFAULT_GOAL := help
.PHONY: help uv install browser demo test lint check bench

help: ## list the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

uv:
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --quiet uv

install: uv ## create .venv with the template's tooling
	$(UV) sync --quiet

CHROMIUM ?= /usr/bin/chromium

# The browser test drives the system's Chromium (Playwright never downloads one here).
browser: ## install Chromium for the browser test (as root on Debian/Ubuntu)
	@if [ -x "$(CHROMIUM)" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing Chromium (apt-get install -y chromium)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	fi; \
	if [ ! -x "$(CHROMIUM)" ]; then \
		echo "error: the browser test needs Chromium at $(CHROMIUM): install it (Debian/Ubuntu:" \
			"sudo apt-get install -y chromium) or pass CHROMIUM=/path/to/chromium" >&2; exit 1; \
	fi

demo: install ## render the default project into build/demo and run a sample job in it
	rm -rf $(DEMO)
	$(UV) run copier copy --trust --defaults --quiet --vcs-ref HEAD . $(DEMO)
	$(MAKE) -C $(DEMO) run UV="$(UV)"

test: install browser ## the whole test suite (spec, compiler, renders, generated projects, browser)
	$(UV) run ruff check . && $(UV) run ruff format --check .
	CHROMIUM=$(CHROMIUM) $(UV) run pytest -n 2 --dist loadgroup

lint: install ## ruff on the template's own code
	$(UV) run ruff check . && $(UV) run ruff format --check .

check: install ## validate a spec: make check SPEC=path/to/agents.yaml
	$(UV) run python -m extensions.check $(SPEC)

bench: install ## print the benchmark figures
	$(UV) run python bench/generation.py
	$(UV) run python bench/orchestration.py
	$(UV) run python bench/cold_import.py
	$(UV) run python bench/artifacts.py
	$(UV) run python bench/api.py
	$(UV) run python bench/montecarlo.py
