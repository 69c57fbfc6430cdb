"""The procurement maturity model: typed structure, loader and validator.

The model is data, not code: ``model/maturity-model.yaml`` beside this module holds the levels, the
dimensions, the evidence questions and the next actions per level, in English and Spanish. This
module reads that file, checks every part of it and returns frozen dataclasses. A broken file never
half-loads: every problem is collected and reported at once, each naming the file and the YAML path,
for example ``maturity-model.yaml: dimensions[3].questions[1].options: expected 5 options, got 4``.

Why five levels, targets per dimension and evidence questions: the LGA National Procurement Strategy
toolkit, the UK Flexible Framework and ITU-T Y.4904 all use five levels; the LGA lets each council set
its own target per area; the SDG 12.7.1 index (UNEP) and GDS's analysis of English councils score from
evidence rather than opinion. The SDG 12.7.1 index components (A policy, B legal enablers, C practical
support, D purchasing criteria, E monitoring, F share of sustainable purchases) are tagged on the
questions that mirror them (``spp_index``). Sources are listed in the model file itself.

Pure Python: no Django here, so the CLI and the analytics engine can use it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from civicbuy.taxonomy import registry

SUPPORTED_VERSIONS = (1,)
LEVELS = (1, 2, 3, 4, 5)
LANGUAGES = registry.LANGUAGES
DEFAULT_LANGUAGE = registry.DEFAULT_LANGUAGE
MIN_QUESTIONS = 3
MAX_QUESTIONS = 5
MODEL_FILE_NAME = "maturity-model.yaml"

#: SDG 12.7.1 sustainable public procurement index components (UNEP methodology, revised 2021).
SPP_INDEX_COMPONENTS = {
    "A": "Sustainable public procurement policy, action plan or regulation",
    "B": "Legal framework that enables sustainable purchasing",
    "C": "Practical support for buyers (guidance, training, help, case studies)",
    "D": "Sustainable purchasing criteria",
    "E": "Monitoring of sustainable purchasing",
    "F": "Share of sustainable purchases",
}

#: Where a roadmap link can point: guide steps ``<stage>/<slug>``, ``topics/<slug>``, ``cases/<slug>``.
TOPIC_PREFIX = "topics"
CASE_PREFIX = "cases"

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_SHORT_TEXT = 40  # quote texts up to this length in error messages
_EVIDENCE_CODE = re.compile(r"^(?:[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)+|R\d{3})$")


class ModelError(ValueError):
    """A maturity model file that cannot be used; ``problems`` holds one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def _text(texts: dict[str, str], language: str) -> str:
    return texts.get(language) or texts.get(DEFAULT_LANGUAGE, "")


@dataclass(frozen=True)
class Source:
    """A publication the model draws on (cited, not copied)."""

    key: str
    title: str
    publisher: str
    url: str


@dataclass(frozen=True)
class Level:
    """One of the five maturity levels, named in plain words."""

    number: int
    names: dict[str, str]
    summaries: dict[str, str]

    def name(self, language: str = DEFAULT_LANGUAGE) -> str:
        """Return the level's name in ``language`` (English when missing)."""
        return _text(self.names, language)

    def summary(self, language: str = DEFAULT_LANGUAGE) -> str:
        """Return the one-sentence description of the level in ``language``."""
        return _text(self.summaries, language)


@dataclass(frozen=True)
class Option:
    """One answer to a question; choosing it places the question at ``level``."""

    level: int
    labels: dict[str, str]

    def label(self, language: str = DEFAULT_LANGUAGE) -> str:
        """Return the answer's wording in ``language``."""
        return _text(self.labels, language)


