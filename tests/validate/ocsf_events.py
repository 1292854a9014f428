"""Validates orgaudit's OCSF output (JSON Lines read from stdin) with the
py-ocsf-models Compliance Finding model (OCSF 1.5.0): every event must
validate, and every field orgaudit writes must be one the model knows
(pydantic ignores unknown fields; they are found by comparing the event with
the model's own dump). The model carries the Compliance Finding class
without profiles, so the `cloud` attribute, which the `cloud` profile adds
(declared in `metadata.profiles`), is validated with the model's `Cloud`
object. Prints the counts as JSON.
"""
import json
import sys

from py_ocsf_models.events.findings.compliance_finding import ComplianceFinding
from py_ocsf_models.objects.cloud import Cloud


def unknown(written, known, path=""):
    if isinstance(written, dict):
        for key, value in written.items():
            if not isinstance(known, dict) or key not in known:
                yield path + key
            elif key != "unmapped":
                yield from unknown(value, known[key], path + key + ".")
    elif isinstance(written, list) and isinstance(known, list):
        for i, (w, k) in enumerate(zip(written, known)):
            yield from unknown(w, k, f"{path}[{i}].")


events = 0
uids = set()
for line in sys.stdin.buffer.read().decode("utf-8").split("\n"):
    if not line:
        continue
    events += 1
    event = json.loads(line)
    base = dict(event)
    extra = []
    if "cloud" in base:
        if "cloud" not in event["metadata"].get("profiles", []):
            sys.exit(f"event {events}: `cloud` without the cloud profile")
        cloud = base.pop("cloud")
        dump = Cloud.model_validate(cloud).model_dump(mode="json", exclude_none=True)
        extra += ["cloud." + f for f in unknown(cloud, dump)]
    model = ComplianceFinding.model_validate(base)
    dump = model.model_dump(mode="json", exclude_none=True)
    extra += list(unknown(base, dump))
    if extra:
        sys.exit(f"event {events}: fields unknown to OCSF: {extra}")
    if event["class_uid"] != 2003 or event["type_uid"] != 200301:
        sys.exit(f"event {events}: not a Compliance Finding: {event['class_uid']}")
    uid = event["finding_info"]["uid"]
    if uid in uids:
        sys.exit(f"event {events}: finding_info.uid {uid} twice")
    uids.add(uid)

print(json.dumps({"events": events}))
