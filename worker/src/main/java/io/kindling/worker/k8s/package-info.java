/**
 * The Kubernetes driver-pod backend: each attempt runs {@code spark-submit} in client mode inside
 * a driver pod, and Spark starts executors as pods ("native" Spark on Kubernetes).
 *
 * <p>Objects, all named from the attempt id ({@link io.kindling.worker.k8s.DriverPodNames}) and,
 * but for the pod, owned by it: a ConfigMap ({@code spark-defaults.conf}, {@code spark-env.sh},
 * the executor pod template) mounted as {@code SPARK_CONF_DIR}; the driver pod; a headless Service
 * ({@code spark.driver.host}); a UI Service; an Ingress when the pool asks
 * ({@code spark.ui.proxyBase}). {@link io.kindling.worker.k8s.DriverPodManifests} renders them,
 * {@link io.kindling.worker.k8s.DriverPodLauncher} creates (or adopts) and watches them,
 * {@link io.kindling.worker.k8s.PodFailures} classifies the pod's status.
 *
 * <p><b>Artifacts.</b> A job's {@code artifact://} URIs are fetched by an init container (the worker's
 * image running {@code FetchMain}, blob store settings {@code envFrom} the pool's Secret) into an
 * emptyDir the driver mounts; spark-submit gets the local paths ({@code DriverPodArtifacts}).
 *
 * <p><b>Event logs.</b> The driver writes its Spark event log to the pool's {@code eventLogDir}
 * ({@code spark.eventLog.dir}), named by the deterministic {@code spark.app.id}. Either a path on
 * a volume the pool mounts into the driver ({@code file:/kindling/eventlogs} by default, e.g. a
 * ReadWriteMany PVC that a log-shipper also mounts and collects), or straight into storage the
 * log-shipper's archive already lives in ({@code abfss://…}, with the ABFS connector in the image
 * and its credentials as secret references). The directory must exist: Spark does not create it.
 * No sidecar is involved. Driver stdout/stderr are the pod's log, which the log-shipper's pod-log
 * source reads, selecting pods by the {@code kindling.io/*} labels.
 */
package io.kindling.worker.k8s;
