package io.tidemark.appliance.it;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where the build under test lives, read from the test class path
 * ({@code <root>/appliance/<build>/classes} or the module jar): the repository root, for the
 * {@code ./tidemark} launcher, and the build folder name, for its {@code TIDEMARK_BUILD}.
 *
 * @param root  the repository root
 * @param build the build folder name (target, or the -Dtidemark.build value)
 */
record BuildLayout(Path root, String build) {

    private static final Pattern APPLIANCE_OUTPUT =
            Pattern.compile("^(.*)/appliance/([^/]+)/(classes|tidemark-appliance-[^/]*\\.jar)/?$");

    static BuildLayout ofTestClassPath() {
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Matcher m = APPLIANCE_OUTPUT.matcher(Path.of(entry).toAbsolutePath().normalize().toString());
            if (m.matches() && Files.isExecutable(Path.of(m.group(1), "tidemark"))) {
                return new BuildLayout(Path.of(m.group(1)), m.group(2));
            }
        }
        throw new AssertionError("no <root>/appliance/<build>/classes entry next to an executable <root>/tidemark"
                + " on the test class path: " + System.getProperty("java.class.path"));
    }

    Path launcher() {
        return root.resolve("tidemark");
    }

    /** The launcher's classes and lib folders exist only after `package` (mvn verify runs it first). */
    boolean packaged() {
        return Files.isDirectory(root.resolve("appliance").resolve(build).resolve("lib"));
    }
}
