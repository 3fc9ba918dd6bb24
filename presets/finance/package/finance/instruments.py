"""Instruments: their classification by asset class, region and sector, and reference data.

Each breakdown is in percent and sums to 100 (within 0.01). Zero shares are left out of the
JSON (``{"equity": 100}``), and read back as zero, so stored classifications stay short while
the schema the model answers with lists every share explicitly.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any, ClassVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    model_serializer,
    model_validator,
)

REFERENCE_DATA = Path(__file__).with_name("instruments.json")
SUM_TOLERANCE = 0.01


def _share(description: str = "") -> Any:
    return Field(ge=0, le=100, description=description or None)


class Breakdown(BaseModel):
    """Shares in percent that sum to 100; shares left out are zero."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    @model_validator(mode="before")
    @classmethod
    def _missing_shares_are_zero(cls, data: Any) -> Any:
        if isinstance(data, dict):
            names = [field.alias or name for name, field in cls.model_fields.items()]
            return {name: 0.0 for name in names} | data
        return data

    @model_validator(mode="after")
    def _sums_to_100(self) -> Breakdown:
        total = sum(self.shares().values())
        if abs(total - 100) > SUM_TOLERANCE:
            raise ValueError(f"{self.label} shares sum to {total:g}, not 100")
        return self

    @model_serializer(mode="plain")
    def _nonzero(self) -> dict[str, float]:
        return {name: share for name, share in self.shares().items() if share}

    label: ClassVar[str] = "allocation"

    def shares(self) -> dict[str, float]:
        """Every share by its JSON name, zeros included."""
        return {
            field.alias or name: getattr(self, name)
            for name, field in type(self).model_fields.items()
        }


class AssetClassBreakdown(Breakdown):
    label: ClassVar[str] = "asset class"

    equity: float = _share()
    fixed_income: float = _share("bonds")
    real_estate: float = _share()
    commodities: float = _share()
    cash: float = _share()
    alternatives: float = _share()


class RegionBreakdown(Breakdown):
    label: ClassVar[str] = "region"

    north_america: float = _share()
    europe: float = _share()
    asia: float = _share()
    latin_america: float = _share()
    africa: float = _share()
    middle_east: float = _share()
    oceania: float = _share()
    global_: float = Field(ge=0, le=100, alias="global", description="global, not split")
    international: float = _share("outside North America, not split")


class SectorBreakdown(Breakdown):
    label: ClassVar[str] = "sector"

    technology: float = _share()
    healthcare: float = _share()
    financials: float = _share()
    consumer_discretionary: float = _share()
    consumer_staples: float = _share()
    industrials: float = _share()
    materials: float = _share()
    energy: float = _share()
    utilities: float = _share()
    real_estate: float = _share()
    communication: float = _share()
    treasury: float = _share("treasury bonds")
    corporate: float = _share("corporate bonds")
    mortgage: float = _share("mortgage-backed bonds")
    government_related: float = _share("other government bonds")
    commodities: float = _share()
    diversified: float = _share("a fund of funds, not split")
    other: float = _share()


class InstrumentClassification(BaseModel):
    """What an instrument is, and how its value splits by asset class, region and sector."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "symbol": "VTI",
                    "name": "Vanguard Total Stock Market ETF",
                    "instrument_type": "etf",
                    "allocation_asset_class": {"equity": 100},
                    "allocation_regions": {"north_america": 100},
                    "allocation_sectors": {"technology": 60, "healthcare": 40},
                }
            ]
        },
    )

    symbol: str = Field(description="the ticker symbol, as asked")
    name: str
    instrument_type: str = Field(description="etf, stock, mutual_fund, bond_fund...")
    allocation_asset_class: AssetClassBreakdown
    allocation_regions: RegionBreakdown
    allocation_sectors: SectorBreakdown


class PricedInstrument(InstrumentClassification):
    """A classification with the price the figures use."""

    current_price: float = Field(gt=0)


@cache
def reference_data() -> dict[str, Any]:
    """The instruments shipped with the project (``instruments.json``), by symbol."""
    document = json.loads(REFERENCE_DATA.read_text())
    instruments = {
        item["symbol"]: PricedInstrument.model_validate(item) for item in document["instruments"]
    }
    return {"prices_as_of": document["prices_as_of"], "instruments": instruments}


def reference_instrument(symbol: str) -> PricedInstrument | None:
    return reference_data()["instruments"].get(symbol.upper())
