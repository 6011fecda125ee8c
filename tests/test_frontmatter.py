"""Property tests (hypothesis) for the website reader's front matter and records: any field
missing or of any YAML type, any text in a site file, and bad YAML in one file never losing
the others. The real sites are in test_sites.py."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

from retrieval.formats.common import draft_to_paper
from retrieval.formats.frontmatter import read_front_matter
from retrieval.formats.pagetext import clean_body
from retrieval.formats.site import load_site
from retrieval.formats.sitefields import SiteContext
from retrieval.formats.siterecord import site_entry
from retrieval.hygiene import HygieneWarning
from retrieval.models import Paper

FIELDS = [
    "title", "name", "authors", "author", "coauthors", "abstract", "excerpt", "summary",
    "description", "date", "year", "publishDate", "venue", "publication", "citation", "doi",
    "hugoblox", "ids", "links", "url_pdf", "url_code", "paperurl", "pdf", "tags", "keywords",
    "featured", "draft", "status", "award", "permalink", "arxiv", "url", "type",
]  # fmt: skip
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | TEXT | st.dates() | st.datetimes(),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(FIELDS), inner, max_size=3)
    ),
    max_leaves=12,
)
META = st.dictionaries(st.sampled_from(FIELDS), VALUES, max_size=8)
OWNERS = st.sampled_from([None, "Ada Lovelace"])


@settings(max_examples=300, deadline=None)
@given(META, TEXT, OWNERS, st.booleans())
def test_any_fields_of_any_type_give_a_paper_or_no_title(
    meta: dict[str, Any], body: str, owner: str | None, coauthor_style: bool
) -> None:
    ctx = SiteContext(owner=owner, coauthor_style=coauthor_style)
    try:
        entry = site_entry(meta, clean_body(body), ctx, stem="paper-2020")
    except ValueError as exc:
        assert str(exc) == "record has no title"
        return
    paper = draft_to_paper(entry.draft, {})
    assert paper.title and all(isinstance(a, str) and a for a in paper.authors)
    assert all(
        kind in HygieneWarning.model_fields["kind"].annotation.__args__  # type: ignore[union-attr]
        for kind, _ in entry.notes
    )


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(TEXT.filter(str.strip), VALUES.filter(lambda v: v == v), max_size=6), TEXT)
def test_front_matter_reads_what_yaml_reads(meta: dict[str, Any], body: str) -> None:
    dumped = yaml.safe_dump(meta, allow_unicode=True)
    page = read_front_matter("---\n" + dumped + "---\n" + body)
    assert page.meta == yaml.safe_load(dumped) and page.body.strip() == body.strip()


PIECES = st.sampled_from([
    "---\n", "+++\n", "title: ", "authors:\n", "  - ", "me", "abstract: |\n  ", "date: ",
    "2020-13-45", "2021-06-01", "[", "]", "{", "}", "'", '"', ": ", "\n", "- title: x\n",
    "<!-- ", " -->", "[Download paper here](/x.pdf)\n", "Recommended citation: A, B. (2020).",
    "citation: 'Kerner, H. R., and Bell III, J. F. (2021). &quot;T.&quot;'\n", "&amp;", "*",
    "draft: true\n", "status: wip\n", "coauthors: [A. B]\n", "links:\n  - name: PDF\n    url: ",
    "\t", "\x1f", "é", "$\\sim$", "{{< x >}}", "hugoblox:\n  ids:\n    doi: 10.1/x\n",
])  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(
    st.text(max_size=300) | st.lists(PIECES, max_size=40).map("".join),
    st.sampled_from([".md", ".yml", ".json"]),
)
@example(text="{\n{", suffix=".md")  # JSON front matter starts at its brace, not after '---'
def test_any_text_as_a_site_file_is_papers_or_problems(text: str, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"publications{suffix}"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        out = load_site(path)
    assert all(isinstance(p, Paper) for p in [*out.papers, *out.held_back])
    assert all(p.file == path.name and p.message for p in out.problems)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.booleans(), META), min_size=1, max_size=6))
def test_bad_yaml_in_one_file_never_loses_the_others(
    files: list[tuple[bool, dict[str, Any]]],
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        site = Path(folder)
        (site / "_publications").mkdir()
        for i, (broken, meta) in enumerate(files):
            fields = {**meta, "title": f"Study {i} of the {'xyzwvu'[i] * 4} engine"}
            text = "---\n" + yaml.safe_dump(fields, allow_unicode=True) + "---\nA body.\n"
            if broken:  # a quote left open as the block's last line: no later '"' closes it
                text = text.replace("\n---\nA body", '\nnote: "never closed\n---\nA body')
            (site / "_publications" / f"{i}.md").write_text(text, encoding="utf-8")
        out = load_site(site)
    read = sorted(int(p.title.split()[1]) for p in [*out.papers, *out.held_back])
    assert read == [i for i, (broken, _) in enumerate(files) if not broken]
    assert sorted(p.file for p in out.problems) == [
        f"_publications/{i}.md" for i, (broken, _) in enumerate(files) if broken
    ]
