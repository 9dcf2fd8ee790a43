"""Writes target-bench/classpath.jar: a jar with no classes whose manifest lists the bench class
path (the bench and test classes, the service's classes, target-bench/classpath.txt from Maven).

Why: ONNX Runtime 1.29's JNI library crashes the JVM (SIGSEGV, no hs_err file) while loading when
java.class.path is longer than about 4 KB, and this class path is 30 KB. Quarkus' fast-jar and
Surefire use such a manifest jar too, so the service and the tests never meet it.

  python3 bench/classpath.py [BUILD_DIR]     # default target-bench
"""

import pathlib
import sys
import zipfile

build = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "target-bench")
entries = [build / "test-classes", build / "classes"]
entries += [pathlib.Path(p) for p in (build / "classpath.txt").read_text().strip().split(":")]
# directories end in "/" in a Class-Path; lines are at most 72 bytes, continued with a space
line = "Class-Path: " + " ".join(p.resolve().as_uri() + ("/" if p.is_dir() else "") for p in entries)
lines = [line[:72]] + [" " + line[i : i + 71] for i in range(72, len(line), 71)]
with zipfile.ZipFile(build / "classpath.jar", "w") as z:
    z.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\r\n" + "\r\n".join(lines) + "\r\n\r\n")
