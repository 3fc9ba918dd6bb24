"""What the Terraform needs to know about each function, derived from the answers and the spec.

The templates dump this as ``terraform/agents.auto.tfvars.json``; the Terraform turns it into
resources and least-privilege policies.
"""

from __future__ import annotations

from typing import Any

# Regions a cross-region inference profile may route a request to, by the profile id's prefix.
# https://docs.aws.amazon.com/bedrock/latest/userguide/inference-profiles-support.html
INFERENCE_PROFILE_REGIONS = {
    "us": ["us-east-1", "us-east-2", "us-west-1", "us-west-2"],
    "eu": [
        "eu-central-1",
        "eu-central-2",
        "eu-north-1",
        "eu-south-1",
        "eu-south-2",
        "eu-west-1",
        "eu-west-2",
        "eu-west-3",
    ],
    "apac": [
        "ap-northeast-1",
        "ap-northeast-2",
        "ap-northeast-3",
        "ap-south-1",
        "ap-south-2",
        "ap-southeast-1",
        "ap-southeast-2",
        "ap-southeast-4",
    ],
}
# LiteLLM route prefixes that may precede a Bedrock model id.
BEDROCK_ROUTE_PREFIXES = ("bedrock/", "converse/", "invoke/")


def bedrock_model_id(model: str) -> str:
    """The Bedrock id of a model as written in the answers (``bedrock/converse/x`` -> ``x``)."""
    for prefix in BEDROCK_ROUTE_PREFIXES:
        model = model.removeprefix(prefix)
    return model


def bedrock_resources(models: list[str], region: str) -> dict[str, list[str]]:
    """The inference profiles and foundation-model ARNs that invoking ``models`` needs.

    ``region`` is where the calls go (``llm.region``, else the project's region). A plain id is
    one foundation model there. A cross-region inference profile id (``us.``, ``eu.``,
    ``apac.``) needs the profile, in that region, and the foundation model in every region the
    profile may route to.
    """
    profiles: list[str] = []
    foundation_models: list[str] = []
    for model in dict.fromkeys(bedrock_model_id(m) for m in models if m):
        geography, _, base_id = model.partition(".")
        if geography in INFERENCE_PROFILE_REGIONS and base_id:
            profiles.append(model)
            regions = INFERENCE_PROFILE_REGIONS[geography]
        else:
            base_id, regions = model, [region]
        foundation_models += [f"arn:aws:bedrock:{r}::foundation-model/{base_id}" for r in regions]
    return {"inference_profiles": profiles, "foundation_models": foundation_models}


def function_variables(
    agent: dict[str, Any], *, handler: str, uses_model: bool, answers: Any, llm_region: str
) -> dict[str, Any]:
    """One function's entry in agents.auto.tfvars.json."""
    models = [agent["model"], answers.llm_fallback_model] if uses_model else []
    bedrock = answers.llm_provider == "bedrock"
    return {
        "handler": handler,
        "timeout": agent["timeout"],
        "memory": agent["memory"],
        "database": agent["database"],
        "storage": agent["storage"],
        "queue": agent["queue"],
        "secrets": agent["secret_environment"],
        "environment": agent["plain_environment"],
        "external_apis": agent["external_apis"],
        "bedrock": bedrock_resources(models if bedrock else [], llm_region),
        "llm_api_key": uses_model and not bedrock,
    }


def terraform_variables(
    package: str,
    workers: list[dict[str, Any]],
    orchestrator: dict[str, Any],
    *,
    planner: bool,
    answers: Any,
    settings: Any,
) -> dict[str, Any]:
    """The content of ``terraform/agents.auto.tfvars.json``."""
    llm_region = settings.llm_region or answers.aws_region
    store = {}
    if answers.database == "aurora-serverless-v2":
        store["database_capacity"] = {"min": settings.min_capacity, "max": settings.max_capacity}
    return {
        "project_slug": answers.project_slug,
        "aws_region": answers.aws_region,
        "lambda_runtime": f"python{answers.python_version}",
        "lambda_architecture": answers.lambda_architecture,
        "llm": {
            "provider": answers.llm_provider,
            "model": answers.llm_model,
            "fallback_model": answers.llm_fallback_model,
            "region": llm_region,
        },
        **store,
        "workers": {
            agent["name"]: function_variables(
                agent,
                handler=f"{package}.agents.{agent['name']}.handler.handler",
                uses_model=True,
                answers=answers,
                llm_region=llm_region,
            )
            for agent in workers
        },
        "orchestrator": {
            **function_variables(
                orchestrator,
                handler=f"{package}.orchestrator.handler.handler",
                uses_model=planner,
                answers=answers,
                llm_region=llm_region,
            ),
            "name": orchestrator["name"],
            "invokes": orchestrator["invokes"],
            # Whatever agents.yaml declares for it, it claims, updates and finishes jobs, and
            # queues again a job it hands over for lack of time.
            "database": "read-write",
            "queue": "send",
        },
    }
