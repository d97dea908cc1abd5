"""Tests for helpers.answers: answer XML, both box shapes, cleaning and scaling."""

from __future__ import annotations

import logging
from xml.sax.saxutils import escape

import pytest

from helpers.answers import (
    AnswerFormatError,
    AssignmentAnswer,
    ParsedBoxes,
    clean_boxes,
    parse_answer_xml,
    parse_assignment,
    parse_boxes,
    scale_boxes,
)
from helpers.geometry import Box

NAMESPACE = "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2005-10-01/QuestionFormAnswers.xsd"
DOG_TASK_ANSWERS = ('[{"annotatedResult":{"boundingBoxes":[{"height":401,"label":"Dog","left":243,'
                    '"top":117,"width":187}],"inputImageProperties":{"height":533,"width":800}}}]')
DOG_BOX = Box(243.0, 117.0, 430.0, 518.0, "Dog")
STOP_SIGN_DATA = ('[{"left":354,"top":31,"width":182,"height":191,"label":"stop sign",'
                  '"initialValueModified":false}]')


def answer_xml(*fields: tuple[str, str]) -> str:
    """Build a QuestionFormAnswers document the way MTurk stores one: no whitespace, FreeText per field."""
    answers = "".join(f"<Answer><QuestionIdentifier>{escape(name)}</QuestionIdentifier>"
                      f"<FreeText>{escape(value)}</FreeText></Answer>" for name, value in fields)
    return (f'<?xml version="1.0" encoding="ASCII"?>'
            f'<QuestionFormAnswers xmlns="{NAMESPACE}">{answers}</QuestionFormAnswers>')


def assignment(answer: str | None, assignment_id: str = "3ASSIGNMENT01") -> dict:
    return {"AssignmentId": assignment_id, "WorkerId": "AWORKER01", "HITId": "3HIT01",
            "AssignmentStatus": "Submitted", "Answer": answer}


# ---------------------------------------------------------------------------
# parse_answer_xml


def test_answer_xml_zero_answers():
    assert parse_answer_xml(f'<QuestionFormAnswers xmlns="{NAMESPACE}"></QuestionFormAnswers>') == {}


def test_answer_xml_one_answer_crowd_form():
    fields = parse_answer_xml(answer_xml(("taskAnswers", DOG_TASK_ANSWERS)))
    assert fields == {"taskAnswers": DOG_TASK_ANSWERS}


def test_answer_xml_many_answers_in_order():
    fields = parse_answer_xml(answer_xml(("annotation_data", "[]"), ("image_width", "800"),
                                         ("image_height", "533"), ("comments", "")))
    assert list(fields) == ["annotation_data", "image_width", "image_height", "comments"]
    assert fields["image_width"] == "800"
    assert fields["comments"] == ""


@pytest.mark.parametrize("answer", [None, "", "   \n"])
def test_answer_xml_missing_or_blank(answer):
    assert parse_answer_xml(answer) == {}


def test_answer_xml_empty_free_text_forms():
    xml = (f'<QuestionFormAnswers xmlns="{NAMESPACE}">'
           "<Answer><QuestionIdentifier>notes</QuestionIdentifier><FreeText/></Answer>"
           "<Answer><QuestionIdentifier>other</QuestionIdentifier><FreeText></FreeText></Answer>"
           "<Answer><QuestionIdentifier>no_free_text</QuestionIdentifier></Answer>"
           "</QuestionFormAnswers>")
    assert parse_answer_xml(xml) == {"notes": "", "other": "", "no_free_text": ""}


def test_answer_xml_keeps_free_text_exactly():
    xml = (f'<QuestionFormAnswers xmlns="{NAMESPACE}">\n  <Answer>\n'
           "    <QuestionIdentifier> comments </QuestionIdentifier>\n"
           "    <FreeText>  two  spaces &amp; &lt;tag&gt; caf&#233; &#8212;\n</FreeText>\n"
           "  </Answer>\n</QuestionFormAnswers>")
    assert parse_answer_xml(xml) == {"comments": "  two  spaces & <tag> caf\u00e9 \u2014\n"}


