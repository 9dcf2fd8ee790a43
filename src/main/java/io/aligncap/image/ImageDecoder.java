package io.aligncap.image;

import static io.aligncap.AligncapException.Kind.IMAGE_TOO_LARGE;
import static io.aligncap.AligncapException.Kind.INVALID_IMAGE;
import static io.aligncap.AligncapException.Kind.UNSUPPORTED_MEDIA_TYPE;

import com.twelvemonkeys.imageio.plugins.jpeg.JPEGImageReaderSpi;
import com.twelvemonkeys.imageio.plugins.webp.WebPImageReaderSpi;
import io.aligncap.AligncapException;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.spi.IIORegistry;
import javax.imageio.spi.ImageReaderSpi;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Turns uploaded bytes into {@link DecodedImage}s: JPEG (incl. CMYK/YCCK and progressive, via
 * TwelveMonkeys), PNG (8/16-bit, palette, alpha, interlaced), GIF (first frame), BMP and WebP
 * (TwelveMonkeys). The format is sniffed from the bytes. Size limits are checked from the header
 * before any pixel is decoded and a truncated file is rejected. The pixels follow models/FORMAT.md
 * preprocessing rules 1–4, the same definition the Python reference and training use: stored pixels
 * without colour management, colour by rule 2 ({@link JpegPixels}, {@link Rgb}), subsampled while
 * decoding by {@code f = max(1, min(w, h) / M)} keeping pixel (f·x, f·y), then the EXIF orientation
 * (JPEG only).
 */
public final class ImageDecoder {

  private final ImageLimits limits;

  public ImageDecoder(ImageLimits limits) {
    this.limits = limits;
  }

