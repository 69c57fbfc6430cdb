"""Impact charts: valid SVG with an image role, a title, a description and the responsive chart class."""

import xml.dom.minidom

from civicbuy.impact import charts


def test_a_bar_chart_with_ranges_is_valid_accessible_svg():
    chart = charts.bar_with_range(
        "hot-spots",
        "Estimated emissions by category",
        "Construction has the most; its range is wide.",
        [{"label": "Construction", "value": 12.0, "low": 6.0, "high": 20.0}, {"label": "IT", "value": 3.0}],
        x_title="t CO2e",
        headers=["Category", "t CO2e"],
        rows=[["Construction", "12"], ["IT", "3"]],
    )
    # Before, the root got a second class attribute: invalid XML, and browsers kept only the first.
    root = xml.dom.minidom.parseString(chart.svg).documentElement  # noqa: S318 - SVG rendered in this test
    assert root.tagName == "svg"
    assert "cb-chart" in root.getAttribute("class").split()
    assert root.getAttribute("role") == "img"
    assert root.getAttribute("aria-labelledby") == "hot-spots-title hot-spots-desc"
    title, desc = root.getElementsByTagName("title")[0], root.getElementsByTagName("desc")[0]
    assert title.firstChild.data == "Estimated emissions by category"
    assert desc.firstChild.data == "Construction has the most; its range is wide."
    assert chart.headers == ["Category", "t CO2e"]
    assert chart.rows == [["Construction", "12"], ["IT", "3"]]