@dataclass(frozen=True)
class Question:
    """An evidence question: "do you publish award data in OCDS?", not "how good are you?".

    ``id`` is qualified by the dimension (``open-contracting-data.ocds-publication``) so it is unique in
    the model. ``evidence`` names an analytics indicator (``competition.single_bid_rate``) whose measured
    value can be shown beside the answer once the city has uploaded data; it is a hook, kept as data.
    """

    id: str
    dimension: str
    texts: dict[str, str]
    helps: dict[str, str]
    options: tuple[Option, ...]
    evidence: str = ""
    spp_index: str = ""

    def text(self, language: str = DEFAULT_LANGUAGE) -> str:
        """Return the question in ``language``."""
        return _text(self.texts, language)

    def help(self, language: str = DEFAULT_LANGUAGE) -> str:
        """Return the optional hint shown under the question (empty when none)."""
        return _text(self.helps, language)

    def option(self, level: int) -> Option:
        """Return the option that scores ``level``; raise ``KeyError`` when there is none."""
        for option in self.options:
            if option.level == level:
                return option
        raise KeyError(level)


@dataclass(frozen=True)
class Link:
    """A link from an action to a guide step, topic guide or case study, by slug."""

    kind: str  # "step", "topic" or "case"
    section: str  # the stage code for a step, "topics" or "cases"
    slug: str

    @property
    def path(self) -> str:
        """The link as written in the model: ``plan/understand-the-need``, ``cases/preston-...``."""
        return f"{self.section}/{self.slug}"

    @classmethod
    def parse(cls, value: str) -> Link:
        """Parse ``stage/slug``, ``topics/slug`` or ``cases/slug``; raise ``ValueError`` otherwise."""
        section, sep, slug = value.partition("/")
        if not sep or not _SLUG.match(slug):
            raise ValueError(f"link {value!r} is not '<stage>/<slug>', 'topics/<slug>' or 'cases/<slug>'")
        if section == TOPIC_PREFIX:
            return cls("topic", section, slug)
        if section == CASE_PREFIX:
            return cls("case", section, slug)
        if section in registry.stages():
            return cls("step", section, slug)
        known = ", ".join([*registry.stages(), TOPIC_PREFIX, CASE_PREFIX])
        raise ValueError(f"link {value!r} starts with unknown section {section!r} (expected one of {known})")


@dataclass(frozen=True)
class Action:
    """A concrete thing to do to reach a level, with links to the guide and cases that show how."""

    texts: dict[str, str]
    links: tuple[Link, ...] = ()

    def text(self, language: str = DEFAULT_LANGUAGE) -> str:
        """Return the action in ``language``."""
        return _text(self.texts, language)


@dataclass(frozen=True)
class Dimension:
    """One area of procurement practice, assessed by a few evidence questions."""

    code: str
    titles: dict[str, str]
    summaries: dict[str, str]
    priority: int
    themes: tuple[str, ...]
    sdg_targets: tuple[str, ...]
    questions: tuple[Question, ...]
    actions: dict[int, tuple[Action, ...]]  # level 2..5 -> what to do to reach it
    sources: tuple[str, ...] = ()

    def title(self, language: str = DEFAULT_LANGUAGE) -> str:
        """Return the dimension's title in ``language``."""
        return _text(self.titles, language)

    def summary(self, language: str = DEFAULT_LANGUAGE) -> str:
        """Return the one-sentence summary in ``language``."""
        return _text(self.summaries, language)

    @property
    def spp_index_components(self) -> tuple[str, ...]:
        """The SDG 12.7.1 index components this dimension's questions mirror, in A..F order."""
        return tuple(sorted({q.spp_index for q in self.questions if q.spp_index}))


@dataclass(frozen=True)
class MaturityModel:
    """The whole model: levels, dimensions (in display order) and the sources it cites."""

    version: int
    levels: tuple[Level, ...]
    dimensions: tuple[Dimension, ...]
    sources: tuple[Source, ...] = ()
    _questions: dict[str, Question] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._questions.update({q.id: q for d in self.dimensions for q in d.questions})

    def level(self, number: int) -> Level:
        """Return the level numbered ``number`` (1..5)."""
        return self.levels[number - 1]

    def dimension(self, code: str) -> Dimension:
        """Return a dimension by code; raise ``KeyError`` naming the code when unknown."""
        for dimension in self.dimensions:
            if dimension.code == code:
                return dimension
        raise KeyError(code)

    def question(self, question_id: str) -> Question:
        """Return a question by its qualified id; raise ``KeyError`` when unknown."""
        return self._questions[question_id]

    @property
    def questions(self) -> tuple[Question, ...]:
        """Every question, in dimension order."""
        return tuple(self._questions.values())

    @property
    def dimension_codes(self) -> tuple[str, ...]:
        """Codes of the dimensions, in display order."""
        return tuple(d.code for d in self.dimensions)

    @property
    def links(self) -> set[str]:
        """Every guide, topic and case link the actions point to (``stage/slug`` paths)."""
        return {
            link.path for d in self.dimensions for actions in d.actions.values() for a in actions for link in a.links
        }


