"""The structured output of the charter's model: the words around the computed charts."""

from pydantic import BaseModel, Field


class ChartNotes(BaseModel):
    summary: str = Field(
        description="Two or three sentences on what the charts show: concentration, balance."
    )
