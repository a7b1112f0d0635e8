package io.tidemark.appliance.it;

import java.util.Optional;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Prints the log tail of every appliance the failing test class started, so a CI failure shows
 * what the appliance said without digging for files.
 */
final class ApplianceLogOnFailure implements BeforeAllCallback, BeforeEachCallback, TestWatcher, LifecycleMethodExecutionExceptionHandler {

    private static final int TAIL_LINES = 120;

    @Override
    public void beforeAll(ExtensionContext context) {
        ApplianceProcess.forgetStarted();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        // a class-wide appliance is still running; those of earlier tests have stopped
        ApplianceProcess.forgetEnded();
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        printTails(context.getDisplayName());
    }

    @Override
    public void handleBeforeAllMethodExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
        printTails(context.getDisplayName() + " (@BeforeAll)");
        throw throwable;
    }

    @Override
    public void handleBeforeEachMethodExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
        printTails(context.getDisplayName() + " (@BeforeEach)");
        throw throwable;
    }

    private static void printTails(String what) {
        for (ApplianceProcess appliance : ApplianceProcess.startedSinceClassStart()) {
            System.err.println("----- " + what + " failed; tail of " + appliance + " -----");
            System.err.println(appliance.logTail(TAIL_LINES));
            System.err.println("----- end of " + appliance.logFile() + " -----");
        }
    }

    @Override
    public void testAborted(ExtensionContext context, Throwable cause) {
        // an aborted test is reported by JUnit itself; nothing to add
    }

    @Override
    public void testDisabled(ExtensionContext context, Optional<String> reason) {
        // nothing ran
    }
}
