from __future__ import annotations

import pytest

from retrieval.latex import clean_latex, extract_urls, github_url, make_id, unique_id


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        (r"\textbf{D}ETR with de\textbf{N}oising", "DETR with deNoising"),
        (r"achieves $49.4$AP in $12$ epochs", "achieves 49.4 AP in 12 epochs"),
        (r"of $\textbf{+6.0}$\textbf{AP} and", "of +6.0 AP and"),
        (r"test-dev (\textbf{$\textbf{63.3}$AP}).", "test-dev (63.3 AP)."),
        (r"COCO \texttt{val2017} set", "COCO val2017 set"),
        (r"at \url{https://github.com/IDEACVR/DINO}.", "at https://github.com/IDEACVR/DINO."),
        (r"(aka H$^2$VQ) and", "(aka H2VQ) and"),
        (r"a way to ``understand'' ideas", 'a way to "understand" ideas'),
        (r"\emph{very} \textit{much} \mathbf{x}", "very much x"),
        (r"as shown \cite{smith2020, doe2021}.", "as shown."),
        (r"Fig.~3 shows 5\% gains", "Fig. 3 shows 5% gains"),
        (r"GAE ($\lambda=1$, $γ=1$)", "GAE (λ=1, γ=1)"),
        (r"paradigm ``$\hbox{LLM}\otimes\hbox{KG}$''", 'paradigm "LLM⊗KG"'),
        (r"Schr{\"o}dinger and Erd\H{o}s", "Schrödinger and Erdős"),
        ("many\n   lines\there", "many lines here"),
        (r"$10\,000$ hyphen\-ated", "10 000 hyphenated"),
    ],
)
def test_clean_latex(raw: str, clean: str) -> None:
    assert clean_latex(raw) == clean


def test_tex_comment_is_removed_but_percentages_stay() -> None:
    raw = r"an object detector. % in this paper. DINO improves 94.5% and 5 % of it."
    assert clean_latex(raw) == "an object detector. DINO improves 94.5% and 5 % of it."


def test_href_keeps_the_link_once_and_urls_survive_cleaning() -> None:
    url = "https://github.com/QwenLM/Qwen-Image-Layered"
    assert clean_latex(rf"released on \href{{{url}}}{{{url}}}") == f"released on {url}"
    assert clean_latex(r"see \url{https://x.org/~me/a_b%20c}") == "see https://x.org/~me/a_b%20c"


def test_extract_urls_strips_sentence_punctuation_and_dedupes() -> None:
    raw = (
        r"Code: \url{https://github.com/IDEACVR/DINO}. Page (https://a.github.io/x), "
        r"again https://github.com/IDEACVR/DINO and https://en.wikipedia.org/wiki/A_(b)."
    )
    assert extract_urls(raw) == [
        "https://github.com/IDEACVR/DINO",
        "https://a.github.io/x",
        "https://en.wikipedia.org/wiki/A_(b)",
    ]


def test_github_url_skips_project_pages() -> None:
    urls = ["https://seanchenxy.github.io/HandAvatarWeb", "https://github.com/HKUST-SAIL/NoiseAR/"]
    assert github_url(urls) == "https://github.com/HKUST-SAIL/NoiseAR"
    assert github_url(urls[:1]) is None


def test_make_id_is_a_readable_slug() -> None:
    title = "DINO: DETR with Improved DeNoising Anchor Boxes for End-to-End Object Detection"
    assert make_id(title) == "dino-detr-with-improved-denoising-anchor"
    assert make_id('The $\\alpha$-Schr\\"odinger Bridge') == "schrodinger-bridge"
    assert make_id("深度学习").startswith("paper-")


def test_unique_id_suffixes_duplicates() -> None:
    seen: dict[str, int] = {}
    assert [unique_id("x", seen) for _ in range(3)] == ["x", "x-2", "x-3"]
    # An id that already looks like a suffixed one is not handed out twice.
    assert [unique_id("y-2", seen), unique_id("y", seen), unique_id("y", seen)] == [
        "y-2",
        "y",
        "y-3",
    ]
