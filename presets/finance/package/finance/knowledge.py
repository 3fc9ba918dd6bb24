"""The knowledge base of market research: Markdown notes, searched with BM25.

Locally the notes are the files under the project's ``knowledge/`` folder; deployed, they are
the objects under the ``knowledge/`` prefix of the project's data bucket (``DATA_BUCKET``),
which the reporter may read (``storage: read`` in agents.yaml). Each note is cut into
passages at its headings and blank lines; a query ranks the passages with Okapi BM25.
"""

from __future__ import annotations

import math
import os
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

LOCAL_FOLDER = Path(__file__).resolve().parents[3] / "knowledge"
PREFIX = "knowledge/"
K1 = 1.5
B = 0.75
STOP_WORDS = frozenset(
    {"a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "has", "have", "in", "is"}
    | {"it", "its", "of", "on", "or", "that", "the", "their", "this", "to", "was", "were", "with"}
)


@dataclass(frozen=True)
class Passage:
    source: str  # the note's name, e.g. bonds.md
    heading: str
    text: str


def tokens(text: str) -> list[str]:
    """Lower-case words and numbers, without stop words."""
    return [word for word in re.findall(r"[a-z0-9]+", text.lower()) if word not in STOP_WORDS]


def passages(source: str, markdown: str) -> list[Passage]:
    """A note's paragraphs, each with the heading it sits under."""
    found, heading = [], ""
    for block in re.split(r"\n\s*\n", markdown):
        block = block.strip()
        if not block:
            continue
        if block.startswith("#"):
            first, _, rest = block.partition("\n")
            heading, block = first.lstrip("#").strip(), rest.strip()
            if not block:
                continue
        found.append(Passage(source=source, heading=heading, text=" ".join(block.split())))
    return found


class Index:
    """BM25 over passages: idf(t) = ln(1 + (N - n_t + 0.5) / (n_t + 0.5)), and each term's
    frequency f saturates as f (k1 + 1) / (f + k1 (1 - b + b |p| / avg|p|))."""

    def __init__(self, items: Iterable[Passage]):
        self.passages = list(items)
        self.terms = [Counter(tokens(f"{p.heading} {p.text}")) for p in self.passages]
        self.lengths = [sum(counts.values()) for counts in self.terms]
        self.average_length = sum(self.lengths) / len(self.lengths) if self.lengths else 0.0
        frequency = Counter(term for counts in self.terms for term in counts)
        count = len(self.passages)
        self.idf = {
            term: math.log(1 + (count - n + 0.5) / (n + 0.5)) for term, n in frequency.items()
        }

    def score(self, query: str, position: int) -> float:
        counts, length = self.terms[position], self.lengths[position]
        total = 0.0
        for term in tokens(query):
            frequency = counts.get(term, 0)
            if frequency:
                norm = K1 * (1 - B + B * length / self.average_length)
                total += self.idf[term] * frequency * (K1 + 1) / (frequency + norm)
        return total

    def search(self, query: str, limit: int = 3) -> list[tuple[float, Passage]]:
        """The best passages for ``query``, best first; passages that match no term are left out."""
        scored = [(self.score(query, i), i) for i in range(len(self.passages))]
        ranked = sorted((item for item in scored if item[0] > 0), key=lambda item: -item[0])
        return [(score, self.passages[i]) for score, i in ranked[:limit]]


def local_notes(folder: Path = LOCAL_FOLDER) -> dict[str, str]:
    """The notes of a folder (its README.md describes the folder: it is not a note)."""
    if not folder.is_dir():
        return {}
    notes = sorted(path for path in folder.glob("*.md") if path.name != "README.md")
    return {path.name: path.read_text() for path in notes}


def bucket_notes(bucket: str) -> dict[str, str]:
    import boto3

    s3 = boto3.client("s3")
    notes = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=PREFIX):
        for item in page.get("Contents", []):
            if item["Key"].endswith(".md") and item["Key"] != f"{PREFIX}README.md":
                body = s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
                notes[item["Key"].removeprefix(PREFIX)] = body.decode()
    return notes


@cache
def knowledge_base() -> Index:
    """The index of this deployment's notes, built once per process."""
    bucket = os.environ.get("DATA_BUCKET")
    notes = bucket_notes(bucket) if bucket else local_notes()
    return Index(p for source, text in notes.items() for p in passages(source, text))


def market_insights(query: str, limit: int = 3) -> list[Passage]:
    return [passage for _, passage in knowledge_base().search(query, limit)]
