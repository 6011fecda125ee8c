"""What a website repository says about its owner and address: Hugo author profiles
(`data/authors/*.yaml`, `content/authors/<key>/_index.md`), Jekyll's `_config.yml`
(academicpages `author.name`, al-folio `first_name`/`last_name`, `url` + `baseurl`) and Hugo's
config (`baseURL`). Template defaults ("Your Name") are not an owner.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from retrieval.formats.frontmatter import FrontMatterError, load_yaml, read_front_matter
from retrieval.formats.sitefields import OWNER_KEYS, SiteContext

# Folders a site keeps its publications in: the site root is above them.
SITE_FOLDERS = frozenset(
    ("_data", "_publications", "_bibliography", "content", "publication", "publications")
)
_TEMPLATE_NAMES = re.compile(r"^(?:your (?:sidebar |full )?name|first last|nelson bighetti)$", re.I)
_HUGO_CONFIGS = [
    f"{folder}{name}.{ext}"
    for folder in ("", "config/_default/")
    for name in ("hugo", "config", "params")
    for ext in ("yaml", "yml", "toml")
]


@dataclass
class SiteProfile:
    owner: str | None = None
    owner_file: str = ""
    names: dict[str, str] = field(default_factory=dict)  # author key -> display name
    files: dict[str, str] = field(default_factory=dict)  # author key -> its file
    base_url: str | None = None


def site_root(path: Path) -> Path:
    """The repository root above a publications folder or file (the folder itself otherwise)."""
    folder = path if path.is_dir() else path.parent
    for _ in range(3):
        if folder.name not in SITE_FOLDERS or folder.parent == folder:
            break
        folder = folder.parent
    return folder


def _read(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None
    if path.suffix == ".toml":
        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError:
            return None
    return load_yaml(text)


def _name(data: Any) -> str | None:
    """A display name from a profile: `name: {display | given + family}`, `name`, `title`."""
    if not isinstance(data, dict):
        return None
    name = data.get("name")
    if isinstance(name, dict):
        name = name.get("display") or " ".join(
            str(name[k]) for k in ("given", "family") if name.get(k)
        )
    name = name or data.get("title")
    if not isinstance(name, str) or not name.strip() or _TEMPLATE_NAMES.match(name.strip()):
        return None
    return " ".join(name.split())


def _hugo_profiles(root: Path, out: SiteProfile) -> None:
    folder = root / "data" / "authors"
    data_files = sorted(folder.glob("*")) if folder.is_dir() else []
    pages = sorted((root / "content" / "authors").glob("*/_index.md"))
    pages += sorted((root / "content" / "authors").glob("*/index.md"))
    for path in data_files:
        if path.suffix.lower() not in (".yaml", ".yml", ".json", ".toml"):
            continue
        data = _read(path)
        key = str(data.get("slug") or path.stem) if isinstance(data, dict) else path.stem
        _add(out, key, _name(data), data, path.relative_to(root).as_posix())
    for path in pages:
        try:
            meta = read_front_matter(path.read_text(encoding="utf-8-sig")).meta
        except (FrontMatterError, OSError, UnicodeDecodeError):
            continue
        _add(out, path.parent.name, _name(meta), meta, path.relative_to(root).as_posix())


def _add(out: SiteProfile, key: str, name: str | None, data: Any, where: str) -> None:
    if not name or key in out.names:
        return
    out.names[key], out.files[key] = name, where
    owner_flag = isinstance(data, dict) and (
        data.get("is_owner") is True or data.get("superuser") is True
    )
    if out.owner is None and (owner_flag or key in OWNER_KEYS):
        out.owner, out.owner_file = name, where


def _jekyll(root: Path, out: SiteProfile) -> None:
    data = _read(root / "_config.yml")
    if not isinstance(data, dict):
        return
    author = data.get("author")
    full = " ".join(str(data[k]) for k in ("first_name", "middle_name", "last_name") if data.get(k))
    name = _name(author) if isinstance(author, dict) else _name({"name": author})
    name = name or _name({"name": full})
    if out.owner is None and name:
        out.owner, out.owner_file = name, "_config.yml"
    url = data.get("url")
    if out.base_url is None and isinstance(url, str) and url.startswith(("http://", "https://")):
        base = data.get("baseurl")
        out.base_url = url.rstrip("/") + ("/" + base.strip("/") if isinstance(base, str) else "")


def _hugo_config(root: Path, out: SiteProfile) -> None:
    for name in _HUGO_CONFIGS:
        data = _read(root / name) if (root / name).is_file() else None
        url = data.get("baseURL") or data.get("baseurl") if isinstance(data, dict) else None
        if isinstance(url, str) and url.startswith(("http://", "https://")):
            out.base_url = url
            return


def site_profile(root: Path) -> SiteProfile:
    """The owner, author keys and base URL the site at `root` declares (all optional)."""
    out = SiteProfile()
    _hugo_profiles(root, out)
    _jekyll(root, out)
    if out.base_url is None:
        _hugo_config(root, out)
    return out


def context_for(profile: SiteProfile, owner: str | None) -> SiteContext:
    """The records' context: the given owner wins over the site's own profile."""
    return SiteContext(
        owner=owner or profile.owner,
        owner_source="--owner" if owner else profile.owner_file,
        profiles=dict(profile.names),
        profile_files=dict(profile.files),
        base_url=profile.base_url,
    )
