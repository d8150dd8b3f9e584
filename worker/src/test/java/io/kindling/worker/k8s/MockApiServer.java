package io.kindling.worker.k8s;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;

/** The end of a test against fabric8's mock API server ({@code @EnableKubernetesMockClient}). */
final class MockApiServer {
    /**
     * How long the mock server may stay blocked: it closes a watch on its event loop by waiting up
     * to a minute for that watch's pending sends, which need the same loop.
     */
    private static final Duration BLOCKED_AT_MOST = Duration.ofSeconds(90);

    private MockApiServer() {
    }

    /**
     * Waits until the mock server answers a request, then closes the client and so its open watches.
     * The extension then stops the server, and gives up after 10 s ("Unable to close MockWebServer").
     * A watch that the code under test closed while an event was on its way to it blocks the mock
     * server (fabric8 7.8's {@code WatchEventsListener.onClosed}) for up to a minute. An answer
     * means that its event loop runs again, so the server can stop in time.
     */
    static void closeWhenAnswering(KubernetesClient client) {
        await().atMost(BLOCKED_AT_MOST).ignoreExceptions().until(() -> client.namespaces().list() != null);
        client.close();
    }
}
