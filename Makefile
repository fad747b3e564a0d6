# Thin aliases for the scripts in scripts/ and .ci/; the scripts are the source of truth.
# Pass pytest arguments with ARGS, e.g. make test ARGS="tests/mentoring -x"

.PHONY: setup run test lint format ci

setup:
	bash scripts/setup.sh

run:
	bash scripts/run.sh

test:
	bash scripts/test.sh $(ARGS)

lint:
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

format:
	.venv/bin/ruff check --fix .
	.venv/bin/ruff format .

ci:
	.ci/run
