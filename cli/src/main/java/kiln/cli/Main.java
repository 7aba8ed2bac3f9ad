package kiln.cli;

public final class Main {
    public static void main(String[] args) {
        System.out.println("kiln " + String.join(" ", args));
    }
}
