"""What each value accepts (extensions/values.py), the names derived from the template
(extensions/reserved.py) and the bounds on a spec's YAML (extensions/bounds.py)."""

from __future__ import annotations

import builtins
import html
import time
import unicodedata
import urllib.parse

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from extensions.bounds import MAX_DEPTH, MAX_VALUES, BoundsError, data_problem, load_yaml
from extensions.check import check
from extensions.reserved import (
    SOFT_KEYWORDS,
    module_names,
    runtime_environment_names,
    schema_reserved_names,
    strip_jinja,
    tool_reserved_names,
    top_level_modules,
)
from extensions.values import (
    client_id_problem,
    environment_problem,
    issuer_problem,
    model_problem,
    slug_problem,
    text_problem,
)

# ---------------------------------------------------------------------------------------------
# Text


@given(st.text())
def test_accepted_one_line_text_has_no_control_character_or_line_break(value):
    if text_problem(value) is None:
        assert all(unicodedata.category(char) not in ("Cc", "Cs", "Zl", "Zp") for char in value)
        assert len(value.splitlines()) <= 1


@given(st.text())
def test_multiline_text_accepts_only_tabs_and_line_breaks_more(value):
    one_line = text_problem(value) is None
    multiline = text_problem(value, multiline=True) is None
    assert one_line <= multiline
    if multiline and not one_line:
        assert set(value) & set("\t\n\r")


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("a\nb", "line break"),
        ("tab\there", "a tab"),
        ("nul\x00", "control character ('\\x00')"),
        ("esc \x1b[31m", "control character ('\\x1b')"),
        ("nel\x85", "control character ('\\x85')"),
        ("ls\u2028", "line or paragraph separator"),
        ("rtl \u202e override", "bidirectional"),
        ("surrogate \ud800", "unpaired surrogate"),
    ],
)
def test_text_problems(value, fragment):
    assert fragment in text_problem(value)


def test_printable_unicode_is_text():
    assert text_problem('Café "quoted" {{ x }} $(id) ${x} 😀 🇫🇷 ‍👩‍💻 \u00a0') is None


# ---------------------------------------------------------------------------------------------
# Slugs, model ids, environment names, the issuer


@pytest.mark.parametrize(
    ("slug", "fragment"),
    [
        ("my-app", None),
        ("alex-finance-2", None),
        ("my--app", "'--'"),
        ("xn--app", "'--'"),
        ("sthree-app", "S3 reserves"),
        ("amzn-s3-demo-app", "S3 reserves"),
        ("app-", "lowercase letters"),
        ("1app", "lowercase letters"),
        ("My-App", "lowercase letters"),
        ("agents", "shadow the module"),
        ("test", "shadow the module"),
        ("json", "shadow the module"),
        ("httpx", "shadow the module"),
        ("litellm", "shadow the module"),
        ("tests", "shadow the module"),
        ("class", "a Python keyword"),
    ],
)
def test_slugs(slug, fragment):
    problem = slug_problem(slug)
    assert problem is None if fragment is None else fragment in problem


@pytest.mark.parametrize(
    ("model", "provider", "fragment"),
    [
        ("us.amazon.nova-pro-v1:0", "bedrock", None),
        ("bedrock/us.amazon.nova-lite-v1:0", "bedrock", None),
        ("bedrock/converse/anthropic.claude-3-5-sonnet-20240620-v1:0", "bedrock", None),
        ("amazon.titan-text-express-v1", "bedrock", None),
        ("*", "bedrock", "wildcard"),
        ("us.*", "bedrock", "wildcard"),
        ("amazon.nova-?", "bedrock", "wildcard"),
        ("nova", "bedrock", "not a Bedrock model id"),
        ("us.amazon.nova pro", "bedrock", "not a Bedrock model id"),
        ('x" + __import__("os").system("id") + "', "bedrock", "not a Bedrock model id"),
        ("gpt-4.1-mini", "openai", None),
        ("openai/gpt-4o", "openai", None),
        ("ft:gpt-4o-mini:org:custom:abc123", "openai", None),
        ("gpt 4", "openai", "not a openai model id"),
        ("claude-sonnet-4-5", "anthropic", None),
        ("anthropic/claude-sonnet-4-5", "anthropic", None),
        ("claude'", "anthropic", "not a anthropic model id"),
        ("", "openai", "is empty"),
    ],
)
def test_model_ids(model, provider, fragment):
    problem = model_problem(model, provider)
    assert problem is None if fragment is None else fragment in problem


