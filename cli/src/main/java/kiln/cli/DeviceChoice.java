package kiln.cli;

import kiln.engine.Device;
import kiln.kernels.cuda.Cuda;

/**
 * {@code --device cpu|cuda|cuda:N}: where a run computes. Asking for a GPU where there is none
 * refuses the run before anything is loaded, with the driver's one line ({@code CUDA unavailable:
 * <reason>}) and exit status 2.
 */
final class DeviceChoice {
    static final String HELP = "--device D           cpu, cuda or cuda:N (default cpu): the GPU trains with Kiln's CUDA kernels";

    private DeviceChoice() {}

    static Options declare(Options o) {
        return o.value("device");
    }

    /** The device {@code --device} names, checked: a GPU must be present. */
    static Device from(Options o) {
        String spec = o.string("device", "cpu");
        if (spec.equals("cpu")) {
            return Device.CPU;
        }
        if (!spec.matches("cuda(:[0-9]{1,4})?")) {
            throw new Main.UsageException("--device must be cpu, cuda or cuda:N, got '" + spec + "'");
        }
        Device gpu = Device.cuda(spec.equals("cuda") ? 0 : Integer.parseInt(spec.substring(5)));
        Cuda.Status status = Cuda.status();
        if (!status.available()) {
            throw new Main.UsageException(status.line());
        }
        int count = status.driver().deviceCount();
        if (gpu.index() >= count) {
            throw new Main.UsageException("--device " + spec + ": this machine has " + count + " GPU" + (count == 1 ? "" : "s")
                    + " (cuda:0" + (count > 1 ? " to cuda:" + (count - 1) : "") + ")");
        }
        return gpu;
    }
}
