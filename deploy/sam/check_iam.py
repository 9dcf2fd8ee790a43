"""Check the IAM policies against the AWS calls the Java code makes.

The S3 and SQS operations are read from the sources, not from a list kept by
hand: every variable or field declared as an `S3Client` / `SqsClient` in the
main source trees (--src, repeatable: src/main/java and the Lambda-only trees),
and every `<variable>.<operation>(` call on it. Each operation
maps to the IAM actions it needs (the table below is AWS's, per operation; an
operation missing from it fails the check, so a new call cannot slip by).
Then, for every combination of the template's feature parameters:

- the events role (upload and batch functions) grants every S3 action the code
  calls, and no S3 action it does not call;
- the HTTP role grants exactly what loading the model from S3 calls, when
  ModelS3Bucket is set, and no S3 action otherwise;
- tagging actions appear only with TagSource=true, SQS actions only for the
  delivery mode that uses them;
- every S3 object resource is confined to a prefix (no bucket-wide object access);

and the Kubernetes worker's example policy (deploy/k8s/worker-iam-policy.json)
grants the S3 and SQS actions the code calls plus the one KEDA needs.

    python deploy/sam/check_iam.py --src src/main/java [--src src/lambda-events/main/java ...] \
        --template deploy/sam/template.yaml --k8s-policy deploy/k8s/worker-iam-policy.json
"""

import argparse
import itertools
import json
import pathlib
import re
import sys

import yaml

# Per SDK operation: the IAM actions it needs. GetObject/HeadObject also need
# s3:ListBucket for S3 to answer a missing key with 404 instead of 403 (the
# code tells "deleted" and "no result yet" from "denied" by that status).
S3_ACTIONS = {
    "getObject": {"s3:GetObject", "s3:ListBucket"},
    "headObject": {"s3:GetObject", "s3:ListBucket"},
    "putObject": {"s3:PutObject"},
    "getObjectTagging": {"s3:GetObjectTagging"},
    "putObjectTagging": {"s3:PutObjectTagging"},
    "listObjectsV2": {"s3:ListBucket"},
    "listObjectsV2Paginator": {"s3:ListBucket"},
}
# With a versionId the same operations are authorised as these actions.
S3_VERSIONED = {"s3:GetObject": "s3:GetObjectVersion", "s3:GetObjectTagging": "s3:GetObjectVersionTagging",
                "s3:PutObjectTagging": "s3:PutObjectVersionTagging"}
SQS_ACTIONS = {
    "receiveMessage": {"sqs:ReceiveMessage"},
    "deleteMessage": {"sqs:DeleteMessage"},
    "deleteMessageBatch": {"sqs:DeleteMessage"},
    "changeMessageVisibility": {"sqs:ChangeMessageVisibility"},
    "changeMessageVisibilityBatch": {"sqs:ChangeMessageVisibility"},
    "getQueueAttributes": {"sqs:GetQueueAttributes"},
    "getQueueUrl": {"sqs:GetQueueUrl"},
    "sendMessage": {"sqs:SendMessage"},
}
# Where each operation points, which the code cannot say (a bucket and key
# are plain strings there): source objects under the input prefix, results
# under the output prefix, the model package under its prefix. Checked against
# the statements' resources below; an operation missing here fails the check.
LOCATIONS = {
    "getObject": {"input"},
    "headObject": {"input", "output"},   # the source's revision, and "does a result exist"
    "putObject": {"output"},
    "getObjectTagging": {"input"},
    "putObjectTagging": {"input"},
}
MODEL_LOCATIONS = {"getObject": {"model"}, "listObjectsV2": {"model"}, "listObjectsV2Paginator": {"model"}}
RESOURCE_PATTERNS = {
    ("input", "object"): r"\$\{InputBucketName\}/\$\{InputPrefix\}\*$",
    ("output", "object"): r"\$\{(InputBucketName|OutputBucketName)\}/\$\{OutputPrefix\}\*$",
    ("model", "object"): r"\$\{ModelS3Bucket\}/\$\{ModelS3Prefix\}\*$",
    ("input", "bucket"): r":::\$\{InputBucketName\}$",
    ("output", "bucket"): r":::\$\{(InputBucketName|OutputBucketName)\}$",
    ("model", "bucket"): r":::\$\{ModelS3Bucket\}$",
}
NOT_OPERATIONS = {"close", "serviceName", "serviceClientConfiguration", "utilities", "waiter", "builder", "create"}
# What a Lambda SQS event source mapping calls itself (AWS Lambda docs), and
# what KEDA's aws-sqs-queue scaler reads.
LAMBDA_SQS_MAPPING = {"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"}
KEDA_SQS = {"sqs:GetQueueAttributes"}
TAGGING = {"s3:GetObjectTagging", "s3:GetObjectVersionTagging", "s3:PutObjectTagging", "s3:PutObjectVersionTagging"}

