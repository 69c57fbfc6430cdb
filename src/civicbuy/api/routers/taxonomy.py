"""/api/v1/taxonomy/: the shared vocabulary every part is tagged with (stages, themes, SDGs, CPV, places)."""

from typing import Literal

from django.http import HttpRequest
from ninja import Router, Schema

from civicbuy.api.common import Language
from civicbuy.taxonomy import registry

router = Router(tags=["taxonomy"])

Kind = Literal["stage", "theme", "sdg", "sdg_goal", "cpv_division", "country", "region"]
KINDS: tuple[str, ...] = Kind.__args__  # type: ignore[attr-defined]


class TermOut(Schema):
    """One taxonomy term."""

    kind: str
    code: str
    label: str
    summary: str
    parent: str
    order: int


class KindOut(Schema):
    """One kind of term and how many there are."""

    kind: str
    count: int
    url: str


@router.get("/", response=list[KindOut], summary="The kinds of taxonomy terms")
def kinds(request: HttpRequest) -> list[KindOut]:
    """Every kind of term with its number of terms."""
    return [
        KindOut(kind=kind, count=len(registry.vocabulary(kind)), url=request.build_absolute_uri(f"{kind}/"))
        for kind in KINDS
    ]


@router.get("/{kind}/", response=list[TermOut], summary="Every term of one kind")
def terms(request: HttpRequest, kind: Kind, lang: Language = "en") -> list[TermOut]:
    """The terms of ``kind`` in display order, labelled in ``lang``."""
    del request
    ordered = sorted(registry.vocabulary(kind).values(), key=lambda t: (t.order, t.code))
    return [
        TermOut(kind=kind, code=t.code, label=t.label(lang), summary=t.summary(lang), parent=t.parent, order=t.order)
        for t in ordered
    ]
