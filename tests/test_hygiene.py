from __future__ import annotations

from retrieval.hygiene import check, infer_owner
from retrieval.models import Paper
from retrieval.names import clean_name, unify_names
from retrieval.profile import ParseProblem


def paper(pid: str, title: str, authors: list[str], year: int | None, **kw: object) -> Paper:
    return Paper.model_validate({"id": pid, "title": title, "authors": authors, "year": year, **kw})


def test_clean_name_handles_every_source_form() -> None:
    assert clean_name("Stretcu, Otilia<nobr><em>*</em></nobr>") == "Otilia Stretcu"
    assert clean_name("Molin Zhang*") == "Molin Zhang"
    assert clean_name("Zhang, Yichi†") == "Yichi Zhang"
    assert clean_name("Anandkumar,Animashree") == "Animashree Anandkumar"
    assert clean_name("Miller III, Thomas F") == "Thomas F Miller III"
    assert clean_name("Smith, Jr., John") == "John Smith Jr"
    assert clean_name("de la Iglesia, Alex") == "Alex de la Iglesia"
    assert clean_name(r"M{\"u}ller, J{\"o}rg") == "Jörg Müller"


def test_unify_names_is_conservative() -> None:
    canonical, similar = unify_names(
        [
            ["Thomas F Miller III", "Anima Anandkumar", "Y. Zhang"],
            ["Thomas F. Miller", "Animashree Anandkumar", "Yichi Zhang"],
            ["thomas f miller", "T. Miller", "Yue Zhang"],
        ]
    )
    assert {canonical[n] for n in ("Thomas F. Miller", "thomas f miller", "T. Miller")} == {
        "Thomas F Miller III"
    }
    assert canonical["Y. Zhang"] == "Y. Zhang"  # Yichi or Yue: ambiguous, left alone
    assert canonical["Anima Anandkumar"] != canonical["Animashree Anandkumar"]
    assert similar == [("Anima Anandkumar", "Animashree Anandkumar")]


def test_owner_is_inferred_only_when_clear() -> None:
    own = [paper(f"p{i}", f"Paper {i}", ["Ada Lovelace", f"Co {i}"], 2020) for i in range(3)]
    assert infer_owner(own) == "Ada Lovelace"
    library = [paper(f"p{i}", f"Paper {i}", [f"Author {i}"], 2020) for i in range(5)]
    assert infer_owner(library) is None


def test_not_by_owner_needs_both_absence_and_distance() -> None:
    papers = [
        paper("a", "Graphs", ["Ada Lovelace"], 2020),
        paper("b", "Tables", ["Ada Lovelace", "Bob"], 2022),
        paper("c", "Relativity", ["Albert Einstein"], 1905),
        paper("d", "Recent survey", ["Someone Else"], 2021),  # not hers, but in her years
        paper("e", "Old, truncated", ["Someone Else"], 1950, authors_truncated=True),
    ]
    checked = check(papers, owner="Ada Lovelace")
    assert [p.id for p in checked.excluded] == ["c"]
    assert [p.id for p in checked.papers] == ["a", "b", "d", "e"]
    assert [p.id for p in check(papers, owner="Ada Lovelace", keep_all=True).papers] == list(
        "abcde"
    )


def test_duplicates_merge_and_report_skips() -> None:
    papers = [
        paper("x", "Tables as Programs", ["Ada Lovelace"], 2022, arxiv_id="2301.00001",
              abstract="Tables are programs."),
        paper("x-2", "Tables as programs.", ["A. Lovelace"], 2023, venue="ICLR"),
        paper("y", "Something Else Entirely", ["Ada Lovelace"], 2021, arxiv_id="2301.00001"),
    ]  # fmt: skip
    checked = check(papers, [ParseProblem(line=7, message="malformed")])
    report = checked.report
    assert report.papers == 2 and [s.line for s in report.skipped] == [7]
    kept = checked.papers[0]
    assert kept.id == "x-2" and kept.abstract == "Tables are programs."  # filled from x
    assert [v.id for v in kept.versions] == ["x"]
    assert [w.kind for w in report.warnings] == [
        "name_variants", "no_abstract", "shared_identifier", "duplicate"
    ]  # fmt: skip
    assert papers[1].versions == []  # the input is never changed
    dumped = report.model_dump()
    assert set(dumped) >= {"papers", "skipped", "warnings"}
    assert set(dumped["warnings"][0]) == {"kind", "papers", "detail", "file"}  # file: folders
    assert "2 papers" in report.summary()
