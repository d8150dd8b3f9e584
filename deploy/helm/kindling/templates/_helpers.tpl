{{/* Names and labels ------------------------------------------------------------------ */}}

{{- define "kindling.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "kindling.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* The labels of every object: (dict "ctx" $ "component" "api") */}}
{{- define "kindling.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .ctx.Chart.Name .ctx.Chart.Version | replace "+" "_" }}
app.kubernetes.io/managed-by: {{ .ctx.Release.Service }}
app.kubernetes.io/version: {{ .ctx.Chart.AppVersion | quote }}
app.kubernetes.io/part-of: kindling
{{ include "kindling.selectorLabels" . }}
{{- end -}}

{{- define "kindling.selectorLabels" -}}
app.kubernetes.io/name: {{ include "kindling.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
{{- if .component }}
app.kubernetes.io/component: {{ .component }}
{{- end }}
{{- end -}}

{{- define "kindling.image" -}}
{{- printf "%s/%s:%s" .ctx.Values.image.repository .component (default .ctx.Chart.AppVersion .ctx.Values.image.tag) -}}
{{- end -}}

{{- define "kindling.serviceAccountName" -}}
{{- printf "%s-%s" (include "kindling.fullname" .ctx) .component -}}
{{- end -}}

{{- define "kindling.jobsNamespace" -}}
{{- default .Release.Namespace .Values.jobs.namespace -}}
{{- end -}}

{{- define "kindling.sparkDriverServiceAccount" -}}
{{- default (printf "%s-spark-driver" (include "kindling.fullname" .)) .Values.sparkDriver.serviceAccount.name -}}
{{- end -}}

{{/* Configuration ---------------------------------------------------------------------- */}}

{{/* The pools file, with the chart's defaults for kubernetes pools filled in. */}}
{{- define "kindling.poolsFile" -}}
{{- $pools := dict -}}
{{- range $name, $pool := .Values.pools -}}
{{- $p := deepCopy $pool -}}
{{- if eq (default "spark-submit" $p.backend) "kubernetes" -}}
{{- if not $p.namespace -}}{{- $_ := set $p "namespace" (include "kindling.jobsNamespace" $) -}}{{- end -}}
{{- if and (not $p.serviceAccount) $.Values.sparkDriver.serviceAccount.create -}}{{- $_ := set $p "serviceAccount" (include "kindling.sparkDriverServiceAccount" $) -}}{{- end -}}
{{- if not $p.artifactFetcherImage -}}{{- $_ := set $p "artifactFetcherImage" (include "kindling.image" (dict "ctx" $ "component" "worker")) -}}{{- end -}}
{{- end -}}
{{- $_ := set $pools $name $p -}}
{{- end -}}
{{- dict "pools" $pools | toYaml -}}
{{- end -}}

{{/* Fails unless every pool the worker serves is a kubernetes pool in jobs.namespace; prints nothing. */}}
{{- define "kindling.checkWorkerPools" -}}
{{- range .Values.worker.pools -}}
{{- $pool := index $.Values.pools . | default dict -}}
{{- if not (hasKey $.Values.pools .) -}}{{- fail (printf "worker.pools names %q, which is not in pools" .) -}}{{- end -}}
{{- if ne (default "spark-submit" $pool.backend) "kubernetes" -}}{{- fail (printf "worker.pools: pool %q is not a `backend: kubernetes` pool (this chart's worker runs driver pods; see deploy/systemd for spark-submit pools)" .) -}}{{- end -}}
{{- if and $pool.namespace (ne $pool.namespace (include "kindling.jobsNamespace" $)) -}}{{- fail (printf "pools.%s.namespace %q differs from jobs.namespace %q (the worker's Role and the log-shipper cover one namespace)" . $pool.namespace (include "kindling.jobsNamespace" $)) -}}{{- end -}}
{{- end -}}
{{- end -}}

{{- define "kindling.anyPoolIngress" -}}
{{- range .Values.worker.pools -}}
{{- $pool := index $.Values.pools . | default dict -}}
{{- if and $pool.ingress $pool.ingress.enabled -}}true{{- end -}}
{{- end -}}
{{- end -}}

{{/* Environment ------------------------------------------------------------------------ */}}

{{/* Every component: (dict "ctx" $ "component" "api") */}}
{{- define "kindling.commonEnv" -}}
- name: KINDLING_HOME
  value: /var/lib/kindling
- name: KINDLING_LOG_LEVEL
  value: {{ .ctx.Values.logLevel | quote }}
- name: KINDLING_METRICS_PORT
  value: {{ .ctx.Values.metrics.port | quote }}
{{- end -}}

{{- define "kindling.poolsEnv" -}}
- name: KINDLING_CONFIG
  value: /etc/kindling/config/pools.yaml
{{- end -}}

{{/* Kafka client settings of one component: (dict "ctx" $ "component" "api") */}}
{{- define "kindling.kafkaEnv" -}}
{{- $k := .ctx.Values.kafka -}}
{{- $c := index $k.credentials .component -}}
- name: KINDLING_KAFKA_BOOTSTRAP_SERVERS
  value: {{ required "kafka.bootstrapServers is required" $k.bootstrapServers | quote }}
- name: KINDLING_TOPIC_PREFIX
  value: {{ $k.topicPrefix | quote }}
- name: KINDLING_TOPIC_PARTITIONS
  value: {{ $k.topicPartitions | quote }}
- name: KINDLING_TOPIC_REPLICATION_FACTOR
  value: {{ $k.topicReplicationFactor | quote }}
- name: KINDLING_KAFKA_SECURITY_PROTOCOL
  value: {{ $k.securityProtocol | quote }}
{{- if $k.saslMechanism }}
- name: KINDLING_KAFKA_SASL_MECHANISM
  value: {{ $k.saslMechanism | quote }}
{{- end }}
{{- if $c.username }}
- name: KINDLING_KAFKA_SASL_USERNAME
  value: {{ $c.username | quote }}
{{- end }}
{{- if eq $k.saslMechanism "OAUTHBEARER" }}
- name: KINDLING_KAFKA_SASL_OAUTHBEARER_TOKEN_ENDPOINT_URL
  value: {{ required "kafka.oauthbearer.tokenEndpointUrl is required with OAUTHBEARER" $k.oauthbearer.tokenEndpointUrl | quote }}
- name: KINDLING_KAFKA_SASL_OAUTHBEARER_CLIENT_ID
  value: {{ required (printf "kafka.credentials.%s.clientId is required with OAUTHBEARER" .component) $c.clientId | quote }}
{{- if $k.oauthbearer.scope }}
- name: KINDLING_KAFKA_SASL_OAUTHBEARER_SCOPE
  value: {{ $k.oauthbearer.scope | quote }}
{{- end }}
{{- end }}
{{- if $c.existingSecret }}
- name: {{ ternary "KINDLING_KAFKA_SASL_OAUTHBEARER_CLIENT_SECRET_FILE" "KINDLING_KAFKA_SASL_PASSWORD_FILE" (eq $k.saslMechanism "OAUTHBEARER") }}
  value: /etc/kindling/kafka/credentials/{{ $c.secretKey }}
{{- end }}
{{- with $k.tls }}
{{- if .truststoreSecret }}
- name: KINDLING_KAFKA_SSL_TRUSTSTORE_LOCATION
  value: /etc/kindling/kafka/truststore/{{ .truststoreKey }}
- name: KINDLING_KAFKA_SSL_TRUSTSTORE_TYPE
  value: {{ .truststoreType | quote }}
{{- if .truststorePasswordKey }}
- name: KINDLING_KAFKA_SSL_TRUSTSTORE_PASSWORD_FILE
  value: /etc/kindling/kafka/truststore/{{ .truststorePasswordKey }}
{{- end }}
{{- end }}
{{- if .keystoreSecret }}
- name: KINDLING_KAFKA_SSL_KEYSTORE_LOCATION
  value: /etc/kindling/kafka/keystore/{{ .keystoreKey }}
- name: KINDLING_KAFKA_SSL_KEYSTORE_TYPE
  value: {{ .keystoreType | quote }}
{{- if .keystorePasswordKey }}
- name: KINDLING_KAFKA_SSL_KEYSTORE_PASSWORD_FILE
  value: /etc/kindling/kafka/keystore/{{ .keystorePasswordKey }}
{{- end }}
{{- end }}
{{- if .endpointIdentificationAlgorithm }}
- name: KINDLING_KAFKA_SSL_ENDPOINT_IDENTIFICATION_ALGORITHM
  value: {{ .endpointIdentificationAlgorithm | quote }}
{{- end }}
{{- end }}
{{- if $k.properties }}
- name: KINDLING_KAFKA_PROPERTIES_FILE
  value: /etc/kindling/config/kafka.properties
{{- end }}
{{- end -}}

{{- define "kindling.kafkaMounts" -}}
{{- $k := .ctx.Values.kafka -}}
{{- $c := index $k.credentials .component -}}
{{- if $c.existingSecret }}
- name: kafka-credentials
  mountPath: /etc/kindling/kafka/credentials
  readOnly: true
{{- end }}
{{- if $k.tls.truststoreSecret }}
- name: kafka-truststore
  mountPath: /etc/kindling/kafka/truststore
  readOnly: true
{{- end }}
{{- if $k.tls.keystoreSecret }}
- name: kafka-keystore
  mountPath: /etc/kindling/kafka/keystore
  readOnly: true
{{- end }}
{{- end -}}

{{- define "kindling.kafkaVolumes" -}}
{{- $k := .ctx.Values.kafka -}}
{{- $c := index $k.credentials .component -}}
{{- if $c.existingSecret }}
- name: kafka-credentials
  secret:
    secretName: {{ $c.existingSecret }}
    items:
      - {key: {{ $c.secretKey }}, path: {{ $c.secretKey }}}
{{- end }}
{{- with $k.tls }}
{{- if .truststoreSecret }}
- name: kafka-truststore
  secret:
    secretName: {{ .truststoreSecret }}
    items:
      - {key: {{ .truststoreKey }}, path: {{ .truststoreKey }}}
      {{- if .truststorePasswordKey }}
      - {key: {{ .truststorePasswordKey }}, path: {{ .truststorePasswordKey }}}
      {{- end }}
{{- end }}
{{- if .keystoreSecret }}
- name: kafka-keystore
  secret:
    secretName: {{ .keystoreSecret }}
    items:
      - {key: {{ .keystoreKey }}, path: {{ .keystoreKey }}}
      {{- if .keystorePasswordKey }}
      - {key: {{ .keystorePasswordKey }}, path: {{ .keystorePasswordKey }}}
      {{- end }}
{{- end }}
{{- end }}
{{- end -}}

{{/* Blob store settings (api, worker, log-shipper): (dict "ctx" $) */}}
{{- define "kindling.blobEnv" -}}
{{- $b := .ctx.Values.blobStore -}}
- name: KINDLING_BLOB_STORE
  value: azure
- name: KINDLING_AZURE_CONTAINER
  value: {{ $b.container | quote }}
{{- if $b.accountUrl }}
- name: KINDLING_AZURE_ACCOUNT_URL
  value: {{ $b.accountUrl | quote }}
{{- if $b.sasTokenKey }}
- name: KINDLING_AZURE_SAS_TOKEN_FILE
  value: /etc/kindling/blob/{{ $b.sasTokenKey }}
{{- end }}
{{- else }}
- name: KINDLING_AZURE_CONNECTION_STRING
  valueFrom:
    secretKeyRef:
      name: {{ required "blobStore: set existingSecret (a connection string) or accountUrl" $b.existingSecret }}
      key: {{ $b.connectionStringKey }}
{{- end }}
{{- end -}}

{{- define "kindling.blobMounts" -}}
{{- $b := .ctx.Values.blobStore -}}
{{- if and $b.accountUrl $b.sasTokenKey }}
- name: blob-sas
  mountPath: /etc/kindling/blob
  readOnly: true
{{- end }}
{{- end -}}

{{- define "kindling.blobVolumes" -}}
{{- $b := .ctx.Values.blobStore -}}
{{- if and $b.accountUrl $b.sasTokenKey }}
- name: blob-sas
  secret:
    secretName: {{ required "blobStore.existingSecret must hold the SAS token (sasTokenKey)" $b.existingSecret }}
    items:
      - {key: {{ $b.sasTokenKey }}, path: {{ $b.sasTokenKey }}}
{{- end }}
{{- end -}}

{{/* Extra KINDLING_* settings of a component (a map). */}}
{{- define "kindling.extraEnv" -}}
{{- range $name, $value := . }}
- name: {{ $name }}
  value: {{ $value | toString | quote }}
{{- end }}
{{- end -}}

{{/* Pods ------------------------------------------------------------------------------- */}}

{{/* Labels of a component's pods: (dict "ctx" $ "component" "api" "identity" true) */}}
{{- define "kindling.podLabels" -}}
{{ include "kindling.selectorLabels" . }}
{{- if and .identity .ctx.Values.workloadIdentity.enabled }}
azure.workload.identity/use: "true"
{{- end }}
{{- end -}}

{{/* The management port, its probes and the container's security context: (dict "ctx" $) */}}
{{- define "kindling.containerCommon" -}}
imagePullPolicy: {{ .ctx.Values.image.pullPolicy }}
securityContext:
  {{- toYaml .ctx.Values.containerSecurityContext | nindent 2 }}
livenessProbe:
  httpGet: {path: /health/live, port: management}
  initialDelaySeconds: 20
  periodSeconds: 10
  timeoutSeconds: 5
  failureThreshold: 6
readinessProbe:
  httpGet: {path: /health/ready, port: management}
  periodSeconds: 5
  timeoutSeconds: 5
  failureThreshold: 3
startupProbe:
  httpGet: {path: /health/live, port: management}
  periodSeconds: 5
  failureThreshold: 60
{{- end -}}

{{/* The pod-level settings shared by every component: (dict "ctx" $ "component" "api" "values" .Values.api) */}}
{{- define "kindling.podCommon" -}}
serviceAccountName: {{ include "kindling.serviceAccountName" . }}
securityContext:
  {{- toYaml .ctx.Values.podSecurityContext | nindent 2 }}
terminationGracePeriodSeconds: 60
{{- with .ctx.Values.image.pullSecrets }}
imagePullSecrets:
  {{- range . }}
  - name: {{ . }}
  {{- end }}
{{- end }}
{{- with .values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/* Volumes every pod has: /tmp and KINDLING_HOME (the root file system is read-only). */}}
{{- define "kindling.baseMounts" -}}
- name: tmp
  mountPath: /tmp
- name: home
  mountPath: /var/lib/kindling
{{- end -}}

{{- define "kindling.baseVolumes" -}}
- name: tmp
  emptyDir:
    sizeLimit: {{ .tmpSizeLimit | default "1Gi" }}
- name: home
  emptyDir:
    sizeLimit: {{ .homeSizeLimit | default "1Gi" }}
{{- end -}}

{{- define "kindling.configMount" -}}
- name: config
  mountPath: /etc/kindling/config
  readOnly: true
{{- end -}}

{{- define "kindling.configVolume" -}}
- name: config
  configMap:
    name: {{ include "kindling.fullname" . }}-config
{{- end -}}
