package io.kindling.common.kafka;

import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;

/**
 * A readiness probe: describes the cluster with one admin client (made on the first call) and
 * throws when the brokers cannot be reached within 5 s. Register it with
 * {@code health.readinessProbe("kafka", probe)}; close it with the component.
 */
public final class KafkaReachability implements Callable<Integer>, AutoCloseable {
    private final KafkaClients clients;
    private final String clientId;
    private volatile Admin admin;

    public KafkaReachability(KafkaClients clients, String clientId) {
        this.clients = clients;
        this.clientId = clientId;
    }

    /** The number of brokers the cluster reports. */
    @Override
    public Integer call() throws Exception {
        Admin a = admin;
        if (a == null) {
            a = clients.admin(clientId);
            admin = a;
        }
        return a.describeCluster(new DescribeClusterOptions().timeoutMs(5_000)).nodes().get(6, TimeUnit.SECONDS).size();
    }

    @Override
    public void close() {
        Admin a = admin;
        if (a != null) {
            a.close(java.time.Duration.ofSeconds(5));
        }
    }
}
