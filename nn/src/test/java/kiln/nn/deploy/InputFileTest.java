package kiln.nn.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Input files by their first bytes: IDX (plain or gzipped), images, CSV; rows made on demand; wrong widths refused. */
class InputFileTest {
    @TempDir
    Path dir;

    private final List<String> notes = new ArrayList<>();
    private static final PixelEncoder TWO_BY_THREE = new PixelEncoder(new int[] {1, 2, 3}, 255);

    /** An IDX file of unsigned bytes, written by hand: 0x00 0x00 0x08 rank, the sizes big-endian, the bytes. */
    private static byte[] idx(int[] dims, int[] values) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {0, 0, 0x08, (byte) dims.length});
        for (int d : dims) {
            out.writeBytes(new byte[] {(byte) (d >>> 24), (byte) (d >>> 16), (byte) (d >>> 8), (byte) d});
        }
        for (int v : values) {
            out.write(v);
        }
        return out.toByteArray();
    }

    @Test
    void idxImagesBecomeOneRowOfRawPixelsEach() throws IOException {
        int[] values = {0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255};
        Path plain = dir.resolve("images-idx3-ubyte");
        Files.write(plain, idx(new int[] {2, 2, 3}, values));
        Path gzipped = dir.resolve("images.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gzipped))) {
            out.write(idx(new int[] {2, 2, 3}, values));
        }
        for (Path file : List.of(plain, gzipped)) {
            InputFile input = InputFile.read(file, TWO_BY_THREE, null, notes::add);
            assertEquals(InputFile.Format.IDX, input.format());
            assertEquals(2, input.size());
            List<List<Object>> rows = input.rows(0, 2);
            assertEquals(List.of(0.0, 1.0, 2.0, 3.0, 4.0, 5.0), rows.get(0));
            assertEquals(List.of(250.0, 251.0, 252.0, 253.0, 254.0, 255.0), rows.get(1));
            assertEquals(file + ", example 1", input.where(1));
        }
        IOException wrongSize = assertThrows(IOException.class,
                () -> InputFile.read(plain, new PixelEncoder(new int[] {1, 28, 28}, 255), null, notes::add));
        assertEquals(plain + ": each example holds 6 values (dimensions [2, 2, 3]); the model takes 784 pixel values in [0, 255]"
                + " per row (images [1, 28, 28])", wrongSize.getMessage());
        assertTrue(notes.isEmpty(), notes.toString());
    }

    @Test
    void aCsvRowIsAnExampleWithTheTargetColumnLeftOutAndItsLineForMessages() throws IOException {
        Path csv = dir.resolve("points.csv");
        Files.writeString(csv, "x,label,y\n1.5,a,2\n\"3\",b,NA\n");
        InputFile input = InputFile.read(csv, new NumberEncoder(new int[] {2}), "label", notes::add);
        assertEquals(InputFile.Format.CSV, input.format());
        assertEquals(List.of(List.of(1.5, 2.0), Arrays.asList(3.0, null)), input.rows(0, 2));
        assertEquals(csv + ":3", input.where(1));
        assertEquals(List.of(csv + ": column 'label' left out (the model's target)"), notes);

        IOException wide = assertThrows(IOException.class, () -> InputFile.read(csv, new NumberEncoder(new int[] {2}), null, notes::add));
        assertEquals(csv + ": 3 columns; the model takes 2 numbers per row (shape [2])", wide.getMessage());

        Files.writeString(csv, "x,y\n1,2\n3,4\n5,high\n");
        IOException word = assertThrows(IOException.class, () -> InputFile.read(csv, new NumberEncoder(new int[] {2}), null, notes::add));
        assertEquals(csv + ":4: column 'y' (field 2): 'high' is not a number", word.getMessage(), "the word's own line, not the first row's");
    }

    @Test
    void aPngOfAnotherSizeIsResizedWithANote() throws IOException {
        BufferedImage image = new BufferedImage(6, 4, BufferedImage.TYPE_BYTE_GRAY);
        int[] pixels = new int[24];
        Arrays.fill(pixels, 90);
        image.getRaster().setPixels(0, 0, 6, 4, pixels);
        Path png = dir.resolve("photo.png");
        ImageIO.write(image, "png", png.toFile());
        InputFile input = InputFile.read(png, TWO_BY_THREE, null, notes::add);
        assertEquals(InputFile.Format.IMAGE, input.format());
        assertEquals(List.of(List.of(90.0, 90.0, 90.0, 90.0, 90.0, 90.0)), input.rows(0, 1));
        assertEquals(List.of(png + ": 6×4 pixels; resized to the model's 3×2 by area averaging"), notes);

        IOException notImages = assertThrows(IOException.class, () -> InputFile.read(png, new NumberEncoder(new int[] {2}), null, notes::add));
        assertEquals(png + ": an image is one example of gray pixels, but the model takes 2 numbers per row (shape [2])", notImages.getMessage());
        assertThrows(java.io.FileNotFoundException.class, () -> InputFile.read(dir.resolve("absent.png"), TWO_BY_THREE, null, notes::add));
    }
}