# Parameters that switch policies, with a value for each branch.
FEATURES = {
    "TagSource": ["true", "false"],
    "ModelS3Bucket": ["", "models-bucket"],
    "OutputBucketName": ["", "output-bucket"],
    "EventDelivery": ["s3", "sqs"],
    "Build": ["jvm", "native"],
}


def code_calls(srcs):
    """{file: {"s3": {op,...}, "sqs": {op,...}, "versioned": bool}} for files that call a client."""
    found = {}
    for path in sorted(p for src in srcs for p in pathlib.Path(src).rglob("*.java")):
        text = re.sub(r"//[^\n]*|/\*.*?\*/", "", path.read_text(), flags=re.S)
        entry = {"s3": set(), "sqs": set(), "versioned": ".versionId(" in text}
        for kind, cls in (("s3", "S3Client"), ("sqs", "SqsClient")):
            names = set(re.findall(rf"\b{cls}\s+(\w+)\s*[;,)=]", text))
            for name in names:
                entry[kind] |= set(re.findall(rf"\b{name}\s*\.\s*(\w+)\s*\(", text)) - NOT_OPERATIONS
        if entry["s3"] or entry["sqs"]:
            found[str(path)] = entry
    return found


def needed_actions(calls, kind, table, errors):
    actions = set()
    for path, entry in calls.items():
        for op in sorted(entry[kind]):
            if op not in table:
                errors.append(f"{path} calls {kind.upper()} {op}(), which {__file__} cannot map to IAM "
                              "actions: add it to the table")
                continue
            actions |= table[op]
            if entry["versioned"]:
                actions |= {S3_VERSIONED[a] for a in table[op] if a in S3_VERSIONED}
    return actions


class CfnLoader(yaml.SafeLoader):
    pass


def _tag(loader, tag_suffix, node):
    name = "Ref" if tag_suffix == "Ref" else f"Fn::{tag_suffix}"
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        if tag_suffix == "GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {name: value}


CfnLoader.add_multi_constructor("!", _tag)

NO_VALUE = object()


class Evaluator:
    """Resolves Fn::If and AWS::NoValue for one set of parameter values; other intrinsics stay as they are."""

    def __init__(self, template, params):
        self.params = {k: str(v.get("Default", "")) for k, v in template["Parameters"].items()}
        self.params.update(params)
        self.conditions = template.get("Conditions", {})
        self.cache = {}

    def condition(self, name):
        if name not in self.cache:
            self.cache[name] = self.truth(self.conditions[name])
        return self.cache[name]

    def value(self, node):
        if isinstance(node, dict) and list(node) == ["Ref"] and node["Ref"] in self.params:
            return self.params[node["Ref"]]
        return node

    def truth(self, node):
        (fn, args), = node.items()
        if fn == "Fn::Equals":
            return str(self.value(args[0])) == str(self.value(args[1]))
        if fn == "Fn::Not":
            return not self.truth(args[0])
        if fn == "Fn::And":
            return all(self.truth(a) for a in args)
        if fn == "Fn::Or":
            return any(self.truth(a) for a in args)
        if fn == "Condition":
            return self.condition(args)
        raise ValueError(f"unsupported condition function {fn}")

    def resolve(self, node):
        if isinstance(node, dict):
            if list(node) == ["Fn::If"]:
                cond, yes, no = node["Fn::If"]
                return self.resolve(yes if self.condition(cond) else no)
            if node == {"Ref": "AWS::NoValue"}:
                return NO_VALUE
            out = {k: self.resolve(v) for k, v in node.items()}
            return {k: v for k, v in out.items() if v is not NO_VALUE}
        if isinstance(node, list):
            return [v for v in (self.resolve(x) for x in node) if v is not NO_VALUE]
        return node