@pytest.mark.parametrize(
    ("name", "secret", "fragment"),
    [
        ("CUSTOM_API_KEY", True, None),
        ("REPORT_BUCKET", False, None),
        ("AWS_REGION", False, "Lambda reserves"),
        ("AWS_ANYTHING", False, "Lambda reserves"),
        ("LAMBDA_TASK_ROOT", False, "Lambda reserves"),
        ("PATH", False, "Lambda runtime"),
        ("LD_PRELOAD", False, "Lambda runtime"),
        ("PYTHONPATH", False, "Lambda runtime"),
        ("TZ", False, "Lambda runtime"),
        ("JOB_STORE", False, "setting of the generated runtime"),
        ("LLM_MODEL", False, "setting of the generated runtime"),
        ("MODEL_MODE", False, "setting of the generated runtime"),
        ("LLM_API_KEY", True, "LLM_API_KEY_SECRET is a setting"),
        ("LOGFIRE_TOKEN", True, "setting of the generated runtime"),
    ],
)
def test_environment_names(name, secret, fragment):
    problem = environment_problem(name, secret=secret)
    assert problem is None if fragment is None else fragment in problem


@pytest.mark.parametrize(
    ("issuer", "fragment"),
    [
        ("", None),
        ("https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abc", None),
        ("https://tenant.eu.auth0.com/", None),
        ("http://localhost:8080/", None),
        ("http://127.0.0.1:9000", None),
        ("http://issuer.example.com/", "https://"),
        ("ftp://issuer.example.com/", "https://"),
        ("https://", "must name a host"),
        ("https://user:pw@issuer.example.com/", "without user or password"),
        ("https://issuer.example.com/?a=1", "query or fragment"),
        ("https://issuer.example.com/#x", "query or fragment"),
        ("https://issuer.example.com:port/", "is not a URL"),
        ("https://issuer.example.com/\n", "without spaces or control characters"),
        ("https://issuer example.com/", "without spaces"),
    ],
)
def test_issuers(issuer, fragment):
    problem = issuer_problem(issuer)
    assert problem is None if fragment is None else fragment in problem


@pytest.mark.parametrize(
    "client_id, accepted",
    [
        ("", True),
        ("4tq1hjd6iq5k2pq3m0e6r8a1bc", True),  # Cognito
        ("Xr7Qk2LmN0pZ9aBcDeFgHiJkLmNoPqRs", True),  # Auth0
        ("oauth_client.v2-x~1", True),
        ("a" * 200, True),
        ("a" * 201, False),
        ("-leading", False),
        ("client id", False),
        ("client\nid", False),
        ("client&redirect_uri=https://evil.example", False),
        ('client"><script>', False),
        ("clïent", False),
    ],
)
def test_client_ids(client_id, accepted):
    problem = client_id_problem(client_id)
    assert (problem is None) == accepted, problem


@given(st.text(max_size=300))
def test_an_accepted_client_id_needs_no_escaping_in_a_url_or_html(client_id):
    if client_id_problem(client_id) is None:
        assert urllib.parse.quote(client_id, safe="") == client_id
        assert html.escape(client_id) == client_id


# ---------------------------------------------------------------------------------------------
# Reserved names, read from the template


def test_tool_names_come_from_tools_py_and_agent_py():
    names = tool_reserved_names()
    assert {"Agent", "AgentOutputSchema", "function_tool", "INSTRUCTIONS", "build_agent"} <= names
    assert {"json", "RunContextWrapper", "JobContext"} <= names
    assert set(dir(builtins)) <= names
    # Locals of a function (its parameters, its variables) do not count.
    assert not {"ctx", "field", "job", "value"} & names


def test_schema_names_come_from_schemas_py_and_agent_py():
    names = schema_reserved_names()
    assert {"Agent", "AgentOutputSchema", "BaseModel", "Any", "INSTRUCTIONS"} <= names


def test_stripping_jinja_keeps_every_branch():
    source = strip_jinja(
        "from a import B{% if x %}, C{% endif %}\n{% for t in ts %}\ndef {{ t }}():\n"
        "    return D\n{% endfor %}\n"
    )
    from extensions.reserved import python_names

    assert python_names(source) == {"B", "C", "D"}


def test_module_names_are_cached_and_derived_from_files():
    assert module_names("agent.py") is module_names("agent.py")


def test_runtime_environment_comes_from_the_code_and_the_terraform():
    names = runtime_environment_names()
    # runtime/settings.py
    assert {"JOB_STORE", "SQLITE_PATH", "MODEL_MODE", "LLM_MODEL", "LLM_PROVIDER"} <= names
    # Terraform's environment maps and the stores' settings
    assert {"JOBS_TABLE", "DB_CLUSTER_ARN", "JOB_QUEUE_URL", "WORKER_FUNCTIONS"} <= names
    # env_or_secret("LOGFIRE_TOKEN") reads LOGFIRE_TOKEN_SECRET too
    assert {"LOGFIRE_TOKEN", "LOGFIRE_TOKEN_SECRET", "LANGFUSE_PUBLIC_KEY_SECRET"} <= names


