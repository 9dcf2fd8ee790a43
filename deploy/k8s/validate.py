"""Validate rendered Kubernetes manifests offline.

Built-in kinds are checked strictly (unknown fields are errors) against the
Kubernetes JSON schemas bundled in the kubernetes-validate package, for each
Kubernetes version given; KEDA's kinds against the pinned schemas in
deploy/k8s/schemas/. A kind with no schema is an error, not a warning. Then
cross-resource checks that schemas cannot express: every autoscaler targets a
Deployment in the same render, no Deployment has two autoscalers (KEDA makes
its own HPA), ConfigMaps a pod reads exist, and a KEDA trigger's
`...FromEnv` variable is defined in the target container's config.

    python deploy/k8s/validate.py --kube 1.30.0 --kube 1.37.0 rendered.yaml...
"""

import argparse
import json
import pathlib
import sys

import jsonschema
import kubernetes_validate
import yaml

SCHEMAS = pathlib.Path(__file__).parent / "schemas"
CRDS = {
    ("keda.sh/v1alpha1", "ScaledObject"): "scaledobject-keda.sh-v1alpha1.json",
    ("keda.sh/v1alpha1", "TriggerAuthentication"): "triggerauthentication-keda.sh-v1alpha1.json",
}


def schema_errors(doc, versions):
    key = (doc.get("apiVersion"), doc.get("kind"))
    if key in CRDS:
        schema = json.loads((SCHEMAS / CRDS[key]).read_text())
        validator = jsonschema.Draft7Validator(schema)
        return [f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}"
                for e in validator.iter_errors(doc)]
    errors = []
    for v in versions:
        try:
            kubernetes_validate.validate(doc, v, strict=True)
        except kubernetes_validate.ValidationError as e:
            errors.append(f"k8s {v}: {'/'.join(map(str, e.path)) or '<root>'}: {e.message}")
        except kubernetes_validate.SchemaNotFoundError:
            errors.append(f"k8s {v}: no schema for {key[0]} {key[1]} (add one under {SCHEMAS})")
    return errors


def cross_errors(docs):
    by_kind = {}
    for d in docs:
        by_kind.setdefault(d["kind"], {})[d["metadata"]["name"]] = d
    errors, scaled = [], {}
    for kind, target_of in (("HorizontalPodAutoscaler", lambda d: d["spec"]["scaleTargetRef"]),
                            ("ScaledObject", lambda d: d["spec"]["scaleTargetRef"])):
        for name, d in by_kind.get(kind, {}).items():
            ref = target_of(d)
            if ref.get("kind", "Deployment") != "Deployment" or ref["name"] not in by_kind.get("Deployment", {}):
                errors.append(f"{kind}/{name} targets {ref.get('kind', 'Deployment')}/{ref['name']}, not in this render")
            scaled.setdefault(ref["name"], []).append(f"{kind}/{name}")
    for target, scalers in scaled.items():
        if len(scalers) > 1:
            errors.append(f"Deployment/{target} has several autoscalers: {scalers}")
    for name, dep in by_kind.get("Deployment", {}).items():
        env_keys = set()
        for c in dep["spec"]["template"]["spec"]["containers"]:
            env_keys.update(e["name"] for e in c.get("env", []))
            for src in c.get("envFrom", []):
                cm = src.get("configMapRef", {}).get("name")
                if cm is None:
                    continue
                if cm not in by_kind.get("ConfigMap", {}):
                    errors.append(f"Deployment/{name} reads ConfigMap/{cm}, not in this render")
                else:
                    env_keys.update(by_kind["ConfigMap"][cm].get("data", {}))
        for so_name, so in by_kind.get("ScaledObject", {}).items():
            if so["spec"]["scaleTargetRef"]["name"] != name:
                continue
            for t in so["spec"]["triggers"]:
                for k, v in t["metadata"].items():
                    if k.endswith("FromEnv") and v not in env_keys:
                        errors.append(f"ScaledObject/{so_name} reads {k}={v}, which Deployment/{name} does not define")
            for t in so["spec"]["triggers"]:
                ref = t.get("authenticationRef")
                if ref and ref["name"] not in by_kind.get(ref.get("kind", "TriggerAuthentication"), {}):
                    errors.append(f"ScaledObject/{so_name} uses {ref.get('kind', 'TriggerAuthentication')}/{ref['name']}, not in this render")
    return errors


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kube", action="append", required=True, help="Kubernetes version, e.g. 1.30.0")
    ap.add_argument("files", nargs="+")
    args = ap.parse_args()
    passed = failed = 0
    for f in args.files:
        docs = [d for d in yaml.safe_load_all(pathlib.Path(f).read_text()) if d]
        if not docs:
            failed += 1
            print(f"FAIL {f}: no manifests (did the render fail?)")
        for d in docs:
            errs = schema_errors(d, args.kube)
            label = f"{f}: {d.get('kind')}/{d.get('metadata', {}).get('name')}"
            if errs:
                failed += 1
                print(f"FAIL {label}\n  " + "\n  ".join(errs))
            else:
                passed += 1
        for e in cross_errors(docs):
            failed += 1
            print(f"FAIL {f}: {e}")
    print(f"manifests: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
