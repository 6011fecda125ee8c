"""Build data/lexicon/antonyms.tsv (word, part of speech, antonym) from WordNet 3.0's data
files: the direct antonym pointers ('!') of verbs, adjectives and adverbs, one pair per line.

Usage: python tools/build_antonyms.py WORDNET_DICT_DIR > data/lexicon/antonyms.tsv
(WORDNET_DICT_DIR holds data.verb, data.adj, data.adv, e.g. /usr/share/wordnet from Debian's
wordnet-base package.)
"""

from __future__ import annotations

import sys
from pathlib import Path

POS = {"verb": "v", "adj": "a", "adv": "r"}


def synsets(path: Path) -> dict[str, tuple[list[str], list[tuple[str, str, str]]]]:
    """offset -> (its words, its antonym pointers as (target offset, source no, target no))."""
    out = {}
    for line in path.read_text(encoding="latin-1").splitlines():
        if line.startswith("  "):
            continue  # the licence header
        fields = line.split(" | ")[0].split()
        offset, count = fields[0], int(fields[3], 16)
        words = [fields[4 + 2 * i].lower().split("(")[0] for i in range(count)]
        k = 4 + 2 * count
        pointers = []
        for j in range(int(fields[k])):
            symbol, target, _, st = fields[k + 1 + 4 * j : k + 5 + 4 * j]
            if symbol == "!":
                pointers.append((target, st[:2], st[2:]))
        out[offset] = (words, pointers)
    return out


def main(folder: Path) -> None:
    pairs = set()
    for name, pos in POS.items():
        table = synsets(folder / f"data.{name}")
        for words, pointers in table.values():
            for target, source, goal in pointers:
                a = words[int(source, 16) - 1]
                b = table[target][0][int(goal, 16) - 1]
                if "_" not in a and "_" not in b:
                    pairs.add((a, pos, b))
    for a, pos, b in sorted(pairs):
        print(f"{a}\t{pos}\t{b}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
