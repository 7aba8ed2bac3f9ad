package kiln.nn.data.audit;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The pixel values of a set of images: their range, their mean and standard deviation over every pixel of
 * every image (the numbers a scaler fitted on them would use), and how many images are blank (one value
 * everywhere, so they show nothing).
 *
 * @param std the population standard deviation over all pixels (over millions of pixels, n and n − 1 agree)
 */
public record PixelSummary(long pixels, double min, double max, double mean, double std, int blankImages) {

    /** Takes images one at a time; each image's mean and squared deviations are merged into the totals. */
    static final class Accumulator {
        private long pixels;
        private double min = Double.POSITIVE_INFINITY;
        private double max = Double.NEGATIVE_INFINITY;
        private double mean;
        private double squaredDeviations;   // the sum of (x − mean)² over all pixels so far
        private int blankImages;

        /** Adds the image of {@code length} pixels starting at {@code offset} of {@code values}. */
        void add(float[] values, int offset, int length) {
            double imageMin = Double.POSITIVE_INFINITY;
            double imageMax = Double.NEGATIVE_INFINITY;
            double sum = 0;
            for (int i = offset; i < offset + length; i++) {
                imageMin = Math.min(imageMin, values[i]);
                imageMax = Math.max(imageMax, values[i]);
                sum += values[i];
            }
            double imageMean = sum / length;
            double imageDeviations = 0;
            for (int i = offset; i < offset + length; i++) {
                imageDeviations += (values[i] - imageMean) * (values[i] - imageMean);
            }
            // Chan et al.'s merge of two groups' means and squared deviations: no large sums cancel.
            long total = pixels + length;
            double delta = imageMean - mean;
            squaredDeviations += imageDeviations + delta * delta * ((double) pixels * length / total);
            mean += delta * length / total;
            pixels = total;
            min = Math.min(min, imageMin);
            max = Math.max(max, imageMax);
            blankImages += imageMin == imageMax ? 1 : 0;
        }

        PixelSummary summary() {
            if (pixels == 0) {
                throw new IllegalStateException("PixelSummary: no images");
            }
            return new PixelSummary(pixels, min, max, mean, Math.sqrt(squaredDeviations / pixels), blankImages);
        }
    }

    Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("pixels", pixels);
        json.put("min", Values.json(min));
        json.put("max", Values.json(max));
        json.put("mean", Values.json(mean));
        json.put("std", Values.json(std));
        json.put("blank_images", blankImages);
        return json;
    }
}