def test_answer_xml_joins_selections_with_bar():
    xml = (f'<QuestionFormAnswers xmlns="{NAMESPACE}">'
           "<Answer><QuestionIdentifier>colours</QuestionIdentifier>"
           "<SelectionIdentifier>red</SelectionIdentifier>"
           "<SelectionIdentifier>blue</SelectionIdentifier></Answer>"
           "<Answer><QuestionIdentifier>one</QuestionIdentifier>"
           "<SelectionIdentifier>yes</SelectionIdentifier></Answer>"
           "<Answer><QuestionIdentifier>other</QuestionIdentifier>"
           "<SelectionIdentifier>a</SelectionIdentifier>"
           "<OtherSelectionText>typed</OtherSelectionText></Answer>"
           "</QuestionFormAnswers>")
    assert parse_answer_xml(xml) == {"colours": "red|blue", "one": "yes", "other": "a|typed"}


def test_answer_xml_duplicate_identifier_keeps_first(caplog):
    with caplog.at_level(logging.WARNING, logger="helpers.answers"):
        fields = parse_answer_xml(answer_xml(("comments", "first"), ("comments", "second")))
    assert fields == {"comments": "first"}
    assert caplog.messages == ["Answer repeats QuestionIdentifier 'comments'; kept the first value of each"]


def test_answer_xml_invalid_xml_message():
    with pytest.raises(AnswerFormatError) as caught:
        parse_answer_xml("<QuestionFormAnswers><Answer></QuestionFormAnswers>")
    assert str(caught.value) == ("Answer is not well-formed XML (mismatched tag: line 1, column 31): "
                                 "'<QuestionFormAnswers><Answer></QuestionFormAnswers>'")
    assert isinstance(caught.value, ValueError)


def test_answer_xml_wrong_root_message():
    with pytest.raises(AnswerFormatError) as caught:
        parse_answer_xml("<HTMLQuestion><Answer/></HTMLQuestion>")
    assert str(caught.value) == "Answer XML must have the root element QuestionFormAnswers, got 'HTMLQuestion'"


def test_answer_xml_missing_identifier_message():
    with pytest.raises(AnswerFormatError) as caught:
        parse_answer_xml(f'<QuestionFormAnswers xmlns="{NAMESPACE}"><Answer><FreeText>x</FreeText>'
                         "</Answer></QuestionFormAnswers>")
    assert str(caught.value) == "Answer 1 must have exactly one QuestionIdentifier, found 0"


def test_answer_xml_rejects_entity_declarations():
    xml = ('<!DOCTYPE QuestionFormAnswers [<!ENTITY big "xxxxxxxxxx">]>'
           "<QuestionFormAnswers><Answer><QuestionIdentifier>a</QuestionIdentifier>"
           "<FreeText>&big;</FreeText></Answer></QuestionFormAnswers>")
    with pytest.raises(AnswerFormatError) as caught:
        parse_answer_xml(xml)
    assert str(caught.value).startswith("Answer is not well-formed XML (entities are disabled): '<!DOCTYPE")


def test_answer_xml_rejects_non_string():
    with pytest.raises(TypeError) as caught:
        parse_answer_xml(b"<QuestionFormAnswers/>")
    assert str(caught.value) == "Answer must be a str of QuestionFormAnswers XML or None, got bytes"


# ---------------------------------------------------------------------------
# parse_boxes: shapes


def test_boxes_crowd_form_dog():
    parsed = parse_boxes({"taskAnswers": DOG_TASK_ANSWERS})
    assert parsed.status == "ok"
    assert parsed.boxes == [DOG_BOX]
    assert parsed.boxes[0].xywh == (243.0, 117.0, 187.0, 401.0)
    assert parsed.image_size == (800, 533)
    assert parsed.problems == []
    assert parsed.raw_text == DOG_TASK_ANSWERS


