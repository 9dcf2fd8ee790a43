package io.aligncap.image;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;

/**
 * Formats recognised from their leading bytes; the client's content type is only a hint and is
 * never trusted for choosing the decoder.
 */
enum ImageFormat {
  JPEG("jpeg"),
  PNG("png"),
  GIF("gif"),
  BMP("bmp"),
  WEBP("webp");

  /** Image types the service recognises but does not decode: a 415, not a 400. */
  static final Set<String> UNSUPPORTED_TYPES =
      Set.of(
          "image/tiff",
          "image/heic",
          "image/heif",
          "image/avif",
          "image/svg+xml",
          "image/jp2",
          "image/x-icon",
          "image/vnd.microsoft.icon",
          "image/vnd.adobe.photoshop");

  final String id;

  ImageFormat(String id) {
    this.id = id;
  }

  /** The format of {@code b}, or null when it is none of the supported ones. */
  static ImageFormat sniff(byte[] b) {
    if (starts(b, 0xFF, 0xD8, 0xFF)) {
      return JPEG;
    }
    if (starts(b, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A)) {
      return PNG;
    }
    if (ascii(b, 0, "GIF87a") || ascii(b, 0, "GIF89a")) {
      return GIF;
    }
    if (ascii(b, 0, "BM") && b.length >= 26) {
      return BMP;
    }
    if (ascii(b, 0, "RIFF") && ascii(b, 8, "WEBP")) {
      return WEBP;
    }
    return null;
  }

  /** Whether {@code b} looks like a known image or document format that is not supported. */
  static boolean knownUnsupported(byte[] b) {
    return starts(b, 'I', 'I', 0x2A, 0x00) // TIFF little-endian
        || starts(b, 'M', 'M', 0x00, 0x2A) // TIFF big-endian
        || ascii(b, 4, "ftyp") // HEIF, AVIF (ISO BMFF)
        || ascii(b, 0, "%PDF")
        || ascii(b, 0, "8BPS") // Photoshop
        || starts(b, 0x00, 0x00, 0x01, 0x00) // ICO
        || starts(b, 0x00, 0x00, 0x00, 0x0C, 'j', 'P'); // JPEG 2000
  }

  /** The media type without parameters, lower-case; null stays null. */
  static String baseType(String contentType) {
    if (contentType == null) {
      return null;
    }
    int semi = contentType.indexOf(';');
    return (semi < 0 ? contentType : contentType.substring(0, semi))
        .trim()
        .toLowerCase(Locale.ROOT);
  }

  private static boolean starts(byte[] b, int... prefix) {
    if (b.length < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if ((b[i] & 0xFF) != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  private static boolean ascii(byte[] b, int offset, String s) {
    byte[] want = s.getBytes(StandardCharsets.US_ASCII);
    if (b.length < offset + want.length) {
      return false;
    }
    for (int i = 0; i < want.length; i++) {
      if (b[offset + i] != want[i]) {
        return false;
      }
    }
    return true;
  }
}
