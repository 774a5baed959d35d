"""Policy-test results as JUnit XML, the report format CI systems read."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from incident_rules._authoring.policy import PolicyReport

__all__ = ["junit_xml"]


def junit_xml(report: PolicyReport) -> str:
    """One ``testsuite`` with a ``testcase`` per case; a failed case holds its failures."""
    suite = ET.Element(
        "testsuite",
        name=report.file or "policy-tests",
        tests=str(len(report.results)),
        failures=str(len(report.failed)),
        errors="0",
    )
    for result in report.results:
        case = ET.SubElement(suite, "testcase", name=result.case.name, classname=result.case.source)
        if result.failures:
            failure = ET.SubElement(case, "failure", message=result.failures[0])
            failure.text = "\n".join(result.failures)
    ET.indent(suite)
    return ET.tostring(suite, encoding="unicode", xml_declaration=True) + "\n"
