"""The structured output of the reporter's model: the words of the report."""

from pydantic import BaseModel, Field


class ReportNarrative(BaseModel):
    assessment: str = Field(
        description="Markdown paragraphs: diversification, risk, fit with the retirement goal."
    )
    recommendations: list[str] = Field(description="Concrete, prioritized actions.")
