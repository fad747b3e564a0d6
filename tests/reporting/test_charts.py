"""The report charts (``reporting.charts``): well-formed, named and described SVG that fetches
nothing, bars and dots where the values put them, gaps and suppressed values left undrawn but
stated in the table, an empty state instead of a division by zero, and labels escaped. Pure
Python: no database."""

import io
import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.template.loader import render_to_string

from reporting import charts
from reporting.figures import SUPPRESSED
from tests.browser import assert_accessible

SVG = "{http://www.w3.org/2000/svg}"
MONTHS = ["Apr 2025", "May 2025", "Jun 2025"]


def tree(chart: charts.Chart) -> ET.Element:
    return ET.fromstring(str(chart.svg))  # noqa: S314 — our own output, parsed to check it


def bars(chart: charts.Chart) -> list[ET.Element]:
    return [rect for rect in tree(chart).iter(f"{SVG}rect") if rect.get("class") == "bar"]


def text_of(chart: charts.Chart) -> str:
    return " ".join(" ".join(text.itertext()) for text in tree(chart).iter(f"{SVG}text"))


def activity(**kwargs) -> charts.Chart:
    return charts.bar_chart(
        "Matches made and sessions held by month",
        MONTHS,
        [("Matches made", [3, None, 6]), ("Sessions held", [10, 12, 0])],
        **kwargs,
    )


def confidence(**kwargs) -> charts.Chart:
    return charts.before_after_chart(
        "Confidence before and after",
        [
            ("Managing uncertainty", Decimal("2.4"), Decimal("3.8")),
            ("Leading a team", SUPPRESSED, Decimal("4.1")),
            ("Teaching", None, None),
        ],
        **kwargs,
    )


# accessible, self-contained SVG -------------------------------------------------------------------
@pytest.mark.parametrize("build", [activity, confidence])
def test_the_svg_is_an_image_named_by_its_title_and_described(build):
    chart = build()
    svg = tree(chart)
    assert svg.tag == f"{SVG}svg"
    assert svg.get("role") == "img"
    title_id, desc_id = svg.get("aria-labelledby").split()
    title, desc = svg.find(f"{SVG}title"), svg.find(f"{SVG}desc")
    assert (title.get("id"), title.text) == (title_id, chart.title)
    assert (desc.get("id"), desc.text) == (desc_id, chart.description)
    assert chart.description.endswith(".") and chart.description.count(". ") == 0


def test_two_charts_on_a_page_share_no_id_and_each_fill_points_into_its_own_chart():
    one, other = activity(), activity()
    ids = [{el.get("id") for el in tree(chart).iter() if el.get("id")} for chart in (one, other)]
    assert ids[0] and ids[1] and not ids[0] & ids[1]
    for chart, own in zip((one, other), ids, strict=True):
        references = re.findall(r"url\(#([^)]+)\)", str(chart.svg))
        assert references and set(references) <= own


def test_a_given_id_prefix_is_used_as_a_valid_id():
    assert tree(activity(id_prefix="activity-GP Mentors"))[0].get("id") == (
        "activity-gp-mentors-title"
    )
    assert tree(activity(id_prefix="2025 return"))[0].get("id") == "chart-2025-return-title"


@pytest.mark.parametrize("build", [activity, confidence])
def test_the_svg_has_no_script_no_event_handler_and_fetches_nothing(build):
    svg = tree(build())
    for element in svg.iter():
        assert element.tag not in {f"{SVG}script", f"{SVG}foreignObject", f"{SVG}image"}
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on")
            if name.endswith("href"):
                assert value.startswith("#")
            assert "url(" not in value or value.startswith("url(#")
    assert "http" not in str(build().svg).replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_labels_are_escaped_in_the_svg_and_the_table():
    chart = charts.bar_chart(
        "R&D <script>alert(1)</script>",
        ["<script>x</script>", "A & B"],
        [("Sessions & <b>talks</b>", [1, 2])],
    )
    assert "<script" not in str(chart.svg) and "<b>" not in str(chart.svg)
    assert "&lt;script&gt;" in str(chart.svg) and "A &amp; B" in str(chart.svg)
    assert tree(chart).find(f"{SVG}title").text == "R&D <script>alert(1)</script>"
    assert "Sessions & <b>talks</b>" in text_of(chart)
    html = render_to_string("reporting/_chart.html", {"chart": chart})
    assert "<script" not in html and "<b>" not in html
    assert "Sessions &amp; &lt;b&gt;talks&lt;/b&gt;" in html
    assert '<th class="nhsuk-table__cell" scope="row">A &amp; B</th>' in html


