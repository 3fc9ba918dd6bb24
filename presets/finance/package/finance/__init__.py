"""Alex's financial figures, in code: instruments, prices, portfolio valuation, charts, the
Monte Carlo retirement projection, and the knowledge base of market research.

The agents' pipelines (``agents/<name>/pipeline.py``) compute their figures here and ask
the model only for the words around them.
"""
