package io.kindling.testsupport.kafka;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives tests a {@link KafkaFixture} on the JVM's {@link SharedKafka} broker.
 *
 * <p>Use with {@code @ExtendWith(KafkaTestExtension.class)} and take a {@code KafkaFixture} as a
 * constructor, lifecycle-method or test-method parameter. Each test (or test class, for
 * constructor and {@code @BeforeAll} parameters) gets its own fixture with its own topic prefix;
 * its clients are closed when that test or class ends. The broker itself outlives them.
 */
public final class KafkaTestExtension implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(KafkaTestExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == KafkaFixture.class;
    }

    @Override
    public KafkaFixture resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return fixture(extensionContext);
    }

    /** The fixture of {@code context}, created on first use; closed with the context. */
    public static KafkaFixture fixture(ExtensionContext context) {
        // keyed by the context's id: a test method must not pick up its class's fixture from a parent store
        return context.getStore(NAMESPACE).getOrComputeIfAbsent(context.getUniqueId(),
                id -> new KafkaFixture(SharedKafka.bootstrapServers(), TopicPrefixes.forContext(context)),
                KafkaFixture.class);
    }
}
