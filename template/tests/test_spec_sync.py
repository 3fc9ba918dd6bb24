"""agents.yaml is the source of the generated code: it must match the recorded answers."""

from pathlib import Path

import yaml

PROJECT = Path(__file__).resolve().parent.parent
SPEC_KEYS = ("project", "infrastructure", "llm", "inputs", "agents", "orchestration")


def test_agents_yaml_matches_the_generated_code():
    spec = yaml.safe_load((PROJECT / "agents.yaml").read_text()) or {}
    answers = yaml.safe_load((PROJECT / ".copier-answers.yml").read_text())
    for key in SPEC_KEYS:
        assert spec.get(key) == answers.get(key), f"agents.yaml changed ({key}): run make regen"
