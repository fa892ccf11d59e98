# Entry points. `make demo` and `make test` each set up everything first (see README).
SHELL := /bin/bash
.DEFAULT_GOAL := help

.PHONY: help setup demo render test lint sanity units e2e bench bench-planner bench-parsers bench-rollout lab-up lab-down lab-status ee clean

help:
	@echo "make demo        set up, then run the main job on the embedded lab"
	@echo "make test        set up, then run every quality gate and the whole test suite"
	@echo "make render      offline render of inventories/seed into build/"
	@echo "make lint        ruff + ansible-lint (production profile)"
	@echo "make sanity      ansible-test sanity (Python 3.11/core 2.19 and Python 3.12/core 2.21)"
	@echo "make units       unit and property tests only"
	@echo "make e2e         end-to-end tests (IOS simulator and strongSwan lab; needs root)"
	@echo "make bench       planner, parser and rollout benchmarks (not part of the tests)"
	@echo "make lab-up / lab-down / lab-status   the strongSwan network-namespace lab (root)"
	@echo "make ee          write the AWX execution-environment build context (ansible-builder create)"

setup:
	scripts/setup.sh

demo: setup
	scripts/demo.sh

render: setup
	scripts/render-seed.sh

test: setup
	scripts/test.sh all

lint:
	scripts/test.sh lint

sanity:
	scripts/test.sh sanity

units:
	scripts/test.sh units

e2e:
	scripts/test.sh e2e

bench: bench-planner bench-parsers bench-rollout

bench-planner:
	.venv/bin/python benchmarks/planner/bench.py

bench-parsers:
	.venv/bin/python benchmarks/parsers/bench.py

bench-rollout: setup
	.venv/bin/python benchmarks/rollout/bench.py

lab-up:
	lab/labctl up

lab-down:
	lab/labctl down

lab-status:
	lab/labctl status

ee:
	scripts/ee.sh

clean:
	rm -rf build tests/output .ansible