# --------------------------------------------------------------------------------------------------
# Loading


class _StrictLoader(yaml.SafeLoader):
    """Safe loader that rejects duplicate keys (PyYAML silently keeps the last one)."""


def _mapping_without_duplicates(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> Any:
    seen: set[Any] = set()
    for key_node, _value in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_without_duplicates)


def parse_yaml(text: str, name: str) -> Any:
    """Parse YAML text; raise :class:`ModelError` with file, line and column on a syntax error."""
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"{name}, line {mark.line + 1}, column {mark.column + 1}" if mark else name
        problem = error.problem or error.context or "invalid YAML"
        raise ModelError([f"{where}: {problem}"]) from None
    except yaml.YAMLError as error:  # pragma: no cover - every PyYAML parse error is marked
        raise ModelError([f"{name}: {error}"]) from None


def default_model_path() -> Path:
    """Path of the bundled model file."""
    return Path(str(resources.files("civicbuy.assessment").joinpath("model", MODEL_FILE_NAME)))


def load_model(path: str | Path | None = None) -> MaturityModel:
    """Read, validate and return a model file (the bundled one when ``path`` is None).

    Raise :class:`ModelError` listing every problem, each prefixed with the file name.
    """
    file_path = Path(path) if path is not None else default_model_path()
    name = file_path.name if path is None else str(path)
    try:
        text = file_path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ModelError([f"{name}: file not found"]) from None
    except UnicodeDecodeError as error:
        raise ModelError([f"{name}: not UTF-8 text ({error.reason} at byte {error.start})"]) from None
    except OSError as error:
        raise ModelError([f"{name}: cannot read file ({error.strerror})"]) from None
    return model_from_data(parse_yaml(text, name), name)


@cache
def default_model() -> MaturityModel:
    """Return the bundled model, loaded once per process."""
    return load_model()


def model_from_data(data: Any, name: str = MODEL_FILE_NAME) -> MaturityModel:
    """Validate parsed YAML and build the model; raise :class:`ModelError` naming every problem."""
    builder = _Builder(name)
    model = builder.model(data)
    if builder.problems or model is None:
        raise ModelError(builder.problems or [f"{name}: empty model file"])
    return model