def test_boxes_crowd_form_through_xml_with_other_answers():
    xml = answer_xml(("taskAnswers", DOG_TASK_ANSWERS), ("comments", "a dog"))
    parsed = parse_boxes(parse_answer_xml(xml))
    assert parsed.status == "ok"
    assert parsed.boxes == [DOG_BOX]


def test_boxes_crowd_form_flattened_fields():
    fields = {
        "annotatedResult.boundingBoxes": '[{"height":401,"label":"Dog","left":243,"top":117,"width":187}]',
        "annotatedResult.inputImageProperties.height": "533",
        "annotatedResult.inputImageProperties.width": "800",
    }
    parsed = parse_boxes(fields)
    assert parsed.status == "ok"
    assert parsed.boxes == [DOG_BOX]
    assert parsed.image_size == (800, 533)


def test_boxes_flat_list_with_json_false():
    parsed = parse_boxes({"annotation_data": STOP_SIGN_DATA, "image_width": "640",
                          "image_height": "480"})
    assert parsed.status == "ok"
    assert parsed.boxes == [Box(354.0, 31.0, 536.0, 222.0, "stop sign")]
    assert parsed.image_size == (640, 480)
    assert parsed.problems == []


def test_boxes_both_shapes_give_same_box():
    flat = parse_boxes({"annotation_data": '[{"left":243,"top":117,"width":187,"height":401,"label":"Dog"}]'})
    crowd = parse_boxes({"taskAnswers": DOG_TASK_ANSWERS})
    assert flat.boxes == crowd.boxes


def test_boxes_python_literal_is_not_evaluated(tmp_path):
    marker = tmp_path / "evaluated"
    text = f"[{{'left': 1, 'top': 2, 'width': 3, 'height': 4, 'label': open({str(marker)!r}, 'w').name, 'ok': True}}]"
    parsed = parse_boxes({"annotation_data": text})
    assert parsed.status == "unparseable"
    assert parsed.boxes == []
    assert parsed.raw_text == text
    assert parsed.problems == ["annotation_data is not valid JSON: Expecting property name "
                               "enclosed in double quotes: line 1 column 3 (char 2)"]
    assert not marker.exists()


def test_boxes_missing_bracket_is_unparseable():
    text = '[{"left":10,"top":20,"width":30,"height":40,"label":"car"}'
    parsed = parse_boxes({"annotation_data": text})
    assert parsed == ParsedBoxes(boxes=[], image_size=None, status="unparseable", raw_text=text, problems=[
        "annotation_data is not valid JSON: Expecting ',' delimiter: line 1 column 59 (char 58)"])


def test_boxes_single_quotes_crowd_form_unparseable():
    text = "[{'annotatedResult': {'boundingBoxes': []}}]"
    parsed = parse_boxes({"taskAnswers": text})
    assert parsed.status == "unparseable"
    assert parsed.raw_text == text


@pytest.mark.parametrize("text", ["", "   "])
def test_boxes_empty_field(text):
    parsed = parse_boxes({"annotation_data": text, "comments": ""})
    assert parsed.status == "empty_field"
    assert parsed.boxes == []
    assert parsed.problems == ["annotation_data is empty, so the worker drew no boxes"]


def test_boxes_empty_list_is_no_boxes():
    parsed = parse_boxes({"annotation_data": "[]"})
    assert parsed.status == "no_boxes"
    assert parsed.problems == ["annotation_data holds an empty list, so the worker drew no boxes"]


def test_boxes_crowd_form_empty_list_is_no_boxes():
    text = '[{"annotatedResult":{"boundingBoxes":[],"inputImageProperties":{"height":533,"width":800}}}]'
    parsed = parse_boxes({"taskAnswers": text})
    assert parsed.status == "no_boxes"
    assert parsed.image_size == (800, 533)


