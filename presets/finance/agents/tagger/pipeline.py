"""The tagger's pipeline: every held instrument priced and classified.

Instruments in the reference data (``finance/instruments.json``) are classified from it;
only the others are sent to the model, one call each, and its answer must pass the
classification's checks (each breakdown sums to 100) and name the symbol asked for.
"""

from __future__ import annotations

from typing import Any

from ...finance.instruments import InstrumentClassification, reference_instrument
from ...finance.portfolio import symbols
from ...finance.prices import prices
from ...runtime.records import Ask, JobContext
from .prompts import classification_task


class WrongInstrument(ValueError):
    """The model classified another instrument than the one asked for."""


async def run(job: JobContext, ask: Ask) -> dict[str, Any]:
    held = symbols(job.input)
    found, source = prices(held)  # before any model call: a missing price fails the job fast
    classifications = []
    for symbol in held:
        known = reference_instrument(symbol)
        if known is not None:
            classification = InstrumentClassification.model_validate(
                known.model_dump(exclude={"current_price"}, by_alias=True)
            )
        else:
            classification = await ask(classification_task(symbol))
            if classification.symbol.upper() != symbol:
                raise WrongInstrument(
                    f"asked to classify {symbol}, the model classified {classification.symbol}"
                )
            classification = classification.model_copy(update={"symbol": symbol})
        classifications.append(classification.model_dump(mode="json", by_alias=True))
    return {"classifications": classifications, "prices": found, "price_source": source}
