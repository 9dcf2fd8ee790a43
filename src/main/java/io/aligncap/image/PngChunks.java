package io.aligncap.image;

/** Walks a PNG's chunk list: complete when every chunk fits in the bytes and IEND is reached. */
final class PngChunks {

  private static final int SIGNATURE = 8;
  private static final int IEND = 0x49454E44;

  private PngChunks() {}

  static boolean complete(byte[] png) {
    long pos = SIGNATURE;
    while (pos + 8 <= png.length) {
      long length = readInt(png, (int) pos) & 0xFFFFFFFFL;
      int type = readInt(png, (int) pos + 4);
      long end = pos + 8 + length + 4; // length, type, data, CRC
      if (end > png.length) {
        return false;
      }
      if (type == IEND) {
        return true;
      }
      pos = end;
    }
    return false;
  }

  private static int readInt(byte[] b, int i) {
    return (b[i] & 0xFF) << 24
        | (b[i + 1] & 0xFF) << 16
        | (b[i + 2] & 0xFF) << 8
        | (b[i + 3] & 0xFF);
  }
}
