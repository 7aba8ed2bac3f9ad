package kiln.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The machine a benchmark ran on, as its reports state it. */
public final class Machine {
    private Machine() {}

    /** CPU model, cores, architecture and JDK in one line. */
    public static String describe() {
        String cpu = "unknown CPU";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(line -> line.startsWith("model name"))
                    .map(line -> line.substring(line.indexOf(':') + 1).trim())
                    .findFirst().orElse(cpu);
        } catch (IOException | UncheckedIOException ignored) {
            // not Linux: keep "unknown CPU"
        }
        return cpu + ", " + Runtime.getRuntime().availableProcessors() + " cores, " + System.getProperty("os.arch")
                + ", JDK " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")";
    }

    /** The 1-minute load average (runnable and running tasks, as {@code uptime} shows it), NaN where unknown. */
    public static double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).strip().split("\\s+")[0]);
        } catch (IOException | RuntimeException notLinux) {
            return Double.NaN;
        }
    }
}
