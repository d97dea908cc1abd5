"""Build the Question XML for a HIT, render HIT templates and build preview links.

MTurk takes a HIT's page in one of two XML wrappers:

* ``HTMLQuestion`` (schema 2011-11-11): the page itself, inside CDATA. MTurk
  validates it as HTML5 and rejects fragments, so the page must be a full
  document starting with ``<!DOCTYPE html>``.
* ``ExternalQuestion`` (schema 2006-07-14): the URL of a page that you host,
  which MTurk requires to be HTTPS.

Templates use MTurk's layout syntax: ``${name}`` is replaced by the
HTML-escaped value of the parameter ``name``, both by :func:`render_template`
and by MTurk when a HIT is created from a layout with ``HITLayoutParameters``.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any, Iterable, Mapping
from urllib.parse import quote, urlsplit
from xml.sax.saxutils import escape

__all__ = [
    "HTML_QUESTION_NAMESPACE",
    "EXTERNAL_QUESTION_NAMESPACE",
    "MAX_QUESTION_BYTES",
    "TEMPLATES_DIR",
    "html_question",
    "external_question",
    "load_template",
    "render_template",
    "bounding_box_question",
    "layout_parameters",
    "preview_url",
]

HTML_QUESTION_NAMESPACE = (
    "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2011-11-11/HTMLQuestion.xsd")
EXTERNAL_QUESTION_NAMESPACE = (
    "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2006-07-14/ExternalQuestion.xsd")

# CreateHIT rejects a Question longer than this, counted in bytes with whitespace.
MAX_QUESTION_BYTES = 65_535

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"

LOCAL_HOSTS = ("127.0.0.1", "localhost")

# MTurk layout placeholders: ${name}, where name is a letter or underscore
# followed by letters, digits or underscores.
_PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_PARAMETER_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_TEMPLATE_NAME = re.compile(r"[A-Za-z0-9_-]+")
_DOCTYPE_HTML = re.compile(r"\s*<!doctype\s+html\s*>", re.IGNORECASE)
_HTML_TAG = re.compile(r"<html[\s>]", re.IGNORECASE)
_BODY_TAG = re.compile(r"<body[\s>]", re.IGNORECASE)
# Characters that XML 1.0 does not allow anywhere, not even in CDATA.
# Lone surrogates cannot be encoded as UTF-8 at all.
_XML_INVALID_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def html_question(html_document: str, frame_height: int = 0) -> str:
    """Wrap a full HTML document in HTMLQuestion XML for ``create_hit(Question=...)``.

    ``frame_height`` is the iframe height in pixels that workers see, and 0
    lets MTurk size the frame to the page. The document goes into a CDATA
    section, and any ``]]>`` inside it is split across two CDATA sections so
    that it cannot end the section early.

    Raises:
        ValueError: the document is not a full HTML document (it must start
            with ``<!DOCTYPE html>`` and contain ``<html>`` and ``<body>``).
            Also raised for a character that XML does not allow, a Question
            over 65,535 bytes, or a negative ``frame_height``.
        TypeError: ``html_document`` is not a str or ``frame_height`` is not an int.
    """
    if not isinstance(html_document, str):
        raise TypeError(f"html_document must be a str, got {type(html_document).__name__}")
    missing = []
    if not _DOCTYPE_HTML.match(html_document.lstrip("\ufeff")):
        missing.append("start with <!DOCTYPE html>")
    if not _HTML_TAG.search(html_document):
        missing.append("contain an <html> element")
    if not _BODY_TAG.search(html_document):
        missing.append("contain a <body> element")
    if missing:
        raise ValueError("html_document must be a full HTML document, because MTurk rejects "
                         "fragments: it must " + " and ".join(missing)
                         + f"; it starts with {html_document[:40]!r}")
    _check_xml_characters(html_document, "html_document")
    height = _check_frame_height(frame_height)

    content = html_document.replace("]]>", "]]]]><![CDATA[>")
    question = (f'<HTMLQuestion xmlns="{HTML_QUESTION_NAMESPACE}">'
                f"<HTMLContent><![CDATA[{content}]]></HTMLContent>"
                f"<FrameHeight>{height}</FrameHeight></HTMLQuestion>")
    _check_size(question)
    return question


def external_question(url: str, frame_height: int = 0, *, allow_local_http: bool = False) -> str:
    """Wrap the URL of a page you host in ExternalQuestion XML.

    MTurk requires HTTPS. With ``allow_local_http=True``, plain HTTP is also
    accepted for 127.0.0.1 and localhost, which is what the local MTurk
    service uses. ``&`` and other XML special characters are escaped, so pass
    the URL as it would appear in a browser.

    Raises:
        ValueError: the URL is not HTTPS (or local HTTP when allowed), has no
            host, or contains whitespace; or ``frame_height`` is negative.
    """
    if not isinstance(url, str):
        raise TypeError(f"url must be a str, got {type(url).__name__}")
    if re.search(r"\s", url):
        raise ValueError(f"url must not contain whitespace; encode spaces as %20; got {url!r}")
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError as error:
        raise ValueError(f"url is not a valid URL ({error}); got {url!r}") from None
    scheme = parts.scheme.lower()
    if not host:
        raise ValueError(f"url must be an absolute https:// URL with a host; got {url!r}")
    if scheme == "http" and allow_local_http and host in LOCAL_HOSTS:
        pass
    elif scheme == "http" and allow_local_http:
        raise ValueError(f"url must use https://, and plain http:// is allowed only for "
                         f"{' and '.join(LOCAL_HOSTS)}; got {url!r}")
    elif scheme != "https":
        raise ValueError(f"url must use https://, because MTurk requires HTTPS for an "
                         f"ExternalQuestion (pass allow_local_http=True for a page on "
                         f"127.0.0.1); got {url!r}")
    _check_xml_characters(url, "url")
    height = _check_frame_height(frame_height)

    question = (f'<ExternalQuestion xmlns="{EXTERNAL_QUESTION_NAMESPACE}">'
                f"<ExternalURL>{escape(url)}</ExternalURL>"
                f"<FrameHeight>{height}</FrameHeight></ExternalQuestion>")
    _check_size(question)
    return question


def load_template(name: str = "bounding_box", directory: str | Path | None = None) -> str:
    """Read the HIT template ``<directory>/<name>.html`` as UTF-8 text.

    ``directory`` defaults to the package's ``templates/`` folder.

    Raises:
        ValueError: ``name`` contains anything but letters, digits, ``_``
            and ``-`` (so it cannot point outside the directory).
        FileNotFoundError: there is no such template; the message lists the
            templates in the directory.
    """
    if not isinstance(name, str) or not _TEMPLATE_NAME.fullmatch(name):
        raise ValueError(f"template name must contain only letters, digits, '_' and '-', "
                         f"without '.html'; got {name!r}")
    folder = TEMPLATES_DIR if directory is None else Path(directory)
    path = folder / f"{name}.html"
    if not path.is_file():
        available = sorted(item.stem for item in folder.glob("*.html")) if folder.is_dir() else []
        raise FileNotFoundError(f"template {name!r} not found: {path} does not exist; "
                                f"templates in {folder}: {', '.join(available) or 'none'}")
    return path.read_text(encoding="utf-8")


def render_template(template: str, params: Mapping[str, str]) -> str:
    """Replace each ``${name}`` in ``template`` with the HTML-escaped ``params[name]``.

    This is what MTurk does with a HIT layout and its ``HITLayoutParameters``,
    so a page rendered here looks like the page MTurk would build. Values
    are escaped with ``html.escape`` (``& < > " '``), so they are safe both in
    text and in quoted attributes. Substitution is a single pass, so a
    ``${...}`` inside a value is left as it is.

    Raises:
        ValueError: a placeholder has no value in ``params``, or a value has
            no placeholder in the template. The message names them.
        TypeError: a value is not a str.
    """
    _check_parameters(params)
    placeholders = set(_PLACEHOLDER.findall(template))
    without_value = sorted(placeholders - set(params))
    without_placeholder = sorted(set(params) - placeholders)
    errors = []
    if without_value:
        errors.append("placeholders without a value: "
                      + ", ".join("${" + name + "}" for name in without_value))
    if without_placeholder:
        errors.append("values without a placeholder in the template: "
                      + ", ".join(repr(name) for name in without_placeholder))
    if errors:
        raise ValueError("template parameters do not match the template: " + "; ".join(errors)
                         + f"; the template has {_names_text(placeholders)}")

    return _PLACEHOLDER.sub(lambda match: html.escape(params[match.group(1)], quote=True),
                            template)


def bounding_box_question(image_url: str, labels: Iterable[str] | str, frame_height: int = 0) -> str:
    """Build the HTMLQuestion XML for the project's bounding-box HIT.

    ``labels`` are the object names that workers box, as a list
    (``["cup", "spoon"]``) or one comma-separated string (``"cup, spoon"``).
    The template gets ``image_url`` and ``objects_to_find`` (the labels
    joined with ``", "``).

    Raises:
        ValueError: ``image_url`` is not an http(s) URL, or there are no
            labels, or a label is empty or contains a comma.
    """
    if not isinstance(image_url, str) or urlsplit(image_url).scheme.lower() not in ("http", "https") \
            or not urlsplit(image_url).hostname:
        raise ValueError(f"image_url must be an absolute http:// or https:// URL; got {image_url!r}")
    label_list = _check_labels(labels)
    page = render_template(load_template("bounding_box"),
                           {"image_url": image_url, "objects_to_find": ", ".join(label_list)})
    return html_question(page, frame_height)


def layout_parameters(params: Mapping[str, str]) -> list[dict[str, str]]:
    """Convert ``{"name": "value"}`` into ``HITLayoutParameters`` for ``create_hit``.

    >>> layout_parameters({"image_url": "https://example.com/a.jpg"})
    [{'Name': 'image_url', 'Value': 'https://example.com/a.jpg'}]

    Values are passed unescaped. The local service HTML-escapes them when it
    fills the layout, but AWS's HITLayoutParameter reference warns that values
    with reserved characters can make an invalid HTMLQuestion, so MTurk may
    insert them as they are. Values containing ``<``, ``>`` or ``"`` are
    therefore rejected, which keeps the page the same on both.

    Raises:
        ValueError: a name is not a valid placeholder name, or a value
            contains ``<``, ``>`` or ``"``.
        TypeError: a value is not a str.
    """
    _check_parameters(params)
    for name, value in params.items():
        reserved = sorted(set(value) & set('<>"'))
        if reserved:
            raise ValueError(f"parameter {name!r} contains {', '.join(reserved)}, which MTurk may "
                             f"insert into the layout unescaped; use render_template with "
                             f"html_question instead; got {value!r}")
    return [{"Name": name, "Value": value} for name, value in params.items()]


def preview_url(worker_url: str, hit: Mapping[str, Any]) -> str:
    """Build the link where a worker previews a HIT: ``<worker_url>/mturk/preview?groupId=<HITGroupId>``.

    ``worker_url`` is the worker site, for example
    ``https://workersandbox.mturk.com`` or the local service's URL. ``hit``
    is the ``HIT`` dict from ``create_hit`` or ``get_hit``; the whole response
    (with a ``"HIT"`` key) is also accepted.

    Raises:
        ValueError: ``hit`` has no ``HITGroupId``.
    """
    if isinstance(hit, Mapping) and isinstance(hit.get("HIT"), Mapping):
        hit = hit["HIT"]
    group_id = hit.get("HITGroupId") if isinstance(hit, Mapping) else None
    if not isinstance(group_id, str) or not group_id:
        keys = ", ".join(sorted(hit)) if isinstance(hit, Mapping) else type(hit).__name__
        raise ValueError(f"hit must be the HIT dict returned by create_hit or get_hit, "
                         f"with a HITGroupId; got {keys}")
    return f"{worker_url.rstrip('/')}/mturk/preview?groupId={quote(group_id, safe='')}"


def _check_parameters(params: Mapping[str, Any]) -> None:
    if not isinstance(params, Mapping):
        raise TypeError(f"params must be a dict of name to str value, got {type(params).__name__}")
    for name, value in params.items():
        if not isinstance(name, str) or not _PARAMETER_NAME.fullmatch(name):
            raise ValueError(f"parameter name must be a letter or '_' followed by letters, "
                             f"digits or '_'; got {name!r}")
        if not isinstance(value, str):
            raise TypeError(f"parameter {name!r} must be a str (convert it with str()); "
                            f"got {type(value).__name__} {value!r}")


def _check_labels(labels: Iterable[str] | str) -> list[str]:
    if isinstance(labels, str):
        label_list = [label.strip() for label in labels.split(",")]
    else:
        label_list = list(labels)
    if not label_list:
        raise ValueError("labels must name at least one object to find, like ['cup']")
    for label in label_list:
        if not isinstance(label, str) or not label.strip() or "," in label:
            raise ValueError(f"each label must be a non-empty str without commas, because the "
                             f"template receives them as one comma-separated list; "
                             f"got {label!r} in {label_list!r}")
    return [label.strip() for label in label_list]


def _check_frame_height(frame_height: int) -> int:
    if isinstance(frame_height, bool) or not isinstance(frame_height, int):
        raise TypeError(f"frame_height must be an int number of pixels, "
                        f"got {type(frame_height).__name__}")
    if frame_height < 0:
        raise ValueError(f"frame_height must be 0 (fit the page) or a positive number of "
                         f"pixels; got {frame_height}")
    return frame_height


def _check_xml_characters(text: str, name: str) -> None:
    match = _XML_INVALID_CHARACTER.search(text)
    if match:
        raise ValueError(f"{name} contains the character {match.group()!r} at index "
                         f"{match.start()}, which XML does not allow; remove it")


def _check_size(question: str) -> None:
    size = len(question.encode("utf-8"))
    if size > MAX_QUESTION_BYTES:
        raise ValueError(f"the Question XML is {size} bytes, but MTurk accepts at most "
                         f"{MAX_QUESTION_BYTES}; move large scripts or images to URLs")


def _names_text(names: set[str]) -> str:
    if not names:
        return "no placeholders"
    return "placeholders " + ", ".join("${" + name + "}" for name in sorted(names))