class _Builder:
    """Walks the parsed YAML, building dataclasses and recording every problem with its path."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.problems: list[str] = []

    def problem(self, path: str, message: str) -> None:
        self.problems.append(f"{self.name}: {path}: {message}" if path else f"{self.name}: {message}")

    # Small typed readers; each records a problem and returns a neutral value when the node is wrong.

    def mapping(self, node: Any, path: str) -> dict[str, Any] | None:
        if not isinstance(node, dict):
            self.problem(path, f"expected a mapping, got {_kind(node)}")
            return None
        return node

    def sequence(self, node: Any, path: str) -> list[Any]:
        if node is None:
            self.problem(path, "missing (expected a list)")
            return []
        if not isinstance(node, list):
            self.problem(path, f"expected a list, got {_kind(node)}")
            return []
        return node

    def string(self, parent: dict[str, Any], key: str, path: str, *, required: bool = True) -> str:
        value = parent.get(key)
        where = _join(path, key)
        if value is None or value == "":
            if required:
                self.problem(where, "missing (expected text)")
            return ""
        if not isinstance(value, str):
            self.problem(where, f"expected text, got {_kind(value)}")
            return ""
        return value.strip()

    def integer(self, parent: dict[str, Any], key: str, path: str) -> int | None:
        value = parent.get(key)
        where = _join(path, key)
        if value is None:
            self.problem(where, "missing (expected a whole number)")
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(where, f"expected a whole number, got {_kind(value)}")
            return None
        return value

    def slug(self, parent: dict[str, Any], key: str, path: str) -> str:
        value = self.string(parent, key, path)
        if value and not _SLUG.match(value):
            self.problem(_join(path, key), f"{value!r} is not a slug (lowercase letters, digits and hyphens)")
        return value

    def localised(
        self, parent: dict[str, Any], path: str, fields: tuple[str, ...], optional: tuple[str, ...] = ()
    ) -> dict[str, dict[str, str]]:
        """Read ``en: {field: text}`` / ``es: {...}`` blocks; every language must have every field."""
        result: dict[str, dict[str, str]] = {f: {} for f in (*fields, *optional)}
        for language in LANGUAGES:
            block = parent.get(language)
            where = _join(path, language)
            if block is None:
                self.problem(where, "missing translation")
                continue
            block_map = self.mapping(block, where)
            if block_map is None:
                continue
            for name in fields:
                result[name][language] = self.string(block_map, name, where)
            for name in optional:
                text = self.string(block_map, name, where, required=False)
                if text:
                    result[name][language] = text
            unknown = sorted(set(block_map) - set(fields) - set(optional))
            if unknown:
                self.problem(where, f"unknown field(s) {', '.join(map(str, unknown))}")
        return result

    def plain_localised(self, parent: dict[str, Any], path: str) -> dict[str, str]:
        """Read ``en: text`` / ``es: text`` given directly on a node."""
        return {language: self.string(parent, language, path) for language in LANGUAGES}

    # The model's parts

    def model(self, data: Any) -> MaturityModel | None:
        if data is None:
            self.problem("", "empty model file")
            return None
        root = self.mapping(data, "(top level)")
        if root is None:
            return None
        version = self.integer(root, "version", "")
        if version is not None and version not in SUPPORTED_VERSIONS:
            supported = ", ".join(map(str, SUPPORTED_VERSIONS))
            self.problem("version", f"unsupported version {version} (this CivicBuy reads version {supported})")
        self.unknown_keys(root, "", {"version", "levels", "dimensions", "sources"})
        sources = self.sources(root.get("sources"))
        levels = self.levels(root.get("levels"))
        source_keys = {s.key for s in sources}
        dimensions = self.dimensions(root.get("dimensions"), source_keys)
        if self.problems:
            return None
        return MaturityModel(version=version or 0, levels=levels, dimensions=dimensions, sources=sources)

    def unknown_keys(self, node: dict[str, Any], path: str, allowed: set[str]) -> None:
        unknown = sorted(str(k) for k in set(node) - allowed)
        if unknown:
            self.problem(path or "(top level)", f"unknown field(s) {', '.join(unknown)}")

    def sources(self, node: Any) -> tuple[Source, ...]:
        if node is None:
            return ()
        result: list[Source] = []
        keys: set[str] = set()
        for i, item in enumerate(self.sequence(node, "sources")):
            path = f"sources[{i}]"
            row = self.mapping(item, path)
            if row is None:
                continue
            key = self.slug(row, "key", path)
            if key in keys:
                self.problem(_join(path, "key"), f"duplicate source key {key!r}")
            keys.add(key)
            url = self.string(row, "url", path)
            if url and not url.startswith(("https://", "http://")):
                self.problem(_join(path, "url"), f"{url!r} is not an http(s) address")
            result.append(
                Source(
                    key=key,
                    title=self.string(row, "title", path),
                    publisher=self.string(row, "publisher", path),
                    url=url,
                )
            )
        return tuple(result)

    def levels(self, node: Any) -> tuple[Level, ...]:
        items = self.sequence(node, "levels")
        if node is not None and len(items) != len(LEVELS):
            self.problem("levels", f"expected {len(LEVELS)} levels, got {len(items)}")
        result: list[Level] = []
        for i, item in enumerate(items):
            path = f"levels[{i}]"
            row = self.mapping(item, path)
            if row is None:
                continue
            number = self.integer(row, "level", path)
            if number is not None and number != i + 1:
                self.problem(_join(path, "level"), f"expected level {i + 1} here, got {number}")
            texts = self.localised(row, path, ("name", "summary"))
            result.append(Level(number=number or 0, names=texts["name"], summaries=texts["summary"]))
        return tuple(result)

    def dimensions(self, node: Any, source_keys: set[str]) -> tuple[Dimension, ...]:
        items = self.sequence(node, "dimensions")
        if node is not None and not items:
            self.problem("dimensions", "expected at least one dimension")
        result: list[Dimension] = []
        codes: set[str] = set()
        for i, item in enumerate(items):
            path = f"dimensions[{i}]"
            row = self.mapping(item, path)
            if row is None:
                continue
            dimension = self.dimension(row, path, source_keys)
            if dimension.code in codes:
                self.problem(_join(path, "code"), f"duplicate dimension code {dimension.code!r}")
            codes.add(dimension.code)
            result.append(dimension)
        return tuple(result)

    def dimension(self, row: dict[str, Any], path: str, source_keys: set[str]) -> Dimension:
        self.unknown_keys(
            row, path, {"code", "priority", "en", "es", "themes", "sdg_targets", "sources", "questions", "actions"}
        )
        code = self.slug(row, "code", path)
        priority = self.integer(row, "priority", path)
        texts = self.localised(row, path, ("title", "summary"))
        themes = self.codes(row, "themes", path, "theme")
        sdg_targets = self.codes(row, "sdg_targets", path, "sdg")
        sources = tuple(str(s) for s in self.sequence(row.get("sources", []), _join(path, "sources")))
        for j, key in enumerate(sources):
            if key not in source_keys:
                self.problem(f"{path}.sources[{j}]", f"unknown source key {key!r} (not in the top-level sources)")
        questions = self.questions(row.get("questions"), _join(path, "questions"), code)
        actions = self.actions(row.get("actions"), _join(path, "actions"))
        return Dimension(
            code=code,
            titles=texts["title"],
            summaries=texts["summary"],
            priority=priority or 0,
            themes=themes,
            sdg_targets=sdg_targets,
            questions=questions,
            actions=actions,
            sources=sources,
        )

    def codes(self, row: dict[str, Any], key: str, path: str, kind: str) -> tuple[str, ...]:
        where = _join(path, key)
        values = self.sequence(row.get(key), where)
        if row.get(key) is not None and not values:
            self.problem(where, f"expected at least one {kind} code")
        codes = [str(v) for v in values]
        for bad in registry.validate_codes(kind, codes):
            self.problem(where, f"unknown {kind} code {bad!r}")
        return tuple(codes)

    def questions(self, node: Any, path: str, dimension: str) -> tuple[Question, ...]:
        items = self.sequence(node, path)
        if node is not None and not MIN_QUESTIONS <= len(items) <= MAX_QUESTIONS:
            self.problem(path, f"expected {MIN_QUESTIONS} to {MAX_QUESTIONS} questions, got {len(items)}")
        result: list[Question] = []
        ids: set[str] = set()
        for i, item in enumerate(items):
            where = f"{path}[{i}]"
            row = self.mapping(item, where)
            if row is None:
                continue
            self.unknown_keys(row, where, {"id", "en", "es", "evidence", "spp_index", "options"})
            local_id = self.slug(row, "id", where)
            if local_id in ids:
                self.problem(_join(where, "id"), f"duplicate question id {local_id!r}")
            ids.add(local_id)
            texts = self.localised(row, where, ("text",), optional=("help",))
            evidence = self.string(row, "evidence", where, required=False)
            if evidence and not _EVIDENCE_CODE.match(evidence):
                self.problem(
                    _join(where, "evidence"),
                    f"{evidence!r} is not an indicator code (like 'competition.single_bid_rate' or 'R018')",
                )
            spp = self.string(row, "spp_index", where, required=False)
            if spp and spp not in SPP_INDEX_COMPONENTS:
                self.problem(_join(where, "spp_index"), f"{spp!r} is not an SDG 12.7.1 index component (A to F)")
            result.append(
                Question(
                    id=f"{dimension}.{local_id}",
                    dimension=dimension,
                    texts=texts["text"],
                    helps=texts["help"],
                    options=self.options(row.get("options"), _join(where, "options")),
                    evidence=evidence,
                    spp_index=spp,
                )
            )
        return tuple(result)

    def options(self, node: Any, path: str) -> tuple[Option, ...]:
        items = self.sequence(node, path)
        if node is not None and len(items) != len(LEVELS):
            self.problem(path, f"expected {len(LEVELS)} options, got {len(items)}")
        result: list[Option] = []
        for i, item in enumerate(items):
            where = f"{path}[{i}]"
            row = self.mapping(item, where)
            if row is None:
                continue
            self.unknown_keys(row, where, {"level", *LANGUAGES})
            level = self.integer(row, "level", where)
            if level is not None and level != i + 1:
                self.problem(
                    _join(where, "level"), f"expected level {i + 1} here (options run from level 1 to 5), got {level}"
                )
            result.append(Option(level=level or 0, labels=self.plain_localised(row, where)))
        return tuple(result)

    def actions(self, node: Any, path: str) -> dict[int, tuple[Action, ...]]:
        if node is None:
            self.problem(path, "missing (expected next actions for levels 2 to 5)")
            return {}
        mapping: dict[Any, Any] | None = self.mapping(node, path)
        if mapping is None:
            return {}
        result: dict[int, tuple[Action, ...]] = {}
        expected = LEVELS[1:]
        for key in mapping:
            if isinstance(key, bool) or not isinstance(key, int) or key not in expected:
                self.problem(path, f"unexpected key {key!r} (actions are given for levels 2 to 5)")
        for level in expected:
            where = f"{path}[{level}]"
            if level not in mapping:
                self.problem(path, f"missing actions for level {level}")
                continue
            items = self.sequence(mapping[level], where)
            if not items and mapping[level] is not None:
                self.problem(where, "expected at least one action")
            actions: list[Action] = []
            for i, item in enumerate(items):
                item_path = f"{where}[{i}]"
                row = self.mapping(item, item_path)
                if row is None:
                    continue
                self.unknown_keys(row, item_path, {*LANGUAGES, "links"})
                actions.append(Action(texts=self.plain_localised(row, item_path), links=self.links(row, item_path)))
            result[level] = tuple(actions)
        return result

    def links(self, row: dict[str, Any], path: str) -> tuple[Link, ...]:
        links: list[Link] = []
        for i, value in enumerate(self.sequence(row.get("links", []), _join(path, "links"))):
            try:
                links.append(Link.parse(str(value)))
            except ValueError as error:
                self.problem(f"{path}.links[{i}]", str(error))
        return tuple(links)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _kind(value: Any) -> str:
    """Describe a YAML value in a few words, for "expected X, got Y" messages."""
    if value is None:
        description = "nothing"
    elif isinstance(value, bool):
        description = "true/false"
    elif isinstance(value, dict):
        description = "a mapping"
    elif isinstance(value, list):
        description = f"a list of {len(value)}"
    elif isinstance(value, (int, float)):
        description = f"the number {value}"
    elif isinstance(value, str):
        description = f"the text {value!r}" if len(value) <= _SHORT_TEXT else "a long text"
    else:
        description = type(value).__name__
    return description


def missing_links(model: MaturityModel, known: set[str]) -> list[str]:
    """Return the links in ``model`` that are not in ``known`` (``stage/slug`` paths), sorted.

    The model cannot know which guide pages exist (they live in the CMS and content packs); callers that
    do know pass the set of existing paths.
    """
    return sorted(model.links - known)