def as_list(x):
    return x if isinstance(x, list) else [x]


def role_statements(template, evaluator, role):
    res = template["Resources"][role]
    if "Condition" in res and not evaluator.condition(res["Condition"]):
        return []
    props = evaluator.resolve(res["Properties"])
    return [s for p in props.get("Policies", []) for s in as_list(p["PolicyDocument"]["Statement"])]


def granted(statements, prefix):
    return {a for s in statements if s.get("Effect") == "Allow"
            for a in as_list(s["Action"]) if a.startswith(prefix)}


def object_resources_confined(statements, role, label, errors):
    for s in statements:
        if not any(a.startswith("s3:") and a not in ("s3:ListBucket",) for a in as_list(s["Action"])):
            continue
        for r in as_list(s["Resource"]):
            text = json.dumps(r)
            if not re.search(r"\$\{(InputPrefix|OutputPrefix|ModelS3Prefix)\}", text):
                errors.append(f"{label}: {role} grants {as_list(s['Action'])} on {text}, not confined to a prefix")


def resource_texts(statement):
    return [r["Fn::Sub"] if isinstance(r, dict) and "Fn::Sub" in r else json.dumps(r)
            for r in as_list(statement["Resource"])]


def located_needs(calls, locations, errors):
    """{(action, location, "object"|"bucket")} the code needs, from the operations it calls."""
    needs = set()
    for path, entry in calls.items():
        for op in entry["s3"]:
            if op not in locations:
                errors.append(f"{path} calls S3 {op}(), whose target (input, output or model prefix) "
                              f"{__file__} does not know: add it to LOCATIONS")
                continue
            for action in S3_ACTIONS.get(op, ()):
                for loc in locations[op]:
                    kind = "bucket" if action == "s3:ListBucket" else "object"
                    needs.add((action, loc, kind))
                    # Version ids are the source's (an event names the uploaded
                    # revision); results and the model are read unversioned.
                    if entry["versioned"] and loc == "input" and action in S3_VERSIONED:
                        needs.add((S3_VERSIONED[action], loc, kind))
    return needs


def check_locations(statements, needs, role, label, errors):
    for action, loc, kind in sorted(needs):
        pattern = RESOURCE_PATTERNS[(loc, kind)]
        if not any(action in as_list(s["Action"]) and any(re.search(pattern, r) for r in resource_texts(s))
                   for s in statements if s.get("Effect") == "Allow"):
            errors.append(f"{label}: {role} does not grant {action} on the {loc} {kind} "
                          f"(the code's {'listing' if kind == 'bucket' else 'objects'} there)")