def test_boxes_no_box_field():
    parsed = parse_boxes({"comments": "hi", "feedback": ""})
    assert parsed.status == "unknown_shape"
    assert parsed.problems == ["no box field found (expected 'annotation_data', 'taskAnswers' or "
                               "'<name>.boundingBoxes'); fields present: 'comments', 'feedback'"]


@pytest.mark.parametrize("fields, problem", [
    # a JSON object where a list belongs
    ({"annotation_data": '{"left": 1}'},
     "annotation_data must be a JSON list of boxes, got a JSON object"),
    # crowd-form array with two objects
    ({"taskAnswers": "[{}, {}]"},
     "taskAnswers must be a JSON array holding one object, got a JSON array of 2 item(s)"),
    # crowd-form object without a bounding-box element
    ({"taskAnswers": '[{"q1": "yes"}]'},
     "taskAnswers must hold exactly one element with 'boundingBoxes', found none"),
    # boundingBoxes is not a list
    ({"taskAnswers": '[{"boxes": {"boundingBoxes": {"left": 1}}}]'},
     "taskAnswers element 'boxes': boundingBoxes must be a JSON list, got a JSON object"),
])
def test_boxes_unknown_shapes(fields, problem):
    parsed = parse_boxes(fields)
    assert parsed.status == "unknown_shape"
    assert parsed.boxes == []
    assert parsed.problems == [problem]


@pytest.mark.parametrize("entry, problem", [
    ('"left"', "expected a JSON object with left, top, width, height, got a JSON string"),
    ('{"left": 1, "top": 2}', "missing width, height"),
    ('{"left": NaN, "top": 2, "width": 3, "height": 4}', "left must be a finite number, got nan"),
    ('{"left": 1, "top": Infinity, "width": 3, "height": 4}', "top must be a finite number, got inf"),
    ('{"left": 1, "top": 2, "width": -Infinity, "height": 4}', "width must be a finite number, got -inf"),
    ('{"left": 1, "top": 2, "width": 1e999, "height": 4}', "width must be a finite number, got inf"),
    ('{"left": true, "top": 2, "width": 3, "height": 4}', "left must be a finite number, got True"),
    ('{"left": "10", "top": 2, "width": 3, "height": 4}', "left must be a finite number, got '10'"),
    ('{"left": null, "top": 2, "width": 3, "height": 4}', "left must be a finite number, got None"),
    ('{"left": 1, "top": 2, "width": 3, "height": 4, "label": 7}',
     "label must be a JSON string, got a JSON number"),
])
def test_boxes_invalid_entry_skipped(entry, problem):
    text = f'[{entry}, {{"left": 5, "top": 6, "width": 7, "height": 8, "label": "cup"}}]'
    parsed = parse_boxes({"annotation_data": text})
    assert parsed.status == "ok"
    assert parsed.boxes == [Box(5.0, 6.0, 12.0, 14.0, "cup")]
    assert parsed.problems == [f"annotation_data box 0 skipped: {problem}"]


def test_boxes_huge_integer_skipped():
    text = '[{"left": 1' + "0" * 400 + ', "top": 2, "width": 3, "height": 4}]'
    parsed = parse_boxes({"annotation_data": text})
    assert parsed.status == "unknown_shape"
    assert parsed.problems == ["annotation_data box 0 skipped: left must be a finite number, "
                               "got a 401-digit integer"]


def test_boxes_deep_nesting_is_unparseable():
    parsed = parse_boxes({"annotation_data": "[" * 100_000})
    assert parsed.status == "unparseable"


def test_boxes_invalid_image_size_ignored():
    parsed = parse_boxes({"annotation_data": "[]", "image_width": "wide", "image_height": "533"})
    assert parsed.image_size is None
    assert parsed.problems[0] == "image size ignored: image_width must be a number of pixels, got 'wide'"


