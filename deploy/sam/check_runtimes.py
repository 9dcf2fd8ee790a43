"""Every Lambda runtime the SAM template allows can load ONNX Runtime (issue 11).

A managed runtime brings its operating system, and with it a glibc: java17 (like java11 and
provided.al2) runs on Amazon Linux 2, glibc 2.26, while libonnxruntime.so 1.29.0 needs GLIBC_2.28,
so a function on java17 deploys and then fails to load the library. This reads each function's
`Runtime` (a literal, a `!Ref` to a parameter, whose `AllowedValues` and `Default` all count, or
both branches of an `!If`), and the GLIBC_2.x versions the given libraries need (their version
references, from `objdump -p`), and fails for a runtime whose glibc is older, or one it does not
know.

    python deploy/sam/check_runtimes.py --template deploy/sam/template.yaml LIB.so...
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys

from samtranslator.yaml_helper import yaml_parse

# The operating system of each Lambda runtime and its glibc
# (docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html; AL2 ships glibc 2.26, AL2023 2.34).
AL2 = ("Amazon Linux 2", (2, 26))
AL2023 = ("Amazon Linux 2023", (2, 34))
RUNTIMES = {
    "java8.al2": AL2,
    "java11": AL2,
    "java17": AL2,
    "provided.al2": AL2,
    "java21": AL2023,
    "java25": AL2023,
    "provided.al2023": AL2023,
}


def glibc_needed(library: str) -> tuple[int, int]:
    """The newest GLIBC_2.x among the library's version references."""
    dump = subprocess.run(["objdump", "-p", library], check=True, capture_output=True, text=True).stdout
    versions = [tuple(int(p) for p in m.groups()) for m in re.finditer(r"\bGLIBC_(\d+)\.(\d+)\b", dump)]
    if not versions:
        raise SystemExit(f"{library}: no GLIBC_ version references in `objdump -p`")
    return max(versions)


def runtimes(template: dict) -> dict[str, str]:
    """Each runtime a function of the template may get, with where it comes from."""
    params = template.get("Parameters", {})
    found: dict[str, str] = {}

    def walk(value, where: str) -> None:
        if isinstance(value, str):
            found.setdefault(value, where)
        elif isinstance(value, dict) and "Ref" in value:
            p = params.get(value["Ref"])
            if p is None or "AllowedValues" not in p:
                raise SystemExit(f"{where}: Runtime from {value['Ref']}, which has no AllowedValues")
            for v in [*p["AllowedValues"], p.get("Default")]:
                if v is not None:
                    walk(v, f"{where} via parameter {value['Ref']}")
        elif isinstance(value, dict) and "Fn::If" in value:
            for branch in value["Fn::If"][1:]:
                walk(branch, where)
        else:
            raise SystemExit(f"{where}: cannot follow the Runtime {value!r}")

    walk_from = [("Globals.Function", template.get("Globals", {}).get("Function", {}))]
    for name, res in template.get("Resources", {}).items():
        if res.get("Type") in ("AWS::Serverless::Function", "AWS::Lambda::Function"):
            walk_from.append((name, res.get("Properties", {})))
    for where, props in walk_from:
        if "Runtime" in props:
            walk(props["Runtime"], where)
    return found


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--template", required=True)
    p.add_argument("libraries", nargs="+", help="the ONNX Runtime shared libraries that ship")
    a = p.parse_args()
    needed = max(glibc_needed(lib) for lib in a.libraries)
    allowed = runtimes(yaml_parse(open(a.template).read()))
    if not allowed:
        raise SystemExit(f"{a.template}: no function names a Runtime")
    failed = False
    for runtime, where in sorted(allowed.items()):
        if runtime not in RUNTIMES:
            print(f"{where}: unknown runtime {runtime}: add its OS and glibc to {__file__}")
            failed = True
            continue
        os_name, glibc = RUNTIMES[runtime]
        if glibc < needed:
            print(f"{where}: {runtime} runs on {os_name} (glibc {glibc[0]}.{glibc[1]}), but ONNX Runtime "
                  f"needs GLIBC_{needed[0]}.{needed[1]}: allow only Amazon Linux 2023 runtimes")
            failed = True
    if not failed:
        print(f"runtimes {', '.join(sorted(allowed))}: glibc >= {needed[0]}.{needed[1]}, what ONNX Runtime needs")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
