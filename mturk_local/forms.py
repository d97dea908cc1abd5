"""Build the QuestionFormAnswers XML that MTurk stores in ``Assignment.Answer``.

A worker's browser posts the task's form fields to ``/mturk/externalSubmit``.
MTurk turns each field into one ``<Answer>`` element, in the order the form
posted them, and returns the document as ``Assignment.Answer``. The format
copied here is the one seen in answers returned by the live service: an ASCII
XML declaration, the 2005-10-01 QuestionFormAnswers namespace, and no
whitespace between elements.

>>> xml = question_form_answers_xml([("comments", "café & co")])
>>> xml.split('.xsd">')[1]
'<Answer><QuestionIdentifier>comments</QuestionIdentifier><FreeText>caf&#233; &amp; co</FreeText></Answer></QuestionFormAnswers>'
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["QUESTION_FORM_ANSWERS_NAMESPACE", "question_form_answers_xml"]

QUESTION_FORM_ANSWERS_NAMESPACE = (
    "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2005-10-01/QuestionFormAnswers.xsd"
)

_XML_DECLARATION = '<?xml version="1.0" encoding="ASCII"?>'
_DOCUMENT_START = f'{_XML_DECLARATION}<QuestionFormAnswers xmlns="{QUESTION_FORM_ANSWERS_NAMESPACE}">'
_DOCUMENT_END = "</QuestionFormAnswers>"

# Characters that XML 1.0 forbids even as character references: C0 controls
# other than tab, newline and carriage return, lone surrogates (possible in a
# Python str decoded with "surrogateescape"), and the two noncharacters U+FFFE
# and U+FFFF.
_CHARACTERS_NOT_ALLOWED_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_REPLACEMENT_CHARACTER = "\ufffd"

# A literal carriage return would be turned into a newline by every XML
# parser, so it is written as a reference to survive a round trip. Quotes are
# left alone because the answer XML that MTurk returns keeps JSON quotes as
# they are.
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})


def _escape_text(text: str) -> str:
    """Return ``text`` as ASCII XML character data.

    Non-ASCII characters become decimal character references (an em dash
    becomes ``&#8212;``). Characters that XML cannot represent become
    ``&#65533;``, the Unicode replacement character.
    """
    text = _CHARACTERS_NOT_ALLOWED_IN_XML.sub(_REPLACEMENT_CHARACTER, text)
    text = text.translate(_ESCAPES)
    return text.encode("ascii", "xmlcharrefreplace").decode("ascii")


def question_form_answers_xml(fields: Sequence[tuple[str, str]]) -> str:
    """Build the QuestionFormAnswers XML for posted form fields.

    ``fields`` is a sequence of ``(name, value)`` string pairs in the order the
    form posted them. Each pair becomes one ``<Answer>`` whose
    ``QuestionIdentifier`` is the name and whose ``FreeText`` is the value,
    with ``&``, ``<`` and ``>`` escaped and non-ASCII characters written as
    numeric character references. An empty value gives
    ``<FreeText></FreeText>``. The caller removes the ``assignmentId`` field
    first, as MTurk does. The result is an ASCII-only ``str``.

    Raises ``TypeError`` when an item is not a pair of two strings.
    """
    parts = [_DOCUMENT_START]
    for position, field in enumerate(fields):
        if isinstance(field, (str, bytes)) or not isinstance(field, Sequence) or len(field) != 2:
            raise TypeError(
                f"form field {position} must be a (name, value) pair of two strings; got {field!r}"
            )
        name, value = field
        if not isinstance(name, str) or not isinstance(value, str):
            raise TypeError(
                f"form field {position} must be a (name, value) pair of two strings; "
                f"got name {name!r} and value {value!r}; convert numbers with str() first"
            )
        parts.append(
            "<Answer><QuestionIdentifier>"
            + _escape_text(name)
            + "</QuestionIdentifier><FreeText>"
            + _escape_text(value)
            + "</FreeText></Answer>"
        )
    parts.append(_DOCUMENT_END)
    return "".join(parts)
