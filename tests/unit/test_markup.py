"""Organisers' Markdown reaches the public sanitised: formatting kept, anything that runs script removed."""

from __future__ import annotations

from contest.markup import render


def test_markdown_is_rendered():
    html = str(render("## Thể lệ\n\n- **Vòng 1**: *trắc nghiệm*\n- [Xem](https://example.org/a)\n\n"
                      "| a | b |\n|---|---|\n| 1 | 2 |"))
    assert "<h4>Thể lệ</h4>" in html  # under the page's h1 and the section's h2
    assert "<strong>Vòng 1</strong>" in html and "<em>trắc nghiệm</em>" in html
    assert '<a href="https://example.org/a" rel="noopener noreferrer nofollow">Xem</a>' in html
    assert "<td>1</td>" in html


def test_script_event_handlers_and_javascript_urls_are_removed():
    html = str(render('<script>alert("x")</script>\n\n<a href="https://e.org" onclick="steal()">a</a> '
                      '[b](javascript:alert(1)) <a href="JaVaScRiPt:alert(2)">c</a> <img src=x onerror=alert(3)> '
                      '<iframe src="https://e.org"></iframe> <p style="background:url(x)" onmouseover="y()">d</p> '
                      '[e](data:text/html;base64,PHNjcmlwdD4=)'))
    lowered = html.lower()
    for bad in ("<script", "alert(", "onclick", "javascript:", "onerror", "<img", "<iframe", "style=", "onmouseover",
                "data:"):
        assert bad not in lowered, bad
    assert 'href="https://e.org"' in html and ">a</a>" in html and "d</p>" in html


def test_mail_links_are_kept_and_empty_text_is_empty():
    assert 'href="mailto:btc@example.org"' in str(render("[Ban tổ chức](mailto:btc@example.org)"))
    assert str(render("")) == "" and str(render(None)) == ""


def test_headings_go_under_the_page_s_own():
    html = str(render("# Một\n\n### Ba\n\n##### Năm\n\n<h1 onclick=x()>Tay</h1>"))
    assert "<h3>Một</h3>" in html and "<h5>Ba</h5>" in html and "<h6>Năm</h6>" in html and "<h3>Tay</h3>" in html
