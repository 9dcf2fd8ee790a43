package io.aligncap.testing;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * A real decompression bomb: a valid 1-bit grayscale PNG of black pixels whose IDAT inflates to
 * {@code height * (1 + width / 8)} bytes (537 MB for 65536×65536) but is ~0.5 MB. All those bytes
 * are zeros, so one fully flushed deflate block of 1 MiB of zeros is written over and over (a full
 * flush resets the compressor, making every such block identical) instead of compressing 537 MB.
 */
public final class PngBomb {

  private static final int CHUNK = 1 << 20;

  private PngBomb() {}

  public static byte[] create(int width, int height) throws IOException {
    long total = (long) height * (1 + (width + 7) / 8); // filter byte 0 + zero pixels per row
    ByteArrayOutputStream z = new ByteArrayOutputStream();
    z.write(0x78);
    z.write(0xDA); // zlib header: deflate, 32K window, best compression
    byte[] block = rawBlock(CHUNK);
    for (long n = total / CHUNK; n > 0; n--) {
      z.write(block);
    }
    if (total % CHUNK != 0) {
      z.write(rawBlock((int) (total % CHUNK)));
    }
    z.write(0x03); // final fixed-Huffman block holding only end-of-block
    z.write(0x00);
    long adler = ((total % 65521) << 16) | 1; // Adler-32 of zeros: a = 1, b = n mod 65521
    z.write(
        new byte[] {
          (byte) (adler >>> 24), (byte) (adler >>> 16), (byte) (adler >>> 8), (byte) adler
        });

    ByteArrayOutputStream png = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(png);
    out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A});
    ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
    DataOutputStream h = new DataOutputStream(ihdr);
    h.writeInt(width);
    h.writeInt(height);
    h.write(new byte[] {1, 0, 0, 0, 0}); // bit depth 1, grayscale, deflate, filter 0, no interlace
    chunk(out, "IHDR", ihdr.toByteArray());
    chunk(out, "IDAT", z.toByteArray());
    chunk(out, "IEND", new byte[0]);
    return png.toByteArray();
  }

  /** Raw deflate of {@code n} zeros, ended by a full flush (not final). */
  private static byte[] rawBlock(int n) {
    Deflater d = new Deflater(Deflater.BEST_COMPRESSION, true);
    try {
      d.setInput(new byte[n]);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buf = new byte[1 << 16];
      int got;
      do {
        got = d.deflate(buf, 0, buf.length, Deflater.FULL_FLUSH);
        out.write(buf, 0, got);
      } while (got == buf.length || !d.needsInput());
      return out.toByteArray();
    } finally {
      d.end();
    }
  }

  private static void chunk(DataOutputStream out, String type, byte[] data) throws IOException {
    byte[] t = type.getBytes(StandardCharsets.US_ASCII);
    out.writeInt(data.length);
    out.write(t);
    out.write(data);
    CRC32 crc = new CRC32();
    crc.update(t);
    crc.update(data);
    out.writeInt((int) crc.getValue());
  }
}