# grouped bars -------------------------------------------------------------------------------------
def test_bar_heights_are_proportional_to_the_values_on_one_baseline():
    chart = charts.bar_chart("Sessions", MONTHS, [("Sessions held", [2, 4, 8])])
    drawn = bars(chart)
    heights = [float(rect.get("height")) for rect in drawn]
    assert heights[1] == pytest.approx(2 * heights[0], abs=0.02)
    assert heights[2] == pytest.approx(4 * heights[0], abs=0.02)
    baselines = {round(float(r.get("y")) + float(r.get("height")), 1) for r in drawn}
    assert len(baselines) == 1
    assert [rect.get("data-value") for rect in drawn] == ["2", "4", "8"]


def test_the_axis_ticks_are_round_numbers_covering_the_values():
    def ticks(chart):
        svg = tree(chart)
        return [
            " ".join(t.itertext()) for t in svg.iter(f"{SVG}text") if t.get("text-anchor") == "end"
        ]

    assert ticks(charts.bar_chart("t", ["a"], [("s", [42])])) == ["0", "10", "20", "30", "40", "50"]
    assert ticks(charts.bar_chart("t", ["a"], [("s", [3])])) == ["0", "1", "2", "3"]
    assert ticks(charts.bar_chart("t", ["a"], [("s", [1])])) == ["0", "1"]
    money = charts.bar_chart(
        "t", ["a", "b"], [("s", [Decimal("-300.00"), Decimal("12500.50")])], unit="£"
    )
    assert ticks(money) == ["−£5,000", "£0", "£5,000", "£10,000", "£15,000"]
    assert ticks(charts.bar_chart("t", ["a"], [("s", [Decimal("0.7")])])) == [
        "0",
        "0.2",
        "0.4",
        "0.6",
        "0.8",
    ]


def test_a_missing_value_is_a_gap_in_the_chart_and_a_dash_in_the_table():
    chart = activity()
    assert [(r.get("data-series"), r.get("data-value")) for r in bars(chart)] == [
        ("0", "3"),
        ("0", "6"),
        ("1", "10"),
        ("1", "12"),
        ("1", "0"),
    ]
    assert chart.table.headers == ["Month", "Matches made", "Sessions held"]
    assert chart.table.rows == [
        ["Apr 2025", "3", "10"],
        ["May 2025", "–", "12"],
        ["Jun 2025", "6", "0"],
    ]


def test_series_differ_by_pattern_and_legend_not_by_colour_alone():
    chart = charts.bar_chart(
        "Three", MONTHS, [("Alpha", [1, 2, 3]), ("Beta", [2, 3, 4]), ("Gamma", [3, 4, 5])]
    )
    fills = {rect.get("data-series"): rect.get("fill") for rect in bars(chart)}
    assert len(set(fills.values())) == 3
    patterns = {p.get("id") for p in tree(chart).iter(f"{SVG}pattern")}
    assert {fills["1"][5:-1], fills["2"][5:-1]} == patterns
    legend = [
        rect.get("fill") for rect in tree(chart).iter(f"{SVG}rect") if rect.get("width") == "14"
    ]
    assert legend == [fills["0"], fills["1"], fills["2"]]
    assert all(name in text_of(chart) for name in ("Alpha", "Beta", "Gamma"))


def test_the_description_names_the_series_the_span_and_the_highest_value():
    assert activity().description == (
        "Bar chart of Matches made and Sessions held by month, Apr 2025 to Jun 2025; the highest "
        "is 12 (Sessions held, May 2025); the figures are in the table with it."
    )


@pytest.mark.parametrize(
    "categories, values",
    [(MONTHS, [0, 0, 0]), (MONTHS, [None, 0, None]), ([], [])],
    ids=["zeros", "zeros and gaps", "no months"],
)
def test_a_period_with_nothing_to_draw_says_so_instead_of_dividing_by_zero(categories, values):
    chart = charts.bar_chart("Matches", categories, [("Matches made", values)])
    assert bars(chart) == []
    assert "No data in this period" in text_of(chart)
    assert chart.description == "Matches: no data in this period."
    assert len(chart.table.rows) == len(categories)


def test_a_bar_chart_takes_one_to_three_series_of_one_value_a_category():
    with pytest.raises(ValueError, match="1 to 3 series"):
        charts.bar_chart("t", ["a"], [(name, [1]) for name in "abcd"])
    with pytest.raises(ValueError, match="2 values for 3 categories"):
        charts.bar_chart("t", MONTHS, [("s", [1, 2])])


