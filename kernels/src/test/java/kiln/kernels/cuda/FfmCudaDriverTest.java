package kiln.kernels.cuda;

/** The FFM binding keeps the contract, over the fake driver. */
class FfmCudaDriverTest extends CudaDriverContract {
    @Override
    protected CudaDriver bind(String fakeLibrary) {
        return new FfmCudaDriver(fakeLibrary);
    }

    @Override
    protected String bindingName() {
        return "FFM";
    }
}