def test_the_names_given_to_deployed_settings_are_runtime_environment():
    from extensions import reserved

    source = 'deployed_settings(\n    "JOB_STORE=x", "DB_HOST", "DB_NAME"\n)'
    calls = reserved._DEPLOYED_SETTINGS.findall(source)
    assert [name for call in calls for name in reserved._QUOTED_NAME.findall(call)] == [
        "DB_HOST",
        "DB_NAME",
    ]


def test_top_level_modules():
    modules = top_level_modules()
    assert {"agents", "openai", "litellm", "boto3", "pydantic", "httpx", "yaml"} <= modules
    assert {"json", "test", "email", "tests", "scripts"} <= modules
    assert "agents_app" not in modules


def test_soft_keywords_include_type():
    assert {"match", "case", "type", "_"} <= SOFT_KEYWORDS


# ---------------------------------------------------------------------------------------------
# Bounds: any file is accepted or refused within seconds


def laughs(levels: int) -> str:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, levels):
        lines.append(f"a{level}: &a{level} [" + ",".join([f"*a{level - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("a: " + "[" * 100_000 + "]" * 100_000, "nested more than 32 levels deep"),
        ("a: " + "{x: " * 200 + "1" + "}" * 200, "nested more than 32 levels deep"),
        (laughs(9), "values once its aliases are expanded"),
        (
            "a0: &a0 {k0: 1}\n"
            + "".join(f"a{i}: &a{i} {{<<: [*a{i - 1}, *a{i - 1}]}}\n" for i in range(1, 40)),
            "merge keys are expanded",
        ),
        ("s: &s " + "x" * 1000 + "\nl: [" + ",".join(["*s"] * 2000) + "]\n", "characters"),
        ("x: '" + "a" * 300_000 + "'\n", "bytes; a spec may have at most"),
    ],
)
def test_oversized_yaml_is_refused_quickly(text, fragment):
    started = time.monotonic()
    with pytest.raises(BoundsError) as caught:
        load_yaml(text)
    assert fragment in str(caught.value)
    assert time.monotonic() - started < 5


def test_yaml_within_the_bounds_loads_with_aliases_and_merge_keys():
    text = "defaults: &d {timeout: 60}\nagents:\n  a: {runtime: {<<: *d, memory: 256}}\n"
    assert load_yaml(text) == yaml.safe_load(text)
    nested = "a: " + "[" * (MAX_DEPTH - 2) + "]" * (MAX_DEPTH - 2)
    assert load_yaml(nested) == yaml.safe_load(nested)


def test_data_problem_counts_expanded_values():
    shared = list(range(100))
    assert data_problem([shared] * (MAX_VALUES // 100 - 10)) is None
    assert "values" in data_problem([shared] * (MAX_VALUES // 100 + 10))


def test_make_check_refuses_an_alias_bomb_in_seconds(tmp_path):
    path = tmp_path / "agents.yaml"
    path.write_text("agents:\n  w:\n    description:\n" + "".join(
        f"      {line}\n" for line in laughs(9).splitlines()
    ))  # fmt: skip
    started = time.monotonic()
    code, lines = check(path)
    assert code == 2 and "aliases are expanded" in lines[0]
    assert time.monotonic() - started < 5


def test_make_regen_reads_agents_yaml_within_the_same_bounds():
    """The generated scripts/regen.py parses agents.yaml itself, before Copier does."""
    import importlib.util

    from extensions.reserved import TEMPLATE

    location = TEMPLATE / "scripts" / "regen.py"
    spec = importlib.util.spec_from_file_location("generated_regen", location)
    regen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(regen)
    assert (regen.MAX_BYTES, regen.MAX_DEPTH, regen.MAX_VALUES) == (
        256 * 1024,
        MAX_DEPTH,
        MAX_VALUES,
    )
    bomb = "agents:\n  w:\n    description:\n" + "".join(
        f"      {line}\n" for line in laughs(9).splitlines()
    )
    for text, fragment in [
        (bomb, "values once its aliases are expanded"),
        ("agents: " + "[" * 5000 + "]" * 5000, "nested more than 32 levels"),
        ("x: '" + "a" * 300_000 + "'", "larger than"),
        (
            "a0: &a0 {k0: 1}\n"
            + "".join(f"a{i}: &a{i} {{<<: [*a{i - 1}, *a{i - 1}]}}\n" for i in range(1, 40)),
            "merge keys",
        ),
    ]:
        started = time.monotonic()
        with pytest.raises(regen.RegenError) as caught:
            regen.spec_answers(text)
        assert fragment in str(caught.value)
        assert time.monotonic() - started < 5
    assert regen.spec_answers("agents: {w: {}}\n")["agents"] == {"w": {}}