  /**
   * Decodes an uploaded image.
   *
   * @param bytes the encoded file
   * @param contentTypeOrNull the client's media type, a hint only (its format is sniffed)
   * @throws AligncapException (IMAGE_TOO_LARGE) when the bytes, width, height, pixel count or the
   *     decode's estimated memory ({@link DecodeCost}) exceed the limits
   * @throws AligncapException (UNSUPPORTED_MEDIA_TYPE) when the bytes are a format the service does
   *     not decode, or unrecognisable bytes sent with a non-image media type
   * @throws AligncapException (INVALID_IMAGE) when the bytes are empty, corrupt or truncated
   */
  public DecodedImage decode(byte[] bytes, String contentTypeOrNull) {
    if (bytes == null || bytes.length == 0) {
      throw new AligncapException(INVALID_IMAGE, "the image is empty");
    }
    if (bytes.length > limits.maxBytes()) {
      throw new AligncapException(
          IMAGE_TOO_LARGE,
          "the image has " + bytes.length + " bytes, the limit is " + limits.maxBytes());
    }
    ImageFormat format = ImageFormat.sniff(bytes);
    if (format == null) {
      throw unrecognised(bytes, ImageFormat.baseType(contentTypeOrNull));
    }
    try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
      ImageReader reader = reader(format);
      try {
        return read(reader, in, format, bytes);
      } finally {
        reader.dispose();
      }
    } catch (IOException e) {
      throw new AligncapException(
          INVALID_IMAGE, "cannot read the " + format.id + " image: " + e.getMessage(), e);
    }
  }

  private DecodedImage read(
      ImageReader reader, ImageInputStream in, ImageFormat format, byte[] bytes) {
    reader.setInput(in, true, true);
    List<String> warnings = new ArrayList<>();
    reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
    int width;
    int height;
    try {
      width = reader.getWidth(0);
      height = reader.getHeight(0);
    } catch (IOException | RuntimeException e) {
      throw new AligncapException(
          INVALID_IMAGE, "cannot read the " + format.id + " header: " + message(e), e);
    }
    checkSize(width, height);
    if (format == ImageFormat.PNG && !PngChunks.complete(bytes)) {
      // the JDK's PNG reader returns a partly blank image for a cut IDAT without a word
      throw new AligncapException(
          INVALID_IMAGE, "the png image is truncated: its chunks end before IEND");
    }
    int factor = limits.subsampling(width, height); // rule 3, of the stored image
    checkCost(format, bytes, width, height, factor);
    Orientation.Pixels stored;
    try {
      ImageReadParam param = reader.getDefaultReadParam();
      param.setSourceSubsampling(factor, factor, 0, 0);
      stored = format == ImageFormat.JPEG ? jpeg(reader, param, bytes) : other(reader, param);
    } catch (IOException | RuntimeException e) {
      // Plug-ins report corrupt data with IOException and, on some inputs, with runtime
      // exceptions (IndexOutOfBounds, IllegalArgument): all mean a bad file.
      throw new AligncapException(
          INVALID_IMAGE, "cannot decode the " + format.id + " image: " + message(e), e);
    }
    for (String w : warnings) {
      if (truncation(w)) {
        throw new AligncapException(
            INVALID_IMAGE, "the " + format.id + " image is truncated: " + w);
      }
    }
    // rule 4: EXIF orientation (JPEG only), after subsampling
    Orientation.Pixels pixels =
        Orientation.apply(
            format == ImageFormat.JPEG ? ExifOrientation.ofJpeg(bytes) : ExifOrientation.UPRIGHT,
            stored.rgb(),
            stored.width(),
            stored.height());
    boolean swapped = pixels.width() != stored.width();
    return new DecodedImage(
        pixels.width(),
        pixels.height(),
        pixels.rgb(),
        swapped ? height : width,
        swapped ? width : height,
        format.id);
  }

  /**
   * Rules 1–2 for a JPEG: the stored components without colour management ({@code readRaster}
   * converts nothing and ignores any ICC profile), turned into RGB as libjpeg does.
   */
  private static Orientation.Pixels jpeg(ImageReader reader, ImageReadParam param, byte[] bytes)
      throws IOException {
    JpegPixels.Space space = JpegPixels.space(bytes);
    Raster raster = reader.readRaster(0, param);
    return new Orientation.Pixels(
        JpegPixels.rgb(raster, space), raster.getWidth(), raster.getHeight());
  }

  /** Rules 1–2 for PNG, GIF (first frame), BMP and WebP: see {@link Rgb}. */
  private static Orientation.Pixels other(ImageReader reader, ImageReadParam param)
      throws IOException {
    BufferedImage image = reader.read(0, param);
    return new Orientation.Pixels(Rgb.of(image), image.getWidth(), image.getHeight());
  }

  /** The memory budget of one decode, from the header (issue 11): see {@link DecodeCost}. */
  private void checkCost(ImageFormat format, byte[] bytes, int width, int height, int factor) {
    long cost = DecodeCost.estimate(format, bytes, width, height, factor);
    if (cost > limits.maxDecodeBytes()) {
      throw new AligncapException(
          IMAGE_TOO_LARGE,
          "decoding this "
              + width
              + "x"
              + height
              + " "
              + DecodeCost.describe(format, bytes)
              + " would take about "
              + (cost >> 20)
              + " MiB, the limit is "
              + (limits.maxDecodeBytes() >> 20)
              + " MiB (aligncap.image.max-decode-bytes); send fewer pixels or a baseline JPEG");
    }
  }

  private void checkSize(int width, int height) {
    if (width > limits.maxWidth() || height > limits.maxHeight()) {
      throw new AligncapException(
          IMAGE_TOO_LARGE,
          "the image is "
              + width
              + "x"
              + height
              + ", the limit is "
              + limits.maxWidth()
              + "x"
              + limits.maxHeight());
    }
    if ((long) width * height > limits.maxPixels()) {
      throw new AligncapException(
          IMAGE_TOO_LARGE,
          "the image has " + (long) width * height + " pixels, the limit is " + limits.maxPixels());
    }
    if (width < 1 || height < 1) {
      throw new AligncapException(INVALID_IMAGE, "the image is " + width + "x" + height);
    }
  }

  private static RuntimeException unrecognised(byte[] bytes, String type) {
    if (ImageFormat.knownUnsupported(bytes)
        || (type != null && ImageFormat.UNSUPPORTED_TYPES.contains(type))) { // Set.of: no nulls
      return new AligncapException(
          UNSUPPORTED_MEDIA_TYPE,
          "unsupported image format"
              + (type == null ? "" : " (" + type + ")")
              + "; supported: JPEG, PNG, GIF, BMP, WebP");
    }
    if (type != null && !type.startsWith("image/") && !type.equals("application/octet-stream")) {
      return new AligncapException(
          UNSUPPORTED_MEDIA_TYPE,
          "the body is " + type + ", expected an image (JPEG, PNG, GIF, BMP, WebP)");
    }
    return new AligncapException(
        INVALID_IMAGE, "the bytes are not a JPEG, PNG, GIF, BMP or WebP image");
  }

  /**
   * TwelveMonkeys readers for JPEG and WebP, the JDK's own for PNG, GIF and BMP. The TwelveMonkeys
   * providers are registered explicitly (their JPEG reader finds the JDK's, which it delegates to,
   * on registration) so that no class-loader scan is relied on.
   */
  private static ImageReader reader(ImageFormat format) throws IOException {
    return switch (format) {
      case JPEG -> Plugins.JPEG.createReaderInstance(null);
      case WEBP -> Plugins.WEBP.createReaderInstance(null);
      default -> {
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format.id);
        if (!readers.hasNext()) {
          throw new IOException("no ImageIO reader for " + format.id);
        }
        yield readers.next();
      }
    };
  }

  /** Registered once, on first use. */
  private static final class Plugins {
    static final ImageReaderSpi JPEG = register(new JPEGImageReaderSpi(), JPEGImageReaderSpi.class);
    static final ImageReaderSpi WEBP = register(new WebPImageReaderSpi(), WebPImageReaderSpi.class);

    private static <T extends ImageReaderSpi> ImageReaderSpi register(T spi, Class<T> type) {
      IIORegistry registry = IIORegistry.getDefaultInstance();
      registry.registerServiceProvider(spi);
      return registry.getServiceProviderByClass(type);
    }
  }

  /** The JDK JPEG reader only warns on a truncated file ("Premature end of JPEG file"). */
  private static boolean truncation(String warning) {
    String w = warning.toLowerCase(Locale.ROOT);
    return w.contains("premature end")
        || w.contains("truncat")
        || w.contains("end of file")
        || w.contains("eof");
  }

  private static String message(Throwable e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
