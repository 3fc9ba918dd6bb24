"""What each kind of value accepts, checked at copy time (each check returns a reason or None).

- Text (names, descriptions, enum values...): any printable Unicode. Refused everywhere:
  control characters (NUL, ESC, DEL, the C1 range...), unpaired surrogates (not writable as
  UTF-8), and the bidirectional overrides that make code read differently than it runs
  ("Trojan Source"). One-line text (the project name and description, the JWT audience)
  also refuses line breaks and tabs; multi-line text (descriptions in agents.yaml, data
  values) accepts them, and a one-line target shows them as spaces.
- Slugs: what every AWS name built from them accepts (Lambda, IAM, S3, RDS, SQS, DynamoDB).
- Model ids: per provider, no wildcard, whitespace or quote; a Bedrock id names one model.
- Environment names: not reserved by Lambda, not one the runtime itself reads or sets.
- The JWT issuer: an https URL, or empty (no issuer yet: the API cannot be deployed).
"""

from __future__ import annotations

import keyword
import re
import unicodedata
from urllib.parse import urlsplit

from .models import model_provider_problem
from .reserved import runtime_environment_names, top_level_modules

# ---------------------------------------------------------------------------------------------
# Text

# Unicode's explicit bidirectional formatting characters (embeddings, overrides, isolates).
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
LINE_AND_TAB = frozenset("\t\n\r")


def text_problem(text: str, *, multiline: bool = False) -> str | None:
    """Why ``text`` cannot be written into a generated file, or None."""
    for char in text:
        category = unicodedata.category(char)
        if multiline and char in LINE_AND_TAB:
            continue
        if category == "Cc" and char in "\t\n\r":
            kind = "a tab" if char == "\t" else "a line break"
            return f"contains {kind} ({char!r}); it must be one line"
        if category == "Cc":
            return f"contains a control character ({char!r})"
        if category == "Cs":
            return f"contains an unpaired surrogate ({char!r})"
        if category in ("Zl", "Zp"):
            return f"contains a line or paragraph separator ({char!r})"
        if char in BIDI_CONTROLS:
            return f"contains a bidirectional control character ({char!r})"
    return None


def data_problem(value: object, path: str = "") -> str | None:
    """The first string of a JSON-like value (keys included) that is not text, or None."""
    stack: list[tuple[str, object]] = [(path, value)]
    while stack:
        where, item = stack.pop()
        if isinstance(item, str):
            problem = text_problem(item, multiline=True)
            if problem:
                return f"{where}: {problem}" if where else problem
        elif isinstance(item, list):
            stack.extend((f"{where}[{index}]", inner) for index, inner in enumerate(item))
        elif isinstance(item, dict):
            for key, inner in item.items():
                label = f"{where}.{key}" if where else str(key)
                if isinstance(key, str) and (problem := text_problem(key)):
                    return f"key {key!r}: {problem}"
                stack.append((label, inner))
    return None


# ---------------------------------------------------------------------------------------------
# Identifiers and slugs

SLUG_PATTERN = re.compile(r"^[a-z][a-z0-9-]*[a-z0-9]$")
# Prefixes S3 reserves for bucket names (xn-- is covered by "no --").
S3_RESERVED_PREFIXES = ("sthree-", "amzn-s3-demo-")


def slug_problem(slug: str) -> str | None:
    """Why ``slug`` cannot prefix the project's AWS names and name its package, or None.

    Names built from it (stages are 1-8 characters): ``<slug>-<stage>-<agent>`` (Lambda and
    IAM, 64: checked per agent), ``<slug>-<stage>-jobs-writer`` (RDS, 63: 40 + 1 + 8 + 12),
    ``<slug>-<stage>-jobs-dead-letters`` (SQS, 80), ``<slug>-<stage>-jobs`` (DynamoDB), and
    an S3 bucket prefix that always ends ``-data-`` (so no reserved S3 suffix can occur). RDS
    identifiers refuse ``--``, S3 refuses the ``xn--`` prefix; both want a letter first.
    """
    if not SLUG_PATTERN.match(slug):
        return (
            "must be lowercase letters, digits and single dashes, start with a letter and "
            "end with a letter or digit"
        )
    if "--" in slug:
        return "must not contain '--' (RDS identifiers refuse it; S3 reserves 'xn--')"
    if slug.startswith(S3_RESERVED_PREFIXES):
        return f"must not start with {', '.join(S3_RESERVED_PREFIXES)} (S3 reserves them)"
    package = slug.replace("-", "_")
    if keyword.iskeyword(package):
        return f"gives the package name {package!r}, a Python keyword"
    if package in top_level_modules():
        return (
            f"gives the package name {package!r}, which would shadow the module of that name "
            "that the project imports (standard library or a dependency)"
        )
    return None