def test_boxes_zero_image_size_ignored():
    text = '[{"a":{"boundingBoxes":[],"inputImageProperties":{"height":533,"width":0}}}]'
    parsed = parse_boxes({"taskAnswers": text})
    assert parsed.image_size is None
    assert parsed.problems[0] == ("taskAnswers element 'a': image size ignored: "
                                  "inputImageProperties.width must be greater than 0, got 0")


def test_boxes_negative_size_kept_for_cleaning():
    parsed = parse_boxes({"annotation_data": '[{"left":200,"top":50,"width":-80,"height":60}]'})
    assert parsed.boxes == [Box(200.0, 50.0, 120.0, 110.0)]


# ---------------------------------------------------------------------------
# clean_boxes and scale_boxes


def test_clean_negative_width_normalised():
    boxes, problems = clean_boxes([Box.from_xywh(200, 50, -80, 60)], (800, 533))
    assert boxes == [Box(120.0, 50.0, 200.0, 110.0)]
    assert problems == ["box 0 had a negative width or height; normalised "
                        "{left 200, top 50, width -80, height 60} to [120, 50, 200, 110]"]


def test_clean_clips_to_image():
    boxes, problems = clean_boxes([Box.from_xywh(780, 500, 100, 100, "car")], (800, 533))
    assert boxes == [Box(780.0, 500.0, 800.0, 533.0, "car")]
    assert problems == []


def test_clean_drops_box_outside_image():
    boxes, problems = clean_boxes([Box.from_xywh(900, 600, 50, 50, "car")], (800, 533))
    assert boxes == []
    assert problems == ["box 0 ('car') dropped: [900, 600, 950, 650] lies outside the 800x533 image"]


def test_clean_drops_click_by_min_size():
    boxes, problems = clean_boxes([Box.from_xywh(10, 10, 1, 1)], (800, 533))
    assert boxes == []
    assert problems == ["box 0 dropped: [10, 10, 11, 11] is smaller than min_size_px=2"]


def test_clean_min_size_is_configurable():
    boxes, problems = clean_boxes([Box.from_xywh(10, 10, 1, 1)], (800, 533), min_size_px=0)
    assert boxes == [Box(10.0, 10.0, 11.0, 11.0)]
    assert problems == []


def test_clean_counts_each_dropped_box():
    raw = [Box.from_xywh(780, 500, 100, 100), Box.from_xywh(900, 600, 50, 50),
           Box.from_xywh(10, 10, 1, 1), Box.from_xywh(5, 5, 0, 30), Box.from_xywh(-50, -50, 20, 20)]
    boxes, problems = clean_boxes(raw, (800, 533))
    assert boxes == [Box(780.0, 500.0, 800.0, 533.0)]
    assert len(problems) == 4
    assert problems[2] == "box 3 dropped: [5, 5, 5, 35] has zero width or height"
    assert problems[3] == "box 4 dropped: [-50, -50, -30, -30] lies outside the 800x533 image"


def test_clean_without_image_size_only_normalises():
    boxes, problems = clean_boxes([Box(900.0, 600.0, 950.0, 650.0)], None)
    assert boxes == [Box(900.0, 600.0, 950.0, 650.0)]
    assert problems == []


@pytest.mark.parametrize("image_wh", [(0, 533), (800,), (800, float("nan")), "800x533"])
def test_clean_rejects_invalid_image_size(image_wh):
    with pytest.raises(ValueError) as caught:
        clean_boxes([], image_wh)
    assert str(caught.value).startswith("image_wh must be")


def test_clean_rejects_negative_min_size():
    with pytest.raises(ValueError) as caught:
        clean_boxes([], (800, 533), min_size_px=-1)
    assert str(caught.value) == "min_size_px must be a finite number of pixels >= 0, got -1"


