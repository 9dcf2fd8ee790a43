package io.aligncap.image;

import static io.aligncap.AligncapException.Kind.IMAGE_TOO_LARGE;
import static io.aligncap.AligncapException.Kind.INVALID_IMAGE;
import static io.aligncap.AligncapException.Kind.UNSUPPORTED_MEDIA_TYPE;
import static io.aligncap.testing.Failures.assertFails;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aligncap.AligncapException;
import io.aligncap.testing.PngBomb;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Decoding real files of every supported kind. The fixtures of make-fixtures.sh (under
 * src/test/resources/images) show the same 40x20 scene, left half red and right half blue; those of
 * make-decoded.py tell a decoder that follows models/FORMAT.md preprocessing rules 1–4 from one
 * that colour-manages, rounds or subsamples differently, and decoded/ holds the pixels the Python
 * reference (training/aligncap/preprocess.py) gives for every fixture.
 */
class ImageDecoderTest {

  static final ImageLimits LIMITS = new ImageLimits(16 << 20, 16384, 16384, 50_000_000L, 256);
  final ImageDecoder decoder = new ImageDecoder(LIMITS);

  static byte[] fixture(String name) {
    try (InputStream in = ImageDecoderTest.class.getResourceAsStream("/images/" + name)) {
      if (in == null) {
        throw new IllegalStateException("missing fixture " + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static int[] pixel(DecodedImage img, int x, int y) {
    int o = (y * img.width() + x) * 3;
    return new int[] {img.rgb()[o] & 0xFF, img.rgb()[o + 1] & 0xFF, img.rgb()[o + 2] & 0xFF};
  }

  /** Red on the left, blue on the right, within a lossy codec's tolerance. */
  static void assertRedBlue(DecodedImage img) {
    assertEquals(40, img.width(), "width");
    assertEquals(20, img.height(), "height");
    int[] left = pixel(img, 5, 10);
    int[] right = pixel(img, 34, 10);
    assertTrue(
        left[0] > 200 && left[1] < 60 && left[2] < 60,
        "left should be red: " + Arrays.toString(left));
    assertTrue(
        right[0] < 60 && right[1] < 60 && right[2] > 200,
        "right should be blue: " + Arrays.toString(right));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "baseline.jpg", "progressive.jpg", "cmyk.jpg", "rgb8.png", "rgb16.png", "palette.png",
        "alpha.png", "interlaced.png", "rgb.bmp", "animated.gif", "lossless.webp", "lossy.webp",
        "exif-orientation-6.jpg"
      })
  void decodesEveryKind(String name) {
    DecodedImage img = decoder.decode(fixture(name), null);
    assertRedBlue(img);
    assertEquals(40, img.sourceWidth());
    assertEquals(20, img.sourceHeight());
  }

  /**
   * Rules 1–4 exactly as the Python reference decodes them, pixel for pixel: ICC profiles ignored,
   * 16-bit samples' high byte, low-bit gray and palettes expanded, alpha dropped, CMYK and YCCK by
   * the ink formula, JPEG colour by libjpeg's tables, subsampling by 2 at 513x517 (M = 256), EXIF
   * orientation after it. Lossy WebP is left out: TwelveMonkeys' VP8 decoder upsamples chroma
   * differently from libwebp, which Pillow uses (40x20 fixture: max 77, mean 2.27 per sample at the
   * red/blue edge); FORMAT.md's photos are JPEG and PNG.
   */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "baseline.jpg",
        "progressive.jpg",
        "cmyk.jpg",
        "cmyk-black.jpg",
        "icc-profile.jpg",
        "exif-orientation-6.jpg",
        "rgb8.png",
        "rgb16.png",
        "rgb16-lowbytes.png",
        "gray16.png",
        "gray2.png",
        "gray-alpha16.png",
        "palette.png",
        "palette4.png",
        "alpha.png",
        "interlaced.png",
        "subsample-513x517.png",
        "rgb.bmp",
        "animated.gif",
        "lossless.webp"
      })
  void pixelsAreThePythonReferences(String name) throws IOException {
    DecodedImage img = decoder.decode(fixture(name), null);
    BufferedImage ref =
        ImageIO.read(new java.io.ByteArrayInputStream(fixture("decoded/" + name + ".png")));
    assertEquals(ref.getWidth(), img.width(), name + " width");
    assertEquals(ref.getHeight(), img.height(), name + " height");
    byte[] want = new byte[img.rgb().length];
    ref.getRaster().getDataElements(0, 0, ref.getWidth(), ref.getHeight(), want); // RGB order
    int differing = 0;
    for (int i = 0; i < want.length; i++) {
      differing += want[i] == img.rgb()[i] ? 0 : 1;
    }
    assertEquals(0, differing, name + ": samples that differ from the reference");
  }

  @Test
  void exifOrientationIsApplied() {
    // stored 20x40 with red at the bottom; orientation 6 turns it upright to 40x20
    DecodedImage img = decoder.decode(fixture("exif-orientation-6.jpg"), "image/jpeg");
    assertEquals("jpeg", img.format());
    assertRedBlue(img);
  }

  @Test
  void gifGivesTheFirstFrame() {
    assertRedBlue(decoder.decode(fixture("animated.gif"), "image/gif")); // frame 2 is green
  }

  @Test
  void gray16IsReplicatedNotGammaShifted() {
    DecodedImage img = decoder.decode(fixture("gray16.png"), "image/png");
    int[] left = pixel(img, 5, 10);
    int[] right = pixel(img, 34, 10);
    assertEquals(left[0], left[1]);
    assertEquals(left[1], left[2]);
    assertTrue(left[0] > right[0], "red is lighter than blue in gray");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "baseline.jpg",
        "progressive.jpg",
        "cmyk.jpg",
        "rgb8.png",
        "interlaced.png",
        "rgb.bmp",
        "animated.gif",
        "lossy.webp"
      })
  void truncatedFilesAreRejected(String name) {
    byte[] whole = fixture(name);
    byte[] half = Arrays.copyOf(whole, whole.length * 2 / 3);
    assertFails(INVALID_IMAGE, () -> decoder.decode(half, null));
  }

