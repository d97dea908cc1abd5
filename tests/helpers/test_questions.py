"""Tests for helpers.questions: Question XML, templates, layout parameters, preview links."""

from __future__ import annotations

import html
import xml.etree.ElementTree as ET

import pytest

from helpers.questions import (
    EXTERNAL_QUESTION_NAMESPACE,
    HTML_QUESTION_NAMESPACE,
    TEMPLATES_DIR,
    bounding_box_question,
    external_question,
    html_question,
    layout_parameters,
    load_template,
    preview_url,
    render_template,
)

PAGE = "<!DOCTYPE html>\n<html><head><title>t</title></head><body><p>Draw a box</p></body></html>"


def html_content(question: str) -> tuple[str, str]:
    """Parse HTMLQuestion XML and return (HTMLContent text, FrameHeight text)."""
    root = ET.fromstring(question)
    assert root.tag == f"{{{HTML_QUESTION_NAMESPACE}}}HTMLQuestion"
    content = root.find(f"{{{HTML_QUESTION_NAMESPACE}}}HTMLContent")
    height = root.find(f"{{{HTML_QUESTION_NAMESPACE}}}FrameHeight")
    return content.text, height.text


def external_url(question: str) -> tuple[str, str]:
    root = ET.fromstring(question)
    assert root.tag == f"{{{EXTERNAL_QUESTION_NAMESPACE}}}ExternalQuestion"
    return (root.find(f"{{{EXTERNAL_QUESTION_NAMESPACE}}}ExternalURL").text,
            root.find(f"{{{EXTERNAL_QUESTION_NAMESPACE}}}FrameHeight").text)


# ---------------------------------------------------------------------------
# html_question


def test_html_question_round_trip():
    assert html_content(html_question(PAGE)) == (PAGE, "0")


def test_html_question_frame_height():
    assert html_content(html_question(PAGE, frame_height=600))[1] == "600"


def test_html_question_cdata_end_split_safely():
    page = PAGE.replace("Draw a box", "if (a[b[0]]>1) { x = ']]>'; }")
    question = html_question(page)
    assert question.count("<![CDATA[") == 3  # one section, split at each of the two "]]>"
    assert html_content(question)[0] == page


def test_html_question_keeps_non_ascii():
    page = PAGE.replace("Draw a box", "Dessinez une bo\u00eete \u2014 & <b>ok</b>")
    assert html_content(html_question(page))[0] == page


def test_html_question_rejects_fragment():
    with pytest.raises(ValueError) as caught:
        html_question("<p>Draw a box</p>")
    assert str(caught.value) == (
        "html_document must be a full HTML document, because MTurk rejects fragments: it must "
        "start with <!DOCTYPE html> and contain an <html> element and contain a <body> element; "
        "it starts with '<p>Draw a box</p>'")


def test_html_question_rejects_missing_doctype():
    with pytest.raises(ValueError) as caught:
        html_question("<html><body>x</body></html>")
    assert str(caught.value) == (
        "html_document must be a full HTML document, because MTurk rejects fragments: it must "
        "start with <!DOCTYPE html>; it starts with '<html><body>x</body></html>'")


def test_html_question_doctype_case_and_whitespace():
    page = "\n  <!doctype HTML><html><body></body></html>"
    assert html_content(html_question(page))[0] == page


def test_html_question_rejects_control_character():
    with pytest.raises(ValueError) as caught:
        html_question(PAGE.replace("Draw", "Dr\x00aw"))
    index = PAGE.index("Draw") + 2
    assert str(caught.value) == (f"html_document contains the character '\\x00' at index {index}, "
                                 "which XML does not allow; remove it")


def test_html_question_rejects_oversize():
    page = PAGE.replace("Draw a box", "x" * 70_000)
    size = len(html_question(PAGE)) - len("Draw a box") + 70_000
    with pytest.raises(ValueError) as caught:
        html_question(page)
    assert str(caught.value) == (f"the Question XML is {size} bytes, but MTurk accepts at most 65535; "
                                 "move large scripts or images to URLs")


@pytest.mark.parametrize("height, error, message", [
    (-1, ValueError, "frame_height must be 0 (fit the page) or a positive number of pixels; got -1"),
    (True, TypeError, "frame_height must be an int number of pixels, got bool"),
    ("600", TypeError, "frame_height must be an int number of pixels, got str"),
])
def test_html_question_rejects_bad_frame_height(height, error, message):
    with pytest.raises(error) as caught:
        html_question(PAGE, frame_height=height)
    assert str(caught.value) == message


# ---------------------------------------------------------------------------
# external_question


