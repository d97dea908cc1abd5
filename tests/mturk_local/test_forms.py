"""QuestionFormAnswers XML built from posted form fields."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree

import pytest
import xmltodict

from mturk_local.forms import QUESTION_FORM_ANSWERS_NAMESPACE, question_form_answers_xml

NAMESPACE = "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2005-10-01/QuestionFormAnswers.xsd"
HEADER = '<?xml version="1.0" encoding="ASCII"?><QuestionFormAnswers xmlns="' + NAMESPACE + '">'
FOOTER = "</QuestionFormAnswers>"


def answer(name: str, value: str) -> str:
    return f"<Answer><QuestionIdentifier>{name}</QuestionIdentifier><FreeText>{value}</FreeText></Answer>"


def parsed_values(xml: str) -> list[tuple[str, str]]:
    """Read (QuestionIdentifier, FreeText) pairs back with ElementTree."""
    root = ElementTree.fromstring(xml)
    pairs = []
    for element in root.findall(f"{{{NAMESPACE}}}Answer"):
        name = element.find(f"{{{NAMESPACE}}}QuestionIdentifier").text or ""
        value = element.find(f"{{{NAMESPACE}}}FreeText").text or ""
        pairs.append((name, value))
    return pairs


def test_namespace_constant():
    assert QUESTION_FORM_ANSWERS_NAMESPACE == NAMESPACE


def test_one_field_byte_exact():
    xml = question_form_answers_xml([("plausibility", "4")])

    assert xml == HEADER + answer("plausibility", "4") + FOOTER


def test_no_fields_byte_exact():
    assert question_form_answers_xml([]) == HEADER + FOOTER


def test_bbox_fields_byte_exact():
    annotation = '[{"left":10,"top":20,"width":30,"height":40,"label":"cup"}]'
    fields = [
        ("annotation_data", annotation),
        ("image_width", "640"),
        ("image_height", "480"),
        ("comments", ""),
    ]

    xml = question_form_answers_xml(fields)

    # JSON quotes stay as they are; the empty comment is an empty FreeText.
    expected = (
        HEADER
        + answer("annotation_data", annotation)
        + answer("image_width", "640")
        + answer("image_height", "480")
        + answer("comments", "")
        + FOOTER
    )
    assert xml == expected


@pytest.mark.parametrize(
    ("value", "escaped"),
    [
        # empty value
        ("", ""),
        # markup characters
        ("a & b", "a &amp; b"),
        ("<b>x</b>", "&lt;b&gt;x&lt;/b&gt;"),
        # quotes and apostrophes are not escaped
        ("say \"hi\" 'there'", "say \"hi\" 'there'"),
        # non-ASCII as decimal character references, astral planes as one reference
        ("caf\u00e9 \u2014 ok", "caf&#233; &#8212; ok"),
        ("\U0001F600", "&#128512;"),
        # newline and tab stay literal; carriage return survives as a reference
        ("line 1\r\nline 2\tend", "line 1&#13;\nline 2\tend"),
        # characters XML cannot contain become U+FFFD
        ("bell\x07 nul\x00", "bell&#65533; nul&#65533;"),
    ],
)
def test_value_escaping(value, escaped):
    assert question_form_answers_xml([("comments", value)]) == HEADER + answer("comments", escaped) + FOOTER


def test_name_escaping():
    xml = question_form_answers_xml([("a<b&c\u00e9", "1")])

    assert xml == HEADER + answer("a&lt;b&amp;c&#233;", "1") + FOOTER


def test_output_is_ascii():
    xml = question_form_answers_xml([("note", "na\u00efve \u65e5\u672c \U0001F600")])

    assert xml.isascii()


def test_values_round_trip_through_elementtree():
    fields = [
        ("annotation_data", '[{"label":"caf\u00e9 & <co>"}]'),
        ("comments", "two\r\nlines"),
        ("empty", ""),
        ("emoji", "\U0001F600"),
    ]

    assert parsed_values(question_form_answers_xml(fields)) == fields


def test_xmltodict_one_field_is_dict():
    xml = question_form_answers_xml([("answer", "Apple & co \u2014 ok")])

    document = xmltodict.parse(xml)["QuestionFormAnswers"]

    assert document["@xmlns"] == NAMESPACE
    assert document["Answer"] == {"QuestionIdentifier": "answer", "FreeText": "Apple & co \u2014 ok"}


def test_xmltodict_several_fields_are_list():
    xml = question_form_answers_xml([("a", "1"), ("b", "")])

    answers = xmltodict.parse(xml)["QuestionFormAnswers"]["Answer"]

    assert answers == [
        {"QuestionIdentifier": "a", "FreeText": "1"},
        {"QuestionIdentifier": "b", "FreeText": None},
    ]


def test_fields_keep_posted_order():
    fields = [("z", "1"), ("a", "2"), ("m", "3")]

    assert parsed_values(question_form_answers_xml(fields)) == fields


def test_lists_accepted_as_pairs():
    assert question_form_answers_xml([["a", "1"]]) == HEADER + answer("a", "1") + FOOTER


def test_non_string_value_rejected():
    with pytest.raises(TypeError) as error:
        question_form_answers_xml([("image_width", 640)])

    assert str(error.value) == (
        "form field 0 must be a (name, value) pair of two strings; "
        "got name 'image_width' and value 640; convert numbers with str() first"
    )


def test_item_that_is_not_a_pair_rejected():
    with pytest.raises(TypeError) as error:
        question_form_answers_xml([("a", "1"), "ab"])

    assert str(error.value) == "form field 1 must be a (name, value) pair of two strings; got 'ab'"
