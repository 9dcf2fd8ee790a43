"""Derive GraalVM JNI metadata for ONNX Runtime's Java binding from its JNI library.

ONNX Runtime ships no native-image metadata. Its JNI library
(libonnxruntime4j_jni.so) calls back into Java: FindClass / GetMethodID /
GetFieldID on ai.onnxruntime classes (to build OnnxTensor, NodeInfo, ...,
and to throw OrtException) and on java.lang.String. Every class name the
library embeds, directly or inside a method descriptor, is registered here
with all its constructors, methods and fields, which over-approximates what
the tracing agent would record and needs no GraalVM to produce.

    python3 deploy/native/jni_config.py <onnxruntime jar> [--check FILE]

Writes the JSON to stdout, or with --check compares it with FILE (exit 1 on
a difference: regenerate after an ONNX Runtime upgrade).
"""

import argparse
import json
import re
import sys
import zipfile

JNI_LIB = "ai/onnxruntime/native/linux-x64/libonnxruntime4j_jni.so"
PACKAGES = rb"(?:ai/onnxruntime|java/lang)/[A-Za-z0-9_$/]+"
BARE = re.compile(rb"^(" + PACKAGES + rb")$")  # FindClass("ai/onnxruntime/OnnxTensor")
IN_DESCRIPTOR = re.compile(rb"L(" + PACKAGES + rb");")  # "(JJLai/onnxruntime/TensorInfo;)V"


def printable_strings(blob: bytes, min_len: int = 4):
    """The `strings` utility, in Python: runs of printable ASCII."""
    return re.findall(rb"[\x20-\x7e]{%d,}" % min_len, blob)


def referenced_classes(jar_path: str) -> list[str]:
    with zipfile.ZipFile(jar_path) as jar:
        lib = jar.read(JNI_LIB)
        present = {n[:-6].replace("/", ".") for n in jar.namelist() if n.endswith(".class")}
    names = set()
    for s in printable_strings(lib):
        found = BARE.findall(s) + IN_DESCRIPTOR.findall(s)
        names.update(n.decode().replace("/", ".") for n in found)
    missing = sorted(n for n in names if n.startswith("ai.") and n not in present)
    if missing:
        raise SystemExit(f"JNI library names classes the jar lacks: {missing}")
    return sorted(names)


def jni_config(classes: list[str]) -> list[dict]:
    return [
        {
            "name": name,
            "allDeclaredConstructors": True,
            "allDeclaredMethods": True,
            "allDeclaredFields": True,
        }
        for name in classes
    ]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("jar")
    ap.add_argument("--check", metavar="FILE")
    args = ap.parse_args()
    text = json.dumps(jni_config(referenced_classes(args.jar)), indent=2) + "\n"
    if args.check:
        with open(args.check, encoding="utf-8") as f:
            if f.read() != text:
                print(f"{args.check} is stale for {args.jar}; regenerate it:\n"
                      f"  python3 deploy/native/jni_config.py {args.jar} > {args.check}", file=sys.stderr)
                return 1
        print(f"{args.check}: up to date with {args.jar}")
        return 0
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
