"""Validates orgaudit's ASFF output (JSON Lines, one BatchImportFindings
request per line, read from stdin) with botocore's parameter validation
against the Security Hub service model, plus the limits the model does not
carry: at most 100 findings per call, each under 240 KB, and the documented
length limits of the AwsSecurityFinding fields. Prints the counts as JSON.
"""
import json
import sys

import botocore.session
from botocore.validate import ParamValidator

shape = (
    botocore.session.get_session()
    .get_service_model("securityhub")
    .operation_model("BatchImportFindings")
    .input_shape
)
validator = ParamValidator()
ids = set()
findings = 0
batches = 0
LIMITS = {"Id": 512, "GeneratorId": 512, "Title": 256, "Description": 1024}
STATUSES = {"PASSED", "WARNING", "FAILED", "NOT_AVAILABLE"}
LABELS = {"INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL"}


def fail(msg):
    sys.exit(f"batch {batches}: {msg}")


for line in sys.stdin.buffer.read().decode("utf-8").split("\n"):
    if not line:
        continue
    batches += 1
    request = json.loads(line)
    report = validator.validate(request, shape)
    if report.has_errors():
        fail(report.generate_report())
    batch = request["Findings"]
    if not 1 <= len(batch) <= 100:
        fail(f"{len(batch)} findings")
    if len({(f["AwsAccountId"], f["Region"]) for f in batch}) != 1:
        fail("findings of several accounts or regions")
    for f in batch:
        size = len(json.dumps(f).encode("utf-8"))
        if size >= 240 * 1024:
            fail(f"{f['Id']}: {size} bytes")
        for key, limit in LIMITS.items():
            if len(f[key]) > limit:
                fail(f"{f['Id']}: {key} has {len(f[key])} characters")
        text = f.get("Remediation", {}).get("Recommendation", {}).get("Text", "")
        if len(text) > 512:
            fail(f"{f['Id']}: remediation has {len(text)} characters")
        account, region = f["AwsAccountId"], f["Region"]
        partition = f["Resources"][0]["Partition"]
        arn = f"arn:{partition}:securityhub:{region}:{account}:product/{account}/default"
        if f["ProductArn"] != arn:
            fail(f"{f['Id']}: ProductArn {f['ProductArn']}, expected {arn}")
        if len(account) != 12:
            fail(f"{f['Id']}: AwsAccountId {account!r}")
        if f["Compliance"]["Status"] not in STATUSES:
            fail(f"{f['Id']}: Compliance.Status {f['Compliance']['Status']}")
        if f["Severity"]["Label"] not in LABELS:
            fail(f"{f['Id']}: Severity.Label {f['Severity']['Label']}")
        if not all(t.startswith("Software and Configuration Checks/") for t in f["Types"]):
            fail(f"{f['Id']}: Types {f['Types']}")
        if len(f["Resources"]) > 32 or len(f["Compliance"].get("RelatedRequirements", [])) > 32:
            fail(f"{f['Id']}: too many resources or requirements")
        if f["Id"] in ids:
            fail(f"{f['Id']} twice")
        ids.add(f["Id"])
        findings += 1

print(json.dumps({"batches": batches, "findings": findings}))