# before and after ---------------------------------------------------------------------------------
def test_before_and_after_are_placed_on_the_scale():
    chart = charts.before_after_chart(
        "Confidence", [("Low to high", 1, 5), ("Middle to higher", Decimal("3"), Decimal("4.0"))]
    )
    before = [float(c.get("cx")) for c in tree(chart).iter(f"{SVG}circle") if c.get("class")]
    after = [p for p in tree(chart).iter(f"{SVG}polygon") if p.get("class") == "after"]
    after_x = [float(p.get("points").split(",")[0]) for p in after]
    left, right = before[0], after_x[0]
    assert before[1] == pytest.approx((left + right) / 2)
    assert after_x[1] == pytest.approx(left + (right - left) * 3 / 4)
    assert chart.description == (
        "Before and after scores for 2 questions on a scale of 1 to 5, higher after for 2 of 2 "
        "with both shown; the figures are in the table with it."
    )


def test_a_suppressed_value_is_not_drawn_and_the_table_says_fewer_than_5():
    chart = confidence()
    drawn_before = [c.get("data-value") for c in tree(chart).iter(f"{SVG}circle") if c.get("class")]
    drawn_after = [p.get("data-value") for p in tree(chart).iter(f"{SVG}polygon") if p.get("class")]
    assert drawn_before == ["2.4"]
    assert drawn_after == ["3.8", "4.1"]
    assert chart.table.rows == [
        ["Managing uncertainty", "2.4", "3.8"],
        ["Leading a team", "fewer than 5", "4.1"],
        ["Teaching", "–", "–"],
    ]
    assert "Before: fewer than 5, not drawn." in text_of(chart)
    assert "Before: none; After: none." in text_of(chart)


def test_before_and_after_with_no_questions_says_no_data():
    chart = charts.before_after_chart("Confidence", [])
    assert "No data in this period" in text_of(chart)
    assert chart.table.rows == []


# values -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "value, unit, shown",
    [
        (None, "", "–"),
        (SUPPRESSED, "", "fewer than 5"),
        (1234, "", "1,234"),
        (Decimal("3.50"), "", "3.50"),
        (Decimal("1234.50"), "£", "£1,234.50"),
        (Decimal("-12.00"), "£", "−£12.00"),
        (40, "%", "40%"),
        (3, "hours", "3 hours"),
    ],
)
def test_values_are_shown_as_reported(value, unit, shown):
    assert charts.format_value(value, unit) == shown


# the partial, in a page and in a PDF --------------------------------------------------------------
def test_the_partial_shows_the_svg_and_a_table_with_scoped_headers():
    html = render_to_string("reporting/_chart.html", {"chart": activity()})
    assert html.count("<figure") == 1 and "<figcaption" in html
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in html
    assert '<table class="nhsuk-table">' in html
    assert "Matches made and sessions held by month: the figures</caption>" in html
    assert html.count('scope="col"') == 3 and html.count('scope="row"') == 3
    assert '<td class="nhsuk-table__cell nhsuk-table__cell--numeric">–</td>' in html


def test_the_partial_of_an_empty_chart_has_no_table():
    html = render_to_string(
        "reporting/_chart.html", {"chart": charts.before_after_chart("Confidence", [])}
    )
    assert "No data in this period" in html and "<table" not in html


def test_the_charts_render_in_a_pdf_that_fetches_nothing():
    from pypdf import PdfReader
    from weasyprint import HTML

    fetched = []

    def fetch(url, *args, **kwargs):
        fetched.append(url)
        raise ValueError(url)

    body = "".join(
        render_to_string("reporting/_chart.html", {"chart": chart})
        for chart in (activity(), confidence())
    )
    pdf = HTML(string=f"<html><body>{body}</body></html>", url_fetcher=fetch).write_pdf()
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert fetched == []
    assert "Sessions held" in text and "Leading a team fewer than 5 4.1" in text


def test_the_charts_pass_axe_in_chromium(page):
    body = "".join(
        render_to_string("reporting/_chart.html", {"chart": chart})
        for chart in (activity(), confidence(), charts.bar_chart("Nothing", [], [("s", [])]))
    )
    page.set_content(
        '<!DOCTYPE html><html lang="en-GB"><head><title>Charts</title></head>'
        f"<body><main><h1>Charts</h1>{body}</main></body></html>"
    )
    assert page.get_by_role("img", name="Confidence before and after").is_visible()
    assert_accessible(page)
