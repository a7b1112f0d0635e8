package io.tidemark.iscsi.session;

import io.tidemark.iscsi.IscsiSettings;
import io.tidemark.iscsi.TargetNode;
import io.tidemark.iscsi.TargetRegistry;
import io.tidemark.iscsi.login.TargetLimits;
import io.tidemark.iscsi.scsi.ScsiExecutor;
import java.security.SecureRandom;
import java.util.concurrent.ExecutorService;
import java.util.function.Function;

/**
 * What every connection of one portal shares: targets, settings, the SCSI worker pool, the
 * per-target executors and the session table. Thread-safe.
 *
 * @param executors one ScsiExecutor per target, created on first use and then shared
 */
public record PortalContext(TargetRegistry registry, IscsiSettings settings, TargetLimits limits,
                            ExecutorService workers, Function<TargetNode, ScsiExecutor> executors,
                            SessionRegistry sessions, SecureRandom random) {}
