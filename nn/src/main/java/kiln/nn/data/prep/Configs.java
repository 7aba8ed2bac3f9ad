package kiln.nn.data.prep;

import java.util.Map;

/** Reading fields of the JSON-ready configs of this package, with messages that name what is wrong. */
final class Configs {
    private Configs() {}

    /** The non-empty text under {@code key}. */
    static String string(Map<?, ?> config, String key) {
        if (config.get(key) instanceof String text && !text.isEmpty()) {
            return text;
        }
        throw new IllegalArgumentException("\"" + key + "\" must be a non-empty text, got " + config.get(key));
    }
}
