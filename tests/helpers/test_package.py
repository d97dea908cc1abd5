import importlib

import helpers

MODULES = ["answers", "batches", "connection", "consensus", "costs", "exports", "geometry", "metrics",
           "plotting", "progress", "questions"]


def test_package_reexports_every_module_name():
    for module_name in MODULES:
        module = importlib.import_module(f"helpers.{module_name}")
        for name in module.__all__:
            assert getattr(helpers, name) is getattr(module, name), f"helpers.{name} is not {module_name}.{name}"


def test_package_exports_no_name_twice():
    assert len(helpers.__all__) == len(set(helpers.__all__))


def test_every_module_name_exists():
    for module_name in MODULES + ["local", "series"]:
        module = importlib.import_module(f"helpers.{module_name}")
        missing = [name for name in module.__all__ if not hasattr(module, name)]
        assert missing == [], f"helpers.{module_name}.__all__ lists missing names {missing}"
