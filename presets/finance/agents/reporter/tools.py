"""The reporter's tools."""

from agents import function_tool

from ...finance.knowledge import market_insights


@function_tool
def get_market_insights(query: str) -> str:
    """Search the knowledge base of market research; the best passages, with their sources.

    Args:
        query: what to look for, in a few words (an asset class, a sector, a region, a topic).
    """
    found = market_insights(query)
    if not found:
        return "No passage of the knowledge base matches this query."
    return "\n\n".join(f"[{p.source}, {p.heading}] {p.text}" for p in found)
