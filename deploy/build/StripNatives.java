// Drops the ONNX Runtime native libraries a deployment can never load from a
// jar, a fast-jar folder or a Lambda zip, keeping one platform folder.
//
// ONNX Runtime's jar carries every platform (onnxruntime 1.29.0: 52 MB packed,
// 187 MB unpacked, 71 MB of it a macOS debug-symbol file); a Linux x86_64
// Lambda or container only ever loads ai/onnxruntime/native/linux-x64/.
// Works through the JDK's zip file system, so untouched entries keep their
// bytes and attributes (a native Lambda's executable `bootstrap` stays
// executable); jars nested in a zip (lib/*.jar) are rewritten too.
// JDK only, run as a source file (JEP 330):
//
//   java deploy/build/StripNatives.java <jar|zip|dir> <keep>   keep: linux-x64 | linux-aarch64 | none
//
// `none` is for images that ship the libraries unpacked next to the app and
// point ONNX Runtime at them with -Donnxruntime.native.path (no extraction to
// /tmp at every start, so the root file system can stay read-only).
package aligncap.build;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.*;
import java.util.*;
import java.util.stream.Stream;

public final class StripNatives {
    private static final String NATIVE = "ai/onnxruntime/native/";
    // Keep unix modes: Lambda needs world-readable files and an executable bootstrap.
    private static final Map<String, ?> POSIX = Map.of("enablePosixFileAttributes", "true");

    public static void main(String[] args) throws IOException {
        if (args.length != 2 || !args[1].matches("linux-(x64|aarch64)|none")) {
            System.err.println("usage: StripNatives <jar|zip|dir> <linux-x64|linux-aarch64|none>, got " + String.join(" ", args));
            System.exit(2);
        }
        Path target = Path.of(args[0]);
        String keep = args[1];
        long before = size(target);
        int dropped = 0;
        for (Path archive : archives(target)) dropped += strip(archive, keep);
        System.out.printf("%s: %,d -> %,d bytes, %d foreign native entries dropped (kept %s%s/)%n",
                target, before, size(target), dropped, NATIVE, keep);
    }

    private static List<Path> archives(Path target) throws IOException {
        if (!Files.isDirectory(target)) return List.of(target);
        try (Stream<Path> files = Files.walk(target)) {
            return files.filter(f -> f.toString().endsWith(".jar")).toList();
        }
    }

    /** Deletes foreign natives from one zip/jar in place, recursing into nested jars; returns entries dropped. */
    private static int strip(Path archive, String keep) throws IOException {
        int dropped = 0;
        try (FileSystem zip = FileSystems.newFileSystem(URI.create("jar:" + archive.toUri()), POSIX)) {
            Path natives = zip.getPath("/" + NATIVE);
            if (Files.isDirectory(natives)) {
                try (Stream<Path> platforms = Files.list(natives)) {
                    for (Path platform : platforms.toList()) {
                        if (!platform.getFileName().toString().replace("/", "").equals(keep)) dropped += deleteTree(platform);
                    }
                }
            }
            try (Stream<Path> entries = Files.walk(zip.getPath("/"))) {
                for (Path nested : entries.filter(p -> p.toString().endsWith(".jar")).toList()) {
                    Path tmp = Files.createTempFile("strip-", ".jar");
                    try {
                        Files.copy(nested, tmp, StandardCopyOption.REPLACE_EXISTING);
                        int n = strip(tmp, keep);
                        if (n > 0) {
                            var mode = Files.getPosixFilePermissions(nested);
                            Files.copy(tmp, nested, StandardCopyOption.REPLACE_EXISTING);
                            Files.setPosixFilePermissions(nested, mode);
                            dropped += n;
                        }
                    } finally {
                        Files.deleteIfExists(tmp);
                    }
                }
            }
        }
        return dropped;
    }

    private static int deleteTree(Path root) throws IOException {
        try (Stream<Path> tree = Files.walk(root)) {
            List<Path> all = tree.sorted(Comparator.reverseOrder()).toList();
            for (Path p : all) Files.delete(p);
            return (int) all.stream().filter(p -> !p.toString().endsWith("/")).count();
        }
    }

    private static long size(Path p) throws IOException {
        if (!Files.isDirectory(p)) return Files.size(p);
        try (Stream<Path> files = Files.walk(p)) {
            return files.filter(Files::isRegularFile).mapToLong(f -> {
                try {
                    return Files.size(f);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).sum();
        }
    }
}
