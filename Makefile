# The two commands of the README. Each creates .venv with python3 -m venv when absent,
# installs qmot (with its test, dev and docs extras) into it, and then does its job.
VENV   := .venv
PYTHON := $(VENV)/bin/python
STAMP  := $(VENV)/.qmot-installed
OUT    ?= qmot-results

.PHONY: demo examples docs docs-strict test lint bench clean

$(STAMP): pyproject.toml
	test -x $(PYTHON) || python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet -e '.[test,dev,docs]'
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/qmot reproduce all --quick --out $(OUT)
	@echo "Report: $(OUT)/report.html (Markdown: $(OUT)/report.md, data: $(OUT)/results.json)"

examples: $(STAMP)
	for script in examples/*.py; do $(PYTHON) $$script $(OUT)/examples || exit 1; done

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests examples benchmarks

# The documentation site (Sphinx): docs/_build/html/index.html.
DOCS_OUT := docs/_build/html
docs: $(STAMP)
	$(PYTHON) -m sphinx -b html -q docs $(DOCS_OUT)

# The same build with every warning an error; the tests then open the pages in a browser.
docs-strict: $(STAMP)
	$(PYTHON) -m sphinx -b html -q -E -W --keep-going docs $(DOCS_OUT)

# pytest exits 5 when it collects no test; make treats that as a failure like any other.
# The packaging check (build an sdist and a wheel, install each in a fresh venv) is marked
# slow, so the default run skips it; make test runs it on its own.
test: lint docs-strict
	QMOT_DOCS_HTML=$(DOCS_OUT) $(PYTHON) -m pytest
	$(PYTHON) -m pytest -m slow tests/test_packaging.py

bench: $(STAMP)
	$(PYTHON) benchmarks/bench_classical.py
	$(PYTHON) benchmarks/bench_coupling_sdp.py
	$(PYTHON) benchmarks/bench_mk2.py
	$(PYTHON) benchmarks/bench_dpt.py
	$(PYTHON) benchmarks/bench_symmetric_ot.py
	$(PYTHON) benchmarks/bench_column_generation.py
	$(PYTHON) benchmarks/bench_first_order.py
	$(PYTHON) benchmarks/bench_first_order.py --eigensolvers

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis $(OUT) docs/_build docs/auto_examples docs/api/generated
