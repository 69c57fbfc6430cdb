"""The figure rule of content-pack fields: a ``cited`` field needs a [src:N] wherever it gives a figure.

It is the submission form's rule (the same :func:`uncited_figures`), applied to pack files.
"""

from __future__ import annotations

import pytest

from civicbuy.content.spec import FieldSpec, check_field

BULLETS = FieldSpec("lines", cited=True)


def _problems(spec: FieldSpec, value: object) -> list[tuple[str, str]]:
    return [(error.field, error.message) for error in check_field("cases/x.en.yaml", "summary", spec, value)]


def test_a_bullet_with_an_uncited_figure_is_named_by_its_position_and_text() -> None:
    assert _problems(BULLETS, ["No figure here.", "Costs fell by 45%.", "Fell 30% [src:1]."]) == [
        ("summary[1]", "“Costs fell by 45%.” gives a figure without its source: add [src:N] after the figure")
    ]


@pytest.mark.parametrize(
    "bullet",
    [
        "Costs fell by 45% [src:2].",
        "Costs fell by 45 por ciento [src:1] en 2020.",
        "In 2019 the city started.",  # a year on its own is not a figure
        "Nothing to count.",
    ],
)
def test_a_cited_figure_or_no_figure_passes(bullet: str) -> None:
    assert _problems(BULLETS, [bullet]) == []


@pytest.mark.parametrize("bullet", ["Para 2020 ya eran 1.200 empresas.", "Saved 30 per cent.", "About 900 kitchens."])
def test_figures_in_either_language_need_a_citation(bullet: str) -> None:
    assert [field for field, _ in _problems(BULLETS, [bullet])] == ["summary[0]"]


def test_an_uncited_field_is_not_checked() -> None:
    assert _problems(FieldSpec("lines"), ["Costs fell by 45%."]) == []


def test_a_cited_text_field_reports_each_paragraph_without_a_citation() -> None:
    text = "Costs fell by 45% [src:1].\n\nThen they rose by 10%.\n\n- 300 bikes\n- 12 stations [src:2]\n"
    problems = _problems(FieldSpec("text", cited=True), text)
    assert [message.split("”")[0] for _, message in problems] == ["“Then they rose by 10%.", "“- 300 bikes"]
    assert {field for field, _ in problems} == {"summary"}


def test_only_text_and_lines_fields_can_be_cited() -> None:
    with pytest.raises(ValueError, match="only text and lines"):  # refused where the spec is declared
        FieldSpec("int", cited=True)