def test_scale_display_to_file_pixels(caplog):
    with caplog.at_level(logging.WARNING, logger="helpers.answers"):
        boxes = scale_boxes([Box.from_xywh(17, 215, 1903, 697, "bus")], (1920, 1080), (1280, 720))
    left, top, width, height = boxes[0].xywh
    assert left == pytest.approx(11.333, abs=1e-3)
    assert top == pytest.approx(143.333, abs=1e-3)
    assert width == pytest.approx(1268.667, abs=1e-3)
    assert height == pytest.approx(464.667, abs=1e-3)
    assert boxes[0].label == "bus"
    assert caplog.messages == ["scaling 1 box(es) from a 1920x1080 image to 1280x720 (x by 0.6667, "
                               "y by 0.6667); the answer's coordinates were not in the file's pixels"]


def test_scale_each_axis_separately():
    boxes = scale_boxes([Box(10.0, 10.0, 20.0, 20.0)], (100, 100), (200, 50))
    assert boxes == [Box(20.0, 5.0, 40.0, 10.0)]


def test_scale_same_size_no_warning(caplog):
    with caplog.at_level(logging.WARNING, logger="helpers.answers"):
        boxes = scale_boxes([DOG_BOX], (800, 533), (800, 533))
    assert boxes == [DOG_BOX]
    assert caplog.messages == []


# ---------------------------------------------------------------------------
# parse_assignment


def test_assignment_crowd_form_dog():
    result = parse_assignment(assignment(answer_xml(("taskAnswers", DOG_TASK_ANSWERS))))
    assert result == AssignmentAnswer(
        assignment_id="3ASSIGNMENT01", worker_id="AWORKER01", hit_id="3HIT01", status="Submitted",
        fields={"taskAnswers": DOG_TASK_ANSWERS}, boxes=[DOG_BOX], image_size=(800, 533),
        needs_review=False, problems=[], raw_text=DOG_TASK_ANSWERS, box_status="ok")


def test_assignment_empty_fields_need_review():
    xml = (f'<?xml version="1.0" encoding="ASCII"?><QuestionFormAnswers xmlns="{NAMESPACE}">'
           "<Answer><QuestionIdentifier>annotation_data</QuestionIdentifier><FreeText></FreeText></Answer>"
           "<Answer><QuestionIdentifier>notes</QuestionIdentifier><FreeText/></Answer>"
           "</QuestionFormAnswers>")
    result = parse_assignment(assignment(xml))
    assert result.fields == {"annotation_data": "", "notes": ""}
    assert result.boxes == []
    assert result.box_status == "empty_field"
    assert result.needs_review is True
    assert result.problems == ["annotation_data is empty, so the worker drew no boxes"]


def test_assignment_batch_goes_on_after_bad_answers(caplog):
    answers = [
        answer_xml(("annotation_data", '[{"left":10,"top":20,"width":30,"height":40,"label":"car"}')),
        "<QuestionFormAnswers><Answer>",
        answer_xml(("annotation_data", "[{'left': 1}]")),
        None,
        answer_xml(("taskAnswers", DOG_TASK_ANSWERS)),
    ]
    with caplog.at_level(logging.WARNING, logger="helpers.answers"):
        results = [parse_assignment(assignment(text, f"3A{index}")) for index, text in enumerate(answers)]
    assert [result.box_status for result in results] == [
        "unparseable", "unparseable", "unparseable", "unknown_shape", "ok"]
    assert [result.needs_review for result in results] == [True, True, True, True, False]
    assert results[0].raw_text == '[{"left":10,"top":20,"width":30,"height":40,"label":"car"}'
    assert results[1].raw_text == "<QuestionFormAnswers><Answer>"
    assert results[1].problems == [
        "Answer is not well-formed XML (no element found: line 1, column 29): '<QuestionFormAnswers><Answer>'"]
    assert results[4].boxes == [DOG_BOX]
    assert len(caplog.messages) == 4
    assert caplog.messages[1] == ("assignment 3A1 from worker AWORKER01 needs review (unparseable): "
                                  "Answer is not well-formed XML (no element found: line 1, column 29): '<QuestionFormAnswers><Answer>'")


