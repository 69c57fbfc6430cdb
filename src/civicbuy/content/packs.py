"""Finding and parsing content-pack files: pairs of ``<slug>.en.yaml`` and ``<slug>.es.yaml``.

Parsing never writes anything. Every file of a pack is read and checked first (see
:func:`read_pack`); only a pack with no problem at all reaches the loader.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module, resources
from pathlib import Path
from typing import Any

import yaml

from civicbuy.config.parts import module_exists
from civicbuy.content.errors import ContentPackError, ContentPackErrors
from civicbuy.content.spec import FieldSpec, check_citations, check_document

LANGUAGES = ("en", "es")
MAX_FILE_BYTES = 512 * 1024

# Modules that declare content kinds (a module-level KINDS list). Parts that are not installed are skipped.
KIND_MODULES = ("civicbuy.website.content", "civicbuy.guide.content", "civicbuy.casestudies.content")


@dataclass
class PackPage:
    """One page of a pack in every language: the English data and its translations."""

    kind: Kind
    slug: str
    relative: str  # path of the English file relative to the pack root
    folder: tuple[str, ...]  # folders between the kind's base and the file (e.g. the stage)
    data: dict[str, dict[str, Any]] = field(default_factory=dict)  # language -> parsed file

    @property
    def english(self) -> dict[str, Any]:
        """The English file's data (it carries the untranslated fields)."""
        return self.data["en"]

    def merged(self, language: str) -> dict[str, Any]:
        """Fields for one language: untranslated fields from English, translated ones from the language."""
        result = {name: self.english.get(name) for name, spec in self.kind.fields.items() if not spec.translated}
        source = self.data.get(language, {})
        for name, spec in self.kind.fields.items():
            if spec.translated:
                result[name] = source.get(name)
        return result


@dataclass
class Kind:
    """A kind of page in the packs: where its files are, their fields, and how to load and export them."""

    name: str
    base: str  # folder under the pack root, e.g. "guide/steps"
    depth: int  # number of sub-folders between base and the files
    fields: dict[str, FieldSpec]
    order: int
    apply: Callable[[list[PackPage]], None]
    export: Callable[[], list[tuple[str, dict[str, dict[str, Any]]]]]
    check: Callable[[PackPage], list[ContentPackError]] | None = None


def bundled_pack() -> Path:
    """The content pack shipped inside the package."""
    return Path(str(resources.files("civicbuy.content").joinpath("packs")))


def kinds() -> list[Kind]:
    """Every content kind declared by the installed parts, in load order."""
    found: list[Kind] = []
    for module_name in KIND_MODULES:
        if not module_exists(module_name):
            continue
        found.extend(import_module(module_name).KINDS)
    return sorted(found, key=lambda kind: kind.order)


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe YAML loader that refuses duplicate keys (a silent overwrite would lose text)."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    mapping: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in mapping:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        mapping[key] = loader.construct_object(value_node, deep=deep)
    return mapping


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def parse_file(path: Path, display: str) -> Any:
    """Parse one YAML file safely, turning every failure into a message with the file and line."""
    try:
        size = path.stat().st_size
    except OSError as error:
        raise ContentPackError(display, f"cannot be read ({error.strerror})") from None
    if size > MAX_FILE_BYTES:
        raise ContentPackError(display, f"is {size:,} bytes; a pack file may be at most {MAX_FILE_BYTES:,}")
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        raise ContentPackError(display, f"is not UTF-8 text (bad byte at position {error.start})") from None
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown position"
        raise ContentPackError(display, f"is not valid YAML at {where}: {error.problem}") from None
    except yaml.YAMLError as error:
        raise ContentPackError(display, f"is not valid YAML: {error}") from None


def _collect(root: Path, kind: Kind, errors: list[ContentPackError]) -> list[PackPage]:  # noqa: C901 - one pass per file
    base = root / kind.base
    if not base.is_dir():
        return []
    pattern = "/".join(["*"] * kind.depth + ["*.en.yaml"])
    pages: list[PackPage] = []
    for english_path in sorted(base.glob(pattern)):
        relative = english_path.relative_to(root).as_posix()
        slug = english_path.name.removesuffix(".en.yaml")
        page = PackPage(kind=kind, slug=slug, relative=relative, folder=english_path.relative_to(base).parts[:-1])
        for language in LANGUAGES:
            path = english_path.with_name(f"{slug}.{language}.yaml")
            display = path.relative_to(root).as_posix()
            if not path.exists():
                errors.append(ContentPackError(display, "is missing (every page needs English and Spanish)"))
                continue
            try:
                data = parse_file(path, display)
            except ContentPackError as error:
                errors.append(error)
                continue
            problems = check_document(display, data, kind.fields, english=language == "en")
            if isinstance(data, dict) and data.get("slug") not in (None, slug):
                problems.append(
                    ContentPackError(display, f"slug {data.get('slug')!r} differs from the file name", "slug")
                )
            errors.extend(problems)
            if not problems:
                page.data[language] = data
        if len(page.data) == len(LANGUAGES):
            source_count = len(page.english.get("sources") or [])
            for language in LANGUAGES:
                display = english_path.with_name(f"{slug}.{language}.yaml").relative_to(root).as_posix()
                errors.extend(check_citations(display, page.data[language], source_count))
            if kind.check:
                errors.extend(kind.check(page))
            pages.append(page)
    errors.extend(
        ContentPackError(orphan.relative_to(root).as_posix(), "has no English twin (.en.yaml)")
        for orphan in sorted(base.glob("/".join(["*"] * kind.depth + ["*.es.yaml"])))
        if not orphan.with_name(orphan.name.replace(".es.yaml", ".en.yaml")).exists()
    )
    return pages


def read_pack(root: Path) -> dict[str, list[PackPage]]:
    """Read and check every file of the pack at ``root``; raise :class:`ContentPackErrors` listing all problems."""
    if not root.is_dir():
        raise ContentPackErrors([ContentPackError(str(root), "is not a folder")])
    errors: list[ContentPackError] = []
    pages = {kind.name: _collect(root, kind, errors) for kind in kinds()}
    if errors:
        raise ContentPackErrors(errors)
    return pages