# ---------------------------------------------------------------------------------------------
# Model ids

# LiteLLM route prefixes (as runtime/llm/clients.py and infrastructure.bedrock_model_id read them).
MODEL_PREFIXES = {
    "bedrock": ("bedrock/", "converse/", "invoke/"),
    "openai": ("openai/",),
    "anthropic": ("anthropic/",),
}
# One Bedrock model: <provider>.<model>[:<version>...], optionally behind a cross-region
# inference profile prefix (us., eu., apac....), lowercase as AWS writes them.
BEDROCK_ID = re.compile(r"^[a-z0-9][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)+(:[a-z0-9-]+)*$")
OTHER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]*$")


def model_problem(model: str, provider: str) -> str | None:
    """Why ``model`` is not a model id of ``provider``, or None."""
    if not model:
        return "is empty"
    if len(model) > 200:
        return "is longer than 200 characters"
    wrong_provider = model_provider_problem(model, provider)
    if wrong_provider:
        return wrong_provider
    bare = model
    for prefix in MODEL_PREFIXES.get(provider, ()):
        bare = bare.removeprefix(prefix)
    if any(char in bare for char in "*?"):
        return "contains a wildcard; name one model (an IAM policy is derived from it)"
    if provider == "bedrock" and not BEDROCK_ID.match(bare):
        return (
            "is not a Bedrock model id such as amazon.nova-pro-v1:0 or "
            "us.amazon.nova-pro-v1:0 (lowercase letters, digits, '-', '.', ':')"
        )
    if provider != "bedrock" and not OTHER_ID.match(bare):
        return (
            f"is not a {provider} model id (letters, digits, '.', '_', ':', '-'; "
            f"optionally after {MODEL_PREFIXES[provider][0]})"
        )
    return None


# ---------------------------------------------------------------------------------------------
# Environment names

# Reserved by Lambda, or read by the runtime before any code of ours runs:
# https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime
LAMBDA_RESERVED_PREFIXES = ("AWS_", "LAMBDA_", "_")
PROCESS_PREFIXES = ("LD_", "PYTHON", "LC_")
PROCESS_NAMES = frozenset({"PATH", "TZ", "LANG", "HOME", "TMPDIR", "NODE_PATH", "SHELL"})


def environment_problem(name: str, *, secret: bool) -> str | None:
    """Why an agent's ``runtime.environment`` name cannot be set on its function, or None.

    A secret name reaches the function as ``<NAME>_SECRET`` (the secret's ARN): both names
    must be free.
    """
    if name.startswith(LAMBDA_RESERVED_PREFIXES):
        return "Lambda reserves the AWS_ and LAMBDA_ prefixes"
    if name.startswith(PROCESS_PREFIXES) or name in PROCESS_NAMES:
        return "it changes how the Lambda runtime or Python starts"
    taken = runtime_environment_names()
    for variable in (name, f"{name}_SECRET") if secret else (name,):
        if variable in taken:
            return f"{variable} is a setting of the generated runtime"
    return None


# ---------------------------------------------------------------------------------------------
# The JWT issuer and the console's OAuth client

LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")


def issuer_problem(issuer: str) -> str | None:
    """Why ``issuer`` cannot be the API's JWT issuer, or None. Empty means none yet.

    An https URL; ``http://localhost`` (or 127.0.0.1) is accepted for local development and
    refused by Terraform at deploy time. OpenID issuers carry no query or fragment.
    """
    if not issuer:
        return None
    if text_problem(issuer) or any(char.isspace() for char in issuer):
        return "must be a URL without spaces or control characters"
    try:
        parts = urlsplit(issuer)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError as error:
        return f"is not a URL ({error})"
    local = parts.scheme == "http" and parts.hostname in LOCAL_HOSTS
    if parts.scheme != "https" and not local:
        return "must be an https:// URL (http:// only for localhost, which cannot be deployed)"
    if not parts.hostname or parts.username or parts.password:
        return "must name a host, without user or password"
    if parts.query or parts.fragment or "#" in issuer or "?" in issuer:
        return "must not have a query or fragment (OpenID issuers do not)"
    return None


# Cognito, Auth0, Clerk and Okta client ids are letters and digits; these few others are
# allowed, and nothing that needs escaping in a URL's query, HTML or a shell.
CLIENT_ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~-]{0,199}")


def client_id_problem(client_id: str) -> str | None:
    """Why ``client_id`` cannot be the console's OAuth client id, or None. Empty means none yet."""
    if not client_id or CLIENT_ID_PATTERN.fullmatch(client_id):
        return None
    return "must be 1 to 200 letters, digits, '.', '_', '~' or '-', starting with a letter or digit"
