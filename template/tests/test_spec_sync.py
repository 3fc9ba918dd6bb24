"""agents.yaml is the source of the generated code: it must match the recorded answers."""

import importlib.util
from pathlib import Path

import yaml

PROJECT = Path(__file__).resolve().parent.parent


def spec_keys() -> tuple[str, ...]:
    """The sections of agents.yaml that are answers, as scripts/regen.py passes them."""
    spec = importlib.util.spec_from_file_location("regen", PROJECT / "scripts" / "regen.py")
    regen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(regen)
    return regen.SPEC_KEYS


def test_agents_yaml_matches_the_generated_code():
    spec = yaml.safe_load((PROJECT / "agents.yaml").read_text()) or {}
    answers = yaml.safe_load((PROJECT / ".copier-answers.yml").read_text())
    for key in spec_keys():
        assert spec.get(key) == answers.get(key), f"agents.yaml changed ({key}): run make regen"
