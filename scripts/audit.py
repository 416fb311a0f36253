#!/usr/bin/env python3
"""`make audit`: the pinned requirements checked against known vulnerabilities, with pip-audit.

A finding fails the check (exit 1), naming the package, the advisory and the fixed versions.
Where the advisory database cannot be reached (a machine that reaches only a package mirror), no
package can be checked: the check says so and passes, since it proves nothing either way.
"""

import json
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
REQUIREMENTS = ["requirements.txt", "requirements-dev.txt"]


def pip_audit_report(requirements: list[str]) -> tuple[dict | None, str]:
    """pip-audit's JSON report on the pinned files (None when it could not produce one), and its log."""
    command = [sys.executable, "-m", "pip_audit", "--no-deps", "--disable-pip", "--progress-spinner", "off"]
    for name in requirements:
        command += ["-r", str(BASE_DIR / name)]
    result = subprocess.run([*command, "-f", "json"], capture_output=True, text=True, timeout=600)
    try:
        return json.loads(result.stdout), result.stderr
    except ValueError:
        return None, result.stderr


def verdict(report: dict | None, log: str = "") -> tuple[int, list[str]]:
    """(exit code, lines to print) for a pip-audit JSON report."""
    if report is None:
        return 0, [f"audit: pip-audit could not reach the advisory database; nothing was checked.\n{log.strip()}"]
    dependencies = report.get("dependencies", [])
    skipped = [dependency for dependency in dependencies if dependency.get("skip_reason")]
    audited = [dependency for dependency in dependencies if not dependency.get("skip_reason")]
    findings = [
        f"{dependency['name']} {dependency['version']}: {vuln['id']} "
        f"(fixed in {', '.join(vuln.get('fix_versions') or []) or 'no release yet'})"
        for dependency in audited
        for vuln in dependency.get("vulns", [])
    ]
    if findings:
        return 1, ["audit: known vulnerabilities in the pinned requirements:", *findings]
    if dependencies and not audited:
        return 0, [
            f"audit: the advisory database could not be reached; none of the {len(skipped)} pinned "
            "packages was checked. Passing, since this proves nothing either way."
        ]
    lines = [f"audit: {len(audited)} pinned packages, no known vulnerability."]
    if skipped:
        lines.append(f"audit: {len(skipped)} could not be checked: {', '.join(d['name'] for d in skipped)}")
    return 0, lines


def main() -> int:
    report, log = pip_audit_report(REQUIREMENTS)
    code, lines = verdict(report, log)
    print("\n".join(lines), flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