def test_assignment_cleans_against_stated_size():
    data = ('[{"left":780,"top":500,"width":100,"height":100,"label":"car"},'
            '{"left":900,"top":600,"width":50,"height":50,"label":"car"},'
            '{"left":300,"top":300,"width":1,"height":1,"label":"car"},'
            '{"left":200,"top":50,"width":-80,"height":60,"label":"car"}]')
    xml = answer_xml(("annotation_data", data), ("image_width", "800"), ("image_height", "533"),
                     ("comments", ""))
    result = parse_assignment(assignment(xml))
    assert result.boxes == [Box(780.0, 500.0, 800.0, 533.0, "car"), Box(120.0, 50.0, 200.0, 110.0, "car")]
    assert result.image_size == (800, 533)
    assert result.box_status == "ok"
    assert result.needs_review is True
    assert result.problems == [
        "box 1 ('car') dropped: [900, 600, 950, 650] lies outside the 800x533 image",
        "box 2 ('car') dropped: [300, 300, 301, 301] is smaller than min_size_px=2",
        "box 3 ('car') had a negative width or height; normalised "
        "{left 200, top 50, width -80, height 60} to [120, 50, 200, 110]",
    ]


def test_assignment_rescales_to_file_size():
    data = '[{"left":17,"top":215,"width":1903,"height":697,"label":"bus"}]'
    xml = answer_xml(("annotation_data", data), ("image_width", "1920"), ("image_height", "1080"))
    result = parse_assignment(assignment(xml), image_wh=(1280, 720))
    assert result.image_size == (1280, 720)
    assert [round(value, 3) for value in result.boxes[0].xywh] == [11.333, 143.333, 1268.667, 464.667]
    assert result.problems == ["answer states image size 1920x1080 but the file is 1280x720; "
                               "rescaled 1 box(es) to the file's pixels"]


def test_assignment_all_boxes_dropped_is_no_boxes():
    xml = answer_xml(("annotation_data", '[{"left":900,"top":600,"width":50,"height":50}]'),
                     ("image_width", "800"), ("image_height", "533"))
    result = parse_assignment(assignment(xml))
    assert result.boxes == []
    assert result.box_status == "no_boxes"
    assert result.needs_review is True


@pytest.mark.parametrize("answer", [
    b"<QuestionFormAnswers/>",
    12,
    answer_xml(("annotation_data", "null")),
    answer_xml(("annotation_data", "[[1, 2, 3, 4]]")),
    answer_xml(("taskAnswers", "[null]")),
    answer_xml(("taskAnswers", '[{"a": {"boundingBoxes": [{"left": []}], "inputImageProperties": 5}}]')),
    answer_xml(("x.boundingBoxes", '[{"left":1,"top":1,"width":5,"height":5}]'),
               ("x.inputImageProperties.width", "-3")),
    "<a>" * 5 + "</a>" * 5,
])
def test_assignment_never_raises_on_worker_content(answer):
    result = parse_assignment(assignment(answer))
    assert result.needs_review is True
    assert all(len(problem) < 500 for problem in result.problems)


def test_assignment_long_label_kept_and_problems_short():
    label = "x" * 5000
    data = f'[{{"left":1,"top":1,"width":-5,"height":5,"label":"{label}"}}]'
    result = parse_assignment(assignment(answer_xml(("annotation_data", data))))
    assert result.boxes == [Box(-4.0, 1.0, 1.0, 6.0, label)]
    assert len(result.problems) == 1
    assert len(result.problems[0]) < 200


def test_assignment_rejects_non_mapping():
    with pytest.raises(TypeError) as caught:
        parse_assignment(["not", "a", "dict"])
    assert str(caught.value) == "assignment must be a dict as returned by boto3, got list"