def check_template(path, calls, errors):
    template = yaml.load(pathlib.Path(path).read_text(), Loader=CfnLoader)
    model_files = {p: e for p, e in calls.items() if re.search(r"implements\s+ModelFetcher",
                                                                 pathlib.Path(p).read_text())}
    if not model_files:
        errors.append("found no class implementing ModelFetcher in the sources: which code loads the "
                      "model from S3? (update check_iam.py if it was renamed)")
    events_s3 = needed_actions(calls, "s3", S3_ACTIONS, errors)
    model_s3 = needed_actions(model_files, "s3", S3_ACTIONS, errors)
    combos = 0
    for values in itertools.product(*FEATURES.values()):
        params = dict(zip(FEATURES, values))
        label = " ".join(f"{k}={v!r}" for k, v in params.items())
        ev = Evaluator(template, params)
        events = role_statements(template, ev, "EventsRole")
        http = role_statements(template, ev, "HttpRole")
        events_granted, http_granted = granted(events, "s3:"), granted(http, "s3:")
        tag = params["TagSource"] == "true"
        expect_events = set(events_s3) if tag else events_s3 - TAGGING
        for a in sorted(expect_events - events_granted):
            errors.append(f"{label}: the code calls S3 for {a}, EventsRole does not grant it")
        for a in sorted(events_granted - expect_events):
            errors.append(f"{label}: EventsRole grants {a}, which no S3 call in the code needs")
        expect_http = model_s3 if params["ModelS3Bucket"] else set()
        for a in sorted(expect_http - http_granted):
            errors.append(f"{label}: loading the model calls S3 for {a}, HttpRole does not grant it")
        for a in sorted(http_granted - expect_http):
            errors.append(f"{label}: HttpRole grants {a}, which the HTTP function never needs")
        sqs = granted(events, "sqs:")
        expect_sqs = {"sqs:SendMessage"} if params["EventDelivery"] == "s3" else LAMBDA_SQS_MAPPING
        if sqs != expect_sqs:
            errors.append(f"{label}: EventsRole grants SQS {sorted(sqs)}, expected {sorted(expect_sqs)} "
                          f"for EventDelivery={params['EventDelivery']}")
        event_calls = {p: e for p, e in calls.items() if p not in model_files}
        needs = located_needs(event_calls, LOCATIONS, errors)
        if not tag:
            needs = {n for n in needs if n[0] not in TAGGING}
        if params["ModelS3Bucket"]:
            model_needs = located_needs(model_files, MODEL_LOCATIONS, errors)
            check_locations(http, model_needs, "HttpRole", label, errors)
            needs |= model_needs
        check_locations(events, needs, "EventsRole", label, errors)
        object_resources_confined(events, "EventsRole", label, errors)
        object_resources_confined(http, "HttpRole", label, errors)
        combos += 1
    return combos, events_s3, model_s3


def check_k8s_policy(path, calls, errors):
    doc = json.loads(pathlib.Path(path).read_text())
    statements = as_list(doc["Statement"])
    s3 = needed_actions(calls, "s3", S3_ACTIONS, errors)
    sqs = needed_actions(calls, "sqs", SQS_ACTIONS, errors) | KEDA_SQS
    for kind, expect in (("s3:", s3), ("sqs:", sqs)):
        have = granted(statements, kind)
        for a in sorted(expect - have):
            errors.append(f"{path}: the code calls {a.split(':')[0].upper()} for {a}, the policy does not grant it")
        for a in sorted(have - expect):
            errors.append(f"{path}: grants {a}, which neither the code nor KEDA needs")
    return s3, sqs


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--src", action="append", help="a main source tree (repeatable); default src/main/java")
    ap.add_argument("--template", default="deploy/sam/template.yaml")
    ap.add_argument("--k8s-policy", default="deploy/k8s/worker-iam-policy.json")
    args = ap.parse_args()
    errors = []
    args.src = args.src or ["src/main/java"]
    missing = [s for s in args.src if not pathlib.Path(s).is_dir()]
    if missing:
        errors.append(f"source trees not found: {missing}")
    calls = code_calls(args.src)
    if not any(e["s3"] for e in calls.values()):
        errors.append(f"no S3Client calls found under {args.src}: did the scan break?")
    for p, e in calls.items():
        print(f"  {p}: S3 {sorted(e['s3'])} SQS {sorted(e['sqs'])}{' (with versionId)' if e['versioned'] else ''}")
    combos, events_s3, model_s3 = check_template(args.template, calls, errors)
    k8s_s3, k8s_sqs = check_k8s_policy(args.k8s_policy, calls, errors)
    print(f"S3 actions the code needs: {sorted(events_s3)}; model loading: {sorted(model_s3)}")
    print(f"k8s worker policy: {sorted(k8s_s3 | k8s_sqs)}")
    for e in errors:
        print("FAIL " + e)
    print(f"iam: {combos} parameter combinations of {args.template} and {args.k8s_policy} checked, "
          f"{len(errors)} problems")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
