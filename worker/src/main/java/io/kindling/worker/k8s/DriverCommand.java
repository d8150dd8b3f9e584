package io.kindling.worker.k8s;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.kindling.worker.launcher.DriverTrace;
import io.kindling.worker.launcher.SparkConnectServer;
import io.kindling.schemas.Application;
import io.kindling.schemas.ApplicationType;
import io.kindling.schemas.JobSpec;
import io.kindling.common.pools.LaunchPolicy;
import io.kindling.common.pools.LaunchRefusedException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The driver container's {@code command}, {@code args} and {@code env}: spark-submit's argv as
 * array elements (no shell anywhere; the conf is in {@code spark-defaults.conf}), the job's
 * environment and its secrets as {@code secretKeyRef}s.
 *
 * <p>The kubelet expands {@code $(NAME)} in {@code args} and {@code env} values from the
 * container's environment, which would let a job argument read a secret variable. Every {@code $}
 * of user input is therefore written as {@code $$}, which the kubelet turns back into one
 * {@code $}: the process receives exactly what the job asked for.
 *
 * <p>What a job may set (variables, conf, paths) is the pool's {@link LaunchPolicy}, checked by
 * {@link DriverPodManifests#render} before anything is built here.
 */
final class DriverCommand {
    /** The pod's IP, which the driver binds to (as Spark's own driver pods do). */
    static final String POD_IP_ENV = "KINDLING_POD_IP";


    private DriverCommand() {
    }

    /** The container's {@code command}: spark-submit itself, run without a shell in front of it. */
    static List<String> command(DriverPodPoolConfig pool) {
        return List.of(pool.sparkHome().replaceAll("/+$", "") + "/bin/spark-submit");
    }

    /** spark-submit's arguments; user values escaped for the kubelet, one element each. */
    static List<String> args(JobSpec spec) throws LaunchRefusedException {
        Application app = spec.application();
        List<String> args = new ArrayList<>();
        args.addAll(List.of("--conf", "spark.driver.bindAddress=$(" + POD_IP_ENV + ")"));
        list(args, "--py-files", spec.pyFiles());
        list(args, "--jars", spec.jars());
        list(args, "--files", spec.files());
        list(args, "--archives", spec.archives());
        list(args, "--packages", spec.packages());
        if (app.type() == ApplicationType.SPARK_CONNECT) {
            // as sbin/start-connect-server.sh: SparkSubmit knows the class and needs no jar
            args.addAll(List.of("--class", SparkConnectServer.MAIN_CLASS));
        } else {
            if (app.type() == ApplicationType.JVM && app.mainClass() != null) {
                args.addAll(List.of("--class", kubeletLiteral(app.mainClass())));
            }
            args.add(kubeletLiteral(LaunchPolicy.primaryResource(app.file(), false)));
            for (String arg : app.args()) {
                args.add(kubeletLiteral(arg));
            }
        }
        for (String arg : args) {
            LaunchPolicy.noNul("an argument", arg);
        }
        return args;
    }

    /** The driver's environment: its conf dir, its pod IP, the job's entries, then its secrets. */
    static List<EnvVar> env(JobSpec spec, Map<String, SecretKeyRef> secrets) throws LaunchRefusedException {
        List<EnvVar> env = new ArrayList<>();
        Map<String, String> trace = DriverTrace.environment(); // the worker's: it replaces a job's entry of the same name
        env.add(new EnvVarBuilder().withName("SPARK_CONF_DIR").withValue(SparkDefaults.CONF_DIR).build());
        env.add(new EnvVarBuilder().withName(POD_IP_ENV).withNewValueFrom().withNewFieldRef()
                .withFieldPath("status.podIP").endFieldRef().endValueFrom().build());
        for (Map.Entry<String, String> entry : spec.env().entrySet()) {
            // the policy refused every name a job may not set (the worker's own among them) before this
            if (!secrets.containsKey(entry.getKey()) && !trace.containsKey(entry.getKey())) {
                LaunchPolicy.noNul("environment entry " + entry.getKey(), entry.getValue());
                env.add(new EnvVarBuilder().withName(entry.getKey()).withValue(kubeletLiteral(entry.getValue()))
                        .build());
            }
        }
        trace.forEach((name, value) -> env.add(new EnvVarBuilder().withName(name)
                .withValue(kubeletLiteral(value)).build()));
        env.addAll(secretEnv(secrets));
        return env;
    }

    /** Secrets as {@code valueFrom.secretKeyRef}: the value is read by the kubelet, never by us. */
    static List<EnvVar> secretEnv(Map<String, SecretKeyRef> secrets) {
        List<EnvVar> env = new ArrayList<>();
        new java.util.TreeMap<>(secrets).forEach((name, ref) -> env.add(new EnvVarBuilder().withName(name)
                .withNewValueFrom().withNewSecretKeyRef().withName(ref.secretName()).withKey(ref.key())
                .endSecretKeyRef().endValueFrom().build()));
        return env;
    }

    /** {@code value} such that the kubelet's {@code $(VAR)} expansion gives back exactly {@code value}. */
    static String kubeletLiteral(String value) {
        return value.replace("$", "$$");
    }

    private static void list(List<String> args, String option, List<String> values) throws LaunchRefusedException {
        if (values.isEmpty()) {
            return;
        }
        args.add(option);
        args.add(kubeletLiteral(LaunchPolicy.listArgument(option, values)));
    }
}
