"""JUnit XML, which CI systems show as test results (GitLab, Jenkins, Azure Pipelines): one
test case per file read, failed by its findings at or above `--fail-on` and in error when the
file could not be read."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from sentiment_ls.present.check_formats.style import OutputStyle
from sentiment_ls.present.check_formats.text import finding_line
from sentiment_ls.present.check_report import CheckReport

# Characters XML 1.0 cannot hold, escaped or not (NUL, most C0 controls, lone surrogates):
# a document may contain them, and one would make the whole report unreadable.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_text(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def render(report: CheckReport, style: OutputStyle) -> str:
    failures = sum(1 for file in report.files if any(report.fails(f) for f in file.findings))
    errors = len(report.unreadable)
    counts = {
        "tests": str(len(report.files)),
        "failures": str(failures),
        "errors": str(errors),
        "time": f"{report.seconds:.3f}",
    }
    suites = ET.Element("testsuites", {"name": "sentiment-ls", **counts})
    suite = ET.SubElement(suites, "testsuite", {"name": "sentiment-ls", "skipped": "0", **counts})
    ET.SubElement(ET.SubElement(suite, "properties"), "property", name="model", value=report.model)
    for file in report.files:
        case = ET.SubElement(suite, "testcase", classname="sentiment-ls", name=_xml_text(file.path))
        if file.error is not None:
            ET.SubElement(case, "error", message=_xml_text(file.error), type="unreadable")
            continue
        failing = [f for f in file.findings if report.fails(f)]
        if failing:
            failure = ET.SubElement(
                case,
                "failure",
                message=f"{len(failing)} flagged at or above {report.fail_on}",
                type=failing[0].code,
            )
            failure.text = _xml_text("\n".join(finding_line(f) for f in failing))
        below = [f for f in file.findings if not report.fails(f)]
        if below:
            lines = "\n".join(finding_line(f) for f in below)
            ET.SubElement(case, "system-out").text = _xml_text(lines)
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"
