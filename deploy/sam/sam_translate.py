"""Run the AWS SAM transform offline, as CloudFormation would at deploy time.

cfn-lint validates SAM resources against SAM's schemas but no longer expands
them; this runs the real translator (aws-sam-translator, the library behind
`sam validate` and the AWS::Serverless transform) and writes the resulting plain
CloudFormation JSON, which CI then lints as well. Local CodeUri paths are
replaced with placeholder S3 locations, as `sam package` would upload them.

    python deploy/sam/sam_translate.py deploy/sam/template.yaml > translated.json
"""

import json
import os
import sys

from samtranslator.public.exceptions import InvalidDocumentException
from samtranslator.translator.managed_policy_translator import ManagedPolicyLoader
from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse


class NoManagedPolicies(ManagedPolicyLoader):
    """The templates attach no AWS managed policies by name, so IAM is never asked."""

    def __init__(self):
        pass

    def load(self):
        return {}


def main():
    # The translator asks a boto3 session for the region (no credentials, no call).
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    template = yaml_parse(open(sys.argv[1]).read())
    for name, res in template.get("Resources", {}).items():
        props = res.get("Properties", {})
        if res.get("Type") == "AWS::Serverless::Function" and isinstance(props.get("CodeUri"), str):
            props["CodeUri"] = f"s3://placeholder-bucket/{name}.zip"
    try:
        out = transform(template, {}, NoManagedPolicies())
    except InvalidDocumentException as e:
        sys.exit("SAM transform failed:\n  " + "\n  ".join(str(c) for c in e.causes))
    json.dump(out, sys.stdout, indent=1, sort_keys=True)
    print()


if __name__ == "__main__":
    main()
