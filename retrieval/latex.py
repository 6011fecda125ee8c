"""Turn source text (arXiv abstracts, BibTeX fields) into the clean text we index and show.

Abstracts arrive with LaTeX markup (``\\textbf{D}ETR``, ``$49.4$AP``, ``\\url{...}``); the
embedder, BM25 and the reader all want the words, not the markup. This is deliberately a
small rewriter, not a TeX engine: unknown commands keep their arguments and lose their name.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import urlsplit

_URL_RE = re.compile(r"https?://[^\s{}<>\\\"]+")
_TRAILING_PUNCT = ".,;:!?'\"]}>"

# Commands whose argument is not prose: citations and cross references are dropped whole.
_DROP_RE = re.compile(
    r"\\(?:cite[a-z]*|ref|eqref|autoref|cref|Cref|label|footnote)\*?(?:\[[^\]]*\])*\{[^{}]*\}"
)
_COMMAND_RE = re.compile(r"\\([A-Za-z]+)\*?")
_SYMBOLS = {
    "otimes": "⊗", "oplus": "⊕", "times": "×", "cdot": "·", "pm": "±", "mp": "∓",
    "leq": "≤", "le": "≤", "geq": "≥", "ge": "≥", "neq": "≠", "approx": "≈", "sim": "∼",
    "rightarrow": "→", "to": "→", "leftarrow": "←", "Rightarrow": "⇒", "infty": "∞",
    "ldots": "...", "dots": "...", "cdots": "...", "circ": "°", "degree": "°",
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "varepsilon": "ε",
    "zeta": "ζ", "eta": "η", "theta": "θ", "kappa": "κ", "lambda": "λ", "mu": "μ", "nu": "ν",
    "xi": "ξ", "pi": "π", "rho": "ρ", "sigma": "σ", "tau": "τ", "phi": "φ", "varphi": "φ",
    "chi": "χ", "psi": "ψ", "omega": "ω", "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ",
    "Lambda": "Λ", "Sigma": "Σ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω",
    "ss": "ß", "o": "ø", "O": "Ø", "ae": "æ", "AE": "Æ", "aa": "å", "AA": "Å", "l": "ł", "L": "Ł",
    "i": "ı", "LaTeX": "LaTeX", "TeX": "TeX",
}  # fmt: skip
_ACCENTS = {"'": "\u0301", "`": "\u0300", "^": "\u0302", '"': "\u0308", "~": "\u0303",
            "=": "\u0304", ".": "\u0307", "c": "\u0327", "v": "\u030c", "u": "\u0306",
            "H": "\u030b", "k": "\u0328"}  # fmt: skip
_ACCENT_RE = re.compile(r"\\([`'^\"~=.])\s*\{?\\?([A-Za-z])\}?|\\([cvuHk])\s*\{\\?([A-Za-z])\}")
# Escaped characters, plus math spacing (\, \;) and hyphenation hints (\-) that carry no text.
_ESCAPES = {"%": "%", "&": "&", "_": "_", "#": "#", "$": "$", "{": "{", "}": "}", " ": " ",
            ",": " ", ";": " ", ":": " ", "!": "", "-": ""}  # fmt: skip
_NUMBER_RE = re.compile(r"[+-]?\d[\d.,]*%?")
# A TeX comment flattened into the paragraph: a bare '%' after a space (percentages always
# follow a digit), running to the end of its sentence.
_COMMENT_RE = re.compile(r"(?:^|(?<=\s))(?<!\d\s)%[^.\n]*(?:\.|$)", re.MULTILINE)


def _protect(text: str, store: list[str]) -> str:
    """Swap URLs for placeholders so '~', '%' and '_' inside them survive the rewriting."""

    def keep(value: str) -> str:
        store.append(value)
        return f"\x00{len(store) - 1}\x00"

    def href(m: re.Match[str]) -> str:
        url, label = m.group(1).strip(), m.group(2).strip()
        return keep(url) if label in ("", url) else f"{label} ({keep(url)})"

    text = re.sub(r"\\href\s*\{([^{}]*)\}\s*\{([^{}]*)\}", href, text)
    text = re.sub(r"\\url\s*\{([^{}]*)\}", lambda m: keep(m.group(1).strip()), text)
    return _URL_RE.sub(lambda m: keep(m.group(0)), text)


def _strip_commands(text: str) -> str:
    """Drop citations, map symbols, and keep the arguments of every other command."""
    text = _DROP_RE.sub("", text)
    text = _COMMAND_RE.sub(lambda m: _SYMBOLS.get(m.group(1), ""), text)
    return text.replace("{", "").replace("}", "")


def _math(m: re.Match[str]) -> str:
    """Inline math keeps its content; a bare number glued to a unit gets a space ($49.4$AP)."""
    raw = m.group(1) if m.group(1) is not None else m.group(2)
    body = _strip_commands(raw.replace("^", "").replace("_", "")).strip()
    text, start, end = m.string, m.start(), m.end()
    before = text[start - 1] if start else " "
    after = text[end] if end < len(text) else " "
    if _NUMBER_RE.fullmatch(body) and not before.isalnum() and (after.isalpha() or after == "\\"):
        body += " "
    return body


def _accent(m: re.Match[str]) -> str:
    mark, letter = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
    return unicodedata.normalize("NFC", letter + _ACCENTS[mark])


def clean_latex(text: str) -> str:
    """Plain text from LaTeX-flavoured text: markup removed, content and numbers kept."""
    urls: list[str] = []
    text = _protect(text, urls)
    text = re.sub(r"\\([%&_#${} ,;:!-])", lambda m: f"\x01{ord(m.group(1))}\x01", text)
    text = _COMMENT_RE.sub("", text)
    text = text.replace("``", '"').replace("''", '"')
    text = _ACCENT_RE.sub(_accent, text)
    text = re.sub(r"\$\$([^$]+)\$\$|(?<!\$)\$([^$]+)\$", _math, text)
    text = _strip_commands(re.sub(r"\\\\", " ", text)).replace("~", " ")
    text = re.sub(r"\x01(\d+)\x01", lambda m: _ESCAPES[chr(int(m.group(1)))], text)
    text = re.sub(r"\x00(\d+)\x00", lambda m: urls[int(m.group(1))], text)
    text = re.sub(r"\s+", " ", text)
    return re.sub(r" ([.,;:!?])(?= |$)", r"\1", text).strip()


def extract_urls(text: str) -> list[str]:
    """URLs in raw source text (bare or in \\url/\\href), without sentence punctuation."""
    found: list[str] = []
    for match in _URL_RE.finditer(text):
        url = match.group(0)
        while url and (
            url[-1] in _TRAILING_PUNCT or (url[-1] == ")" and url.count(")") > url.count("("))
        ):
            url = url[:-1]
        if url and url not in found:
            found.append(url)
    return found


def github_url(urls: list[str]) -> str | None:
    """The first github.com URL (a code repository, not a github.io project page)."""
    for url in urls:
        if urlsplit(url).netloc.lower() in ("github.com", "www.github.com"):
            return url.rstrip("/")
    return None


_STOPWORDS = frozenset(
    ("a", "an", "the", "of", "and", "or", "for", "on", "in", "to", "at", "by", "via", "from")
)


def make_id(title: str, words: int = 6) -> str:
    """Readable, stable id: a slug of the title's first significant words.

    Derived from the title alone so that re-ingesting a source yields the same ids and
    citations stay valid; callers make it unique in a corpus with `unique_id`.
    """
    ascii_title = unicodedata.normalize("NFKD", clean_latex(title))
    ascii_title = ascii_title.encode("ascii", "ignore").decode().lower()
    tokens = re.findall(r"[a-z0-9]+", ascii_title)
    significant = [t for t in tokens if t not in _STOPWORDS] or tokens
    slug = "-".join(significant[:words])
    return slug or "paper-" + hashlib.sha1(title.encode()).hexdigest()[:8]


def unique_id(base: str, seen: dict[str, int]) -> str:
    """`base`, or `base-2`, `base-3`... if taken; records the result in `seen`.

    `seen` maps each taken id to the next suffix to try, so a corpus with many copies of
    one title stays linear rather than rescanning -2, -3, ... for every copy.
    """
    if base not in seen:
        seen[base] = 2
        return base
    n = seen[base]
    while f"{base}-{n}" in seen:
        n += 1
    seen[base] = n + 1
    seen[f"{base}-{n}"] = 2
    return f"{base}-{n}"