def test_external_question_escapes_ampersand():
    url = "https://example.org/task?image=a.jpg&labels=cup,spoon"
    question = external_question(url, frame_height=800)
    assert "image=a.jpg&amp;labels=cup,spoon" in question
    assert external_url(question) == (url, "800")


def test_external_question_rejects_http():
    with pytest.raises(ValueError) as caught:
        external_question("http://example.org/task")
    assert str(caught.value) == (
        "url must use https://, because MTurk requires HTTPS for an ExternalQuestion "
        "(pass allow_local_http=True for a page on 127.0.0.1); got 'http://example.org/task'")


@pytest.mark.parametrize("url", ["http://127.0.0.1:8765/task?a=1&b=2", "http://localhost/task"])
def test_external_question_local_http_allowed(url):
    assert external_url(external_question(url, allow_local_http=True))[0] == url


def test_external_question_local_http_needs_flag():
    with pytest.raises(ValueError):
        external_question("http://127.0.0.1:8765/task")


def test_external_question_remote_http_rejected_with_flag():
    with pytest.raises(ValueError) as caught:
        external_question("http://example.org/task", allow_local_http=True)
    assert str(caught.value) == ("url must use https://, and plain http:// is allowed only for "
                                 "127.0.0.1 and localhost; got 'http://example.org/task'")


@pytest.mark.parametrize("url, message", [
    ("https:///task", "url must be an absolute https:// URL with a host; got 'https:///task'"),
    ("/task", "url must be an absolute https:// URL with a host; got '/task'"),
    ("https://example.org/a b", "url must not contain whitespace; encode spaces as %20; "
                                "got 'https://example.org/a b'"),
])
def test_external_question_rejects_malformed(url, message):
    with pytest.raises(ValueError) as caught:
        external_question(url)
    assert str(caught.value) == message


# ---------------------------------------------------------------------------
# templates


def write_template(directory, name="card", text="<p>${title}</p><img src=\"${image_url}\">"):
    path = directory / f"{name}.html"
    path.write_text(text, encoding="utf-8")
    return path


def test_load_template_from_directory(tmp_path):
    write_template(tmp_path, text="caf\u00e9 ${x}")
    assert load_template("card", directory=tmp_path) == "caf\u00e9 ${x}"


def test_load_template_missing_lists_available(tmp_path):
    write_template(tmp_path, "card")
    write_template(tmp_path, "other")
    with pytest.raises(FileNotFoundError) as caught:
        load_template("nope", directory=tmp_path)
    assert str(caught.value) == (f"template 'nope' not found: {tmp_path / 'nope.html'} does not exist; "
                                 f"templates in {tmp_path}: card, other")


@pytest.mark.parametrize("name", ["../secret", "card.html", "", "a/b"])
def test_load_template_rejects_path_names(tmp_path, name):
    with pytest.raises(ValueError) as caught:
        load_template(name, directory=tmp_path)
    assert str(caught.value) == ("template name must contain only letters, digits, '_' and '-', "
                                 f"without '.html'; got {name!r}")


def test_render_escapes_values():
    page = render_template('<p>${title}</p><img src="${image_url}">',
                           {"title": "Cups & <spoons>", "image_url": 'https://x.org/a.jpg?"q=1'})
    assert page == '<p>Cups &amp; &lt;spoons&gt;</p><img src="https://x.org/a.jpg?&quot;q=1">'


def test_render_repeated_placeholder():
    assert render_template("${a}-${a}", {"a": "x"}) == "x-x"


def test_render_single_pass():
    assert render_template("${a} ${b}", {"a": "${b}", "b": "1"}) == "${b} 1"


def test_render_leaves_other_dollar_text():
    template = "price $5, ${ not a name }, ${a.b}, ${x}"
    assert render_template(template, {"x": "1"}) == "price $5, ${ not a name }, ${a.b}, 1"


def test_render_placeholder_without_value():
    with pytest.raises(ValueError) as caught:
        render_template("${image_url} ${objects_to_find}", {"image_url": "u"})
    assert str(caught.value) == (
        "template parameters do not match the template: placeholders without a value: "
        "${objects_to_find}; the template has placeholders ${image_url}, ${objects_to_find}")


def test_render_value_without_placeholder():
    with pytest.raises(ValueError) as caught:
        render_template("${image_url}", {"image_url": "u", "labels": "cup"})
    assert str(caught.value) == (
        "template parameters do not match the template: values without a placeholder in the "
        "template: 'labels'; the template has placeholders ${image_url}")


def test_render_both_mismatches():
    with pytest.raises(ValueError) as caught:
        render_template("<p>${a}</p>", {"b": "1"})
    assert str(caught.value) == (
        "template parameters do not match the template: placeholders without a value: ${a}; "
        "values without a placeholder in the template: 'b'; the template has placeholders ${a}")


