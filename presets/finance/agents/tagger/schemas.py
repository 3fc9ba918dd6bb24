"""The structured output of the tagger's model: one instrument's classification."""

from ...finance.instruments import InstrumentClassification

__all__ = ["InstrumentClassification"]
