package io.kindling.shipper;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.LoggerFactory;

/**
 * Log events of one logger (and its children) while open, debug ones included, with the MDC of the
 * thread that logged them.
 */
final class CapturedLogs extends AppenderBase<ILoggingEvent> implements AutoCloseable {
    private final Logger logger;
    private final Level level;
    private final List<ILoggingEvent> events = new CopyOnWriteArrayList<>();

    private CapturedLogs(Logger logger) {
        this.logger = logger;
        this.level = logger.getLevel();
    }

    static CapturedLogs of(String loggerName) {
        CapturedLogs captured = new CapturedLogs((Logger) LoggerFactory.getLogger(loggerName));
        captured.setContext(captured.logger.getLoggerContext());
        captured.start();
        captured.logger.addAppender(captured);
        captured.logger.setLevel(Level.DEBUG);
        return captured;
    }

    @Override
    protected void append(ILoggingEvent event) {
        event.prepareForDeferredProcessing(); // takes the MDC now, on the logging thread
        events.add(event);
    }

    List<ILoggingEvent> events() {
        return List.copyOf(events);
    }

    @Override
    public void close() {
        logger.detachAppender(this);
        logger.setLevel(level);
        stop();
    }
}
