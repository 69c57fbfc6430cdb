"""The prioritised roadmap: for each gap, the concrete actions that lift a dimension level by level.

Order (documented because users will ask why one item comes first):

1. bigger gaps first (target minus current level);
2. for equal gaps, the dimension's ``priority`` in the model (strategy and people before tools:
   foundations make the other improvements stick);
3. then the model's own order.

Each item carries the actions of every level between the current level and the target, the next
level first, each with its links to guide steps, topic guides and case studies. This mirrors the
"self-assessment, then a customised roadmap" loop of What Works Cities certification, and the LGA
toolkit's practice of letting each council choose its own target per area.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from civicbuy.assessment.scoring import gaps

if TYPE_CHECKING:
    from collections.abc import Mapping

    from civicbuy.assessment.model import Action, Dimension, Link, MaturityModel


@dataclass(frozen=True)
class RoadmapStep:
    """What to do to reach one level of one dimension."""

    level: int
    actions: tuple[Action, ...]

    @property
    def links(self) -> tuple[Link, ...]:
        """Every link of the step's actions, without repeats, in order."""
        seen: dict[str, Link] = {}
        for action in self.actions:
            for link in action.links:
                seen.setdefault(link.path, link)
        return tuple(seen.values())


@dataclass(frozen=True)
class RoadmapItem:
    """One gap to close: the dimension, where it stands, where the user wants it, and how to get there."""

    dimension: Dimension
    current: int
    target: int
    steps: tuple[RoadmapStep, ...]

    @property
    def gap(self) -> int:
        """Levels between current and target."""
        return self.target - self.current

    @property
    def next_step(self) -> RoadmapStep:
        """The actions for the next level up: the place to start."""
        return self.steps[0]


def build_roadmap(
    model: MaturityModel, levels: Mapping[str, int | None], targets: Mapping[str, int]
) -> list[RoadmapItem]:
    """Return one roadmap item per dimension below its target, in priority order."""
    items: list[RoadmapItem] = []
    for gap in gaps(model, levels, targets):
        dimension = model.dimension(gap.code)
        steps = tuple(
            RoadmapStep(level=level, actions=dimension.actions.get(level, ()))
            for level in range(gap.current + 1, gap.target + 1)
        )
        items.append(RoadmapItem(dimension=dimension, current=gap.current, target=gap.target, steps=steps))
    return items
