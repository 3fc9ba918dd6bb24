"""The structured output of the retirement agent's model: the analysis of the projection."""

from pydantic import BaseModel, Field


class RetirementAnalysis(BaseModel):
    analysis: str = Field(
        description="Markdown: readiness, what drives the success probability, what to change."
    )
