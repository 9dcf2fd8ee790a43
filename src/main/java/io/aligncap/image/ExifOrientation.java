package io.aligncap.image;

import com.twelvemonkeys.imageio.metadata.Directory;
import com.twelvemonkeys.imageio.metadata.Entry;
import com.twelvemonkeys.imageio.metadata.jpeg.JPEG;
import com.twelvemonkeys.imageio.metadata.jpeg.JPEGSegment;
import com.twelvemonkeys.imageio.metadata.jpeg.JPEGSegmentUtil;
import com.twelvemonkeys.imageio.metadata.tiff.TIFF;
import com.twelvemonkeys.imageio.metadata.tiff.TIFFReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import org.jboss.logging.Logger;

/** Reads the EXIF orientation of a JPEG (APP1 "Exif" segment, IFD0 tag 274). */
final class ExifOrientation {

  private static final Logger LOG = Logger.getLogger(ExifOrientation.class);
  static final int UPRIGHT = 1;

  private ExifOrientation() {}

  /**
   * @return the orientation 1..8; 1 when there is no EXIF block or it cannot be read (a broken EXIF
   *     block is not a broken image: the pixels are still shown as stored)
   */
  static int ofJpeg(byte[] jpeg) {
    try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(jpeg))) {
      List<JPEGSegment> exif = JPEGSegmentUtil.readSegments(in, JPEG.APP1, "Exif");
      if (exif.isEmpty()) {
        return UPRIGHT;
      }
      InputStream data = exif.get(0).data();
      if (data.read() < 0) { // the pad byte after "Exif\0"
        return UPRIGHT;
      }
      try (ImageInputStream tiff = new MemoryCacheImageInputStream(data)) {
        Directory directory = new TIFFReader().read(tiff);
        Entry entry = directory.getEntryById(TIFF.TAG_ORIENTATION);
        if (entry != null && entry.getValue() instanceof Number n) {
          int value = n.intValue();
          return value >= 1 && value <= 8 ? value : UPRIGHT;
        }
      }
    } catch (IOException | RuntimeException e) {
      LOG.debugf("EXIF block unreadable, orientation taken as upright: %s", e);
    }
    return UPRIGHT;
  }
}
