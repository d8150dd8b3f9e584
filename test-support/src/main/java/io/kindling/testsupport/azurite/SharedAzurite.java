package io.kindling.testsupport.azurite;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One Azurite per test JVM, started on first use and stopped when the test run ends.
 *
 * <p>Use with {@code @ExtendWith(SharedAzurite.class)} and take an {@link AzuriteFixture} as a
 * constructor, lifecycle-method or test-method parameter. The fixture lives in JUnit's root
 * store, which closes it after the JVM's last test; the fixture's own shutdown hook covers a
 * JVM that exits without that. A failed start is remembered, so every later test fails at once
 * with the same cause instead of waiting out the start deadline again. Tests sharing the
 * emulator keep apart by using their own containers.
 */
public final class SharedAzurite implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(SharedAzurite.class);

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == AzuriteFixture.class;
    }

    @Override
    public AzuriteFixture resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return get(extensionContext);
    }

    /** The JVM's Azurite, started if this is the first call. */
    public static AzuriteFixture get(ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent(Started.class, type -> Started.start(), Started.class)
                .fixture();
    }

    /** The outcome of the one start: a running fixture, or why it did not start. */
    private record Started(AzuriteFixture running, RuntimeException failure) implements AutoCloseable {

        static Started start() {
            try {
                return new Started(AzuriteFixture.start(), null);
            } catch (RuntimeException e) {
                return new Started(null, e);
            }
        }

        AzuriteFixture fixture() {
            if (failure != null) {
                throw new IllegalStateException(failure.getMessage(), failure);
            }
            return running;
        }

        @Override
        public void close() {
            if (running != null) {
                running.close();
            }
        }
    }
}
