"""The abstention cut, calibrated per corpus and per embedder at index time.

A fixed cosine cut does not travel: MiniLM and OpenAI embeddings live on different scales,
and a corpus whose papers are all about one field scores every question about that field
high. So the corpus is scored against two banks of questions, with the embedder it is
indexed with: generic off-topic questions (general knowledge, everyday life: no corpus
knows them) and questions made from a sample of its own titles (the words a user would
use to ask about that paper). The cut sits between the off-topic scores' high end and the
on-topic scores' low end. It is stored with the index (Chroma collection metadata), keyed
by the corpus content and the embedder, and the static setting is the fallback.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Sequence

import numpy as np
from pydantic import BaseModel, Field

from retrieval.models import Paper
from retrieval.text import STOPWORDS

# General questions no research corpus answers: everyday life, geography, history, sport,
# cooking, health, travel, money. Not tuned to any corpus.
OFF_TOPIC = (
    "What is the capital of Australia?",
    "How do I bake sourdough bread at home?",
    "Who won the football world cup in 1998?",
    "What is a good recipe for vegetable soup?",
    "How tall is Mount Everest?",
    "When did the Roman Empire fall?",
    "How do I change a flat bicycle tire?",
    "What are the symptoms of the common cold?",
    "Which city hosted the 2012 Summer Olympics?",
    "How much water should a person drink each day?",
    "What is the best time of year to visit Japan?",
    "How do I grow tomatoes on a balcony?",
    "Who painted the Mona Lisa?",
    "What is the plot of Pride and Prejudice?",
    "How do I open a savings account at a bank?",
    "What is the population of Brazil?",
    "How long should I boil an egg?",
    "Which planet is the largest in the solar system?",
    "What is the history of the Eiffel Tower?",
    "How do I train my dog to sit?",
    "What are the rules of chess castling?",
    "How do I remove a coffee stain from a shirt?",
    "Who was the first president of the United States?",
    "What causes earthquakes?",
    "How do I knit a scarf?",
    "What is the exchange rate between euros and dollars?",
    "Which wines go well with fish?",
    "How many bones are in the human body?",
    "What should I pack for a beach holiday?",
    "How do volcanoes form?",
    "What is the meaning of the word serendipity?",
    "Who wrote the opera The Magic Flute?",
    "How do I fix a leaking kitchen tap?",
    "What is the tallest building in the world?",
    "How do I improve my marathon running time?",
    "What are the main ingredients of a Caesar salad?",
    "When is the best season to plant roses?",
    "What is the speed of sound in air?",
    "How do bees make honey?",
    "Which countries border Switzerland?",
)
# Research questions from many fields: near-field questions are what a fixed cut lets
# through. A corpus may be about one of these fields; the cut uses a high quantile of the
# whole bank, so a few in-field questions cannot move it far.
OFF_FIELD = (
    "How do glaciers respond to rising ocean temperatures?",
    "What causes protein misfolding in neurodegenerative disease?",
    "How does monetary policy affect inflation expectations?",
    "Which soil bacteria fix nitrogen for legumes?",
    "How do coral reefs recover after bleaching events?",
    "What is the role of dopamine in addiction?",
    "How did the printing press change European literacy?",
    "What determines the yield strength of steel alloys?",
    "How do vaccines train the adaptive immune system?",
    "What are the effects of minimum wage laws on employment?",
    "How do black holes emit Hawking radiation?",
    "Which catalysts speed up ammonia synthesis?",
    "How does sleep deprivation affect memory consolidation?",
    "What drives the migration of monarch butterflies?",
    "How are earthquakes predicted from seismic data?",
    "What is the structure of the ribosome?",
    "How do central banks set interest rates?",
    "What causes antibiotic resistance in hospitals?",
    "How does urban design affect walking and cycling?",
    "What is the history of the Byzantine tax system?",
    "How do plants sense gravity in their roots?",
    "What are the side effects of chemotherapy drugs?",
    "How does groundwater contamination spread?",
    "What shaped the grammar of early Latin?",
    "How do superconductors lose resistance at low temperature?",
    "Which factors predict student dropout in secondary schools?",
    "How do wind turbines convert wind into electricity?",
    "What is the genetic basis of lactose tolerance?",
    "How do courts interpret constitutional rights?",
    "What limits the efficiency of perovskite solar cells?",
    "How is blood pressure regulated by the kidneys?",
    "What causes traffic congestion in large cities?",
    "How did dinosaurs evolve into birds?",
    "What are the risk factors of type 2 diabetes?",
    "How do tides depend on the moon?",
    "How do stock prices react to earnings announcements?",
    "What is the chemistry of concrete curing?",
    "How do bats navigate with echolocation?",
    "What is the prognosis of pediatric asthma?",
    "How do migrants choose where to settle?",
)
TITLE_SAMPLE = 120
WORD = re.compile(r"[A-Za-z][A-Za-z0-9\-]+")


class Calibration(BaseModel):
    """The cuts for one corpus and one embedder, with the scores they came from."""

    min_relevance: float = Field(
        description="Best-hit cosine from which a hit is about the question outright."
    )
    min_named_relevance: float = Field(
        description="Halfway from a typical off-topic score to the cut between the banks: "
        "below it the code abstains; from it up to min_relevance the record must hold the "
        "question's named terms or topic words."
    )
    off_topic_high: float = Field(description="95th percentile of off-topic best scores.")
    on_topic_low: float = Field(description="10th percentile of title-question best scores.")
    separated: bool = Field(description="Whether the two banks' ranges did not overlap.")
    corpus: str = Field(description="Hash of the corpus content it was computed on.")
    embedder: str = Field(description="Fingerprint of the embedder.")
    questions: int = Field(description="Questions scored (off-topic + title).")


def corpus_key(papers: Sequence[Paper]) -> str:
    digest = hashlib.sha256()
    for line in sorted(f"{p.id}:{p.content_hash()}" for p in papers):
        digest.update(line.encode())
    return digest.hexdigest()[:16]


def title_questions(papers: Sequence[Paper], n: int = TITLE_SAMPLE) -> list[str]:
    """A question per sampled title, from part of its words (a user rarely types the whole
    title): 'Which paper is about {first half of the title's content words}?'"""
    if not papers:
        return []
    step = max(1, len(papers) // n)
    out = []
    for paper in list(papers)[::step][:n]:
        words = [w for w in WORD.findall(paper.title) if w.lower() not in STOPWORDS]
        if len(words) < 2:
            continue
        part = words[: max(2, (len(words) + 1) // 2)]
        out.append(f"Which paper is about {' '.join(part)}?")
    return out


def best_scores(vectors: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """For each query, its best cosine over the corpus (vectors are unit length)."""
    if len(vectors) == 0 or len(queries) == 0:
        return np.zeros(len(queries), np.float32)
    best = np.full(len(queries), -1.0, np.float32)
    for start in range(0, len(vectors), 20000):  # bounded memory at 100k papers
        block = vectors[start : start + 20000] @ queries.T
        best = np.maximum(best, block.max(axis=0))
    return best


def cut_between(off: np.ndarray, on: np.ndarray) -> tuple[float, bool]:
    """Midway between the off-topic high end and the on-topic low end; when they overlap,
    the cut that misclassifies the fewest of both banks."""
    off_high = float(np.quantile(off, 0.95))
    on_low = float(np.quantile(on, 0.10))
    if on_low > off_high:
        return (off_high + on_low) / 2, True
    candidates = np.unique(np.concatenate([off, on]))
    errors = [int((off >= c).sum() + (on < c).sum()) for c in candidates]
    return float(candidates[int(np.argmin(errors))]), False


def calibrate(
    papers: Sequence[Paper],
    vectors: np.ndarray,
    encode: Callable[[list[str]], np.ndarray],
    embedder: str,
) -> Calibration | None:
    """Score both banks against the corpus's vectors; None when the corpus is too small to
    make title questions from (the static cut is used then)."""
    titles = title_questions(papers)
    if len(titles) < 3:
        return None
    vectors = _unit(vectors)
    off = best_scores(vectors, _unit(encode([*OFF_TOPIC, *OFF_FIELD])))
    on = best_scores(vectors, _unit(encode(titles)))
    cut, separated = cut_between(off, on)
    # Two levels: above most title questions' scores (their lower quartile) a hit is about
    # the question outright; between the cut and there, the record must also hold the
    # question's named terms or topic words (evidence.select.relevant).
    strong = max(cut, float(np.quantile(on, 0.25)))
    return Calibration(
        min_relevance=round(strong, 4),
        min_named_relevance=round((float(np.median(off)) + cut) / 2, 4),
        off_topic_high=round(float(np.quantile(off, 0.95)), 4),
        on_topic_low=round(float(np.quantile(on, 0.10)), 4),
        separated=separated,
        corpus=corpus_key(papers),
        embedder=embedder,
        questions=len(OFF_TOPIC) + len(OFF_FIELD) + len(titles),
    )


def dumps(calibration: Calibration) -> str:
    return json.dumps(calibration.model_dump())


def loads(text: str | None) -> Calibration | None:
    if not text:
        return None
    try:
        return Calibration.model_validate_json(text)
    except ValueError:
        return None  # written by another version: recalibrated at the next sync


def _unit(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1.0, norms)
