package kiln.nn.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Images to gray values: gray PNGs exactly, color by luma, resizing by area averages worked out by hand. */
class GrayImageTest {
    @TempDir
    Path dir;

    private static BufferedImage gray(int width, int height, int[] bytes) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        image.getRaster().setPixels(0, 0, width, height, bytes);
        return image;
    }

    @Test
    void anEightBitGrayPngReadsBackAsTheSameBytes() throws IOException {
        int[] bytes = new int[28 * 28];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (i * 37) % 256;
        }
        Path png = dir.resolve("item.png");
        ImageIO.write(gray(28, 28, bytes), "png", png.toFile());
        GrayImage image = GrayImage.read(png);
        assertEquals(28, image.width());
        assertEquals(28, image.height());
        assertFalse(image.fromColor());
        for (int i = 0; i < bytes.length; i++) {
            assertEquals(bytes[i], (double) image.row().get(i), 0, "pixel " + i);
        }
    }

    @Test
    void sixteenBitGrayIsRescaledTo255() {
        BufferedImage image = new BufferedImage(2, 1, BufferedImage.TYPE_USHORT_GRAY);
        image.getRaster().setPixels(0, 0, 2, 1, new int[] {65535, 257});
        GrayImage gray = GrayImage.of(image);
        assertEquals(255, gray.value(0, 0), 1e-12);
        assertEquals(1, gray.value(1, 0), 1e-12, "257 / 65535 × 255 = 1");
    }

    @Test
    void colorBecomesGrayByLuma() {
        BufferedImage image = new BufferedImage(3, 1, BufferedImage.TYPE_INT_RGB);
        image.setRGB(0, 0, 0xFF0000);
        image.setRGB(1, 0, 0x00FF00);
        image.setRGB(2, 0, 0x102030);
        GrayImage gray = GrayImage.of(image);
        assertTrue(gray.fromColor());
        assertEquals(0.299 * 255, gray.value(0, 0), 1e-9);
        assertEquals(0.587 * 255, gray.value(1, 0), 1e-9);
        assertEquals(0.299 * 16 + 0.587 * 32 + 0.114 * 48, gray.value(2, 0), 1e-9);
    }

    @Test
    void halvingAveragesTwoByTwoBlocks() {
        GrayImage image = GrayImage.of(gray(4, 2, new int[] {
                0, 10, 100, 200,
                20, 30, 50, 250}));
        GrayImage half = image.resize(2, 1);
        assertEquals((0 + 10 + 20 + 30) / 4.0, half.value(0, 0), 1e-12);
        assertEquals((100 + 200 + 50 + 250) / 4.0, half.value(1, 0), 1e-12);
    }

    @Test
    void aFractionalScaleWeighsPartlyCoveredPixelsByTheirShare() {
        // Three pixels into two: new pixel 0 covers [0, 1.5) = all of old 0 and half of old 1; new pixel 1 covers [1.5, 3).
        GrayImage row = GrayImage.of(gray(3, 1, new int[] {30, 60, 90})).resize(2, 1);
        assertEquals((30 * 1.0 + 60 * 0.5) / 1.5, row.value(0, 0), 1e-12);
        assertEquals((60 * 0.5 + 90 * 1.0) / 1.5, row.value(1, 0), 1e-12);

        // Growing: each new pixel lies inside one old pixel and takes its value.
        GrayImage grown = GrayImage.of(gray(2, 1, new int[] {40, 80})).resize(4, 2);
        assertEquals(40, grown.value(1, 1), 0);
        assertEquals(80, grown.value(2, 0), 0);

        // Any size of a uniform image stays uniform.
        int[] flat = new int[35];
        java.util.Arrays.fill(flat, 77);
        GrayImage uniform = GrayImage.of(gray(7, 5, flat)).resize(3, 4);
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 3; x++) {
                assertEquals(77, uniform.value(x, y), 1e-9);
            }
        }
    }

    @Test
    void aFileThatIsNoImageIsRefusedWithItsName() throws IOException {
        Path text = dir.resolve("notes.png");
        Files.writeString(text, "not a picture");
        IOException e = assertThrows(IOException.class, () -> GrayImage.read(text));
        assertTrue(e.getMessage().startsWith(text + ": "), e.getMessage());
    }
}
