"""The `answer` stage of `paperchat bench`: the embedded llama.cpp model through the
pipeline, against llama.cpp's own timings for the same requests."""

from __future__ import annotations

import re
import statistics
import time
from functools import partial
from pathlib import Path

from assistant.bench.measure import Row, log, timed
from assistant.settings import Settings
from retrieval.embedder import Embedder
from retrieval.models import CorpusInfo, Paper

ANSWER_QUESTIONS = 5


LLAMA_PERF = re.compile(
    r"prompt eval time =\s*([\d.]+) ms /\s*(\d+) tokens.*\n.*?\beval time =\s*([\d.]+) ms /\s*(\d+)"
)
PREFIX_HIT = re.compile(r"(\d+) prefix-match hit, remaining (\d+) prompt tokens")


def llama_timings(log_text: str) -> Row | None:
    """llama.cpp's own figures for the last request in a server log segment."""
    perf = LLAMA_PERF.findall(log_text)
    if not perf:
        return None
    prompt_ms, prompt_n, gen_ms, gen_n = perf[-1]
    hit = PREFIX_HIT.findall(log_text)
    return {
        "prompt_ms": float(prompt_ms),
        "prompt_evaluated": int(prompt_n),
        "prefix_cached": int(hit[-1][0]) if hit else 0,
        "gen_ms": float(gen_ms),
        "gen_tokens": int(gen_n),
    }


def stage_answer(
    settings: Settings, data_dir: Path, papers: list[Paper], info: CorpusInfo | None, emb: Embedder
) -> Row:
    """Each answer through the pipeline, then the same messages straight to llama.cpp with
    its prompt cache emptied by an unrelated request first."""
    from assistant.api import Assistant
    from assistant.eval.evaluate import DEFAULT_SET, load_questions
    from assistant.model.client import response_format
    from assistant.model.replies import SENTENCES_SCHEMA
    from assistant.model.server import LlamaServer
    from assistant.types import AnswerEvent, SourcesEvent, TextEvent

    s = settings.model_copy(deep=True)
    s.paths.data_dir = data_dir
    server, start_s = timed(lambda: LlamaServer.shared(s))
    assistant = Assistant(s, embedder=emb, papers=papers, info=info)
    client = assistant.chat_model.client  # type: ignore[attr-defined]
    alias, log_path = server.model_alias, Path(str(server.log_path))
    if DEFAULT_SET.exists():
        questions = [q.question for q in load_questions(DEFAULT_SET) if q.kind == "lookup"]
    else:
        questions = [f"What does {p.title.split(':')[0]} achieve?" for p in papers]

    def llama_since(mark: int) -> Row | None:
        time.sleep(0.3)  # llama.cpp prints its timings just after the last chunk
        return llama_timings(log_path.read_text(errors="replace")[mark:])

    rows = []
    try:
        for question in questions[:ANSWER_QUESTIONS]:
            log(f"answer: {question}")
            prepared = assistant.pipeline.prepare(question)
            mark, t0, row = log_path.stat().st_size, time.perf_counter(), Row()
            for event in assistant.stream(question):
                at = round(time.perf_counter() - t0, 3)
                if isinstance(event, SourcesEvent | TextEvent):
                    row.setdefault("sources_s" if event.type == "sources" else "first_text_s", at)
                elif isinstance(event, AnswerEvent):
                    first = event.answer.timings.first_token
                    row |= {"total_s": at, "first_token_s": first and round(first, 3)}
            row |= {"question": question, "llama": llama_since(mark)}
            if prepared.final is None and row["llama"]:
                own = row["llama"]["prompt_ms"] + row["llama"]["gen_ms"]
                row["overhead_s"] = round(row["total_s"] - own / 1000, 3)
                client.chat.completions.create(
                    model=alias, max_tokens=1, messages=[{"role": "user", "content": "ok"}]
                )
                mark = log_path.stat().st_size
                call = partial(
                    client.chat.completions.create,
                    model=alias,
                    messages=assistant.pipeline.messages(prepared),
                    temperature=s.llm.temperature,
                    max_tokens=s.llm.max_tokens,
                    response_format=response_format("llamacpp", SENTENCES_SCHEMA),
                )
                reply, direct_s = timed(call)
                row["direct"] = {"wall_s": round(direct_s, 3), "llama": llama_since(mark),
                                 "prompt_tokens": reply.usage.prompt_tokens,
                                 "completion_tokens": reply.usage.completion_tokens}  # fmt: skip
                row["ratio_total_to_direct"] = round(row["total_s"] / direct_s, 2)
                if row["direct"]["llama"]:  # the server's own share: sampling, grammar, HTTP
                    d = row["direct"]["llama"]
                    row["direct"]["overhead_s"] = round(
                        direct_s - (d["prompt_ms"] + d["gen_ms"]) / 1000, 3
                    )
            rows.append(row)
    finally:
        server.stop()
    direct = [r["direct"] for r in rows if r.get("direct", {}).get("llama")]

    def med(xs: list[float]) -> float | None:
        return round(statistics.median(xs), 3) if xs else None

    return {
        "server_start_s": round(start_s, 1),
        "model": alias,
        "threads": s.llm.threads,
        "rows": rows,
        "median_total_s": med([r["total_s"] for r in rows if "direct" in r]),
        "median_direct_s": med([d["wall_s"] for d in direct]),
        "median_overhead_s": med([r["overhead_s"] for r in rows if "overhead_s" in r]),
        "median_direct_overhead_s": med([d["overhead_s"] for d in direct]),
        "median_prompt_tokens": med([d["prompt_tokens"] for d in direct]),
        "llama_prompt_tok_s": med([1000 * d["llama"]["prompt_evaluated"] / d["llama"]["prompt_ms"]
                                   for d in direct if d["llama"]["prompt_ms"]]),
        "llama_gen_tok_s": med([1000 * d["llama"]["gen_tokens"] / d["llama"]["gen_ms"]
                                for d in direct if d["llama"]["gen_ms"]]),
    }  # fmt: skip