def test_render_rejects_non_string_value():
    with pytest.raises(TypeError) as caught:
        render_template("${width}", {"width": 800})
    assert str(caught.value) == "parameter 'width' must be a str (convert it with str()); got int 800"


def test_render_loaded_template(tmp_path):
    write_template(tmp_path)
    page = render_template(load_template("card", directory=tmp_path),
                           {"title": "A & B", "image_url": "https://x.org/a.jpg"})
    assert page == '<p>A &amp; B</p><img src="https://x.org/a.jpg">'


# ---------------------------------------------------------------------------
# the project's bounding-box template


@pytest.mark.skipif(not (TEMPLATES_DIR / "bounding_box.html").is_file(),
                    reason="helpers/templates/bounding_box.html is not written yet")
def test_bounding_box_question_real_template():
    image_url = "http://127.0.0.1:8765/images/kitchen.jpg?size=large&v=2"
    question = bounding_box_question(image_url, ["cup", "spoon"], frame_height=700)
    page, height = html_content(question)
    assert height == "700"
    assert page.lstrip().lower().startswith("<!doctype html>")
    marker = (f'<div id="bbox-task" data-image-url="{html.escape(image_url)}" '
              f'data-labels="cup, spoon">')
    assert page.count(marker) == 1
    assert "${" not in page.replace("${ ", "")  # no MTurk placeholder left unfilled


def test_bounding_box_question_label_string_equals_list():
    assert bounding_box_question("https://x.org/a.jpg", "cup, spoon") == \
        bounding_box_question("https://x.org/a.jpg", ["cup", "spoon"])


@pytest.mark.parametrize("labels, message", [
    ([], "labels must name at least one object to find, like ['cup']"),
    (["cup", ""], "each label must be a non-empty str without commas, because the template "
                  "receives them as one comma-separated list; got '' in ['cup', '']"),
    (["cup, spoon"], "each label must be a non-empty str without commas, because the template "
                     "receives them as one comma-separated list; got 'cup, spoon' in ['cup, spoon']"),
])
def test_bounding_box_question_rejects_labels(labels, message):
    with pytest.raises(ValueError) as caught:
        bounding_box_question("https://x.org/a.jpg", labels)
    assert str(caught.value) == message


def test_bounding_box_question_rejects_relative_image_url():
    with pytest.raises(ValueError) as caught:
        bounding_box_question("images/a.jpg", ["cup"])
    assert str(caught.value) == "image_url must be an absolute http:// or https:// URL; got 'images/a.jpg'"


# ---------------------------------------------------------------------------
# layout_parameters and preview_url


def test_layout_parameters_shape():
    assert layout_parameters({"image_url": "https://x.org/a.jpg", "objects_to_find": "cup, spoon"}) == [
        {"Name": "image_url", "Value": "https://x.org/a.jpg"},
        {"Name": "objects_to_find", "Value": "cup, spoon"},
    ]


def test_layout_parameters_values_not_escaped():
    assert layout_parameters({"a": "x & y's"}) == [{"Name": "a", "Value": "x & y's"}]


def test_layout_parameters_rejects_bad_name():
    with pytest.raises(ValueError) as caught:
        layout_parameters({"image url": "x"})
    assert str(caught.value) == ("parameter name must be a letter or '_' followed by letters, "
                                 "digits or '_'; got 'image url'")


def test_layout_parameters_rejects_markup():
    with pytest.raises(ValueError) as caught:
        layout_parameters({"title": '<b>"cups"</b>'})
    assert str(caught.value) == ("parameter 'title' contains \", <, >, which MTurk may insert into "
                                 "the layout unescaped; use render_template with html_question "
                                 "instead; got '<b>\"cups\"</b>'")


def test_preview_url_from_hit():
    hit = {"HITId": "3HIT", "HITGroupId": "3GROUP9", "HITTypeId": "3TYPE"}
    assert preview_url("https://workersandbox.mturk.com", hit) == \
        "https://workersandbox.mturk.com/mturk/preview?groupId=3GROUP9"


def test_preview_url_from_response_and_trailing_slash():
    response = {"HIT": {"HITGroupId": "3GROUP9"}, "ResponseMetadata": {}}
    assert preview_url("http://127.0.0.1:8765/", response) == \
        "http://127.0.0.1:8765/mturk/preview?groupId=3GROUP9"


def test_preview_url_requires_group_id():
    with pytest.raises(ValueError) as caught:
        preview_url("https://workersandbox.mturk.com", {"HITId": "3HIT"})
    assert str(caught.value) == ("hit must be the HIT dict returned by create_hit or get_hit, "
                                 "with a HITGroupId; got HITId")