  @Test
  void decompressionBombIsRejectedFromTheHeader() throws IOException {
    byte[] bomb = PngBomb.create(65536, 65536);
    assertTrue(bomb.length < 1_000_000, "the bomb is small: " + bomb.length);
    AligncapException e = assertFails(IMAGE_TOO_LARGE, () -> decoder.decode(bomb, "image/png"));
    assertTrue(e.getMessage().contains("65536x65536"), e.getMessage());
  }

  @Test
  void pixelCountLimitApplies() throws IOException {
    ImageDecoder strict = new ImageDecoder(new ImageLimits(1 << 20, 16384, 16384, 799, 256));
    assertFails(IMAGE_TOO_LARGE, () -> strict.decode(fixture("rgb8.png"), null));
  }

  @Test
  void byteLimitApplies() {
    ImageDecoder strict = new ImageDecoder(new ImageLimits(100, 16384, 16384, 50_000_000L, 256));
    assertFails(IMAGE_TOO_LARGE, () -> strict.decode(fixture("baseline.jpg"), null));
  }

  @Test
  void largeImagesAreSubsampledTowardsTheModelInput() throws IOException {
    BufferedImage big = new BufferedImage(1030, 600, BufferedImage.TYPE_INT_RGB);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(big, "png", out);
    DecodedImage img = decoder.decode(out.toByteArray(), "image/png");
    // min side 600 / 256 = factor 2: both sides stay >= 256
    assertEquals(515, img.width()); // ceil(1030 / 2)
    assertEquals(300, img.height());
    assertEquals(1030, img.sourceWidth());
    assertEquals(600, img.sourceHeight());
  }

  @Test
  void unsupportedFormatsAre415() throws IOException {
    BufferedImage small = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
    ByteArrayOutputStream tiff = new ByteArrayOutputStream();
    ImageIO.write(small, "tiff", tiff);
    assertFails(UNSUPPORTED_MEDIA_TYPE, () -> decoder.decode(tiff.toByteArray(), "image/tiff"));
    assertFails(UNSUPPORTED_MEDIA_TYPE, () -> decoder.decode("hello".getBytes(), "text/plain"));
  }

  @Test
  void garbageAndEmptyBodiesAre400() {
    assertFails(INVALID_IMAGE, () -> decoder.decode("hello".getBytes(), "image/jpeg"));
    assertFails(INVALID_IMAGE, () -> decoder.decode(new byte[0], "image/png"));
    byte[] corrupt = fixture("rgb8.png").clone();
    Arrays.fill(corrupt, 40, corrupt.length - 20, (byte) 7);
    assertFails(INVALID_IMAGE, () -> decoder.decode(corrupt, "image/png"));
  }

  @Test
  void decodedPixelsMatchTheJdkForALosslessFile() throws IOException {
    byte[] png = fixture("rgb8.png");
    BufferedImage jdk = ImageIO.read(new java.io.ByteArrayInputStream(png));
    DecodedImage img = decoder.decode(png, null);
    byte[] expected = new byte[40 * 20 * 3];
    for (int y = 0; y < 20; y++) {
      for (int x = 0; x < 40; x++) {
        int p = jdk.getRGB(x, y);
        int o = (y * 40 + x) * 3;
        expected[o] = (byte) (p >> 16);
        expected[o + 1] = (byte) (p >> 8);
        expected[o + 2] = (byte) p;
      }
    }
    assertArrayEquals(expected, img.rgb());
  }
}
