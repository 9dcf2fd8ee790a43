"""Validate rendered Kubernetes manifests offline.

Built-in kinds are checked strictly (unknown fields are errors) against the
Kubernetes JSON schemas bundled in the kubernetes-validate package, for each
Kubernetes version given; KEDA's kinds against the pinned schemas in
deploy/k8s/schemas/. A kind with no schema is an error, not a warning. Then
cross-resource checks that schemas cannot express: every autoscaler targets a
Deployment in the same render, no Deployment has two autoscalers (KEDA makes
its own HPA), ConfigMaps a pod reads exist, and a KEDA trigger's
`...FromEnv` variable is defined in the target container's config.

With --overlays, the files are renders of overlays meant to run side by side
in one namespace: no object is in two of them, no Service or
PodDisruptionBudget of one selects the pods of another, and none ships a
Namespace (deleting an overlay must not delete the namespace the others use).

With --trust-policy, every ServiceAccount that carries an IRSA role
(eks.amazonaws.com/role-arn) must be a subject of that IAM trust policy, and so
must KEDA's operator when a TriggerAuthentication uses identityOwner: workload
(KEDA then assumes the workload's role with its own token).

    python deploy/k8s/validate.py --kube 1.30.0 --kube 1.37.0 [--overlays] \
        [--trust-policy worker-trust-policy.json] rendered.yaml...
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


def selects(selector, labels):
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def overlay_errors(renders):
    """Errors for renders that must coexist in one namespace: {file: [docs]}."""
    errors, owner = [], {}
    for f, docs in renders.items():
        for d in docs:
            key = (d["kind"], d["metadata"].get("namespace", ""), d["metadata"]["name"])
            if d["kind"] == "Namespace":
                errors.append(f"{f} ships Namespace/{key[2]}: deleting this overlay would delete it for all")
            if key in owner and owner[key] != f:
                errors.append(f"{key[0]}/{key[2]} is in both {owner[key]} and {f}")
            owner.setdefault(key, f)
    for f, docs in renders.items():
        for other, other_docs in renders.items():
            if other == f:
                continue
            pods = [d["spec"]["template"]["metadata"].get("labels", {})
                    for d in other_docs if d["kind"] == "Deployment"]
            for d in docs:
                if d["kind"] == "Service":
                    selector = d["spec"].get("selector", {})
                elif d["kind"] == "PodDisruptionBudget":
                    selector = d["spec"].get("selector", {}).get("matchLabels", {})
                else:
                    continue
                if any(selects(selector, labels) for labels in pods):
                    errors.append(f"{f}: {d['kind']}/{d['metadata']['name']} selects pods of {other}")
    return errors


KEDA_OPERATOR = "system:serviceaccount:keda:keda-operator"


def trust_errors(f, docs, policy):
    subjects = set()
    for st in policy["Statement"]:
        for cond in st.get("Condition", {}).values():
            for key, value in cond.items():
                if key.endswith(":sub"):
                    subjects.update(value if isinstance(value, list) else [value])
    errors = []
    for d in docs:
        annotations = d["metadata"].get("annotations") or {}
        if d["kind"] == "ServiceAccount" and "eks.amazonaws.com/role-arn" in annotations:
            sub = f"system:serviceaccount:{d['metadata'].get('namespace', 'default')}:{d['metadata']['name']}"
            if sub not in subjects:
                errors.append(f"{f}: ServiceAccount {sub} has an IRSA role, but the trust policy admits only {sorted(subjects)}")
        if d["kind"] == "TriggerAuthentication" and \
                d["spec"].get("podIdentity", {}).get("identityOwner") == "workload" and KEDA_OPERATOR not in subjects:
            errors.append(f"{f}: TriggerAuthentication/{d['metadata']['name']} has KEDA assume the workload's role, "
                          f"but the trust policy does not admit {KEDA_OPERATOR}")
    return errors


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kube", action="append", required=True, help="Kubernetes version, e.g. 1.30.0")
    ap.add_argument("--overlays", action="store_true",
                    help="the files are overlays that share a namespace: check that they stay apart")
    ap.add_argument("--trust-policy", help="IAM trust policy JSON of the IRSA role(s) in the renders")
    ap.add_argument("files", nargs="+")
    args = ap.parse_args()
    passed = failed = 0
    renders = {}
    for f in args.files:
        docs = [d for d in yaml.safe_load_all(pathlib.Path(f).read_text()) if d]
        renders[f] = docs
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
    if args.trust_policy:
        policy = json.loads(pathlib.Path(args.trust_policy).read_text())
        errs = [e for f, docs in renders.items() for e in trust_errors(f, docs, policy)]
        for e in errs:
            failed += 1
            print(f"FAIL trust policy: {e}")
        if not errs:
            passed += 1
    if args.overlays:
        errs = overlay_errors(renders)
        for e in errs:
            failed += 1
            print(f"FAIL overlays: {e}")
        if not errs:
            passed += 1
    print(f"manifests: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
