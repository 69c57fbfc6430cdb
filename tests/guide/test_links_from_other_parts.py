"""Every link into the guide from another part points at a step that exists in the bundled content."""

from __future__ import annotations

from civicbuy.analytics.indicators.registry import all_indicators
from civicbuy.content.packs import bundled_pack


def _existing_steps() -> set[str]:
    steps = bundled_pack() / "guide" / "steps"
    return {f"{path.parent.name}/{path.name.removesuffix('.en.yaml')}" for path in steps.glob("*/*.en.yaml")}


def test_every_indicator_links_to_an_existing_guide_step() -> None:
    existing = _existing_steps()
    missing = {i.code: i.guide_step for i in all_indicators() if i.guide_step not in existing}
    assert not missing


def test_every_topic_guide_path_uses_existing_steps() -> None:
    import yaml

    existing = _existing_steps()
    for topic in (bundled_pack() / "guide" / "topics").glob("*.en.yaml"):
        steps = yaml.safe_load(topic.read_text(encoding="utf-8"))["steps"]
        assert set(steps) <= existing, (topic.name, set(steps) - existing)
